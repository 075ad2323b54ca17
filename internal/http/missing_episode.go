package http

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// The page of one missing episode (/missing/{id}): the child, the report it
// rests on, the statutory clocks of a child missing from care, and the
// recovery with its debrief, or the form to record it.

// clockView is a statutory clock as a page shows it.
type clockView struct {
	ID, Label, Due, State, Text string
	Late                        bool // overdue, or done late
}

func viewClock(id, label string, c *haven.Clock) *clockView {
	if c == nil {
		return nil
	}
	return &clockView{ID: id, Label: label, Due: c.Due.UTC().Format("2006-01-02 15:04"), State: string(c.State), Text: sentence(c.Text()),
		Late: c.State == haven.ClockOverdue || c.State == haven.ClockMetLate}
}

// recoveryForm is the recovery form as typed.
type recoveryForm struct {
	RecoveredAt, Name, City, State, ZIP, By string
	Factors                                 []string
	FactorsOther, Experiences, Screening    string
	TraffickingReportedAt                   string
	FollowUp, FollowUpDue                   string
}

// episodeData is what the episode page shows.
type episodeData struct {
	E                 *haven.MissingEpisode
	ChildName         string
	TypeLabel         string
	LastSeenAt        string
	LastSeenPlace     string
	CareAgency        string
	Placement         string
	FoundMissingAt    string
	Clocks            []*clockView
	Overdue           bool
	TraffickingClock  *clockView
	Recovery          *recoveryView
	CanRecover        bool
	Form              recoveryForm
	Error, ErrorField string
	Factors           []option
	Screenings        []option
	States            []option
	Photos            []photoRow
	JustRecovered     bool
	// The notifications form: shown while a notification is owed.
	CanNotify                     bool
	LEToldAt, ClearinghouseToldAt string
	F                             map[string]inputView // the recovery form's inputs
}

// recoveryView is a recorded recovery as the page shows it.
type recoveryView struct {
	At, Place, By, Factors, FactorsOther, Experiences, Screening, FollowUp, FollowUpDue, RecordedAt string
	Positive                                                                                        bool
}

// photoRow describes a photo without showing it (analyst wellness: never
// inline by default).
type photoRow struct {
	Name, Type, Size, SHA256 string
}

// missingEpisode shows an episode the actor may see; any other answers as
// missing, and the refusal is audited by the service.
func (s *Server) missingEpisode(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	s.renderEpisode(w, r, a, http.StatusOK, episodeData{JustRecovered: r.URL.Query().Get("recovered") != ""})
}

// missingRecovery records the recovery of the episode with its debrief.
func (s *Server) missingRecovery(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	id, ok := s.postedToRecord(w, r)
	if !ok {
		return
	}
	p := r.PostForm
	form := recoveryForm{RecoveredAt: p.Get("recovered_at"), Name: p.Get("recovered_name"), City: p.Get("recovered_city"),
		State: p.Get("recovered_state"), ZIP: p.Get("recovered_zip"), By: p.Get("recovered_by"), Factors: p["factors"],
		FactorsOther: p.Get("factors_other"), Experiences: p.Get("experiences"), Screening: p.Get("screening"),
		TraffickingReportedAt: p.Get("trafficking_reported_at"), FollowUp: p.Get("follow_up"), FollowUpDue: p.Get("follow_up_due")}
	rec, err := form.recovery()
	if err == nil {
		err = s.svc.RecordRecovery(r.Context(), a, id, rec)
	}
	switch haven.ErrorCode(err) {
	case "":
		http.Redirect(w, r, fmt.Sprintf("/missing/%d?recovered=1", id), http.StatusSeeOther)
	case haven.EINVALID:
		d := episodeData{Form: form}
		d.Error, d.ErrorField = s.fieldProblem(r, err)
		s.renderEpisode(w, r, a, http.StatusBadRequest, d)
	default:
		s.pageError(w, r, err)
	}
}

