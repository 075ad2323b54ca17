package http

import (
	"bytes"
	"encoding/json"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/importer"
)

// Fuzz targets for the bodies of the JSON API. For every body, the API
// must never panic; a body that does not decode is refused with EINVALID
// and a message, naming no field or the field at fault as the client sent
// it (one the request schema in openapi.json has, or one the client sent
// that it does not have); and a body that decodes and converts is one the
// domain's validation (the check the service makes) accepts, or refuses
// with EINVALID naming a field the schema has, at a place the client sent.
// The API must never pass what the service refuses.

// fuzzNow is the time the targets judge bodies at.
var fuzzNow = time.Date(2026, 3, 20, 12, 0, 0, 0, time.UTC)

// nastyBodies are seeds for every target: not JSON, not an object, too
// deep, too big a number, invalid UTF-8, nulls, trailing data.
var nastyBodies = []string{
	"",
	" ",
	"null",
	"[]",
	`"a tip"`,
	"42",
	"{",
	`{"narrative":`,
	"{}{}",
	"{} x",
	"\xef\xbb\xbf{}",
	strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
	`{"a":` + strings.Repeat(`{"a":`, 200) + "1" + strings.Repeat("}", 201),
	`{"narrative":"\xff\xfe","online":["\xc3\x28"]}`,
	`{"narrative":"ok","narrative":7}`,
	`{"\xff":1}`,
	`{"NARRATIVE":"x"}`,
	`{"people":[null,{"age":1e400}]}`,
	`{"child":{"age":99999999999999999999}}`,
	`{"child_id":-9223372036854775809}`,
	`{"details":{"child_age":1.5}}`,
	`{"people":{"0":{}}}`,
	`{"guardians":[{},{"x":1}]}`,
	"{\"text\":\"\u0000\"}",
}

func addSeeds(f *testing.F, bodies ...string) {
	for _, b := range append(bodies, nastyBodies...) {
		f.Add(b)
	}
}

func FuzzAPITipBody(f *testing.F) {
	addSeeds(f,
		`{"narrative":"A girl of about 15 is brought to the Starlight Motel by an older man most nights.","contact":{"anonymous":true}}`,
		`{"language":"es","incident_type":"child_sex_trafficking","narrative":"Una niña en el motel.","incident_at":"2026-03-14T21:30:00Z",`+
			`"incident_time_text":"last Friday night","place":{"city":"Fairview","state":"va","zip":"22030"},`+
			`"child":{"first_name":"Jamie","nickname":"JJ","age":15,"sex":"female","description":"long dark hair"},`+
			`"people":[{"role":"suspect","first_name":"Rick","description":"drives a grey sedan"},{"role":"buyer"}],`+
			`"online":["Instagram: @star.example","202-555-0147","Cash App: $pay"],"indicators":["older_partner"],`+
			`"contact":{"name":"Pat Example","phone":"202-555-0123","email":"pat@example.com"}}`,
		`{"narrative":"x","place":{"country":"mx","city":"Tijuana"}}`,
		`{"narrative":"x","people":[{"role":"child"}]}`,
		`{"narrative":"x","people":[{},{"age":-1}]}`,
		`{"child":{"date_of_birth":"2099-01-01"},"people":[{"first_name":"`+strings.Repeat("A", 101)+`"}]}`,
		`{"narrative":"x","child":{"sex":"unknown"}}`,
		`{"narrative":"x","online":["`+strings.Repeat("w", 3000)+`"]}`,
		`{"narrative":"x","contact":{"email":"not-an-address"}}`,
		`{"narrative":"x","place":{"state":"ZZ","zip":"1"}}`,
		`{"narrative":"x","incident_at":"2026-03-14"}`,
		`{"narrative":"x","files":[]}`,
		`{"narrative":"x","place":{"planet":"Mars"}}`,
		`{"narrative":"x","people":[{"role":"suspect"},{"rank":1}]}`,
		`{"narrative":null,"child":null,"people":null,"online":null,"place":null}`,
		`{"narrative":["x"],"people":"Rick"}`,
	)
	sch := loadAPISchema(f, "TipInput")
	f.Fuzz(func(t *testing.T, body string) {
		var in apiTipInput
		if err := decodeBody([]byte(body), &in, "a tip", ""); err != nil {
			wantClearRefusal(t, sch, body, err, true)
			return
		}
		tip, err := in.input()
		if err == nil {
			_, err = haven.TipReport(tip, fuzzNow)
		}
		if err != nil {
			wantClearRefusal(t, sch, body, in.clientError(err, fuzzNow), false)
		}
	})
}

