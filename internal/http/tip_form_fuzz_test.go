package http

import (
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/http/i18n"
)

// FuzzParseTipForm feeds the tip form's parser arbitrary form bodies. It
// must never panic; everything it keeps to show again must be valid UTF-8;
// every problem must name a field the page draws and a message the
// catalogue has; and a form it finds nothing wrong with must be a tip the
// service accepts (the page must never pass what the service refuses).
func FuzzParseTipForm(f *testing.F) {
	f.Add("narrative=A+girl+is+brought+to+a+motel&contact_choice=anonymous&lang=en")
	f.Add("kind=child_sex_trafficking&narrative=x&incident_date=2026-03-14&incident_time=21%3A30&city=Fairview&state=VA&zip=22030" +
		"&child_first_name=Jamie&child_age=15&child_sex=female&p0_role=suspect&p0_first_name=Rick&people_count=2" +
		"&online=Instagram%3A+%40star.example%0A202-555-0147%0ACash+App%3A+%24pay&indicators=older_partner&contact_choice=named&contact_email=pat%40example.com")
	f.Add("outside_us=yes&country=MX&city=Tijuana&narrative=x")
	f.Add("people_count=999999&p5_first_name=A&p19_role=buyer&p19_age=-1")
	f.Add("child_dob=2099-01-01&zip=1&state=ZZ&indicators=nope&contact_choice=anonymous&contact_phone=1")
	f.Add("website=http%3A%2F%2Fspam.example.com&narrative=buy+now")
	f.Add("")
	f.Add("narrative=%FF%FE&online=%00")
	now := time.Date(2026, 3, 20, 12, 0, 0, 0, time.UTC)
	fields := map[string]bool{"files": true, "indicators": true}
	for _, id := range tipTextFields {
		fields[id] = true
	}
	for _, prefix := range []string{"child_"} {
		for _, pf := range personFields {
			fields[prefix+pf] = true
		}
	}
	f.Fuzz(func(t *testing.T, body string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return // the server answers 400 before parsing fields
		}
		p := parseTipForm(form, now)
		if p.Values.People < 0 || p.Values.People > maxPeopleBlocks {
			t.Fatalf("%d person blocks", p.Values.People)
		}
		for k, v := range p.Values.V {
			if !utf8.ValidString(v) {
				t.Fatalf("value of %s is not UTF-8: %q", k, v)
			}
		}
		for _, pr := range p.Problems {
			known := fields[pr.Field]
			if rest, ok := strings.CutPrefix(pr.Field, "p"); ok && !known {
				for i := 0; i < p.Values.People && !known; i++ {
					for _, pf := range personFields {
						if rest == strings.TrimPrefix(personPrefix(i)+pf, "p") {
							known = true
						}
					}
				}
			}
			if !known {
				t.Errorf("problem at %q, a field the page does not draw", pr.Field)
			}
			if !i18n.Has("en", pr.Key) {
				t.Errorf("problem message %q is not in the catalogue", pr.Key)
			}
		}
		if len(p.Problems) == 0 {
			if _, err := haven.TipReport(p.Input, now); err != nil {
				t.Fatalf("the form passed a tip the service refuses: %v\nform %q", err, body)
			}
		}
	})
}
