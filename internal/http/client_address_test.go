package http_test

import (
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/haven-oss/haven/internal/haven"
	havenhttp "github.com/haven-oss/haven/internal/http"
)

// Behind a load balancer, Haven takes the client's address from
// X-Forwarded-For, but only from a proxy the operator trusts
// (--trusted-proxy): the tip form's limit, the ESP login limiter and the
// audit log then count and record each visitor, not the proxy.

func proxyEnv(t *testing.T, trusted ...string) *testEnv {
	t.Helper()
	return newTestEnvWith(t, func(o *havenhttp.Options) {
		o.Tips = havenhttp.TipOptions{PerHour: 1, Burst: 1}
		for _, p := range trusted {
			o.TrustedProxies = append(o.TrustedProxies, netip.MustParsePrefix(p))
		}
	})
}

// tipFrom sends the public tip form with X-Forwarded-For xff and returns the status.
func tipFrom(c *client, xff string) int {
	c.e.t.Helper()
	f := url.Values{"lang": {"en"}, "contact_choice": {"anonymous"}, "narrative": {"A short synthetic tip (test data)."}}
	return c.do(http.MethodPost, "/tip", f, map[string]string{"X-Forwarded-For": xff}).StatusCode
}

func TestBehindATrustedProxyEachForwardedAddressHasItsOwnTipLimit(t *testing.T) {
	e := proxyEnv(t, "127.0.0.0/8") // the test's requests come from 127.0.0.1: the proxy
	c := e.newClient()
	for _, step := range []struct {
		xff  string
		want int
	}{
		{"203.0.113.10", http.StatusOK},
		{"203.0.113.10", http.StatusTooManyRequests}, // one tip an hour from that visitor
		{"203.0.113.11", http.StatusOK},              // another visitor: a limit of their own
		// The right-most address that is not a trusted proxy is the client:
		// what the visitor wrote to the left of it does not count.
		{"198.51.100.1, 203.0.113.10", http.StatusTooManyRequests},
		{"203.0.113.11, 127.0.0.2", http.StatusTooManyRequests},
		{"203.0.113.12", http.StatusOK},
	} {
		if got := tipFrom(c, step.xff); got != step.want {
			t.Errorf("tip with X-Forwarded-For %q: %d, want %d", step.xff, got, step.want)
		}
	}
	ips := map[string]int{}
	for _, ev := range e.auditEvents(haven.AuditFilter{Action: "report.create", Outcome: haven.OutcomeOK}) {
		ips[ev.IP]++
	}
	if len(ips) != 3 || ips["203.0.113.10"] != 1 || ips["203.0.113.11"] != 1 || ips["203.0.113.12"] != 1 {
		t.Errorf("the audit log records the tips from %v, want one from each forwarded address", ips)
	}
	if !strings.Contains(e.logs.String(), "ip=203.0.113.12") || !strings.Contains(e.logs.String(), "peer=127.0.0.1:") {
		t.Error("the request log does not give the forwarded address with the proxy's")
	}

	// The ESP login limiter and its audit see the forwarded address too.
	req, _ := http.NewRequest(http.MethodGet, e.URL+"/ispws/status", nil)
	req.SetBasicAuth("nosuchesp", "wrong-password-0000")
	req.Header.Set("X-Forwarded-For", "192.0.2.44")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("ESP login with a wrong password: %d", resp.StatusCode)
	}
	failed := e.auditEvents(haven.AuditFilter{Action: "esp.auth", Outcome: haven.OutcomeFailed})
	if len(failed) != 1 || failed[0].IP != "192.0.2.44" {
		for _, ev := range failed {
			t.Logf("esp.auth from %s", ev.IP)
		}
		t.Errorf("%d failed ESP logins audited, want 1 from 192.0.2.44", len(failed))
	}
}

func TestXForwardedForFromAnUntrustedPeerIsIgnored(t *testing.T) {
	for name, trusted := range map[string][]string{"no trusted proxy": nil, "another proxy trusted": {"10.0.0.0/8", "2001:db8::/32"}} {
		t.Run(name, func(t *testing.T) {
			e := proxyEnv(t, trusted...)
			c := e.newClient()
			if got := tipFrom(c, "203.0.113.10"); got != http.StatusOK {
				t.Fatalf("first tip: %d", got)
			}
			// A visitor who writes another address in the header is still
			// the same visitor: spoofing does not evade the limit.
			if got := tipFrom(c, "203.0.113.11"); got != http.StatusTooManyRequests {
				t.Errorf("second tip with another X-Forwarded-For: %d, want 429", got)
			}
			evs := e.auditEvents(haven.AuditFilter{Action: "report.create", Outcome: haven.OutcomeOK})
			if len(evs) != 1 || evs[0].IP != "127.0.0.1" {
				t.Errorf("audit: %d tips, want 1 recorded from the peer 127.0.0.1", len(evs))
			}
		})
	}
}