func FuzzAPIReportBody(f *testing.F) {
	addSeeds(f,
		`{"incident_type":"child_sex_trafficking","narrative":"Hotel staff saw a girl of about 14 with an older man and cash cards.",`+
			`"city":"Tulsa","state":"OK","zip":"74103","reporter":{"name":"Sam Example","phone":"202-555-0188","email":"sam@example.com","organization":"Example Hotel"},`+
			`"indicators":["cash_cards_hotel_keys"],"people":[{"role":"child","first_name":"Ava","age":14,"sex":"female"},{"role":"suspect","nickname":"Dre","state":"ok"}],`+
			`"identifiers":[{"kind":"phone","value":"+12025550147"},{"kind":"handle","value":"dre_vip","platform":"Instagram"}]}`,
		`{"channel":"hotline","incident_type":"missing_child","missing_type":"endangered_runaway","narrative":"x","received_at":"2026-03-01T14:30:00Z"}`,
		`{"incident_type":"missing_child","narrative":"x"}`,
		`{"incident_type":"other","people":[{"role":"suspect"},{"role":"wizard"}]}`,
		`{"incident_type":"other","people":[{"role":"child","date_of_birth":"2011-02-30"}]}`,
		`{"incident_type":"other","people":[{"role":"child"},{"role":"other","last_name":"`+strings.Repeat("B", 101)+`"}]}`,
		`{"incident_type":"other","identifiers":[{"kind":"phone","value":"1"},{"kind":"aura","value":"x"}]}`,
		`{"incident_type":"other","identifiers":[{"kind":"url","value":" "}]}`,
		`{"incident_type":"other","narrative":"x","state":"ZZ"}`,
		`{"incident_type":"other","narrative":"x","country":"Mexico"}`,
		`{"incident_type":"other","narrative":"x","priority":9}`,
		`{"incident_type":"other","narrative":"x","priority":1e3}`,
		`{"incident_type":"other","narrative":"x","incident_at":"2099-01-01T00:00:00Z"}`,
		`{"incident_type":"other","narrative":"x","reporter":{"phone":"`+strings.Repeat("5", 51)+`"}}`,
		`{"incident_type":"other","narrative":"x","people":[{"age":"14"}]}`,
		`{"incident_type":"other","narrative":"x","people":[{},{"role":"child","eyes":"brown"}]}`,
		`{"incident_type":"other","narrative":"x","missing_from_care":"yes"}`,
	)
	sch := loadAPISchema(f, "ReportInput")
	f.Fuzz(func(t *testing.T, body string) {
		var rec importer.Record
		if err := decodeBody([]byte(body), &rec, "a report", ""); err != nil {
			wantClearRefusal(t, sch, body, err, true)
			return
		}
		rep, err := apiReportInput(&rec)
		if err != nil {
			wantClearRefusal(t, sch, body, err, false)
			return
		}
		// As the service prepares a report to create (haven.prepareReport).
		rep.Normalize()
		if err := rep.Validate(fuzzNow); err != nil {
			wantClearRefusal(t, sch, body, apiReportError(err, rep, fuzzNow), false)
		}
	})
}

