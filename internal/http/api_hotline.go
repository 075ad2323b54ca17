package http

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// Hotline calls through the JSON API, with the console's rules (the
// service's): POST /api/v1/hotline-calls starts a call, GET
// /api/v1/hotline-calls/{id} reads one (audited), and PATCH
// /api/v1/hotline-calls/{id} saves what was entered, flags imminent danger
// or ends the call with its disposition.

// apiCall is a call as the API shows it.
type apiCall struct {
	ID           int64             `json:"id"`
	SpecialistID int64             `json:"specialist_id"`
	ReportID     *int64            `json:"report_id"`
	ReportRef    *string           `json:"report_ref"`
	StartedAt    time.Time         `json:"started_at"`
	EndedAt      *time.Time        `json:"ended_at"`
	CallerType   string            `json:"caller_type"`
	Language     string            `json:"language"`
	Disposition  string            `json:"disposition"`
	Imminent     bool              `json:"imminent"`
	ImminentAt   *time.Time        `json:"imminent_at"`
	Details      haven.CallDetails `json:"details"`
	UpdatedAt    time.Time         `json:"updated_at"`
}

func callOf(c *haven.Call) apiCall {
	out := apiCall{ID: c.ID, SpecialistID: c.SpecialistID, ReportID: nonZero(c.ReportID), StartedAt: c.StartedAt.UTC(),
		EndedAt: utcPtr(c.EndedAt), CallerType: c.CallerType, Language: c.Language, Disposition: c.Disposition,
		Imminent: c.Imminent, ImminentAt: utcPtr(c.ImminentAt), Details: c.Details, UpdatedAt: c.UpdatedAt.UTC()}
	if c.ReportRef != "" {
		ref := c.ReportRef
		out.ReportRef = &ref
	}
	return out
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// apiCallStart is the body of POST /api/v1/hotline-calls (optional).
type apiCallStart struct {
	CallerType string `json:"caller_type"`
	Language   string `json:"language"`
}

// apiCallPatch is the body of PATCH /api/v1/hotline-calls/{id}. Details
// holds the fields of the call's details to change, as the console's
// sections do: a field sent replaces the saved one, a field left out keeps
// it (answers replace all the saved answers).
type apiCallPatch struct {
	CallerType  string          `json:"caller_type"`
	Language    string          `json:"language"`
	Details     json.RawMessage `json:"details"`
	Imminent    bool            `json:"imminent"`
	End         bool            `json:"end"`
	Disposition string          `json:"disposition"`
}

// apiCallStart starts a call taken by the token's user (a hotline
// specialist), with the caller type and language if known.
func (s *Server) apiCallStart(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	var body apiCallStart
	raw, ok := s.readJSON(w, r, &body, "a call", true)
	if !ok {
		return
	}
	c, replayed, err := s.svc.StartCallOnce(r.Context(), a, requestOnce(r, raw), haven.CallUpdate{CallerType: body.CallerType, Language: body.Language})
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeCreated(w, "/api/v1/hotline-calls/"+strconv.FormatInt(c.ID, 10), replayed, callOf(c))
}

// apiCallGet returns a call the token's user may see (the specialist who
// took it, supervisors); the view is audited.
func (s *Server) apiCallGet(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	id, err := apiPathID(r, "a call")
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	c, err := s.svc.GetCall(r.Context(), a, id)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, callOf(c))
}

// apiCallPatch saves a call, as the console does: the details sent, then
// "imminent": true flags imminent danger (saving the report at once as P1
// and alerting the analysts; the flag is kept even when a detail is
// invalid, so that an alarm is never lost), and "end": true ends the call
// with its disposition. An ended call cannot be changed (409).
func (s *Server) apiCallPatch(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	id, err := apiPathID(r, "a call")
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	var p apiCallPatch
	if _, ok := s.readJSON(w, r, &p, "a change to a call", false); !ok {
		return
	}
	c, err := s.patchCall(r, a, id, p)
	if err != nil {
		s.apiError(w, r, renameField(err, callField))
		return
	}
	writeJSON(w, http.StatusOK, callOf(c))
}

func (s *Server) patchCall(r *http.Request, a haven.Actor, id int64, p apiCallPatch) (*haven.Call, error) {
	u, err := p.update()
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	switch {
	case p.Imminent:
		c, err := s.svc.MarkImminent(ctx, a, id, u)
		if err != nil || !p.End {
			return c, err
		}
		return s.svc.EndCall(ctx, a, id, p.Disposition, haven.CallUpdate{})
	case p.End:
		return s.svc.EndCall(ctx, a, id, p.Disposition, u)
	}
	return s.svc.SaveCall(ctx, a, id, u)
}

// update turns the patch into the service's update: the caller type and
// language, and the details sent as an edit of the saved ones. A malformed
// detail is a field error here, everything else the service's to judge.
func (p *apiCallPatch) update() (haven.CallUpdate, error) {
	if p.Disposition != "" && !p.End {
		return haven.CallUpdate{}, haven.FieldError("end", "send \"end\": true with the disposition to end the call")
	}
	u := haven.CallUpdate{CallerType: p.CallerType, Language: p.Language}
	if len(p.Details) > 0 && string(p.Details) != "null" {
		// Check the shape first, so that a malformed field is named before
		// anything is read or written.
		if err := decodeBody(p.Details, &haven.CallDetails{}, "the call's details", "details."); err != nil {
			return u, err
		}
		var fields map[string]json.RawMessage
		_ = json.Unmarshal(p.Details, &fields)
		details := reflect.TypeFor[haven.CallDetails]()
		u.Edit = func(saved haven.CallDetails) (haven.CallDetails, error) {
			// Each field sent replaces the saved one whole: decoding over the
			// saved details would merge a person sent into the saved person
			// at the same place.
			var sent haven.CallDetails
			if err := json.Unmarshal(p.Details, &sent); err != nil {
				return saved, bodyProblem(err, p.Details, reflect.TypeFor[*haven.CallDetails](), "the call's details", "details.")
			}
			d := saved
			// Fresh slices, so that the saved details never change under the service.
			d.People = append([]haven.CallPerson(nil), saved.People...)
			d.Indicators = append([]string(nil), saved.Indicators...)
			d.Answers = append([]haven.FollowUpAnswer(nil), saved.Answers...)
			if saved.ChildAge != nil {
				age := *saved.ChildAge
				d.ChildAge = &age
			}
			to, from := reflect.ValueOf(&d).Elem(), reflect.ValueOf(sent)
			for name := range fields {
				f, ok := jsonField(details, name)
				if !ok {
					continue
				}
				to.FieldByIndex(f.Index).Set(from.FieldByIndex(f.Index))
				if f.Name == "Answers" {
					for i := range d.Answers {
						d.Answers[i].Text = "" // the question's text comes from the taxonomy
					}
				}
			}
			return d, nil
		}
	}
	return u, nil
}

// callField names the service's call fields as the API body has them:
// details' fields under "details.".
func callField(f string) string {
	switch f {
	case "caller_type", "language", "disposition", "end", "id", "details":
		return f
	}
	if strings.HasPrefix(f, "details.") {
		return f
	}
	return "details." + f
}
