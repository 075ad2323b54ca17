// Package importer reads bulk import files — CSV or JSON lines — from an
// older system into Haven reports, row by row, so that every bad row can be
// named before anything is written (haven import).
package importer

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// Record is one report as an import file gives it. In JSON lines each line
// is one Record; in CSV each column is one field (see Columns), with the
// child's fields flattened and lists separated by ";".
type Record struct {
	Channel          string       `json:"channel"`
	IncidentType     string       `json:"incident_type"`
	MissingType      string       `json:"missing_type"`
	MissingFromCare  bool         `json:"missing_from_care"`
	ReceivedAt       string       `json:"received_at"`
	IncidentAt       string       `json:"incident_at"`
	IncidentTimeText string       `json:"incident_time_text"`
	Narrative        string       `json:"narrative"`
	City             string       `json:"city"`
	State            string       `json:"state"`
	ZIP              string       `json:"zip"`
	Country          string       `json:"country"`
	Reporter         Reporter     `json:"reporter"`
	Indicators       []string     `json:"indicators"`
	Priority         int          `json:"priority"`
	People           []Person     `json:"people"`
	Identifiers      []Identifier `json:"identifiers"`
}

// Reporter is who made the report.
type Reporter struct {
	Anonymous    bool   `json:"anonymous"`
	Name         string `json:"name"`
	Phone        string `json:"phone"`
	Email        string `json:"email"`
	Organization string `json:"organization"`
	Relationship string `json:"relationship"`
}

// Person is a person the report names.
type Person struct {
	Role        string `json:"role"`
	FirstName   string `json:"first_name"`
	LastName    string `json:"last_name"`
	Nickname    string `json:"nickname"`
	DateOfBirth string `json:"date_of_birth"` // YYYY-MM-DD
	Age         *int   `json:"age"`
	Sex         string `json:"sex"`
	Description string `json:"description"`
	City        string `json:"city"`
	State       string `json:"state"`
}

// Identifier is a phone number, email, handle … the report names.
type Identifier struct {
	Kind     string `json:"kind"`
	Value    string `json:"value"`
	Platform string `json:"platform"`
}

// Row is one row of a file: its report, or what is wrong with it.
type Row struct {
	Line   int // 1-based line of the file (the header is line 1 in CSV)
	Report *haven.Report
	Err    error
}

// RowError is what is wrong with one row; Field names the field at fault.
type RowError struct {
	Field, Message string
}

func (e *RowError) Error() string {
	if e.Field == "" {
		return e.Message
	}
	return e.Field + ": " + e.Message
}

func rowErr(field, format string, args ...any) error {
	return &RowError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// MaxLine is the longest line (or CSV record) accepted, in bytes.
const MaxLine = 1 << 20

// Columns are the CSV header's column names. Every column is optional but
// the header must name only these.
var Columns = []string{"channel", "incident_type", "missing_type", "missing_from_care", "received_at",
	"incident_at", "incident_time_text", "narrative", "city", "state", "zip", "country",
	"reporter_anonymous", "reporter_name", "reporter_phone", "reporter_email", "reporter_organization",
	"reporter_relationship", "indicators", "priority", "child_first_name", "child_last_name",
	"child_nickname", "child_date_of_birth", "child_age", "child_sex", "child_description", "identifiers"}

// ParseJSONL reads JSON lines: one Record per non-blank line.
func ParseJSONL(r io.Reader) ([]Row, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), MaxLine)
	var rows []Row
	for line := 1; sc.Scan(); line++ {
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var rec Record
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		err := dec.Decode(&rec)
		if err == nil && dec.More() {
			err = errors.New("more than one JSON value on the line")
		}
		if err != nil {
			rows = append(rows, Row{Line: line, Err: rowErr("", "not a JSON report: %s", jsonMessage(err))})
			continue
		}
		rep, err := rec.Report()
		rows = append(rows, Row{Line: line, Report: rep, Err: err})
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return rows, fmt.Errorf("line %d is longer than %d bytes", len(rows)+1, MaxLine)
		}
		return rows, err
	}
	return rows, nil
}

