package http_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// auditRows returns the sequence numbers, actions and outcomes of the rows
// of the audit table in a page.
func auditRows(t *testing.T, body string) (seqs []int, actions, outcomes []string) {
	t.Helper()
	re := regexp.MustCompile(`(?s)<tr>\s*<td class="num">(\d+)</td>.*?<td><code>([^<]*)</code></td>\s*<td class="outcome-[a-z]+">([a-z]+)</td>`)
	for _, m := range re.FindAllStringSubmatch(body, -1) {
		n, _ := strconv.Atoi(m[1])
		seqs = append(seqs, n)
		actions = append(actions, m[2])
		outcomes = append(outcomes, m[3])
	}
	return seqs, actions, outcomes
}

func TestAuditViewer(t *testing.T) {
	e := newTestEnv(t)
	_, adminSecret := e.createUser("ada.admin", "Ada Admin", haven.RoleAdmin, 0)
	_, anaSecret := e.createUser("ana.analyst", "Ana Analyst", haven.RoleAnalyst, 0)
	for i := range 60 {
		e.createAgency(fmt.Sprintf("Test County %02d Sheriff's Office", i), "law_enforcement", "VA")
	}
	admin := e.signedIn("ada.admin", adminSecret)
	analyst := e.signedIn("ana.analyst", anaSecret)

	t.Run("a non-administrator is refused, and the refusal is audited", func(t *testing.T) {
		r := analyst.get("/admin/audit?outcome=denied")
		expectStatus(t, r, http.StatusForbidden)
		if !strings.Contains(r.Body, "You are not allowed to see the audit log.") {
			t.Errorf("refusal page lacks the service's message:\n%s", r.Body)
		}
		if strings.Contains(r.Body, "audit-table") || strings.Contains(r.Body, `href="/admin/audit"`) {
			t.Error("the refusal page shows audit entries or links to the audit log")
		}
		es := e.auditEvents(haven.AuditFilter{Actor: "ana.analyst", Action: "audit.view", Outcome: haven.OutcomeDenied})
		if len(es) != 1 || es[0].Kind != haven.KindAudit || es[0].Via != "web" || es[0].IP != "127.0.0.1" {
			t.Fatalf("audit of the refusal: %+v", es)
		}
	})

	t.Run("the administrator's navigation links to it", func(t *testing.T) {
		r := admin.get("/")
		if !strings.Contains(r.Body, `<a href="/admin/audit">Audit log</a>`) {
			t.Errorf("admin home has no audit link:\n%s", r.Body)
		}
		if r := analyst.get("/"); strings.Contains(r.Body, "/admin/audit") {
			t.Error("the analyst's navigation links to the audit log")
		}
	})

	t.Run("newest first, fifty a page", func(t *testing.T) {
		r := admin.get("/admin/audit?kind=agency")
		expectStatus(t, r, http.StatusOK)
		seqs, actions, _ := auditRows(t, r.Body)
		if len(seqs) != 50 {
			t.Fatalf("page 1 has %d rows, want 50", len(seqs))
		}
		for i := 1; i < len(seqs); i++ {
			if seqs[i] >= seqs[i-1] {
				t.Fatalf("rows not newest first: %v", seqs)
			}
		}
		for _, a := range actions {
			if a != "agency.create" {
				t.Fatalf("kind=agency shows %s", a)
			}
		}
		if !strings.Contains(r.Body, "Audit entries 1 to 50 of 60, newest first") || !strings.Contains(r.Body, `href="/admin/audit?kind=agency&amp;page=2"`) {
			t.Errorf("page 1 lacks its caption or next link:\n%s", r.Body)
		}
		r = admin.get("/admin/audit?kind=agency&page=2")
		seqs2, _, _ := auditRows(t, r.Body)
		if len(seqs2) != 10 || seqs2[0] >= seqs[49] {
			t.Errorf("page 2: %v after %v", seqs2, seqs[49])
		}
		if !strings.Contains(r.Body, `rel="prev"`) || strings.Contains(r.Body, `rel="next"`) {
			t.Error("page 2 should link back and not forward")
		}
	})

	t.Run("filters", func(t *testing.T) {
		today := e.clock.Now().UTC().Format("2006-01-02")
		tomorrow := e.clock.Now().UTC().AddDate(0, 0, 1).Format("2006-01-02")
		yesterday := e.clock.Now().UTC().AddDate(0, 0, -1).Format("2006-01-02")
		cases := []struct {
			query string
			check func(action, outcome string) bool
			want  int // rows, -1 for "some"
		}{
			{"outcome=denied", func(a, o string) bool { return o == "denied" }, 1},
			{"action=auth.", func(a, o string) bool { return strings.HasPrefix(a, "auth.") }, 4},
			{"action=auth.enroll", func(a, o string) bool { return a == "auth.enroll" }, 2},
			{"actor=ANA.analyst&action=audit.view", func(a, o string) bool { return a == "audit.view" }, 1},
			{"actor=test&kind=user", func(a, o string) bool { return a == "user.create" }, 2},
			{"kind=user&record=1", func(a, o string) bool { return true }, 3}, // created, password, enrolled
			{"from=" + today + "&to=" + today + "&kind=agency&page=2", func(a, o string) bool { return a == "agency.create" }, 10},
			{"from=" + tomorrow, nil, 0},
			{"to=" + yesterday, nil, 0},
		}
		for _, tc := range cases {
			r := admin.get("/admin/audit?" + tc.query)
			expectStatus(t, r, http.StatusOK)
			_, actions, outcomes := auditRows(t, r.Body)
			if len(actions) != tc.want {
				t.Errorf("%s: %d rows %v, want %d", tc.query, len(actions), actions, tc.want)
			}
			for i := range actions {
				if !tc.check(actions[i], outcomes[i]) {
					t.Errorf("%s: row %s %s does not match", tc.query, actions[i], outcomes[i])
				}
			}
			if tc.want == 0 && !strings.Contains(r.Body, "No audit entries match these filters.") {
				t.Errorf("%s: no 'no entries' message", tc.query)
			}
		}
	})

	t.Run("a bad filter says what to fix", func(t *testing.T) {
		r := admin.get("/admin/audit?record=abc")
		expectStatus(t, r, http.StatusBadRequest)
		if !strings.Contains(r.Body, "A record id is a whole number") || !strings.Contains(r.Body, `aria-invalid="true"`) {
			t.Errorf("bad record id:\n%s", r.Body)
		}
		r = admin.get("/admin/audit?from=2026-13-40")
		expectStatus(t, r, http.StatusBadRequest)
	})

	t.Run("htmx gets only the results", func(t *testing.T) {
		r := admin.do(http.MethodGet, "/admin/audit?outcome=denied", nil, map[string]string{"HX-Request": "true", "HX-Target": "audit-results"})
		expectStatus(t, r, http.StatusOK)
		if strings.Contains(r.Body, "<html") || !strings.Contains(r.Body, `<div id="audit-results">`) || !strings.Contains(r.Body, `hx-swap-oob="true"`) {
			t.Errorf("fragment:\n%s", r.Body)
		}
		if _, actions, _ := auditRows(t, r.Body); len(actions) != 1 {
			t.Errorf("fragment has %d rows, want 1", len(actions))
		}
		if got := r.Header.Get("HX-Push-Url"); got != "/admin/audit?outcome=denied" {
			t.Errorf("HX-Push-Url = %q", got)
		}

		r = admin.do(http.MethodGet, "/admin/audit?record=x", nil, map[string]string{"HX-Request": "true", "HX-Target": "audit-results"})
		expectStatus(t, r, http.StatusBadRequest)
		if strings.Contains(r.Body, "<html") || !strings.Contains(r.Body, "A record id is a whole number") {
			t.Errorf("fragment with a bad filter:\n%s", r.Body)
		}
	})

	t.Run("htmx is sent to sign in again when the session has ended", func(t *testing.T) {
		e.clock.Advance(31 * time.Minute)
		r := admin.do(http.MethodGet, "/admin/audit", nil, map[string]string{"HX-Request": "true", "HX-Target": "audit-results"})
		expectStatus(t, r, http.StatusUnauthorized)
		if got := r.Header.Get("HX-Redirect"); got != "/signin?ended=1" {
			t.Errorf("HX-Redirect = %q", got)
		}
	})
}