func FuzzAPIMissingBody(f *testing.F) {
	addSeeds(f,
		`{"missing_type":"endangered_runaway","law_enforcement":{"agency_name":"Fairview Police","case_number":"26-001234","ncic":"M123456789"},`+
			`"child":{"first_name":"Jordan","last_name":"Example","nicknames":["Jojo"],"date_of_birth":"2011-02-03","sex":"female","description":"5 ft 2, green backpack"},`+
			`"last_seen_at":"2026-03-19T18:30:00Z","last_seen":{"name":"Fairview Mall","address":"1 Main St","city":"Fairview","state":"VA","zip":"22030"},`+
			`"last_seen_with":"an older man in a grey sedan","circumstances":"Left after school.",`+
			`"guardians":[{"name":"Pat Example","relationship":"mother","phone":"202-555-0147","email":"pat@example.com"}],`+
			`"reporter":{"name":"Sam Example","phone":"202-555-0188","relationship":"aunt"}}`,
		`{"missing_type":"endangered_runaway","child_id":12,"last_seen_at":"2026-03-19T18:30:00Z","last_seen":{"state":"VA"},`+
			`"from_care":{"agency_id":3,"placement_type":"group_home","placement_name":"Example House","caseworker_name":"Lee Example",`+
			`"caseworker_phone":"202-555-0110","caseworker_email":"lee@example.com","found_missing_at":"2026-03-19T20:00:00Z",`+
			`"law_enforcement_told_at":"2026-03-19T21:00:00Z","clearinghouse_told_at":null}}`,
		`{"missing_type":"family_abduction","child":{"first_name":"A"},"child_id":4,"last_seen_at":"2026-03-19T18:30:00Z","last_seen":{"state":"VA"}}`,
		`{"missing_type":"family_abduction","child":{},"last_seen_at":"2026-03-19T18:30:00Z","last_seen":{"state":"va"}}`,
		`{"missing_type":"family_abduction","child":{"first_name":"A"},"last_seen_at":"2026-03-19T18:30:00Z","last_seen":{"state":"VA"},`+
			`"guardians":[{},{"name":"Pat Example","email":"not an address"}]}`,
		`{"missing_type":"family_abduction","child":{"first_name":"A"},"last_seen_at":"2026-03-19T18:30:00Z","last_seen":{"state":"VA"},`+
			`"guardians":[{"name":"A"},{"name":"B"},{"name":"C"},{"name":"D"},{"name":"E"},{"name":"F"},{"name":"G"}]}`,
		`{"missing_type":"family_abduction","child":{"first_name":"A"},"last_seen_at":"2026-03-19T18:30:00Z","last_seen":{"state":"VA"},`+
			`"guardians":[{"phone":"202-555-0147"}]}`,
		`{"missing_type":"lost_injured_otherwise_missing","child":{"first_name":"A","last_name":"`+strings.Repeat("L", 101)+`"},"last_seen_at":"2026-03-19T18:30:00Z","last_seen":{"state":"VA","address":"`+strings.Repeat("x", 301)+`"}}`,
		`{"missing_type":"nonfamily_abduction","child":{"first_name":"A"},"last_seen_at":"2099-01-01T00:00:00Z","last_seen":{"state":"VA","zip":"2203"}}`,
		`{"missing_type":"critically_missing_young_adult","child":{"first_name":"A","sex":"x","date_of_birth":"03/02/2011"},"last_seen_at":"2026-03-19T18:30:00Z","last_seen":{"state":"VA"}}`,
		`{"missing_type":"endangered_runaway","child":{"first_name":"A"},"last_seen_at":"2026-03-19T18:30:00Z","last_seen":{"state":"VA"},`+
			`"from_care":{"agency_id":3,"placement_type":"group_home","caseworker_name":"`+strings.Repeat("C", 201)+`","found_missing_at":"2026-03-19T20:00:00Z","notify_due":"2026-03-20T20:00:00Z"}}`,
		`{"missing_type":"endangered_runaway","child":{"first_name":"A"},"last_seen_at":"2026-03-19T18:30:00Z","last_seen":{"state":"VA"},`+
			`"from_care":{"agency_id":3,"placement_type":"group_home","caseworker_name":"Lee","found_missing_at":"2026-03-19T20:00:00Z","law_enforcement_told_at":"2026-03-19T19:00:00Z"}}`,
		`{"missing_type":"endangered_runaway","law_enforcement":{"ncic":"123"},"last_seen":{"state":"VA","planet":"Mars"}}`,
		`{"missing_type":"endangered_runaway","child_id":-1,"last_seen_at":"2026-03-19T18:30:00Z","last_seen":{"state":"VA"}}`,
		`{"missing_type":7,"guardians":[{"name":["Pat"]}]}`,
	)
	sch := loadAPISchema(f, "MissingInput")
	f.Fuzz(func(t *testing.T, body string) {
		var in apiMissingInput
		if err := decodeBody([]byte(body), &in, "a missing-child report", ""); err != nil {
			wantClearRefusal(t, sch, body, err, true)
			return
		}
		rep, err := in.report()
		if err == nil {
			err = rep.Validate(fuzzNow)
		}
		if err == nil {
			return
		}
		err = in.clientError(err)
		wantClearRefusal(t, sch, body, err, false)
		if m := guardianAt.FindStringSubmatch(haven.ErrorField(err)); m != nil {
			i := atoi(m[1])
			if i >= len(in.Guardians) {
				t.Fatalf("the refusal names guardians[%d] of %d: %v", i, len(in.Guardians), err)
			}
			g := in.Guardians[i]
			if (&haven.Guardian{Name: g.Name, Relationship: g.Relationship, Phone: g.Phone, Email: g.Email}).Empty() {
				t.Errorf("the refusal names guardians[%d], which the client sent empty: %v", i, err)
			}
		}
	})
}

