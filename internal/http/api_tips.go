package http

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// Tips through the JSON API (POST /api/v1/tips and POST
// /api/v1/tips/{ref}/supplements): a partner organisation's intake system
// relays tips from the public, with the same fields as the public tip form
// (files excepted), and adds information to them later with the reference
// number and follow-up code. The token's user must be one who may create
// reports; the service decides (haven.Service.SubmitTipOnce).

// apiTipInput is the body of POST /api/v1/tips.
type apiTipInput struct {
	Language         string             `json:"language"` // "en" (the default) or "es"
	IncidentType     haven.IncidentType `json:"incident_type"`
	Narrative        string             `json:"narrative"`
	IncidentAt       string             `json:"incident_at"` // RFC 3339
	IncidentTimeText string             `json:"incident_time_text"`
	Place            apiTipPlace        `json:"place"`
	Child            *apiTipPerson      `json:"child"`
	People           []apiTipPerson     `json:"people"`
	Online           []string           `json:"online"`
	Indicators       []string           `json:"indicators"`
	Contact          apiTipContact      `json:"contact"`
}

// apiTipPlace is where it happened: a US city, state and ZIP, or a country
// outside the US.
type apiTipPlace struct {
	City    string `json:"city"`
	State   string `json:"state"`
	ZIP     string `json:"zip"`
	Country string `json:"country"`
}

// apiTipPerson is the child, or another person involved.
type apiTipPerson struct {
	Role        haven.PersonRole `json:"role"` // people only: suspect, buyer or other
	FirstName   string           `json:"first_name"`
	LastName    string           `json:"last_name"`
	Nickname    string           `json:"nickname"`
	Age         *int             `json:"age"`
	DateOfBirth string           `json:"date_of_birth"` // YYYY-MM-DD
	Sex         haven.Sex        `json:"sex"`
	Description string           `json:"description"`
}

// apiTipContact is how to reach the person who gave the tip, or anonymous.
type apiTipContact struct {
	Anonymous bool   `json:"anonymous"`
	Name      string `json:"name"`
	Phone     string `json:"phone"`
	Email     string `json:"email"`
}

// apiTipReceipt is the answer to a tip. The follow-up code is in the first
// answer only: it is kept as a MAC, so a retry of the same request (same
// Idempotency-Key) gets the reference and FollowUpCodeNote instead.
type apiTipReceipt struct {
	Ref              string `json:"ref"`
	FollowUpCode     string `json:"follow_up_code,omitempty"`
	FollowUpCodeNote string `json:"follow_up_code_note,omitempty"`
}

// followUpCodeNote is what a retried tip says in place of the code.
const followUpCodeNote = "The follow-up code is shown only once, in the first answer to this request; it cannot be shown again."

// apiSupplementInput is the body of POST /api/v1/tips/{ref}/supplements.
type apiSupplementInput struct {
	Code     string   `json:"code"`
	Language string   `json:"language"`
	Text     string   `json:"text"`
	Online   []string `json:"online"`
}

// apiSupplementReceipt confirms a supplement; nothing of the tip is shown.
type apiSupplementReceipt struct {
	Ref          string `json:"ref"`
	SupplementID int64  `json:"supplement_id"`
}

// input turns the body into the service's input; a malformed date or an
// unknown person role is a field error here, everything else the
// service's to judge.
func (in *apiTipInput) input() (haven.TipInput, error) {
	t := haven.TipInput{Language: strings.TrimSpace(in.Language), IncidentType: in.IncidentType,
		Narrative: strings.TrimSpace(in.Narrative), IncidentTimeText: strings.TrimSpace(in.IncidentTimeText),
		Online: in.Online, Indicators: in.Indicators,
		Place: haven.Place{City: strings.TrimSpace(in.Place.City), State: strings.ToUpper(strings.TrimSpace(in.Place.State)),
			ZIP: strings.TrimSpace(in.Place.ZIP), Country: strings.ToUpper(strings.TrimSpace(in.Place.Country))},
		Contact: haven.Contact{Anonymous: in.Contact.Anonymous, Name: in.Contact.Name, Phone: in.Contact.Phone, Email: in.Contact.Email}}
	if t.Language == "" {
		t.Language = "en"
	}
	var err error
	if t.IncidentAt, err = apiTime("incident_at", in.IncidentAt); err != nil {
		return t, err
	}
	if in.Child != nil {
		c, err := in.Child.mention("child.")
		if err != nil {
			return t, err
		}
		t.Child = &c
	}
	for i, p := range in.People {
		prefix := "people[" + strconv.Itoa(i) + "]."
		switch p.Role {
		case haven.PersonSuspect, haven.PersonBuyer, haven.PersonOther:
		case "":
			p.Role = haven.PersonOther
		default:
			return t, haven.FieldError(prefix+"role", "a person involved is a suspect, a buyer or other")
		}
		m, err := p.mention(prefix)
		if err != nil {
			return t, err
		}
		t.People = append(t.People, m)
	}
	return t, nil
}