func jsonMessage(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("syntax error at byte %d", se.Offset)
	case errors.As(err, &te):
		return fmt.Sprintf("%s must be a %s", te.Field, te.Type)
	}
	return err.Error()
}

// ParseCSV reads a CSV file whose first line names its columns (Columns).
func ParseCSV(r io.Reader) ([]Row, error) {
	cr := csv.NewReader(io.LimitReader(r, 1<<34))
	cr.FieldsPerRecord = 0
	cr.ReuseRecord = false
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("the file is empty: the first line must name the columns")
	} else if err != nil {
		return nil, fmt.Errorf("line 1: %w", err)
	}
	index := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if !known(h) {
			return nil, fmt.Errorf("line 1: unknown column %q; the columns are %s", h, strings.Join(Columns, ", "))
		}
		if _, dup := index[h]; dup {
			return nil, fmt.Errorf("line 1: column %q appears twice", h)
		}
		index[h] = i
	}
	var rows []Row
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrFieldCount) {
			rows = append(rows, Row{Line: pe.StartLine, Err: rowErr("", "the row has %d fields; the header has %d", len(rec), len(header))})
			continue
		} else if errors.As(err, &pe) {
			return rows, fmt.Errorf("line %d: %v", pe.Line, pe.Err)
		} else if err != nil {
			return rows, err
		}
		line, _ := cr.FieldPos(0)
		get := func(col string) string {
			if i, ok := index[col]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		rep, err := csvRecord(get)
		rows = append(rows, Row{Line: line, Report: rep, Err: err})
	}
}

func known(col string) bool {
	for _, c := range Columns {
		if c == col {
			return true
		}
	}
	return false
}

// csvRecord builds a Record from one CSV row's columns.
func csvRecord(get func(string) string) (*haven.Report, error) {
	rec := Record{
		Channel: get("channel"), IncidentType: get("incident_type"), MissingType: get("missing_type"),
		ReceivedAt: get("received_at"), IncidentAt: get("incident_at"), IncidentTimeText: get("incident_time_text"),
		Narrative: get("narrative"), City: get("city"), State: get("state"), ZIP: get("zip"), Country: get("country"),
		Reporter: Reporter{Name: get("reporter_name"), Phone: get("reporter_phone"), Email: get("reporter_email"),
			Organization: get("reporter_organization"), Relationship: get("reporter_relationship")},
		Indicators: splitList(get("indicators")),
	}
	var err error
	if rec.MissingFromCare, err = parseBool("missing_from_care", get("missing_from_care")); err != nil {
		return nil, err
	}
	if rec.Reporter.Anonymous, err = parseBool("reporter_anonymous", get("reporter_anonymous")); err != nil {
		return nil, err
	}
	if p := get("priority"); p != "" {
		if rec.Priority, err = strconv.Atoi(strings.TrimPrefix(strings.ToUpper(p), "P")); err != nil {
			return nil, rowErr("priority", "priority is 1 to 4 (or P1 to P4), not %q", p)
		}
	}
	child := Person{Role: "child", FirstName: get("child_first_name"), LastName: get("child_last_name"),
		Nickname: get("child_nickname"), DateOfBirth: get("child_date_of_birth"), Sex: get("child_sex"),
		Description: get("child_description")}
	if a := get("child_age"); a != "" {
		n, err := strconv.Atoi(a)
		if err != nil {
			return nil, rowErr("child_age", "an age is a whole number of years, not %q", a)
		}
		child.Age = &n
	}
	if child.FirstName+child.LastName+child.Nickname+child.DateOfBirth+child.Sex+child.Description != "" || child.Age != nil {
		rec.People = append(rec.People, child)
	}
	for _, item := range splitList(get("identifiers")) {
		left, value, ok := strings.Cut(item, "=")
		if !ok {
			return nil, rowErr("identifiers", "write each identifier as kind=value or kind@platform=value (e.g. phone=+12025550147; handle@instagram=demo_ava), not %q", item)
		}
		kind, platform, _ := strings.Cut(left, "@")
		rec.Identifiers = append(rec.Identifiers, Identifier{Kind: strings.TrimSpace(kind), Platform: strings.TrimSpace(platform), Value: strings.TrimSpace(value)})
	}
	return rec.Report()
}