var guardianAt = regexp.MustCompile(`^guardians\[(\d+)\]\.`)

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

func FuzzAPIRecoveryBody(f *testing.F) {
	addSeeds(f,
		`{"recovered_at":"2026-03-20T09:15:00Z","place":{"name":"Bus station","city":"Richmond","state":"va","zip":"23219"},`+
			`"recovered_by":"Richmond Police","factors":["felt_unsafe","other"],"factors_other":"a friend offered a place to stay",`+
			`"experiences":"Stayed with a friend.","screening":"positive","trafficking_reported_at":"2026-03-20T10:00:00Z",`+
			`"follow_up":"Counselling arranged","follow_up_due":"2026-03-27"}`,
		`{"recovered_at":"2026-03-20T09:15:00Z","screening":"not_done"}`,
		`{"recovered_at":"2026-03-01T09:15:00Z","screening":"negative"}`,
		`{"recovered_at":"2099-03-20T09:15:00Z","screening":"negative"}`,
		`{"recovered_at":"2026-03-20T09:15:00Z","screening":"maybe"}`,
		`{"recovered_at":"2026-03-20T09:15:00Z","screening":"negative","trafficking_reported_at":"2026-03-20T10:00:00Z"}`,
		`{"recovered_at":"2026-03-20T09:15:00Z","screening":"negative","factors":["felt_unsafe","felt_unsafe"]}`,
		`{"recovered_at":"2026-03-20T09:15:00Z","screening":"negative","factors":["other"]}`,
		`{"recovered_at":"2026-03-20T09:15:00Z","screening":"negative","place":{"state":"ZZ"}}`,
		`{"recovered_at":"yesterday","screening":"negative","follow_up_due":"soon"}`,
		`{"recovered_at":"2026-03-20T09:15:00Z","screening":"negative","factors":"felt_unsafe"}`,
	)
	sch := loadAPISchema(f, "RecoveryInput")
	f.Fuzz(func(t *testing.T, body string) {
		var in apiRecoveryInput
		if err := decodeBody([]byte(body), &in, "a recovery", ""); err != nil {
			wantClearRefusal(t, sch, body, err, true)
			return
		}
		rec, err := in.recovery()
		if err == nil {
			e := &haven.MissingEpisode{MissingType: haven.MissingTypes[0], LastSeenAt: fuzzNow.Add(-72 * time.Hour)}
			err = rec.Validate(e, fuzzNow)
		}
		if err != nil {
			wantClearRefusal(t, sch, body, renameField(err, recoveryFields), false)
		}
	})
}

func FuzzAPINotificationsBody(f *testing.F) {
	addSeeds(f,
		`{"law_enforcement_told_at":"2026-03-19T21:00:00Z"}`,
		`{"law_enforcement_told_at":"2026-03-19T21:00:00-05:00","clearinghouse_told_at":"2026-03-19T22:00:00Z"}`,
		`{"law_enforcement_told_at":"","clearinghouse_told_at":""}`,
		`{"law_enforcement_told_at":"2099-01-01T00:00:00Z"}`,
		`{"clearinghouse_told_at":"2026-03-01T00:00:00Z"}`,
		`{"law_enforcement_told_at":"19 March"}`,
		`{"law_enforcement_told_at":null,"clearinghouse_told_at":1}`,
		`{"police_told_at":"2026-03-19T21:00:00Z"}`,
	)
	sch := loadAPISchema(f, "NotificationsInput")
	f.Fuzz(func(t *testing.T, body string) {
		var in apiNotificationsInput
		if err := decodeBody([]byte(body), &in, "the notifications", ""); err != nil {
			wantClearRefusal(t, sch, body, err, true)
			return
		}
		le, ch, err := in.times()
		if err == nil {
			// The episode's record of a child missing from care, as the
			// service checks it with the times sent.
			fc := haven.FromCare{AgencyID: 3, PlacementType: haven.PlacementGroupHome, CaseworkerName: "Lee Example",
				FoundMissingAt: fuzzNow.Add(-30 * time.Hour), LawEnforcementToldAt: le, ClearinghouseToldAt: ch}
			err = fc.Validate(fuzzNow)
		}
		if err != nil {
			wantClearRefusal(t, sch, body, renameField(err, notificationFields), false)
		}
	})
}

