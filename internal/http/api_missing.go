package http

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// Missing children through the JSON API, mirroring /missing: POST
// /api/v1/missing files a missing-child report (missing from care
// included), GET /api/v1/missing lists the episodes with their 24-hour
// statutory clocks (?overdue=true for those past due), GET
// /api/v1/missing/{id} opens one (audited), and POST .../recovery and
// .../notifications record the recovery with its debrief and when law
// enforcement and the clearinghouse were told. Photos are sent with the web
// form only.

// apiMissingInput is the body of POST /api/v1/missing.
type apiMissingInput struct {
	MissingType    haven.MissingType `json:"missing_type"`
	LawEnforcement apiLEReport       `json:"law_enforcement"`
	ChildID        int64             `json:"child_id"` // a child on file; 0 = Child
	Child          *apiChildInput    `json:"child"`
	LastSeenAt     string            `json:"last_seen_at"` // RFC 3339
	LastSeen       apiEpisodePlace   `json:"last_seen"`
	LastSeenWith   string            `json:"last_seen_with"`
	Circumstances  string            `json:"circumstances"`
	Guardians      []apiGuardian     `json:"guardians"`
	Reporter       *apiReporterInput `json:"reporter"`
	FromCare       *apiFromCare      `json:"from_care"`
}

type apiLEReport struct {
	AgencyName string `json:"agency_name"`
	CaseNumber string `json:"case_number"`
	NCIC       string `json:"ncic"`
}

type apiChildInput struct {
	FirstName   string    `json:"first_name"`
	LastName    string    `json:"last_name"`
	Nicknames   []string  `json:"nicknames"`
	DateOfBirth string    `json:"date_of_birth"` // YYYY-MM-DD
	Sex         haven.Sex `json:"sex"`
	Description string    `json:"description"`
}

type apiEpisodePlace struct {
	Name    string `json:"name"`
	Address string `json:"address"`
	City    string `json:"city"`
	State   string `json:"state"`
	ZIP     string `json:"zip"`
}

type apiGuardian struct {
	Name         string `json:"name"`
	Relationship string `json:"relationship"`
	Phone        string `json:"phone"`
	Email        string `json:"email"`
}

// apiReporterInput is who made the report, when not the token's user
// themself (a parent who called the hotline, say).
type apiReporterInput struct {
	Name         string `json:"name"`
	Phone        string `json:"phone"`
	Email        string `json:"email"`
	Organization string `json:"organization"`
	Relationship string `json:"relationship"`
}

// apiFromCare is a child missing from the care of child welfare, as sent
// and as shown (NotifyDue is shown only).
type apiFromCare struct {
	AgencyID             int64               `json:"agency_id"`
	PlacementType        haven.PlacementType `json:"placement_type"`
	PlacementName        string              `json:"placement_name"`
	CaseworkerName       string              `json:"caseworker_name"`
	CaseworkerPhone      string              `json:"caseworker_phone"`
	CaseworkerEmail      string              `json:"caseworker_email"`
	FoundMissingAt       string              `json:"found_missing_at"`
	LawEnforcementToldAt *string             `json:"law_enforcement_told_at"`
	ClearinghouseToldAt  *string             `json:"clearinghouse_told_at"`
	NotifyDue            string              `json:"notify_due,omitempty"`
}

// apiRecoveryInput is the body of POST /api/v1/missing/{id}/recovery.
type apiRecoveryInput struct {
	RecoveredAt           string                 `json:"recovered_at"`
	Place                 apiEpisodePlace        `json:"place"`
	RecoveredBy           string                 `json:"recovered_by"`
	Factors               []string               `json:"factors"`
	FactorsOther          string                 `json:"factors_other"`
	Experiences           string                 `json:"experiences"`
	Screening             haven.ScreeningOutcome `json:"screening"`
	TraffickingReportedAt string                 `json:"trafficking_reported_at"`
	FollowUp              string                 `json:"follow_up"`
	FollowUpDue           string                 `json:"follow_up_due"` // YYYY-MM-DD
}

// apiNotificationsInput is the body of POST /api/v1/missing/{id}/notifications.
type apiNotificationsInput struct {
	LawEnforcementToldAt string `json:"law_enforcement_told_at"`
	ClearinghouseToldAt  string `json:"clearinghouse_told_at"`
}

