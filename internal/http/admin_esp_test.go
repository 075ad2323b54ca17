package http_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/haven-oss/haven/internal/haven"
)

func TestAdministratorCreatesAnESPAccountThatWorksAtOnceAndCanBeDisabled(t *testing.T) {
	e := newTestEnv(t)
	_, adminSecret := e.createUser("ada", "Ada Admin", haven.RoleAdmin, 0)
	_, analystSecret := e.createUser("ann", "Ann Analyst", haven.RoleAnalyst, 0)
	admin := e.signedIn("ada", adminSecret)

	page := admin.get("/admin/esp")
	expectStatus(t, page, http.StatusOK)
	if !strings.Contains(page.Body, "No ESP accounts yet") || !strings.Contains(page.Body, `href="/admin/esp"`) {
		t.Fatalf("ESP accounts page:\n%s", page.Body)
	}
	created := admin.post("/admin/esp", url.Values{"name": {"ExampleChat"}})
	expectStatus(t, created, http.StatusOK)
	m := regexp.MustCompile(`id="esp-password">([a-z2-7]{32})<`).FindStringSubmatch(created.Body)
	if m == nil || !strings.Contains(created.Body, `id="esp-username">examplechat<`) {
		t.Fatalf("the new password is not shown:\n%s", created.Body)
	}
	status := func() int {
		req, _ := http.NewRequest("GET", e.URL+"/ispws/status", nil)
		req.SetBasicAuth("examplechat", m[1])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := status(); got != http.StatusOK {
		t.Fatalf("the new ESP account is refused: %d", got)
	}
	// The list never shows the password again.
	list := admin.get("/admin/esp")
	if strings.Contains(list.Body, m[1]) || !strings.Contains(list.Body, "examplechat") {
		t.Fatalf("list after create:\n%s", list.Body)
	}
	dup := admin.post("/admin/esp", url.Values{"name": {"examplechat"}})
	expectStatus(t, dup, http.StatusBadRequest)
	if !strings.Contains(dup.Body, "exists already") {
		t.Errorf("duplicate name: %s", dup.Body)
	}
	expectRedirect(t, admin.post("/admin/esp/examplechat/disable", nil), "/admin/esp")
	if got := status(); got != http.StatusUnauthorized {
		t.Errorf("a disabled ESP account answered %d", got)
	}
	if !strings.Contains(admin.get("/admin/esp").Body, "Disabled") {
		t.Errorf("the list does not show the account disabled")
	}
	expectRedirect(t, admin.post("/admin/esp/examplechat/enable", nil), "/admin/esp")
	if got := status(); got != http.StatusOK {
		t.Errorf("a re-enabled ESP account answered %d", got)
	}
	// Other staff may not see or manage ESP accounts.
	analyst := e.signedIn("ann", analystSecret)
	expectStatus(t, analyst.get("/admin/esp"), http.StatusForbidden)
	expectStatus(t, analyst.post("/admin/esp", url.Values{"name": {"sneaky"}}), http.StatusForbidden)
}