func FuzzAPICallPatchBody(f *testing.F) {
	addSeeds(f,
		`{"caller_type":"parent_guardian","language":"en","details":{"caller_name":"Pat Example","caller_phone":"202-555-0147",`+
			`"caller_email":"pat@example.com","incident_type":"child_sex_trafficking","form":"pimp_controlled","what_happened":"My daughter is being sold online.",`+
			`"when":"since last month","place":"Starlight Motel","city":"Fairview","state":"va","child_name":"Jamie","child_age":15,`+
			`"people":[{"role":"suspect","name":"Rick","description":"grey sedan"}],"online":"Instagram: @star.example\n202-555-0188",`+
			`"indicators":["older_partner","older_partner"],"answers":[{"indicator":"older_partner","question":0,"answer":"He is 30"}],"notes":"Call back after 6pm"}}`,
		`{"imminent":true,"details":{"child_where_now":"Room 12, Starlight Motel"}}`,
		`{"end":true,"disposition":"report_taken"}`,
		`{"disposition":"report_taken"}`,
		`{"details":null}`,
		`{"details":{"child_age":26}}`,
		`{"details":{"child_age":"fifteen"}}`,
		`{"details":{"people":[{"role":"suspect"},{"role":"wizard","name":"x"}]}}`,
		`{"details":{"people":[{"role":"buyer","name":"B"}]}}`,
		`{"details":{"people":[{"name":"x","eyes":"brown"}]}}`,
		`{"details":{"answers":[{"indicator":"older_partner","question":99,"answer":"x"}],"indicators":["older_partner"]}}`,
		`{"details":{"caller_email":"nope","state":"ZZ","form":"x"}}`,
		`{"details":{"Answers":[{"indicator":"older_partner","question":0,"answer":"x","text":"a question never asked"}],"indicators":["older_partner"]}}`,
		`{"details":[]}`,
		`{"details":"x"}`,
		`{"details":{"what_happened":"`+strings.Repeat("w", 20001)+`"}}`,
	)
	sch := loadAPISchema(f, "CallPatch")
	tax := haven.Taxonomy()
	asked := tax.Indicator("older_partner").Questions[0].EN
	f.Fuzz(func(t *testing.T, body string) {
		var p apiCallPatch
		if err := decodeBody([]byte(body), &p, "a change to a call", ""); err != nil {
			wantClearRefusal(t, sch, body, err, true)
			return
		}
		u, err := p.update()
		if err != nil {
			wantClearRefusal(t, sch, body, renameField(err, callField), haven.ErrorField(err) != "end")
			return
		}
		if u.Edit == nil {
			return
		}
		saved := haven.CallDetails{CallerName: "Sam Example", People: []haven.CallPerson{{Role: haven.PersonSuspect, Name: "Dre", Description: "tall"}},
			Indicators: []string{"older_partner"}, Answers: []haven.FollowUpAnswer{{Indicator: "older_partner", Question: 0, Answer: "He is 30", Text: asked}}}
		d, err := u.Edit(saved)
		if err == nil {
			// As the service checks an update (haven.applyCallUpdate).
			d.Normalize()
			err = d.Validate()
		}
		if err != nil {
			wantClearRefusal(t, sch, body, renameField(err, callField), false)
			return
		}
		if saved.CallerName != "Sam Example" || len(saved.People) != 1 || saved.People[0].Description != "tall" {
			t.Fatalf("the edit changed the saved details: %+v", saved)
		}
		// People sent replace the saved ones whole: none takes a saved
		// person's description.
		if sentPeople(p.Details) {
			var sent haven.CallDetails
			json.Unmarshal(p.Details, &sent)
			sent.Normalize()
			if !reflect.DeepEqual(d.People, sent.People) {
				t.Fatalf("people sent %+v, saved as %+v", sent.People, d.People)
			}
		}
		for _, a := range d.Answers {
			if ind := tax.Indicator(a.Indicator); ind == nil || a.Text != ind.Questions[a.Question].EN {
				t.Fatalf("an answer kept a question the taxonomy does not ask: %+v", a)
			}
		}
	})
}