// apiClock is a 24-hour statutory clock as of the answer.
type apiClock struct {
	Due   time.Time  `json:"due"`
	Done  *time.Time `json:"done"`
	State string     `json:"state"` // on_time, overdue, met, met_late
	Text  string     `json:"text"`
}

// apiClocks are an episode's statutory clocks; each is null where it does
// not apply (the first two for a child missing from care, the third after
// a positive sex-trafficking screening).
type apiClocks struct {
	LawEnforcement *apiClock `json:"law_enforcement"`
	Clearinghouse  *apiClock `json:"clearinghouse"`
	Trafficking    *apiClock `json:"trafficking"`
}

// apiEpisodeSummary is an episode in a list.
type apiEpisodeSummary struct {
	ID          int64             `json:"id"`
	ChildID     int64             `json:"child_id"`
	ChildName   string            `json:"child_name"`
	ReportID    int64             `json:"report_id"`
	MissingType haven.MissingType `json:"missing_type"`
	LastSeenAt  time.Time         `json:"last_seen_at"`
	LastSeen    apiEpisodePlace   `json:"last_seen"`
	FromCare    bool              `json:"missing_from_care"`
	Open        bool              `json:"open"`
	Overdue     bool              `json:"overdue"`
	RecoveredAt *time.Time        `json:"recovered_at"`
	Clocks      apiClocks         `json:"clocks"`
}

// apiEpisode is one episode in full.
type apiEpisode struct {
	apiEpisodeSummary
	LawEnforcement apiLEReport    `json:"law_enforcement"`
	Child          apiChild       `json:"child"`
	LastSeenWith   string         `json:"last_seen_with"`
	Circumstances  string         `json:"circumstances"`
	Guardians      []apiGuardian  `json:"guardians"`
	FromCareDetail *apiFromCare   `json:"from_care"`
	Recovery       *apiRecovery   `json:"recovery"`
	AgencyID       *int64         `json:"agency_id"`
	State          string         `json:"state"`
	CreatedBy      *int64         `json:"created_by"`
	CreatedAt      time.Time      `json:"created_at"`
	UpdatedAt      time.Time      `json:"updated_at"`
	Photos         []apiPhotoInfo `json:"photos"`
}

type apiChild struct {
	ID          int64     `json:"id"`
	FirstName   string    `json:"first_name"`
	LastName    string    `json:"last_name"`
	Nicknames   []string  `json:"nicknames"`
	DateOfBirth string    `json:"date_of_birth"`
	Sex         haven.Sex `json:"sex"`
	Description string    `json:"description"`
	InCare      bool      `json:"in_care"`
}

type apiRecovery struct {
	RecoveredAt           time.Time              `json:"recovered_at"`
	Place                 apiEpisodePlace        `json:"place"`
	RecoveredBy           string                 `json:"recovered_by"`
	Factors               []string               `json:"factors"`
	FactorsOther          string                 `json:"factors_other"`
	Experiences           string                 `json:"experiences"`
	Screening             haven.ScreeningOutcome `json:"screening"`
	TraffickingReportedAt *time.Time             `json:"trafficking_reported_at"`
	FollowUp              string                 `json:"follow_up"`
	FollowUpDue           string                 `json:"follow_up_due"`
	RecordedBy            *int64                 `json:"recorded_by"`
	RecordedAt            time.Time              `json:"recorded_at"`
}

