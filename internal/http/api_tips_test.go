package http_test

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/haven-oss/haven/internal/haven"
)

func TestAPITips(t *testing.T) {
	e := newAPISpecEnv(t)
	ctx := context.Background()
	partner, tok := e.token("intake.partner", haven.RoleHotline, 0)
	_, ltok := e.token("lee.learner", haven.RoleLearner, 0)

	tip := `{"language":"es","incident_type":"child_sex_trafficking",
		"narrative":"Una vecina vio a una chica de unos 15 años con un hombre mayor que hablaba por ella (datos sintéticos).",
		"incident_at":"2026-01-10T21:00:00Z","incident_time_text":"a Saturday night",
		"place":{"city":"Tulsa","state":"ok","zip":"74103"},
		"child":{"first_name":"Ava","age":15,"sex":"female"},
		"people":[{"role":"suspect","nickname":"Dre","description":"about 30, red car"}],
		"online":["Instagram: @ava.example","202-555-0147"],
		"indicators":["older_partner"],
		"contact":{"name":"Rosa Testneighbour","email":"rosa@example.com"}}`
	type receipt struct {
		Ref              string  `json:"ref"`
		FollowUpCode     string  `json:"follow_up_code"`
		FollowUpCodeNote *string `json:"follow_up_code_note"`
	}

	var first receipt
	t.Run("a partner's intake system relays a tip and gets its reference and follow-up code", func(t *testing.T) {
		code, b := e.call("POST", "/api/v1/tips", tok, tip, key("tip-2026-01-11-0001"))
		if code != http.StatusCreated {
			t.Fatalf("POST /api/v1/tips: %d %s", code, b)
		}
		decode(t, b, &first)
		if !regexp.MustCompile(`^HV-[0-9A-Z]{4}-[0-9A-Z]{4}$`).MatchString(first.Ref) ||
			!regexp.MustCompile(`^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$`).MatchString(first.FollowUpCode) {
			t.Fatalf("receipt %+v", first)
		}
		var rep *haven.Report
		e.store.View(ctx, func(tx haven.Tx) (err error) {
			rep, err = tx.ReportByRef(ctx, first.Ref)
			return err
		})
		if rep.Channel != haven.ChannelPublicTip || rep.CreatedBy != partner.ID || rep.Reporter.Language != "es" ||
			rep.Reporter.Name != "Rosa Testneighbour" || len(rep.People) != 2 || len(rep.Identifiers) != 2 || rep.State != "OK" {
			t.Errorf("stored tip: %+v", rep)
		}
	})

	t.Run("a retry with the same key returns the reference without the code, and stores nothing", func(t *testing.T) {
		if first.FollowUpCodeNote != nil {
			t.Errorf("the first answer has a note: %q", *first.FollowUpCodeNote)
		}
		code, b := e.call("POST", "/api/v1/tips", tok, tip, key("tip-2026-01-11-0001"))
		var again receipt
		decode(t, b, &again)
		if code != http.StatusOK || again.Ref != first.Ref {
			t.Errorf("retry: %d %s, want 200 with ref %s", code, b, first.Ref)
		}
		// The code was shown once; nothing can show it again, in any form.
		if again.FollowUpCode != "" || strings.Contains(string(b), first.FollowUpCode) ||
			strings.Contains(string(b), strings.ReplaceAll(first.FollowUpCode, "-", "")) {
			t.Errorf("the retry shows the follow-up code again: %s", b)
		}
		if again.FollowUpCodeNote == nil || !strings.Contains(*again.FollowUpCodeNote, "shown only once") {
			t.Errorf("the retry does not say the code is shown only once: %s", b)
		}
		if n := e.counts().Reports; n != 1 {
			t.Errorf("%d reports after the retry, want 1", n)
		}
		code, b = e.call("POST", "/api/v1/tips", tok, `{"narrative":"Another tip (synthetic)."}`, key("tip-2026-01-11-0001"))
		wantFieldError(t, "the same key with another tip", code, b, http.StatusConflict, "conflict", "")
	})

	t.Run("two simultaneous sends with one key store one tip and show the code once", func(t *testing.T) {
		before := e.counts().Reports
		body := `{"narrative":"A second synthetic tip, sent twice at once."}`
		var wg sync.WaitGroup
		got := make([]receipt, 2)
		codes := make([]int, 2)
		for i := range got {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var b []byte
				codes[i], b = e.call("POST", "/api/v1/tips", tok, body, key("tip-twice-at-once"))
				_ = json.Unmarshal(b, &got[i])
			}()
		}
		wg.Wait()
		if codes[0] == http.StatusOK {
			got[0], got[1] = got[1], got[0]
		}
		slices.Sort(codes)
		if !slices.Equal(codes, []int{http.StatusOK, http.StatusCreated}) || got[0].Ref == "" || got[0].Ref != got[1].Ref ||
			got[0].FollowUpCode == "" || got[1].FollowUpCode != "" || got[1].FollowUpCodeNote == nil {
			t.Errorf("answers %v %+v, want 201 with the code and 200 with the same reference and the note", codes, got)
		}
		if n := e.counts().Reports; n != before+1 {
			t.Errorf("%d reports, want %d", n, before+1)
		}
	})

	t.Run("invalid tips are refused naming the field, and nothing is stored", func(t *testing.T) {
		before := e.counts()
		for _, c := range []struct{ name, body, field string }{
			{"unknown state", `{"narrative":"x","place":{"state":"ZZ"}}`, "place.state"},
			{"a missing child is not a tip", `{"narrative":"x","incident_type":"missing_child"}`, "incident_type"},
			{"nothing said", `{"contact":{"anonymous":true}}`, "narrative"},
			{"unknown indicator", `{"narrative":"x","indicators":["no_such_sign"]}`, "indicators"},
			{"bad email", `{"narrative":"x","contact":{"email":"not-an-address"}}`, "contact.email"},
			{"bad date of birth", `{"narrative":"x","child":{"first_name":"Ava","date_of_birth":"15/03/2011"}}`, "child.date_of_birth"},
			{"age as text", `{"narrative":"x","child":{"age":"fifteen"}}`, "child.age"},
			{"unknown field", `{"narrative":"x","files":[]}`, "files"},
			{"language", `{"narrative":"x","language":"fr"}`, "language"},
		} {
			code, b := e.call("POST", "/api/v1/tips", tok, c.body, key("bad-"+c.field))
			wantFieldError(t, c.name, code, b, http.StatusBadRequest, "invalid", c.field)
		}
		if after := e.counts(); after != before {
			t.Errorf("store changed: %+v → %+v", before, after)
		}
	})

	t.Run("a token whose user may not create reports is refused", func(t *testing.T) {
		code, b := e.call("POST", "/api/v1/tips", ltok, tip, nil)
		wantFieldError(t, "learner", code, b, http.StatusForbidden, "forbidden", "")
		if code, _ := e.call("POST", "/api/v1/tips", "hvn_nonsense", tip, nil); code != http.StatusUnauthorized {
			t.Errorf("bad token: %d", code)
		}
		if n := e.counts().Reports; n != 2 {
			t.Errorf("%d reports, want 2", n)
		}
	})

	supplements := func() int {
		var n int
		e.store.View(ctx, func(tx haven.Tx) error {
			rep, err := tx.ReportByRef(ctx, first.Ref)
			if err != nil {
				return err
			}
			sups, err := tx.ListSupplements(ctx, rep.ID)
			n = len(sups)
			return err
		})
		return n
	}
	path := "/api/v1/tips/" + first.Ref + "/supplements"
	more := `{"code":"` + first.FollowUpCode + `","text":"She was seen again at the bus station (synthetic).","online":["Snapchat: dre.example"]}`

	t.Run("with the follow-up code, information is added to the tip once", func(t *testing.T) {
		code, b := e.call("POST", path, tok, more, key("sup-0001"))
		var sup struct {
			Ref          string `json:"ref"`
			SupplementID int64  `json:"supplement_id"`
		}
		decode(t, b, &sup)
		if code != http.StatusCreated || sup.Ref != first.Ref || sup.SupplementID == 0 {
			t.Fatalf("supplement: %d %s", code, b)
		}
		code, b = e.call("POST", path, tok, more, key("sup-0001"))
		var again struct {
			SupplementID int64 `json:"supplement_id"`
		}
		decode(t, b, &again)
		if code != http.StatusOK || again.SupplementID != sup.SupplementID {
			t.Errorf("retry: %d %s, want 200 and supplement %d", code, b, sup.SupplementID)
		}
		if n := supplements(); n != 1 {
			t.Errorf("%d supplements, want 1", n)
		}
	})

	t.Run("a wrong code or a bad supplement adds nothing", func(t *testing.T) {
		code, b := e.call("POST", path, tok, `{"code":"0000-0000-0000-0000","text":"more (synthetic)"}`, nil)
		wantFieldError(t, "wrong code", code, b, http.StatusForbidden, "forbidden", "code")
		code, b = e.call("POST", "/api/v1/tips/HV-0000-0000/supplements", tok, more, nil)
		wantFieldError(t, "unknown reference", code, b, http.StatusForbidden, "forbidden", "code")
		code, b = e.call("POST", path, tok, `{"code":"`+first.FollowUpCode+`","text":"  "}`, nil)
		wantFieldError(t, "nothing to add", code, b, http.StatusBadRequest, "invalid", "text")
		code, b = e.call("POST", path, ltok, more, nil)
		wantFieldError(t, "learner", code, b, http.StatusForbidden, "forbidden", "")
		if n := supplements(); n != 1 {
			t.Errorf("%d supplements, want 1", n)
		}
	})
}
