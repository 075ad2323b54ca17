package http

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// The staff page of one report (/reports/{id}): everything known about it,
// from any channel: what it alleges, its places, people and online
// details, who reported it, the supplements its reporter added later, what
// its channel kept (the hotline call, the ESP submission, the missing
// episode), and its files, which are never shown inline: each has a
// download link (/reports/{id}/attachments/{attID}). Opening the page is a
// view of the report, and downloading a file an opening of it, both audited
// by the service (with ?reason=, if given). A report the actor may not see
// answers exactly like one that does not exist.

// reportPageData is what the report page shows.
type reportPageData struct {
	R                                            *haven.Report
	Channel, Incident, Missing, Priority, Status string
	Received, ReceivedISO, IncidentAt, Agency    string
	Places                                       []placeRow
	People                                       []mentionRow
	Identifiers                                  identifierList
	Indicators                                   []string
	Reporter                                     contactView
	Supplements                                  []supplementRow
	Attachments                                  []attachmentRow
	Call                                         *callView
	Esp                                          *espView
	EpisodeHref                                  string
	Links                                        *linksView // nil when they could not be read (report_links.go)
	// Matches are the person matches (person_matches.go); nil for those
	// who may not see them.
	Matches *matchesView
	// MatchDone says which decision on a person match was just recorded.
	MatchDone string
	// Cases are the cases holding the report and the form to open one
	// (case_open.go); nil for those who may not see cases.
	Cases *reportCasesView
	// Triage is the priority, the rules that fired and the override
	// (report_priority.go).
	Triage *triageView
	// Routing is the suggested recipients panel (report_routing.go); nil
	// when it could not be read.
	Routing *routingView
	// Referrals are the report's referrals to agencies (referrals.go); nil
	// for those who may not see them.
	Referrals *reportReferralsView
	// Holds are the open legal holds covering the report (retention.go).
	Holds []*haven.LegalHold
	// StatusForm closes or reopens the report (report_status.go); nil for
	// those who may not change it.
	StatusForm *reportStatusView
}

type placeRow struct{ Role, Text string }

type mentionRow struct {
	Role, Name, Nickname, Age, Sex, Description, Where string
}

// identifierList is a list of identifiers with its element id ("" for none).
type identifierList struct {
	ID   string
	Rows []identifierRow
}

type identifierRow struct {
	Kind, Platform, Value, Raw string
}

// contactView is the reporter as the report records them.
type contactView struct {
	Anonymous                                      bool
	Name, Phone, Email, Organization, Relationship string
	Language                                       string
	Given                                          bool // any contact detail at all
}

type supplementRow struct {
	N              int
	At, AtISO      string
	Text, Language string
	Identifiers    identifierList
	Files          []attachmentRow
}

// attachmentRow is a file of the report, described, never shown.
type attachmentRow struct {
	ID                                      int64
	Name, Size, Type, Declared, SHA256, MD5 string
	Href, CameWith, Received                string
}

// fileTable is a report's files as the "file-table" template draws them:
// the table's id and its caption's id, the words after the count in the
// caption ("of report HV-…"), and whether to show where each file came from
// and its MD5 (the report page) or not (the hotline call page).
type fileTable struct {
	Files         []attachmentRow
	ID, CaptionID string
	Of            string
	Full          bool
}

// FileTable is the report page's table of files.
func (d reportPageData) FileTable() fileTable {
	return fileTable{Files: d.Attachments, ID: "report-files", CaptionID: "files-caption", Full: true}
}

type callView struct {
	ID                                                  int64
	Href                                                string // "" when the actor may not open the call itself
	Started, Ended, Duration, Caller, Language, Outcome string
	Specialist, Form                                    string
	Imminent                                            bool
	ImminentAt                                          string
}

type espView struct {
	Account, SubmissionID, Opened, Finished string
	Document                                string
	Files                                   []espFileRow
}

type espFileRow struct {
	FileID, Name, Details, Href string
}