// missingNotifications records when law enforcement and the clearinghouse
// were told about a child missing from care.
func (s *Server) missingNotifications(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	id, ok := s.postedToRecord(w, r)
	if !ok {
		return
	}
	d := episodeData{LEToldAt: r.PostForm.Get("le_told_at"), ClearinghouseToldAt: r.PostForm.Get("clearinghouse_told_at")}
	var told [2]*time.Time
	var err error
	for i, v := range []struct{ field, value string }{{"le_told_at", d.LEToldAt}, {"clearinghouse_told_at", d.ClearinghouseToldAt}} {
		var at time.Time
		if at, err = parseFormTime(v.field, v.value); err != nil {
			break
		} else if !at.IsZero() {
			told[i] = &at
		}
	}
	if err == nil {
		err = s.svc.RecordNotifications(r.Context(), a, id, told[0], told[1])
	}
	switch haven.ErrorCode(err) {
	case "":
		http.Redirect(w, r, fmt.Sprintf("/missing/%d", id), http.StatusSeeOther)
	case haven.EINVALID:
		d.Error, d.ErrorField = s.fieldProblem(r, err)
		s.renderEpisode(w, r, a, http.StatusBadRequest, d)
	default:
		s.pageError(w, r, err)
	}
}

// recovery turns the form into a Recovery; a malformed date is a field error.
func (f recoveryForm) recovery() (*haven.Recovery, error) {
	rec := &haven.Recovery{Place: haven.Place{Role: haven.PlaceRecovered, Name: strings.TrimSpace(f.Name), City: strings.TrimSpace(f.City),
		State: f.State, ZIP: strings.TrimSpace(f.ZIP)}, RecoveredBy: f.By, Factors: f.Factors, FactorsOther: f.FactorsOther,
		Experiences: f.Experiences, Screening: haven.ScreeningOutcome(f.Screening), FollowUp: f.FollowUp}
	var err error
	if rec.RecoveredAt, err = parseFormTime("recovered_at", f.RecoveredAt); err != nil {
		return nil, err
	}
	at, err := parseFormTime("trafficking_reported_at", f.TraffickingReportedAt)
	if err != nil {
		return nil, err
	}
	if !at.IsZero() {
		rec.TraffickingReportedAt = &at
	}
	if due := strings.TrimSpace(f.FollowUpDue); due != "" {
		d, err := time.Parse("2006-01-02", due)
		if err != nil {
			return nil, haven.FieldError("follow_up_due", "give the follow-up date as year-month-day, such as 2026-12-01")
		}
		rec.FollowUpDue = &d
	}
	return rec, nil
}