// sentPeople reports whether call details sent have people (named in any
// case, as encoding/json reads them).
func sentPeople(details json.RawMessage) bool {
	var fields map[string]json.RawMessage
	json.Unmarshal(details, &fields)
	for k := range fields {
		if strings.EqualFold(k, "people") {
			return true
		}
	}
	return false
}

func FuzzAPISupplementBody(f *testing.F) {
	addSeeds(f,
		`{"code":"7K3Q-9D2M-X4TB-0PHN","language":"en","text":"He now uses another number.","online":["202-555-0199",""]}`,
		`{"code":"7k3q 9d2m x4tb ophn","language":"es","text":"Otra cosa."}`,
		`{"code":"","text":""}`,
		`{"code":12345,"online":"202-555-0199"}`,
		`{"code":"7K3Q-9D2M-X4TB-0PHN","files":[]}`,
	)
	sch := loadAPISchema(f, "SupplementInput")
	f.Fuzz(func(t *testing.T, body string) {
		var in apiSupplementInput
		if err := decodeBody([]byte(body), &in, "a supplement", ""); err != nil {
			wantClearRefusal(t, sch, body, err, true)
		}
	})
}

func FuzzAPICallStartBody(f *testing.F) {
	addSeeds(f,
		`{"caller_type":"parent_guardian","language":"es"}`,
		`{"caller_type":"child"}`,
		`{"caller_type":["child"]}`,
		`{"caller":"child"}`,
	)
	sch := loadAPISchema(f, "CallStart")
	f.Fuzz(func(t *testing.T, body string) {
		if len(bytes.TrimSpace([]byte(body))) == 0 {
			return // the body is optional: readJSON takes none as no body
		}
		var in apiCallStart
		if err := decodeBody([]byte(body), &in, "a call", ""); err != nil {
			wantClearRefusal(t, sch, body, err, true)
		}
	})
}

// wantClearRefusal fails unless err is how the API refuses body: an
// EINVALID error with a message that names no field (only for a body that
// did not decode) or one the client can find: a field the schema has, or a
// member the body sent that the schema's object does not have. For a body
// that did not decode (decoding true), the body sent the value named
// (matching names ignoring case, as the API reads them);
// where the field names an element of an array, the body sent that
// element.
func wantClearRefusal(t *testing.T, sch apiSchema, body string, err error, decoding bool) {
	t.Helper()
	var he *haven.Error
	if !asHavenError(err, &he) {
		t.Fatalf("not a haven error: %T %v\nbody %q", err, err, body)
	}
	if he.Code != haven.EINVALID {
		t.Fatalf("code %q, want %q: %v\nbody %q", he.Code, haven.EINVALID, err, body)
	}
	if strings.TrimSpace(he.Message) == "" || !utf8.ValidString(he.Message) {
		t.Fatalf("message %q\nbody %q", he.Message, body)
	}
	f := he.Field
	if f == "" {
		if !decoding {
			t.Fatalf("the service's refusal names no field: %v\nbody %q", err, body)
		}
		return
	}
	// Names are compared ignoring case, as encoding/json matches them.
	shape := shapeOf(body)
	parent, member := shape.members[foldPath(f)]
	switch {
	case decoding && !shape.values[foldPath(f)]:
		t.Fatalf("the refusal names %q, which the body does not send: %v\nbody %q", f, err, body)
	case sch.fields[foldPath(indexless(f))]:
	case member && sch.objects[indexless(parent)]:
		return // a member the schema's object does not have, named as sent
	default:
		t.Fatalf("the refusal names %q, neither a field of the request schema nor a member the body sent: %v\nbody %q", f, err, body)
	}
	for _, m := range arrayIndex.FindAllStringIndex(f, -1) {
		if elem := f[:m[1]]; !shape.values[foldPath(elem)] {
			t.Fatalf("the refusal names %q, but the body sent no %s: %v\nbody %q", f, elem, err, body)
		}
	}
}

