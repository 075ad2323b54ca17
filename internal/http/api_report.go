package http

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/importer"
)

// apiReportFull is one report as GET /api/v1/reports/{id} and POST
// /api/v1/reports answer it: everything the report holds.
type apiReportFull struct {
	apiReport
	IncidentAt       *time.Time            `json:"incident_at"`
	IncidentTimeText string                `json:"incident_time_text"`
	Narrative        string                `json:"narrative"`
	Places           []apiPlace            `json:"places"`
	Reporter         importer.Reporter     `json:"reporter"`
	Indicators       []string              `json:"indicators"`
	People           []importer.Person     `json:"people"`
	Identifiers      []importer.Identifier `json:"identifiers"`
	CreatedBy        *int64                `json:"created_by"`
	IngestedAt       *time.Time            `json:"ingested_at"`
	// Triage is the priority's explanation (api_priority.go).
	Triage *apiTriage `json:"triage"`
}

type apiPlace struct {
	Role    haven.PlaceRole `json:"role"`
	Name    string          `json:"name"`
	Address string          `json:"address"`
	City    string          `json:"city"`
	County  string          `json:"county"`
	State   string          `json:"state"`
	ZIP     string          `json:"zip"`
	Country string          `json:"country"`
}

func summary(rep *haven.Report) apiReport {
	return apiReport{
		ID: rep.ID, Ref: rep.Ref, Channel: rep.Channel, IncidentType: rep.IncidentType,
		MissingType: rep.MissingType, MissingFromCare: rep.MissingFromCare, Priority: rep.Priority,
		Status: rep.Status, State: rep.State, AgencyID: nonZero(rep.AgencyID),
		AssignedTo: nonZero(rep.AssignedTo), ReceivedAt: rep.ReceivedAt.UTC(),
	}
}

func fullReport(rep *haven.Report) apiReportFull {
	out := apiReportFull{apiReport: summary(rep), IncidentAt: rep.IncidentAt, IncidentTimeText: rep.IncidentTimeText,
		Narrative: rep.Narrative, Indicators: rep.Indicators, CreatedBy: nonZero(rep.CreatedBy), IngestedAt: rep.IngestedAt,
		Places: []apiPlace{}, People: []importer.Person{}, Identifiers: []importer.Identifier{},
		Reporter: importer.Reporter{Anonymous: rep.Reporter.Anonymous, Name: rep.Reporter.Name, Phone: rep.Reporter.Phone,
			Email: rep.Reporter.Email, Organization: rep.Reporter.Organization, Relationship: rep.Reporter.Relationship}}
	if out.Indicators == nil {
		out.Indicators = []string{}
	}
	for _, p := range rep.Places {
		out.Places = append(out.Places, apiPlace{Role: p.Role, Name: p.Name, Address: p.Address, City: p.City, County: p.County, State: p.State, ZIP: p.ZIP, Country: p.Country})
	}
	for _, p := range rep.People {
		pp := importer.Person{Role: string(p.Role), FirstName: p.FirstName, LastName: p.LastName, Nickname: p.Nickname,
			Age: p.Age, Sex: string(p.Sex), Description: p.Description, City: p.City, State: p.State}
		if p.DateOfBirth != nil {
			pp.DateOfBirth = p.DateOfBirth.Format("2006-01-02")
		}
		out.People = append(out.People, pp)
	}
	for _, id := range rep.Identifiers {
		out.Identifiers = append(out.Identifiers, importer.Identifier{Kind: string(id.Kind), Value: id.Value, Platform: id.Platform})
	}
	return out
}

// apiReportGet returns one report the token's user may see; the view is
// audited with the ?reason= given.
func (s *Server) apiReportGet(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		s.apiError(w, r, haven.FieldError("id", "a report id is a positive whole number"))
		return
	}
	rep, err := s.svc.GetReport(r.Context(), a, id, r.URL.Query().Get("reason"))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	full := fullReport(rep)
	full.Triage = triageOf(rep, s.serviceNow())
	writeJSON(w, http.StatusOK, full)
}

// apiReportCreate creates a report (channel "api" unless the body names
// another) from a JSON body shaped like a JSON-lines import row. With an
// Idempotency-Key header, a retried request returns the first report
// (200) instead of creating another (201).
func (s *Server) apiReportCreate(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	var rec importer.Record
	body, ok := s.readJSON(w, r, &rec, "a report", false)
	if !ok {
		return
	}
	rep, err := apiReportInput(&rec)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	o := requestOnce(r, body)
	created, replayed, err := s.svc.CreateReportOnce(r.Context(), a, o.Key, o.RequestHash, rep)
	if err != nil {
		s.apiError(w, r, apiReportError(err, rep, s.serviceNow()))
		return
	}
	writeCreated(w, "/api/v1/reports/"+strconv.FormatInt(created.ID, 10), replayed, fullReport(created))
}

// apiReportInput turns the body of POST /api/v1/reports into the report to
// create; a malformed time or date is a field error here, everything else
// the service's to judge.
func apiReportInput(rec *importer.Record) (*haven.Report, error) {
	if rec.Channel == "" {
		rec.Channel = string(haven.ChannelAPI)
	}
	rep, err := rec.Report()
	var re *importer.RowError
	if errors.As(err, &re) {
		err = haven.FieldError(re.Field, "%s", re.Message)
	}
	return rep, err
}

// apiReportError is the service's err about rep, judged at now, with the
// field it names as the body has it: the report's one place is its city,
// state, zip and country; a person or identifier is named with its index.
func apiReportError(err error, rep *haven.Report, now time.Time) error {
	return renameField(err, func(f string) string {
		switch {
		case f == "places.state" || f == "places.country":
			return strings.TrimPrefix(f, "places.")
		case strings.HasPrefix(f, "people."):
			paths := make([]string, len(rep.People))
			for i := range paths {
				paths[i] = "people[" + strconv.Itoa(i) + "]"
			}
			return personField(f, rep.People, paths, now)
		case strings.HasPrefix(f, "identifiers."):
			return identifierField(f, rep.Identifiers)
		}
		return f
	})
}
