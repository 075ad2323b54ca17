package http

import "net/http"

// routes registers every route of the server: a newcomer finds a screen's
// handler here, then in the file named after it.
func (s *Server) routes() {
	m := routeMux{s}

	// Sign-in: password, then TOTP (enrolment the first time).
	m.HandleFunc("GET /signin", s.signinPage)
	m.HandleFunc("POST /signin", s.signinSubmit)
	m.HandleFunc("GET /signin/totp", s.signinTOTPPage)
	m.HandleFunc("POST /signin/totp", s.signinTOTPSubmit)
	m.HandleFunc("GET /signin/totp/qr.png", s.signinTOTPQR)
	m.HandleFunc("POST /signout", s.signout)

	// Pages for signed-in staff (password and TOTP both proved).
	m.Handle("GET /{$}", s.requireUser(s.home))
	m.Handle("GET /admin/audit", s.requireUser(s.auditViewer))

	// Accounts (administrators; supervisors may read the list) and the
	// agency directory (every staff role; administrators add agencies).
	m.Handle("GET /admin/users", s.requireUser(s.adminUsers))
	m.Handle("GET /admin/users/new", s.requireUser(s.adminUserNew))
	m.Handle("POST /admin/users", s.requireUser(s.adminUserCreate))
	m.Handle("GET /admin/users/{id}/totp.png", s.requireUser(s.adminUserTOTPQR))
	for _, action := range []string{"disable", "enable", "reset-mfa"} {
		m.Handle("GET /admin/users/{id}/"+action, s.requireUser(s.adminUserConfirm(action)))
		m.Handle("POST /admin/users/{id}/"+action, s.requireUser(s.adminUserDo(action)))
	}
	m.Handle("GET /agencies", s.requireUser(s.agencies))
	m.Handle("GET /agencies/new", s.requireUser(s.agencyNew))
	m.Handle("POST /agencies", s.requireUser(s.agencyCreate))
	// One agency, its edit form, deactivating it, and the directory as a
	// CSV file both ways (agency_page.go, agency_edit.go, agency_active.go,
	// agency_import.go, agency_export.go).
	m.Handle("GET /agencies/{id}", s.requireUser(s.agencyPage))
	m.Handle("GET /agencies/{id}/edit", s.requireUser(s.agencyEdit))
	m.Handle("POST /agencies/{id}", s.requireUser(s.agencyUpdate))
	m.Handle("POST /agencies/{id}/deactivate", s.requireUser(s.agencySetActive(false)))
	m.Handle("POST /agencies/{id}/reactivate", s.requireUser(s.agencySetActive(true)))
	m.Handle("GET /agencies/import", s.requireUser(s.agencyImportPage))
	m.Handle("POST /agencies/import", s.requireUser(s.agencyImport))
	m.Handle("GET /agencies/export.csv", s.requireUser(s.agencyExport))

	// Reports from every channel: the list the actor may see, one report
	// with everything known about it, and its files as downloads
	// (reports_list.go, report_page.go).
	m.Handle("GET /reports", s.requireUser(s.reports))
	m.Handle("GET /reports/{id}", s.requireUser(s.reportPage))
	// Search over reports and cases, with filters (search.go).
	m.Handle("GET /search", s.requireUser(s.search))
	// The analyst queue, most urgent first, and the supervisor's view of
	// deadlines; claiming, releasing and assigning a report (queue.go,
	// deadlines.go, queue_actions.go).
	m.Handle("GET /queue", s.requireUser(s.queue))
	m.Handle("GET /queue/deadlines", s.requireUser(s.deadlines))
	m.Handle("POST /reports/{id}/claim", s.requireUser(s.reportClaim))
	m.Handle("POST /reports/{id}/release", s.requireUser(s.reportRelease))
	m.Handle("POST /reports/{id}/assign", s.requireUser(s.reportAssign))
	m.Handle("GET /reports/{id}/attachments/{attID}", s.requireUser(s.reportAttachment))
	// A supervisor's override of a report's triage priority, with a reason
	// (report_priority.go).
	m.Handle("POST /reports/{id}/priority", s.requireUser(s.reportPriority))
	m.Handle("POST /reports/{id}/close", s.requireUser(s.reportClose))
	m.Handle("POST /reports/{id}/reopen", s.requireUser(s.reportReopen))
	// An analyst's decision on a suggested match of a person in a report
	// with a child on file, shown on the report's page (person_matches.go).
	m.Handle("POST /person-matches/{id}/confirm", s.requireUser(s.personMatchConfirm))
	m.Handle("POST /person-matches/{id}/reject", s.requireUser(s.personMatchReject))

	// Cases (the case workbench): the list, one case with its timeline,
	// opening one from a report's page, and the case page's actions
	// (cases_list.go, case_page.go, case_open.go, case_actions.go).
	m.Handle("GET /cases", s.requireUser(s.casesList))
	m.Handle("GET /cases/{id}", s.requireUser(s.casePage))
	m.Handle("POST /reports/{id}/cases", s.requireUser(s.reportOpenCase))
	m.Handle("POST /cases/{id}/reports", s.requireUser(s.caseAction("report", "report", s.caseAddReport)))
	m.Handle("POST /cases/{id}/status", s.requireUser(s.caseAction("status", "status", s.caseStatus)))
	m.Handle("POST /cases/{id}/assign", s.requireUser(s.caseAction("assign", "assign", s.caseAssign)))
	m.Handle("POST /cases/{id}/notes", s.requireUser(s.caseAction("note", "note", s.caseNote)))
	m.Handle("POST /cases/{id}/tasks", s.requireUser(s.caseAction("task", "task", s.caseTask)))
	m.Handle("POST /cases/{id}/tasks/{taskID}", s.requireUser(s.caseAction("task", "task", s.caseTaskDone)))
	m.Handle("POST /cases/{id}/determinations", s.requireUser(s.caseAction("determination", "determination", s.caseDetermination)))
	m.Handle("POST /cases/{id}/determinations/{detID}/approve", s.requireUser(s.caseAction("determination", "approved", s.caseDecide(true))))
	m.Handle("POST /cases/{id}/determinations/{detID}/return", s.requireUser(s.caseAction("determination", "returned", s.caseDecide(false))))
	m.Handle("POST /cases/{id}/merge", s.requireUser(s.caseAction("merge", "merged", s.caseMerge)))
	m.Handle("POST /cases/{id}/split", s.requireUser(s.caseAction("split", "split", s.caseSplit)))
	m.Handle("POST /cases/{id}/attachments/{attID}/reveal", s.requireUser(s.caseReveal))
	m.Handle("GET /cases/{id}/attachments/{attID}", s.requireUser(s.caseAttachment))

	// Linking: the identifier index with its review queue (?state=flagged,
	// the default), one identifier with the reports it links, and the
	// analyst's decisions on it (identifiers.go; a report's links are on
	// its page, report_links.go).
	m.Handle("GET /identifiers", s.requireUser(s.identifiers))
	m.Handle("GET /identifiers/{id}", s.requireUser(s.identifierPage))
	m.Handle("POST /identifiers/{id}/exclude", s.requireUser(s.identifierExclude))
	m.Handle("POST /identifiers/{id}/confirm", s.requireUser(s.identifierConfirm))
	// A network as a graph, a timeline and a map of states, and the review
	// queue of flagged and newly linking identifiers, strongest first
	// (network_page.go, review.go).
	m.Handle("GET /networks/{id}", s.requireUser(s.networkPage))
	m.Handle("GET /review", s.requireUser(s.review))

	// Analytical support for law enforcement: officers' requests, the
	// analysts' products answering them, and each product's watermarked
	// PDF at /analysis/products/{id}.pdf (analysis.go).
	m.Handle("GET /analysis", s.requireUser(s.analysisList))
	m.Handle("POST /analysis", s.requireUser(s.analysisCreate))
	m.Handle("GET /analysis/{id}", s.requireUser(s.analysisRequestPage))
	m.Handle("POST /analysis/{id}/claim", s.requireUser(s.analysisClaim))
	m.Handle("POST /analysis/{id}/assign", s.requireUser(s.analysisAssign))
	m.Handle("POST /analysis/{id}/close", s.requireUser(s.analysisClose))
	m.Handle("POST /analysis/{id}/products", s.requireUser(s.analysisProductCreate))
	m.Handle("GET /analysis/products/{file}", s.requireUser(s.analysisProduct))

	// Referrals: an analyst refers a report to agencies from its page; the
	// clearinghouse's list and a referral's page, where an agency's
	// question is answered (referrals.go). The law-enforcement portal: an
	// agency's referrals, one referral with its package, its watermarked
	// PDF at /portal/referrals/{id}.pdf, the agency's actions on it, and
	// its statistics (portal.go).
	m.Handle("POST /reports/{id}/referrals", s.requireUser(s.reportReferralCreate))
	m.Handle("GET /referrals", s.requireUser(s.referralsList))
	m.Handle("GET /referrals/{file}", s.requireUser(s.portalReferral))
	m.Handle("POST /referrals/{id}/answers", s.requireUser(s.referralAnswer))
	m.Handle("GET /portal", s.requireUser(s.portalHome))
	m.Handle("GET /portal/statistics", s.requireUser(s.portalStatistics))
	m.Handle("GET /portal/referrals/{file}", s.requireUser(s.portalReferral))
	m.Handle("POST /portal/referrals/{id}/acknowledge", s.requireUser(s.portalAcknowledge))
	m.Handle("POST /portal/referrals/{id}/outcome", s.requireUser(s.portalOutcome))
	m.Handle("POST /portal/referrals/{id}/info-requests", s.requireUser(s.portalInfoRequest))
	m.Handle("POST /portal/referrals/{id}/transfer", s.requireUser(s.portalTransfer))

	// The public tip form and its follow-up page: no sign-in, English and
	// Spanish, rate limited per address (tip.go, tip_follow_up.go).
	tips := newTipPages(s, s.tipOpts)
	m.HandleFunc("GET /tip", tips.tipForm)
	m.HandleFunc("POST /tip", tips.tipSubmit)
	m.HandleFunc("GET /tip/follow-up", tips.followUpForm)
	m.HandleFunc("POST /tip/follow-up", tips.followUpSubmit)

	// Missing children: the missing-child report (with missing from care
	// and its 24-hour statutory clock), the episodes, recovery with its
	// debrief, and a child's page with the child's episodes
	// (missing_new.go, missing_list.go, missing_episode.go, child_page.go).
	m.Handle("GET /missing", s.requireUser(s.missingList))
	m.Handle("GET /missing/new", s.requireUser(s.missingNew))
	m.Handle("POST /missing", s.requireUser(s.missingCreate))
	m.Handle("GET /missing/{id}", s.requireUser(s.missingEpisode))
	m.Handle("POST /missing/{id}/recovery", s.requireUser(s.missingRecovery))
	m.Handle("POST /missing/{id}/notifications", s.requireUser(s.missingNotifications))
	m.Handle("GET /children/{id}", s.requireUser(s.childPage))

	// ESP reporting API (CyberTipline-compatible XML, HTTP Basic with ESP
	// accounts, no session cookie): internal/ispws serves all of /ispws/.
	// Administrators manage the ESP accounts at /admin/esp (admin_esp.go).
	m.Handle("/ispws/", s.ispws())
	m.Handle("GET /admin/esp", s.requireUser(s.adminEsp))
	m.Handle("POST /admin/esp", s.requireUser(s.adminEspCreate))
	m.Handle("POST /admin/esp/{name}/disable", s.requireUser(s.adminEspSetDisabled(true)))
	m.Handle("POST /admin/esp/{name}/enable", s.requireUser(s.adminEspSetDisabled(false)))
	// Retention policy (administrators) and legal holds (administrators
	// and supervisors): admin_retention.go.
	m.Handle("GET /admin/retention", s.requireUser(s.adminRetention))
	m.Handle("POST /admin/retention", s.requireUser(s.adminRetentionSave))
	m.Handle("GET /admin/legal-holds", s.requireUser(s.adminLegalHolds))
	m.Handle("POST /admin/legal-holds", s.requireUser(s.adminLegalHoldPlace))
	m.Handle("POST /admin/legal-holds/{id}/release", s.requireUser(s.adminLegalHoldRelease))

	// Hotline console (hotline specialists; supervisors read calls) and the
	// in-app notifications an imminent-danger call raises (each user's own).
	m.Handle("GET /hotline", s.requireUser(s.hotline))
	m.Handle("POST /hotline/calls", s.requireUser(s.hotlineStart))
	m.Handle("GET /hotline/calls/{id}", s.requireUser(s.hotlineCall))
	m.Handle("POST /hotline/calls/{id}", s.requireUser(s.hotlineCallSave))
	m.Handle("GET /notifications", s.requireUser(s.notifications))
	m.Handle("POST /notifications/{id}/read", s.requireUser(s.notificationRead))

	// JSON API: bearer tokens only, never the session cookie.
	// Every API route is in openapi.json (a test checks both ways).
	s.api("GET /api/v1/openapi.json", http.HandlerFunc(s.apiOpenAPI))
	s.api("GET /api/v1/me", s.requireToken(s.apiMe))
	// The agency directory (api_agencies.go).
	s.api("GET /api/v1/agencies", s.requireToken(s.apiAgencies))
	s.api("POST /api/v1/agencies", s.requireToken(s.apiAgencyCreate))
	s.api("GET /api/v1/agencies/{id}", s.requireToken(s.apiAgencyGet))
	s.api("PUT /api/v1/agencies/{id}", s.requireToken(s.apiAgencyUpdate(false)))
	s.api("PATCH /api/v1/agencies/{id}", s.requireToken(s.apiAgencyUpdate(true)))
	s.api("GET /api/v1/reports", s.requireToken(s.apiReports))
	s.api("POST /api/v1/reports", s.requireToken(s.apiReportCreate))
	s.api("GET /api/v1/reports/{id}", s.requireToken(s.apiReportGet))
	s.api("POST /api/v1/reports/{id}/priority", s.requireToken(s.apiReportPriority))
	s.api("POST /api/v1/reports/{id}/close", s.requireToken(s.apiReportClose))
	s.api("POST /api/v1/reports/{id}/reopen", s.requireToken(s.apiReportReopen))
	// Linking: a report's links, the identifier index with the analysts'
	// decisions, a network, and person matches (api_linking.go).
	s.api("GET /api/v1/reports/{id}/links", s.requireToken(s.apiReportLinks))
	// A report's suggested recipients: agencies covering its places, ranked
	// (report_routing.go).
	s.api("GET /api/v1/reports/{id}/routing", s.requireToken(s.apiReportRouting))
	s.api("GET /api/v1/identifiers", s.requireToken(s.apiIdentifiers))
	s.api("GET /api/v1/identifiers/{id}", s.requireToken(s.apiIdentifier))
	s.api("POST /api/v1/identifiers/{id}/exclude", s.requireToken(s.apiIdentifierExclude))
	s.api("POST /api/v1/identifiers/{id}/confirm", s.requireToken(s.apiIdentifierConfirm))
	s.api("GET /api/v1/networks/{id}", s.requireToken(s.apiNetwork))
	s.api("GET /api/v1/reports/{id}/person-matches", s.requireToken(s.apiReportPersonMatches))
	s.api("GET /api/v1/person-matches", s.requireToken(s.apiPendingPersonMatches))
	s.api("POST /api/v1/person-matches/{id}/confirm", s.requireToken(s.apiPersonMatchConfirm))
	s.api("POST /api/v1/person-matches/{id}/reject", s.requireToken(s.apiPersonMatchReject))
	// The analyst queue and the deadline view (api_queue.go).
	s.api("GET /api/v1/legal-holds", s.requireToken(s.apiLegalHolds))
	s.api("POST /api/v1/legal-holds", s.requireToken(s.apiLegalHoldCreate))
	s.api("POST /api/v1/legal-holds/{id}/release", s.requireToken(s.apiLegalHoldRelease))
	s.api("GET /api/v1/queue", s.requireToken(s.apiQueue))
	s.api("GET /api/v1/deadlines", s.requireToken(s.apiDeadlines))
	s.api("POST /api/v1/reports/{id}/claim", s.requireToken(s.apiReportClaim))
	s.api("POST /api/v1/reports/{id}/release", s.requireToken(s.apiReportRelease))
	s.api("POST /api/v1/reports/{id}/assign", s.requireToken(s.apiReportAssign))
	s.api("GET /api/v1/search", s.requireToken(s.apiSearch))
	// Analytical support (api_analysis.go).
	s.api("GET /api/v1/analysis-requests", s.requireToken(s.apiAnalysisRequests))
	s.api("POST /api/v1/analysis-requests", s.requireToken(s.apiAnalysisRequestCreate))
	s.api("GET /api/v1/analysis-requests/{id}", s.requireToken(s.apiAnalysisRequestGet))
	s.api("POST /api/v1/analysis-requests/{id}/claim", s.requireToken(s.apiAnalysisRequestClaim))
	s.api("POST /api/v1/analysis-requests/{id}/close", s.requireToken(s.apiAnalysisRequestClose))
	s.api("POST /api/v1/analysis-requests/{id}/assign", s.requireToken(s.apiAnalysisRequestAssign))
	s.api("POST /api/v1/analysis-requests/{id}/products", s.requireToken(s.apiProductCreate))
	s.api("GET /api/v1/products/{id}", s.requireToken(s.apiProductGet))
	s.api("GET /api/v1/products/{id}/pdf", s.requireToken(s.apiProductPDF))
	// Referrals and the agencies' actions on them (api_referrals.go).
	s.api("POST /api/v1/reports/{id}/referrals", s.requireToken(s.apiReferralCreate))
	s.api("GET /api/v1/referrals", s.requireToken(s.apiReferrals))
	s.api("GET /api/v1/referrals/{id}", s.requireToken(s.apiReferralGet))
	s.api("GET /api/v1/referrals/{id}/pdf", s.requireToken(s.apiReferralPDF))
	s.api("POST /api/v1/referrals/{id}/acknowledge", s.requireToken(s.apiReferralAcknowledge))
	s.api("POST /api/v1/referrals/{id}/outcome", s.requireToken(s.apiReferralOutcome))
	s.api("POST /api/v1/referrals/{id}/info-requests", s.requireToken(s.apiReferralInfoRequest))
	s.api("POST /api/v1/referrals/{id}/info-answers", s.requireToken(s.apiReferralInfoAnswer))
	s.api("POST /api/v1/referrals/{id}/transfer", s.requireToken(s.apiReferralTransfer))
	s.api("POST /api/v1/reports/{id}/attachments", s.requireToken(s.apiAttachmentCreate))
	s.api("GET /api/v1/reports/{id}/attachments", s.requireToken(s.apiAttachmentList))
	s.api("GET /api/v1/reports/{id}/attachments/{attID}", s.requireToken(s.apiAttachmentGet))
	s.api("POST /api/v1/tips", s.requireToken(s.apiTipCreate))
	s.api("POST /api/v1/tips/{ref}/supplements", s.requireToken(s.apiSupplementCreate))
	s.api("POST /api/v1/hotline-calls", s.requireToken(s.apiCallStart))
	s.api("GET /api/v1/hotline-calls/{id}", s.requireToken(s.apiCallGet))
	s.api("PATCH /api/v1/hotline-calls/{id}", s.requireToken(s.apiCallPatch))
	s.api("POST /api/v1/missing", s.requireToken(s.apiMissingCreate))
	s.api("GET /api/v1/missing", s.requireToken(s.apiMissingList))
	s.api("GET /api/v1/missing/{id}", s.requireToken(s.apiMissingGet))
	s.api("POST /api/v1/missing/{id}/recovery", s.requireToken(s.apiMissingRecovery))
	s.api("POST /api/v1/missing/{id}/notifications", s.requireToken(s.apiMissingNotifications))
	// Cases, as on the case pages and with the same service methods (api_cases.go).
	s.api("GET /api/v1/cases", s.requireToken(s.apiCases))
	s.api("POST /api/v1/cases", s.requireToken(s.apiCaseCreate))
	s.api("GET /api/v1/cases/{id}", s.requireToken(s.apiCaseGet))
	s.api("GET /api/v1/cases/{id}/attachments/{attID}", s.requireToken(s.apiCaseAttachment))
	s.api("GET /api/v1/case-statistics/determinations", s.requireToken(s.apiDeterminationStats))
	s.api("GET /api/v1/referral-statistics", s.requireToken(s.apiReferralStatistics))
	s.api("GET /api/v1/report-statistics/states", s.requireToken(s.apiReportsByState))
	for pattern, h := range s.apiCaseRoutes() {
		s.api(pattern, s.requireToken(h))
	}
	m.HandleFunc("/api/", s.apiNotFound)

	// Operations.
	m.HandleFunc("GET /healthz", s.healthz)
	m.HandleFunc("GET /readyz", s.readyz)
	m.Handle("GET /metrics", s.metricsHandler())

	// Assets and everything else.
	m.Handle("GET /static/", s.static())
	m.HandleFunc("/", s.notFound)
}

// routed reports whether a GET of path reaches a page of its own (not the
// not-found page), so that links to screens not built yet are left out.
func (s *Server) routed(path string) bool {
	r, err := http.NewRequest(http.MethodGet, path, nil)
	if err != nil {
		return false
	}
	_, pattern := s.mux.Handler(r)
	return pattern != "" && pattern != "/"
}

// api registers a JSON API route and remembers its pattern, so that a test
// can hold the OpenAPI description to the routes that really exist.
func (s *Server) api(pattern string, h http.Handler) {
	s.apiRoutes = append(s.apiRoutes, pattern)
	routeMux{s}.Handle(pattern, h)
}

// APIRoutes returns the patterns of the JSON API's routes ("GET
// /api/v1/reports", …), as registered.
func (s *Server) APIRoutes() []string { return append([]string(nil), s.apiRoutes...) }