func asHavenError(err error, he **haven.Error) bool {
	e, ok := err.(*haven.Error)
	*he = e
	return ok
}

var arrayIndex = regexp.MustCompile(`\[\d+\]`)

// indexless is a path with its arrays' indexes left out: people[].age.
func indexless(path string) string { return arrayIndex.ReplaceAllString(path, "[]") }

// foldPath is a path as encoding/json matches names: each rune the
// smallest of those it equals ignoring case.
func foldPath(s string) string {
	return strings.Map(func(r rune) rune {
		for {
			r2 := unicode.SimpleFold(r)
			if r2 <= r {
				return r2
			}
			r = r2
		}
	}, s)
}

// apiSchema is what a request body's schema in openapi.json has: the path
// of every field, an array's elements included ("people[].age", "people[]",
// folded by foldPath), and of every object ("" for the body, "people[]").
type apiSchema struct{ fields, objects map[string]bool }

func loadAPISchema(tb testing.TB, name string) apiSchema {
	tb.Helper()
	var spec struct {
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPI, &spec); err != nil {
		tb.Fatal(err)
	}
	root, ok := spec.Components.Schemas[name]
	if !ok {
		tb.Fatalf("openapi.json has no schema %s", name)
	}
	sch := apiSchema{fields: map[string]bool{}, objects: map[string]bool{}}
	var walk func(node any, path string, depth int)
	walk = func(node any, path string, depth int) {
		m, _ := node.(map[string]any)
		if m == nil || depth > 20 {
			return
		}
		if ref, ok := m["$ref"].(string); ok {
			walk(spec.Components.Schemas[strings.TrimPrefix(ref, "#/components/schemas/")], path, depth+1)
		}
		for _, k := range []string{"oneOf", "anyOf", "allOf"} {
			alts, _ := m[k].([]any)
			for _, alt := range alts {
				walk(alt, path, depth+1)
			}
		}
		if props, ok := m["properties"].(map[string]any); ok {
			sch.objects[foldPath(path)] = true
			for k, v := range props {
				p := k
				if path != "" {
					p = path + "." + k
				}
				sch.fields[foldPath(p)] = true
				walk(v, p, depth+1)
			}
		}
		if items, ok := m["items"]; ok {
			sch.fields[foldPath(path+"[]")] = true // an element is a field of its own: "people[2] must be an object"
			walk(items, path+"[]", depth+1)
		}
	}
	walk(root, "", 0)
	if len(sch.fields) == 0 {
		tb.Fatalf("schema %s has no fields", name)
	}
	return sch
}

// bodyShape is what a JSON body sends: the path of every value
// ("people[1].age"; "" for the body), and for each object member its
// object's path, all folded by foldPath.
type bodyShape struct {
	values  map[string]bool
	members map[string]string
}

// shapeOf reads as much of body as is JSON.
func shapeOf(body string) bodyShape {
	s := bodyShape{values: map[string]bool{}, members: map[string]string{}}
	type frame struct {
		object bool
		path   string
		index  int
		key    string
		inKey  bool
	}
	var stack []*frame
	dec := json.NewDecoder(strings.NewReader(body))
	dec.UseNumber()
	for {
		tok, err := dec.Token()
		if err != nil {
			return s
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			if len(stack) > 0 {
				if up := stack[len(stack)-1]; up.object {
					up.inKey = true
				} else {
					up.index++
				}
			}
			continue
		}
		if top != nil && top.object && top.inKey {
			top.key, top.inKey = tok.(string), false
			continue
		}
		here := ""
		switch {
		case top != nil && top.object:
			here = top.key
			if top.path != "" {
				here = top.path + "." + top.key
			}
			s.members[foldPath(here)] = foldPath(top.path)
		case top != nil:
			here = top.path + "[" + strconv.Itoa(top.index) + "]"
		}
		s.values[foldPath(here)] = true
		if d, ok := tok.(json.Delim); ok {
			stack = append(stack, &frame{object: d == '{', path: here, inKey: d == '{'})
		} else if top != nil {
			if top.object {
				top.inKey = true
			} else {
				top.index++
			}
		}
	}
}