func (p *apiTipPerson) mention(prefix string) (haven.PersonMention, error) {
	m := haven.PersonMention{Role: p.Role, FirstName: strings.TrimSpace(p.FirstName), LastName: strings.TrimSpace(p.LastName),
		Nickname: strings.TrimSpace(p.Nickname), Age: p.Age, Sex: p.Sex, Description: strings.TrimSpace(p.Description)}
	dob, err := apiDate(prefix+"date_of_birth", p.DateOfBirth)
	m.DateOfBirth = dob
	return m, err
}

// apiTipCreate stores a tip relayed by the token's user and answers with
// its reference and follow-up code; a retry answers 200 with the reference
// and a note that the code cannot be shown again.
func (s *Server) apiTipCreate(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	var body apiTipInput
	raw, ok := s.readJSON(w, r, &body, "a tip", false)
	if !ok {
		return
	}
	in, err := body.input()
	if err == nil {
		var rc *haven.Receipt
		var replayed bool
		if rc, replayed, err = s.svc.SubmitTipOnce(r.Context(), a, requestOnce(r, raw), in); err == nil {
			out := apiTipReceipt{Ref: rc.Ref, FollowUpCode: rc.Code}
			if rc.Code == "" {
				out.FollowUpCodeNote = followUpCodeNote
			}
			writeCreated(w, "", replayed, out)
			return
		}
	}
	s.apiError(w, r, body.clientError(err, s.serviceNow()))
}

// clientError is err (of input or of the service, judging the tip at now)
// with the field it names as the body has it.
func (in *apiTipInput) clientError(err error, now time.Time) error {
	return renameField(err, func(f string) string {
		if strings.HasPrefix(f, "people.") {
			var people []haven.PersonMention
			var paths []string
			if t, err := in.input(); err == nil {
				if t.Child != nil {
					c := *t.Child
					c.Role = haven.PersonChild // as haven.TipReport has it
					people, paths = append(people, c), append(paths, "child")
				}
				for i, p := range t.People {
					people, paths = append(people, p), append(paths, "people["+strconv.Itoa(i)+"]")
				}
			}
			return personField(f, people, paths, now)
		}
		return apiTipField(f)
	})
}

// apiTipField names the service's tip fields as the API body has them.
func apiTipField(f string) string {
	switch f {
	case "zip", "state":
		return "place." + f
	case "places.state", "places.country":
		return "place." + strings.TrimPrefix(f, "places.")
	case "contact_email":
		return "contact.email"
	case "reporter":
		return "contact"
	}
	if f == "identifiers" || strings.HasPrefix(f, "identifiers.") {
		return "online"
	}
	return f
}

// apiSupplementCreate adds information to the tip with the reference in
// the path, for whoever sends its follow-up code. A wrong code (or unknown
// reference, or one paused after several wrong codes: they answer alike) is
// 403 naming the field "code", and nothing is added.
func (s *Server) apiSupplementCreate(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	var body apiSupplementInput
	raw, ok := s.readJSON(w, r, &body, "a supplement", false)
	if !ok {
		return
	}
	ref := r.PathValue("ref")
	lang := strings.TrimSpace(body.Language)
	if lang == "" {
		lang = "en"
	}
	var online []string
	for _, line := range body.Online {
		if line = strings.TrimSpace(line); line != "" {
			online = append(online, line)
		}
	}
	id, replayed, err := s.svc.AddSupplementOnce(r.Context(), a, requestOnce(r, raw), haven.SupplementInput{
		Ref: ref, Code: body.Code, Language: lang, Text: body.Text, Online: online})
	if haven.ErrFollowUpRefused(err) {
		// The token is fine: it is the code that does not open this tip.
		err = &haven.Error{Code: haven.EFORBIDDEN, Field: "code", Message: haven.ErrorMessage(err)}
	}
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeCreated(w, "", replayed, apiSupplementReceipt{Ref: haven.NormalizeRef(ref), SupplementID: id})
}