// apiPhotoInfo describes a photo without its bytes.
type apiPhotoInfo struct {
	FileName    string `json:"file_name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
}

// apiEpisodesResponse is the body of GET /api/v1/missing.
type apiEpisodesResponse struct {
	Episodes []apiEpisodeSummary `json:"episodes"`
	Limit    int                 `json:"limit"`
	Offset   int                 `json:"offset"`
}

func placeOut(p haven.Place) apiEpisodePlace {
	return apiEpisodePlace{Name: p.Name, Address: p.Address, City: p.City, State: p.State, ZIP: p.ZIP}
}

func clockOut(c *haven.Clock) *apiClock {
	if c == nil {
		return nil
	}
	return &apiClock{Due: c.Due.UTC(), Done: utcPtr(c.Done), State: string(c.State), Text: c.Text()}
}

func episodeSummary(e *haven.MissingEpisode, now time.Time) apiEpisodeSummary {
	out := apiEpisodeSummary{ID: e.ID, ChildID: e.ChildID, ReportID: e.ReportID, MissingType: e.MissingType,
		LastSeenAt: e.LastSeenAt.UTC(), LastSeen: placeOut(e.LastSeen), FromCare: e.FromCare != nil, Open: e.Open(),
		Overdue: e.Overdue(now), Clocks: apiClocks{LawEnforcement: clockOut(e.LawEnforcementClock(now)),
			Clearinghouse: clockOut(e.ClearinghouseClock(now)), Trafficking: clockOut(e.TraffickingClock(now))}}
	if e.Child != nil {
		out.ChildName = e.Child.FullName()
	}
	if e.Recovery != nil {
		at := e.Recovery.RecoveredAt.UTC()
		out.RecoveredAt = &at
	}
	return out
}

func timeText(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}

func episodeOut(e *haven.MissingEpisode, now time.Time) apiEpisode {
	out := apiEpisode{apiEpisodeSummary: episodeSummary(e, now),
		LawEnforcement: apiLEReport{AgencyName: e.LawEnforcement.AgencyName, CaseNumber: e.LawEnforcement.CaseNumber, NCIC: e.LawEnforcement.NCIC},
		LastSeenWith:   e.LastSeenWith, Circumstances: e.Circumstances, Guardians: []apiGuardian{}, AgencyID: nonZero(e.AgencyID),
		State: e.State, CreatedBy: nonZero(e.CreatedBy), CreatedAt: e.CreatedAt.UTC(), UpdatedAt: e.UpdatedAt.UTC(), Photos: []apiPhotoInfo{}}
	if c := e.Child; c != nil {
		out.Child = apiChild{ID: c.ID, FirstName: c.FirstName, LastName: c.LastName, Nicknames: c.Nicknames, Sex: c.Sex,
			Description: c.Description, InCare: c.InCare}
		if c.DateOfBirth != nil {
			out.Child.DateOfBirth = c.DateOfBirth.Format("2006-01-02")
		}
	}
	if out.Child.Nicknames == nil {
		out.Child.Nicknames = []string{}
	}
	for _, g := range e.Guardians {
		out.Guardians = append(out.Guardians, apiGuardian{Name: g.Name, Relationship: g.Relationship, Phone: g.Phone, Email: g.Email})
	}
	if fc := e.FromCare; fc != nil {
		out.FromCareDetail = &apiFromCare{AgencyID: fc.AgencyID, PlacementType: fc.PlacementType, PlacementName: fc.PlacementName,
			CaseworkerName: fc.CaseworkerName, CaseworkerPhone: fc.CaseworkerPhone, CaseworkerEmail: fc.CaseworkerEmail,
			FoundMissingAt: fc.FoundMissingAt.UTC().Format(time.RFC3339), LawEnforcementToldAt: timeText(fc.LawEnforcementToldAt),
			ClearinghouseToldAt: timeText(fc.ClearinghouseToldAt), NotifyDue: fc.NotifyDue().UTC().Format(time.RFC3339)}
	}
	if rec := e.Recovery; rec != nil {
		out.Recovery = &apiRecovery{RecoveredAt: rec.RecoveredAt.UTC(), Place: placeOut(rec.Place), RecoveredBy: rec.RecoveredBy,
			Factors: rec.Factors, FactorsOther: rec.FactorsOther, Experiences: rec.Experiences, Screening: rec.Screening,
			TraffickingReportedAt: utcPtr(rec.TraffickingReportedAt), FollowUp: rec.FollowUp, RecordedBy: nonZero(rec.RecordedBy),
			RecordedAt: rec.RecordedAt.UTC()}
		if out.Recovery.Factors == nil {
			out.Recovery.Factors = []string{}
		}
		if rec.FollowUpDue != nil {
			out.Recovery.FollowUpDue = rec.FollowUpDue.Format("2006-01-02")
		}
	}
	for _, p := range e.Photos {
		out.Photos = append(out.Photos, apiPhotoInfo{FileName: p.FileName, ContentType: p.ContentType, Size: p.Size, SHA256: p.SHA256})
	}
	return out
}

// report turns the body into the service's input; a malformed time or date
// is a field error here, everything else the service's to judge.
func (in *apiMissingInput) report() (*haven.MissingReport, error) {
	out := &haven.MissingReport{ChildID: in.ChildID}
	e := &out.Episode
	e.MissingType = in.MissingType
	e.LawEnforcement = haven.LawEnforcementReport{AgencyName: in.LawEnforcement.AgencyName, CaseNumber: in.LawEnforcement.CaseNumber, NCIC: in.LawEnforcement.NCIC}
	seen, err := apiTime("last_seen_at", in.LastSeenAt)
	if err != nil {
		return nil, err
	}
	if seen != nil {
		e.LastSeenAt = *seen
	}
	ls := in.LastSeen
	e.LastSeen = haven.Place{Role: haven.PlaceLastSeen, Name: ls.Name, Address: ls.Address, City: ls.City, State: ls.State, ZIP: ls.ZIP}
	e.LastSeenWith, e.Circumstances = in.LastSeenWith, in.Circumstances
	for _, g := range in.Guardians {
		e.Guardians = append(e.Guardians, haven.Guardian{Name: g.Name, Relationship: g.Relationship, Phone: g.Phone, Email: g.Email})
	}
	if rp := in.Reporter; rp != nil {
		out.Reporter = haven.Contact{Name: strings.TrimSpace(rp.Name), Phone: strings.TrimSpace(rp.Phone), Email: strings.TrimSpace(rp.Email),
			Organization: strings.TrimSpace(rp.Organization), Relationship: strings.TrimSpace(rp.Relationship)}
	}
	if in.ChildID < 0 {
		return nil, haven.FieldError("child_id", "a child id is a positive whole number")
	}
	if in.ChildID != 0 && in.Child != nil {
		return nil, haven.FieldError("child", "send either child_id (a child on file) or child (a child not on file), not both")
	}
	if c := in.Child; c != nil && in.ChildID == 0 {
		child := &haven.Child{FirstName: c.FirstName, LastName: c.LastName, Sex: c.Sex, Description: c.Description}
		for _, n := range c.Nicknames {
			if n = strings.TrimSpace(n); n != "" {
				child.Nicknames = append(child.Nicknames, n)
			}
		}
		if child.DateOfBirth, err = apiDate("child.date_of_birth", c.DateOfBirth); err != nil {
			return nil, err
		}
		out.Child = child
	}
	if fc := in.FromCare; fc != nil {
		f := &haven.FromCare{AgencyID: fc.AgencyID, PlacementType: fc.PlacementType, PlacementName: fc.PlacementName,
			CaseworkerName: fc.CaseworkerName, CaseworkerPhone: fc.CaseworkerPhone, CaseworkerEmail: fc.CaseworkerEmail}
		found, err := apiTime("from_care.found_missing_at", fc.FoundMissingAt)
		if err != nil {
			return nil, err
		}
		if found != nil {
			f.FoundMissingAt = *found
		}
		for _, t := range []struct {
			field string
			value *string
			into  **time.Time
		}{{"from_care.law_enforcement_told_at", fc.LawEnforcementToldAt, &f.LawEnforcementToldAt},
			{"from_care.clearinghouse_told_at", fc.ClearinghouseToldAt, &f.ClearinghouseToldAt}} {
			if t.value == nil {
				continue
			}
			if *t.into, err = apiTime(t.field, *t.value); err != nil {
				return nil, err
			}
		}
		if fc.NotifyDue != "" {
			return nil, haven.FieldError("from_care.notify_due", "the due time follows from found_missing_at; do not send it")
		}
		e.FromCare = f
	}
	return out, nil
}

// missingFields names the service's episode fields as the API body has them.
var missingFields = fieldMap(map[string]string{
	"le_agency": "law_enforcement.agency_name", "le_case_number": "law_enforcement.case_number", "ncic": "law_enforcement.ncic",
	"last_seen_state": "last_seen.state", "last_seen_zip": "last_seen.zip", "last_seen_city": "last_seen.city",
	"care_agency": "from_care.agency_id", "placement_type": "from_care.placement_type", "placement_name": "from_care.placement_name",
	"caseworker_name": "from_care.caseworker_name", "caseworker_phone": "from_care.caseworker_phone",
	"caseworker_email": "from_care.caseworker_email", "found_missing_at": "from_care.found_missing_at",
	"le_told_at": "from_care.law_enforcement_told_at", "clearinghouse_told_at": "from_care.clearinghouse_told_at",
	"first_name": "child.first_name", "date_of_birth": "child.date_of_birth", "sex": "child.sex",
	"description": "child.description", "state": "last_seen.state",
})

// guardianField is a service's guardian field: guardian_name_0 and the like.
var guardianField = regexp.MustCompile(`^guardian_(name|phone|email|relationship)_(\d+)$`)

// clientError is err (of report or of the service) with the field it
// names as the body has it.
func (in *apiMissingInput) clientError(err error) error {
	return renameField(err, in.field)
}

func (in *apiMissingInput) field(f string) string {
	if m := guardianField.FindStringSubmatch(f); m != nil {
		// The service numbers the guardians given, leaving out those sent
		// empty; the client, every one it sent.
		var given []int
		for i, g := range in.Guardians {
			hg := haven.Guardian{Name: g.Name, Relationship: g.Relationship, Phone: g.Phone, Email: g.Email}
			if !hg.Empty() {
				given = append(given, i)
			}
		}
		if len(given) > haven.MaxGuardians {
			return "guardians"
		}
		if n, _ := strconv.Atoi(m[2]); n < len(given) {
			return "guardians[" + strconv.Itoa(given[n]) + "]." + m[1]
		}
		return "guardians"
	}
	// Where the service names one field for several, say which.
	long := func(s string, max int) bool { return len(strings.TrimSpace(s)) > max }
	switch {
	case f == "last_seen_city" && long(in.LastSeen.Name, 200):
		return "last_seen.name"
	case f == "last_seen_city" && long(in.LastSeen.Address, 300):
		return "last_seen.address"
	case f == "first_name" && in.Child != nil && !long(in.Child.FirstName, 100) && long(in.Child.LastName, 100):
		return "child.last_name"
	case f == "placement_name" && in.FromCare != nil && !long(in.FromCare.PlacementName, 200) && long(in.FromCare.CaseworkerName, 200):
		return "from_care.caseworker_name"
	}
	return missingFields(f)
}

// apiMissingCreate files a missing-child report as the token's user.
func (s *Server) apiMissingCreate(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	var body apiMissingInput
	raw, ok := s.readJSON(w, r, &body, "a missing-child report", false)
	if !ok {
		return
	}
	in, err := body.report()
	if err == nil {
		var e *haven.MissingEpisode
		var replayed bool
		if e, replayed, err = s.svc.ReportMissingOnce(r.Context(), a, requestOnce(r, raw), in); err == nil {
			writeCreated(w, "/api/v1/missing/"+strconv.FormatInt(e.ID, 10), replayed, episodeOut(e, s.serviceNow()))
			return
		}
	}
	s.apiError(w, r, body.clientError(err))
}

// apiMissingList lists the episodes the token's user may see, newest first
// (?open=true: children not yet recovered), or those of children missing
// from care whose notifications are past due (?overdue=true), paged.
func (s *Server) apiMissingList(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	limit, offset, err := pageParams(r, apiDefaultLimit, apiMaxLimit)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	overdue, err := queryBool(r, "overdue")
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	open, err := queryBool(r, "open")
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	if err := s.svc.RequireKind(r.Context(), a, haven.ActionView, haven.KindEpisode, "see missing-child reports"); err != nil {
		s.apiError(w, r, err)
		return
	}
	now := s.serviceNow()
	f := haven.EpisodeFilter{Limit: limit, Offset: offset}
	if overdue {
		f.OverdueAt = &now
	}
	if open {
		f.Open = &open
	}
	es, err := s.svc.ListEpisodes(r.Context(), a, f)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	resp := apiEpisodesResponse{Episodes: make([]apiEpisodeSummary, 0, len(es)), Limit: limit, Offset: offset}
	for _, e := range es {
		resp.Episodes = append(resp.Episodes, episodeSummary(e, now))
	}
	writeJSON(w, http.StatusOK, resp)
}

// apiMissingGet returns one episode with its clocks; the view is audited
// with the ?reason= given.
func (s *Server) apiMissingGet(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	id, err := apiPathID(r, "an episode")
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	s.answerEpisode(w, r, a, id, http.StatusOK, r.URL.Query().Get("reason"))
}

// answerEpisode answers with the episode as it is now (an audited view).
func (s *Server) answerEpisode(w http.ResponseWriter, r *http.Request, a haven.Actor, id int64, status int, reason string) {
	e, err := s.svc.GetEpisode(r.Context(), a, id, reason)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	if status == http.StatusCreated {
		w.Header().Set("Location", "/api/v1/missing/"+strconv.FormatInt(id, 10))
	}
	writeJSON(w, status, episodeOut(e, s.serviceNow()))
}

// recoveryFields names the service's recovery fields as the API body has them.
var recoveryFields = fieldMap(map[string]string{"recovered_state": "place.state"})

// apiMissingRecovery records the recovery of the episode with its debrief
// and answers with the episode.
func (s *Server) apiMissingRecovery(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	id, err := apiPathID(r, "an episode")
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	var body apiRecoveryInput
	raw, ok := s.readJSON(w, r, &body, "a recovery", false)
	if !ok {
		return
	}
	rec, err := body.recovery()
	if err == nil {
		var replayed bool
		if replayed, err = s.svc.RecordRecoveryOnce(r.Context(), a, requestOnce(r, raw), id, rec); err == nil {
			s.answerEpisode(w, r, a, id, createdStatus(replayed), "recovery recorded")
			return
		}
	}
	s.apiError(w, r, renameField(err, recoveryFields))
}

func (in *apiRecoveryInput) recovery() (*haven.Recovery, error) {
	p := in.Place
	rec := &haven.Recovery{Place: haven.Place{Role: haven.PlaceRecovered, Name: strings.TrimSpace(p.Name), Address: strings.TrimSpace(p.Address),
		City: strings.TrimSpace(p.City), State: p.State, ZIP: strings.TrimSpace(p.ZIP)}, RecoveredBy: in.RecoveredBy,
		Factors: in.Factors, FactorsOther: in.FactorsOther, Experiences: in.Experiences, Screening: in.Screening, FollowUp: in.FollowUp}
	at, err := apiTime("recovered_at", in.RecoveredAt)
	if err != nil {
		return nil, err
	}
	if at != nil {
		rec.RecoveredAt = *at
	}
	if rec.TraffickingReportedAt, err = apiTime("trafficking_reported_at", in.TraffickingReportedAt); err != nil {
		return nil, err
	}
	if rec.FollowUpDue, err = apiDate("follow_up_due", in.FollowUpDue); err != nil {
		return nil, err
	}
	return rec, nil
}

// notificationFields names the service's notification fields as the API body has them.
var notificationFields = fieldMap(map[string]string{"le_told_at": "law_enforcement_told_at"})

// apiMissingNotifications records when law enforcement and/or the
// clearinghouse were told about a child missing from care, and answers
// with the episode and its clocks.
func (s *Server) apiMissingNotifications(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	id, err := apiPathID(r, "an episode")
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	var body apiNotificationsInput
	raw, ok := s.readJSON(w, r, &body, "the notifications", false)
	if !ok {
		return
	}
	le, ch, err := body.times()
	if err == nil {
		if _, err = s.svc.RecordNotificationsOnce(r.Context(), a, requestOnce(r, raw), id, le, ch); err == nil {
			s.answerEpisode(w, r, a, id, http.StatusOK, "notifications recorded")
			return
		}
	}
	s.apiError(w, r, renameField(err, notificationFields))
}

// times reads the body's times (nil where not given).
func (in *apiNotificationsInput) times() (le, ch *time.Time, err error) {
	if le, err = apiTime("law_enforcement_told_at", in.LawEnforcementToldAt); err != nil {
		return nil, nil, err
	}
	if ch, err = apiTime("clearinghouse_told_at", in.ClearinghouseToldAt); err != nil {
		return nil, nil, err
	}
	return le, ch, nil
}