// reportPage shows a report the actor may see; any other answers as missing.
func (s *Server) reportPage(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	s.renderReportPage(w, r, a, id, http.StatusOK, nil)
}

// renderReportPage shows report id with the given status; fe is a decision
// on a person match refused for bad input (nil for none).
func (s *Server) renderReportPage(w http.ResponseWriter, r *http.Request, a haven.Actor, id int64, status int, fe *matchFormError) {
	s.renderReportPageWith(w, r, a, id, status, fe, nil)
}

// renderReportPageWith is renderReportPage with, as well, an override of
// the priority refused for bad input (pe; nil for none).
func (s *Server) renderReportPageWith(w http.ResponseWriter, r *http.Request, a haven.Actor, id int64, status int, fe *matchFormError, pe *priorityFormError) {
	s.renderReportPageForms(w, r, a, id, status, fe, pe, nil)
}

// renderReportPageStatus is renderReportPage with a close or reopen refused
// for bad input (sv).
func (s *Server) renderReportPageStatus(w http.ResponseWriter, r *http.Request, a haven.Actor, id int64, status int, sv *reportStatusView) {
	s.renderReportPageForms(w, r, a, id, status, nil, nil, sv)
}

// renderReportPageForms draws the report page with the refused forms
// given (nil for none).
func (s *Server) renderReportPageForms(w http.ResponseWriter, r *http.Request, a haven.Actor, id int64, status int, fe *matchFormError, pe *priorityFormError, sv *reportStatusView) {
	v, err := s.svc.ReportDetail(r.Context(), a, id, r.URL.Query().Get("reason"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	rep := v.Report
	d := reportPageData{R: rep, Channel: rep.Channel.Label(), Incident: rep.IncidentType.Label(), Priority: rep.Priority.Label(),
		Status: statusLabel(rep.Status), Received: showMinute(rep.ReceivedAt), ReceivedISO: rep.ReceivedAt.UTC().Format(time.RFC3339)}
	if rep.MissingType != "" {
		d.Missing = rep.MissingType.Label()
	}
	if rep.IncidentAt != nil {
		d.IncidentAt = showMinute(*rep.IncidentAt)
	}
	if rep.AgencyID != 0 {
		if d.Agency = s.agencyName(r.Context(), a, rep.AgencyID); d.Agency == "" {
			d.Agency = fmt.Sprintf("Agency %d", rep.AgencyID)
		}
	}
	for _, p := range rep.Places {
		d.Places = append(d.Places, placeRow{Role: placeRoleLabel(p.Role), Text: placeLine(p)})
	}
	for _, p := range rep.People {
		d.People = append(d.People, newMentionRow(p))
	}
	d.Identifiers = identifierList{ID: "report-identifiers", Rows: identifierRows(rep.Identifiers)}
	d.Triage = newTriageView(a, rep, s.svc.Now(), pe, r.URL.Query().Get("priority") == "set")
	if d.StatusForm = newReportStatusView(a, rep, r.URL.Query().Get("status")); d.StatusForm != nil && sv != nil {
		d.StatusForm.Reason, d.StatusForm.Error = sv.Reason, sv.Error
	}
	d.Links = s.reportLinks(r, a, rep.ID)
	d.Matches = s.reportMatches(r, a, rep.ID, fe)
	d.Cases = s.reportCases(r, a, rep)
	d.Routing = s.reportRouting(r, a, rep)
	d.Referrals = s.reportReferrals(r, a, rep)
	if hs, err := s.svc.ReportLegalHolds(r.Context(), a, rep.ID); err == nil {
		d.Holds = hs
	}
	if done := r.URL.Query().Get("match"); fe == nil && (done == "confirmed" || done == "rejected") {
		d.MatchDone = done
	}
	tax := haven.Taxonomy()
	for _, id := range rep.Indicators {
		if ind := tax.Indicator(id); ind != nil {
			d.Indicators = append(d.Indicators, ind.EN)
		} else {
			d.Indicators = append(d.Indicators, id)
		}
	}
	d.Reporter = newContactView(rep.Reporter)

	// Files: each row says what it came with; supplements list theirs too.
	base := "/reports/" + strconv.FormatInt(rep.ID, 10)
	cameWith := map[int64]int{} // attachment id → supplement number
	for i, sup := range v.Supplements {
		for _, aid := range sup.AttachmentIDs {
			cameWith[aid] = i + 1
		}
	}
	byID := map[int64]attachmentRow{}
	for _, att := range v.Attachments {
		row := newAttachmentRow(att)
		if n := cameWith[att.ID]; n != 0 {
			row.CameWith = fmt.Sprintf("Supplement %d", n)
		}
		byID[att.ID] = row
		d.Attachments = append(d.Attachments, row)
	}
	for i, sup := range v.Supplements {
		row := supplementRow{N: i + 1, At: showMinute(sup.CreatedAt), AtISO: sup.CreatedAt.UTC().Format(time.RFC3339), Text: sup.Text,
			Language: languageName(sup.Language), Identifiers: identifierList{Rows: identifierRows(sup.Identifiers)}}
		for _, aid := range sup.AttachmentIDs {
			if f, ok := byID[aid]; ok {
				row.Files = append(row.Files, f)
			}
		}
		d.Supplements = append(d.Supplements, row)
	}

	if c := v.Call; c != nil {
		d.Call = newCallView(a, c, v.Specialist)
	}
	if e := v.Esp; e != nil {
		ev := &espView{Account: e.AccountName, SubmissionID: strconv.FormatInt(e.Submission.ID, 10),
			Opened: showMinute(e.Submission.OpenedAt), Document: string(e.Document)}
		if e.Submission.FinishedAt != nil {
			ev.Finished = showMinute(*e.Submission.FinishedAt)
		}
		for _, f := range e.Files {
			row := espFileRow{FileID: f.File.FileID, Name: f.File.FileName, Details: string(f.Details)}
			if f.File.AttachmentID != 0 {
				row.Href = base + "/attachments/" + strconv.FormatInt(f.File.AttachmentID, 10)
			}
			ev.Files = append(ev.Files, row)
		}
		d.Esp = ev
	}
	if v.EpisodeID != 0 {
		if href := "/missing/" + strconv.FormatInt(v.EpisodeID, 10); s.routed(href) {
			d.EpisodeHref = href
		}
	}
	s.render(w, r, status, "report", &a, d)
}

// reportAttachment sends one file of a report as a download: never inline,
// never sniffed, under a safe name. The service audits the opening.
func (s *Server) reportAttachment(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	reportID, ok := pathID(r)
	attID, err := strconv.ParseInt(r.PathValue("attID"), 10, 64)
	if !ok || err != nil || attID < 1 {
		s.notFound(w, r)
		return
	}
	att, rc, err := s.svc.OpenReportAttachment(r.Context(), a, reportID, attID, r.URL.Query().Get("reason"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	defer rc.Close()
	s.sendAttachment(w, r, att, rc)
}

// newAttachmentRow describes a file of a report, with its download link.
func newAttachmentRow(att *haven.Attachment) attachmentRow {
	row := attachmentRow{ID: att.ID, Name: att.FileName, Size: byteSize(att.Size), Type: att.ContentType, SHA256: att.SHA256,
		MD5: att.MD5, Href: attachmentHref(att), CameWith: "The report", Received: showMinute(att.CreatedAt)}
	if att.DeclaredType != "" && att.DeclaredType != att.ContentType {
		row.Declared = att.DeclaredType
	}
	return row
}

// attachmentHref is the web download link of a file of a report.
func attachmentHref(att *haven.Attachment) string {
	return "/reports/" + strconv.FormatInt(att.ReportID, 10) + "/attachments/" + strconv.FormatInt(att.ID, 10)
}

// sendAttachment sends a file's bytes as a download, for the web page and
// the JSON API alike: never inline, never sniffed, under a safe name, in a
// sandbox, not cached.
func (s *Server) sendAttachment(w http.ResponseWriter, r *http.Request, att *haven.Attachment, rc io.Reader) {
	h := w.Header()
	h.Set("Content-Type", downloadType(att.ContentType))
	h.Set("Content-Disposition", attachmentDisposition(att.FileName))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Content-Length", strconv.FormatInt(att.Size, 10))
	w.WriteHeader(http.StatusOK)
	if _, err := io.Copy(w, rc); err != nil {
		// The status is sent; the client sees a cut-off download.
		s.logger(r).Error("send attachment", "attachment", att.ID, "err", err)
	}
}

// downloadTypes are the sniffed types sent as themselves: none of them is
// active content a browser would run. Anything else is sent as bytes.
var downloadTypes = map[string]bool{
	"image/jpeg": true, "image/png": true, "image/gif": true, "image/webp": true, "image/bmp": true,
	"application/pdf": true, "text/plain": true, "video/mp4": true, "video/webm": true,
	"audio/mpeg": true, "audio/wave": true, "audio/ogg": true, "application/ogg": true,
}

// downloadType is the Content-Type a file is sent with.
func downloadType(sniffed string) string {
	base, _, _ := strings.Cut(sniffed, ";")
	base = strings.ToLower(strings.TrimSpace(base))
	if !downloadTypes[base] {
		return "application/octet-stream"
	}
	if base == "text/plain" {
		return "text/plain; charset=utf-8"
	}
	return base
}

// attachmentDisposition is the Content-Disposition of a download: always
// "attachment", with the name in plain ASCII (anything else, quotes and
// backslashes replaced) and in full as RFC 8187 UTF-8.
func attachmentDisposition(name string) string {
	name = haven.SanitizeFileName(name)
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == '%' {
			return '_'
		}
		return r
	}, name)
	var enc strings.Builder
	for _, b := range []byte(name) {
		if isAttrChar(b) {
			enc.WriteByte(b)
		} else {
			fmt.Fprintf(&enc, "%%%02X", b)
		}
	}
	return `attachment; filename="` + ascii + `"; filename*=UTF-8''` + enc.String()
}

// isAttrChar reports whether b may stand unescaped in an RFC 8187 value.
func isAttrChar(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || strings.IndexByte("!#$&+-.^_`|~", b) >= 0
}

func newCallView(a haven.Actor, c *haven.Call, specialist string) *callView {
	tax := haven.Taxonomy()
	cv := &callView{ID: c.ID, Started: showMinute(c.StartedAt), Language: languageName(c.Language), Specialist: specialist,
		Imminent: c.Imminent}
	if haven.Can(a, haven.ActionView, c.Resource()) {
		cv.Href = "/hotline/calls/" + strconv.FormatInt(c.ID, 10)
	}
	if c.EndedAt != nil {
		cv.Ended = showMinute(*c.EndedAt)
		cv.Duration = c.EndedAt.Sub(c.StartedAt).Round(time.Second).String()
	}
	if ct := tax.CallerType(c.CallerType); ct != nil {
		cv.Caller = ct.EN
	}
	if dp := tax.Disposition(c.Disposition); dp != nil {
		cv.Outcome = dp.EN
	}
	if f := tax.Form(c.Details.Form); f != nil {
		cv.Form = f.EN
	}
	if c.ImminentAt != nil {
		cv.ImminentAt = showMinute(*c.ImminentAt)
	}
	return cv
}

func newContactView(c haven.Contact) contactView {
	v := contactView{Anonymous: c.Anonymous, Name: c.Name, Phone: c.Phone, Email: c.Email, Organization: c.Organization,
		Language: languageName(c.Language)}
	if ct := haven.Taxonomy().CallerType(c.Relationship); ct != nil {
		v.Relationship = ct.EN
	} else {
		v.Relationship = c.Relationship
	}
	v.Given = v.Name != "" || v.Phone != "" || v.Email != "" || v.Organization != ""
	return v
}

func newMentionRow(p haven.PersonMention) mentionRow {
	row := mentionRow{Role: personLabel(p.Role), Name: strings.TrimSpace(p.FirstName + " " + p.LastName), Nickname: p.Nickname,
		Description: p.Description, Where: strings.Trim(strings.TrimSpace(p.City+", "+p.State), ", ")}
	switch {
	case p.DateOfBirth != nil:
		row.Age = "born " + p.DateOfBirth.Format("2006-01-02")
	case p.Age != nil:
		row.Age = "about " + strconv.Itoa(*p.Age)
	}
	row.Sex = map[haven.Sex]string{haven.SexFemale: "female", haven.SexMale: "male", haven.SexOther: "other"}[p.Sex]
	return row
}

func identifierRows(ids []haven.Identifier) []identifierRow {
	var rows []identifierRow
	for _, id := range ids {
		row := identifierRow{Kind: identifierKindLabel(id.Kind), Platform: id.Platform, Value: id.Value}
		if id.Raw != "" && id.Raw != id.Value {
			row.Raw = id.Raw
		}
		rows = append(rows, row)
	}
	return rows
}

// placeLine writes a place on one line: "Starlight Motel, Fairview, VA 22030".
func placeLine(p haven.Place) string {
	var parts []string
	for _, s := range []string{p.Name, p.Address, p.City, p.County} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	if st := strings.TrimSpace(p.State + " " + p.ZIP); st != "" {
		parts = append(parts, st)
	}
	if p.Country != "" && p.Country != "US" {
		parts = append(parts, countryName(p.Country))
	}
	if len(parts) == 0 {
		return "No details"
	}
	return strings.Join(parts, ", ")
}

// countryName is a country's English name from its ISO code.
func countryName(code string) string {
	for _, o := range countryOptions("en", "") {
		if o.Value == code {
			return o.Label
		}
	}
	return code
}

var (
	statusLabels = map[haven.ReportStatus]string{haven.ReportNew: "New", haven.ReportInReview: "In review",
		haven.ReportReferred: "Referred to an agency", haven.ReportClosed: "Closed"}
	placeRoleLabels = map[haven.PlaceRole]string{haven.PlaceIncident: "Where it happened", haven.PlaceLastSeen: "Last seen",
		haven.PlaceHome: "Home", haven.PlaceEstimated: "Estimated location", haven.PlaceRecovered: "Where the child was found",
		haven.PlaceOther: "Other place"}
	personLabels = map[haven.PersonRole]string{haven.PersonChild: "Child", haven.PersonSuspect: "Suspected trafficker or exploiter",
		haven.PersonBuyer: "Buyer", haven.PersonReporter: "Reporter", haven.PersonOther: "Someone else involved"}
	identifierKindLabels = map[haven.IdentifierKind]string{haven.IDPhone: "Phone number", haven.IDEmail: "Email address",
		haven.IDURL: "Link", haven.IDHandle: "Account or handle", haven.IDPayment: "Payment handle", haven.IDIP: "IP address",
		haven.IDDevice: "Device", haven.IDPlate: "Vehicle plate", haven.IDFileHash: "File hash",
		haven.IDESPAccount: "Account at the provider", haven.IDGroup: "Group", haven.IDPriorReport: "Earlier CyberTipline report"}
)

// reportStatuses are the statuses in the order of their handling.
var reportStatuses = []haven.ReportStatus{haven.ReportNew, haven.ReportInReview, haven.ReportReferred, haven.ReportClosed}

func statusLabel(st haven.ReportStatus) string          { return labelOr(statusLabels, st) }
func placeRoleLabel(r haven.PlaceRole) string           { return labelOr(placeRoleLabels, r) }
func personLabel(r haven.PersonRole) string             { return labelOr(personLabels, r) }
func identifierKindLabel(k haven.IdentifierKind) string { return labelOr(identifierKindLabels, k) }

func labelOr[K ~string](m map[K]string, k K) string {
	if l, ok := m[k]; ok {
		return l
	}
	return string(k)
}

// languageName is a language's English name ("" for none).
func languageName(code string) string {
	switch code {
	case "":
		return ""
	case "en":
		return "English"
	case "es":
		return "Spanish"
	}
	return code
}