func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ";") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

func parseBool(field, s string) (bool, error) {
	switch strings.ToLower(s) {
	case "", "0", "false", "no", "n":
		return false, nil
	case "1", "true", "yes", "y":
		return true, nil
	}
	return false, rowErr(field, "write yes or no (or true/false), not %q", s)
}

// Report turns a record into a haven.Report (not yet validated by the
// service: PrepareReport does that). Times are RFC 3339; dates YYYY-MM-DD.
func (rec *Record) Report() (*haven.Report, error) {
	r := &haven.Report{
		Channel: haven.Channel(rec.Channel), IncidentType: haven.IncidentType(rec.IncidentType),
		MissingType: haven.MissingType(rec.MissingType), MissingFromCare: rec.MissingFromCare,
		IncidentTimeText: rec.IncidentTimeText, Narrative: rec.Narrative, Indicators: rec.Indicators,
		Priority: haven.Priority(rec.Priority),
		Reporter: haven.Contact{Anonymous: rec.Reporter.Anonymous, Name: rec.Reporter.Name, Phone: rec.Reporter.Phone,
			Email: rec.Reporter.Email, Organization: rec.Reporter.Organization, Relationship: rec.Reporter.Relationship},
	}
	if r.Channel == "" {
		r.Channel = haven.ChannelImport
	}
	var err error
	if rec.ReceivedAt != "" {
		if r.ReceivedAt, err = time.Parse(time.RFC3339, rec.ReceivedAt); err != nil {
			return nil, rowErr("received_at", "a time is RFC 3339, e.g. 2024-03-01T14:30:00Z, not %q", rec.ReceivedAt)
		}
	}
	if rec.IncidentAt != "" {
		t, err := time.Parse(time.RFC3339, rec.IncidentAt)
		if err != nil {
			return nil, rowErr("incident_at", "a time is RFC 3339, e.g. 2024-03-01T14:30:00Z, not %q", rec.IncidentAt)
		}
		r.IncidentAt = &t
	}
	if rec.City != "" || rec.State != "" || rec.ZIP != "" || rec.Country != "" {
		r.Places = []haven.Place{{Role: haven.PlaceIncident, City: rec.City, State: rec.State, ZIP: rec.ZIP, Country: rec.Country}}
	}
	for i, p := range rec.People {
		m := haven.PersonMention{Role: haven.PersonRole(p.Role), FirstName: p.FirstName, LastName: p.LastName, Nickname: p.Nickname,
			Age: p.Age, Sex: haven.Sex(strings.ToLower(p.Sex)), Description: p.Description, City: p.City, State: strings.ToUpper(p.State)}
		if p.DateOfBirth != "" {
			d, err := time.Parse("2006-01-02", p.DateOfBirth)
			if err != nil {
				return nil, rowErr(fmt.Sprintf("people[%d].date_of_birth", i), "a date is YYYY-MM-DD, not %q", p.DateOfBirth)
			}
			m.DateOfBirth = &d
		}
		r.People = append(r.People, m)
	}
	for _, id := range rec.Identifiers {
		r.Identifiers = append(r.Identifiers, haven.Identifier{Kind: haven.IdentifierKind(id.Kind), Value: id.Value,
			Platform: id.Platform, Raw: id.Value, Source: "import"})
	}
	return r, nil
}