// renderEpisode loads the episode (auditing the view) and renders its page
// with d's form and error.
func (s *Server) renderEpisode(w http.ResponseWriter, r *http.Request, a haven.Actor, status int, d episodeData) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	ctx := r.Context()
	e, err := s.svc.GetEpisode(ctx, a, id, r.URL.Query().Get("reason"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	now := s.serviceNow()
	d.E, d.ChildName, d.TypeLabel = e, childLabel(e.Child), e.MissingType.Label()
	d.LastSeenAt, d.LastSeenPlace = showMinute(e.LastSeenAt), placeText(e.LastSeen)
	if fc := e.FromCare; fc != nil {
		d.CareAgency = s.agencyName(ctx, a, fc.AgencyID)
		d.Placement = fc.PlacementType.Label()
		if fc.PlacementName != "" {
			d.Placement += ": " + fc.PlacementName
		}
		d.FoundMissingAt = showMinute(fc.FoundMissingAt)
		d.Clocks = []*clockView{viewClock("clock-le", "Law enforcement told (for entry into NCIC)", e.LawEnforcementClock(now)),
			viewClock("clock-clearinghouse", "Clearinghouse told", e.ClearinghouseClock(now))}
		d.Overdue = e.Overdue(now)
		d.CanNotify = (fc.LawEnforcementToldAt == nil || fc.ClearinghouseToldAt == nil) && haven.Can(a, haven.ActionUpdate, e.Resource())
	}
	d.TraffickingClock = viewClock("clock-trafficking", "Law enforcement told that the child is a sex-trafficking victim", e.TraffickingClock(now))
	if rec := e.Recovery; rec != nil {
		rv := &recoveryView{At: showMinute(rec.RecoveredAt), Place: placeText(rec.Place), By: rec.RecoveredBy,
			FactorsOther: rec.FactorsOther, Experiences: rec.Experiences, Screening: rec.Screening.Label(), FollowUp: rec.FollowUp,
			RecordedAt: showMinute(rec.RecordedAt), Positive: rec.Screening == haven.ScreeningPositive}
		var fs []string
		for _, f := range rec.Factors {
			fs = append(fs, haven.LeaveFactorLabel(f))
		}
		rv.Factors = strings.Join(fs, "; ")
		if rec.FollowUpDue != nil {
			rv.FollowUpDue = rec.FollowUpDue.Format("2006-01-02")
		}
		d.Recovery = rv
	} else {
		d.CanRecover = haven.Can(a, haven.ActionUpdate, e.Resource())
	}
	for _, f := range haven.LeaveFactors {
		d.Factors = append(d.Factors, option{Value: f.ID, Label: f.Label, Selected: slices.Contains(d.Form.Factors, f.ID)})
	}
	for _, o := range haven.ScreeningOutcomes {
		d.Screenings = append(d.Screenings, option{Value: string(o), Label: o.Label(), Selected: string(o) == d.Form.Screening})
	}
	d.States = stateNameOptions(strings.ToUpper(strings.TrimSpace(d.Form.State)))
	const when = "Date and time in UTC, such as 2026-11-24T18:30."
	f := &d.Form
	d.F = inputViews(d.ErrorField, d.Error,
		inputView{ID: "recovered_at", Label: "When the child was recovered", Hint: when, Value: f.RecoveredAt, Type: "datetime-local"},
		inputView{ID: "recovered_name", Label: "Place", Value: f.Name},
		inputView{ID: "recovered_city", Label: "City", Value: f.City},
		inputView{ID: "recovered_zip", Label: "ZIP code", Value: f.ZIP},
		inputView{ID: "recovered_by", Label: "Recovered by", Hint: "The agency or person who found the child, or “returned on their own”.", Value: f.By},
		inputView{ID: "trafficking_reported_at", Label: "When law enforcement was told that the child is a sex-trafficking victim",
			Hint: "Only for a positive screening; leave empty if not yet. The law requires it within 24 hours. " + when, Value: f.TraffickingReportedAt, Type: "datetime-local"},
		inputView{ID: "follow_up_due", Label: "Follow-up due by", Value: f.FollowUpDue, Type: "date"},
		inputView{ID: "le_told_at", Label: "When law enforcement was told", Hint: when, Value: d.LEToldAt, Type: "datetime-local"},
		inputView{ID: "clearinghouse_told_at", Label: "When the clearinghouse was told", Hint: when, Value: d.ClearinghouseToldAt, Type: "datetime-local"},
		inputView{ID: "recovered_state", Label: "State", Type: "select", Prompt: "Choose a state", Options: d.States},
		inputView{ID: "factors_other", Label: "Other factors, in words", Value: f.FactorsOther, Type: "textarea"},
		inputView{ID: "experiences", Label: "Experiences while away", Hint: "What the young person chose to share about the time away.", Value: f.Experiences, Type: "textarea"},
		inputView{ID: "follow_up", Label: "Follow-up", Hint: "What will be done in response, and by whom.", Value: f.FollowUp, Type: "textarea"},
	)
	for _, p := range e.Photos {
		d.Photos = append(d.Photos, photoRow{Name: p.FileName, Type: p.ContentType, Size: byteSize(p.Size), SHA256: p.SHA256})
	}
	s.render(w, r, status, "missing_episode", &a, d)
}

// agencyName returns an agency's name from the directory ("" when unknown).
func (s *Server) agencyName(ctx context.Context, a haven.Actor, id int64) string {
	ags, err := s.svc.ListAgencies(ctx, a, haven.AgencyFilter{})
	if err != nil {
		return ""
	}
	for _, ag := range ags {
		if ag.ID == id {
			return ag.Name
		}
	}
	return ""
}

// placeText writes a place on one line: "Bus station, Reno, NV 89501".
func placeText(p haven.Place) string { return p.Line() }

// showMinute shows a time to the minute, in UTC.
func showMinute(t time.Time) string { return t.UTC().Format("2006-01-02 15:04") + " UTC" }

// byteSize writes a size in bytes for people: "2.0 KB".
func byteSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
