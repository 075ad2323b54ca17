package http

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/importer"
)

// maxAPIBody is the largest JSON body the API reads.
const maxAPIBody = 1 << 20

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
	writeJSON(w, http.StatusOK, fullReport(rep))
}

// apiReportCreate creates a report (channel "api" unless the body names
// another) from a JSON body shaped like a JSON-lines import row. With an
// Idempotency-Key header, a retried request returns the first report
// (200) instead of creating another (201).
func (s *Server) apiReportCreate(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxAPIBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeJSONError(w, http.StatusRequestEntityTooLarge, haven.EINVALID, "The request body is larger than 1 MB.")
			return
		}
		s.apiError(w, r, haven.Errorf(haven.EINVALID, "The request body could not be read."))
		return
	}
	var rec importer.Record
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rec); err != nil {
		s.apiError(w, r, haven.Errorf(haven.EINVALID, "The body is not a report in JSON: %s", jsonProblem(err)))
		return
	}
	if rec.Channel == "" {
		rec.Channel = string(haven.ChannelAPI)
	}
	rep, err := rec.Report()
	if err != nil {
		var re *importer.RowError
		if errors.As(err, &re) {
			err = haven.FieldError(re.Field, "%s", re.Message)
		}
		s.apiError(w, r, err)
		return
	}
	sum := sha256.Sum256(body)
	key := strings.TrimSpace(r.Header.Get("Idempotency-Key"))
	rep, replayed, err := s.svc.CreateReportOnce(r.Context(), a, key, hex.EncodeToString(sum[:]), rep)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/reports/"+strconv.FormatInt(rep.ID, 10))
	status := http.StatusCreated
	if replayed {
		status = http.StatusOK
	}
	writeJSON(w, status, fullReport(rep))
}

// jsonProblem says briefly what is wrong with a JSON body.
func jsonProblem(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return "syntax error at byte " + strconv.FormatInt(se.Offset, 10)
	case errors.As(err, &te):
		return te.Field + " must be a " + te.Type.String()
	case errors.Is(err, io.EOF):
		return "the body is empty"
	}
	return err.Error()
}
