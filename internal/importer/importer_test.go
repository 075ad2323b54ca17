package importer

import (
	"strings"
	"testing"

	"github.com/haven-oss/haven/internal/haven"
)

const goodCSV = `channel,incident_type,received_at,narrative,city,state,reporter_anonymous,indicators,priority,child_first_name,child_age,child_sex,identifiers
hotline,child_sex_trafficking,2024-03-01T14:30:00Z,"A caller saw a girl of about 15 with an older man at a motel; he held her ID.",Houston,TX,yes,older_partner;id_held_by_other,P3,Ava,15,female,phone=+17135550142;handle@instagram=demo_ava_2009
,missing_child,2024-03-02T09:00:00Z,Runaway from a group home.,Tulsa,ok,no,,,Maya,16,female,
`

func TestCSVRowsBecomeReports(t *testing.T) {
	rows, err := ParseCSV(strings.NewReader(goodCSV))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Err != nil || rows[1].Err != nil {
		t.Fatalf("rows %+v", rows)
	}
	r := rows[0].Report
	if r.Channel != haven.ChannelHotline || r.IncidentType != haven.IncidentSexTrafficking || r.Priority != haven.P3 || !r.Reporter.Anonymous ||
		len(r.Indicators) != 2 || len(r.Places) != 1 || r.Places[0].State != "TX" || len(r.People) != 1 || *r.People[0].Age != 15 ||
		r.People[0].Role != haven.PersonChild || len(r.Identifiers) != 2 || r.Identifiers[1].Platform != "instagram" || r.Identifiers[1].Value != "demo_ava_2009" ||
		r.ReceivedAt.Format("2006-01-02T15:04") != "2024-03-01T14:30" {
		t.Errorf("first row: %+v", r)
	}
	if rows[1].Report.Channel != haven.ChannelImport || rows[1].Line != 3 {
		t.Errorf("second row: channel %q line %d", rows[1].Report.Channel, rows[1].Line)
	}
}

func TestEveryBadRowIsNamedWithItsLineAndField(t *testing.T) {
	in := `narrative,received_at,child_age,reporter_anonymous,identifiers,priority
ok,2024-01-01T00:00:00Z,,,,
bad time,yesterday,,,,
bad age,,fifteen,,,
bad flag,,,maybe,,
bad identifier,,,,just-a-number,
bad priority,,,,,urgent
`
	rows, err := ParseCSV(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]string{3: "received_at", 4: "child_age", 5: "reporter_anonymous", 6: "identifiers", 7: "priority"}
	for _, r := range rows {
		field := ""
		if re, ok := r.Err.(*RowError); ok {
			field = re.Field
		}
		if field != want[r.Line] {
			t.Errorf("line %d: error %v, want one on %q", r.Line, r.Err, want[r.Line])
		}
	}
}

func TestAnUnknownColumnRefusesTheFile(t *testing.T) {
	_, err := ParseCSV(strings.NewReader("narrative,favourite_colour\nx,3\n"))
	if err == nil || !strings.Contains(err.Error(), `unknown column "favourite_colour"`) {
		t.Fatalf("got %v", err)
	}
	if _, err := ParseCSV(strings.NewReader("")); err == nil {
		t.Fatal("an empty file was accepted")
	}
}

func TestJSONLinesRowsAndErrors(t *testing.T) {
	in := `{"incident_type":"online_enticement","narrative":"An adult asked a 13-year-old to meet.","state":"CA","people":[{"role":"suspect","first_name":"Demo"}],"identifiers":[{"kind":"email","value":"someone@example.com"}]}

{"incident_type":"online_enticement","narative":"typo"}
{"incident_type": 5}
not json
{"people":[{"role":"child","date_of_birth":"2010/05/01"}]}
`
	rows, err := ParseJSONL(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 5 {
		t.Fatalf("%d rows, want 5 (blank lines skipped)", len(rows))
	}
	if rows[0].Err != nil || rows[0].Report.People[0].Role != haven.PersonSuspect || rows[0].Report.Identifiers[0].Value != "someone@example.com" {
		t.Errorf("good line: %+v %v", rows[0].Report, rows[0].Err)
	}
	for i, frag := range []string{"", "unknown field", "incident_type must be a string", "syntax error", "date_of_birth"} {
		if i == 0 {
			continue
		}
		if rows[i].Err == nil || !strings.Contains(rows[i].Err.Error(), frag) {
			t.Errorf("line %d: %v, want an error mentioning %q", rows[i].Line, rows[i].Err, frag)
		}
	}
	if rows[1].Line != 3 {
		t.Errorf("line numbers count blank lines: got %d, want 3", rows[1].Line)
	}
}
