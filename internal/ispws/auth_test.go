package ispws_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// from is an ESP client that connects from a loopback address of its own
// (127.0.0.0/8 is all local on Linux), so that the server sees different
// client addresses.
func (s *server) from(ip string) func(user, pass string) answer {
	tr := &http.Transport{DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}).DialContext}
	s.t.Cleanup(tr.CloseIdleConnections)
	hc := &http.Client{Transport: tr}
	return func(user, pass string) answer {
		// A failure shows as an answer that is not XML (the caller's test
		// reports it).
		req, err := http.NewRequest("GET", s.url+"/status", nil)
		if err != nil {
			return answer{header: http.Header{}, body: []byte(err.Error())}
		}
		req.SetBasicAuth(user, pass)
		resp, err := hc.Do(req)
		if err != nil {
			return answer{header: http.Header{}, body: []byte("GET /status from " + ip + ": " + err.Error())}
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			return answer{header: http.Header{}, body: []byte(err.Error())}
		}
		return answer{status: resp.StatusCode, header: resp.Header, body: b}
	}
}

// authEvents returns the esp.auth audit events, oldest first.
func (s *server) authEvents() []*haven.AuditEvent {
	s.t.Helper()
	var es []*haven.AuditEvent
	err := s.store.View(context.Background(), func(tx haven.Tx) (err error) {
		es, err = tx.ListAudit(context.Background(), haven.AuditFilter{Action: "esp.auth", Limit: 1000})
		return err
	})
	if err != nil {
		s.t.Fatal(err)
	}
	slices.Reverse(es)
	return es
}

func (s *server) accountID(name string) int64 {
	s.t.Helper()
	var id int64
	err := s.store.View(context.Background(), func(tx haven.Tx) error {
		a, err := tx.EspAccountByName(context.Background(), name)
		if err == nil {
			id = a.ID
		}
		return err
	})
	if err != nil {
		s.t.Fatal(err)
	}
	return id
}

func TestFailedESPLoginsAreAuditedAndLimited(t *testing.T) {
	s := newServer(t)
	chat, photos, video, gone := s.esp("examplechat"), s.esp("examplephotos"), s.esp("examplevideo"), s.esp("examplegone")
	if err := s.svc.SetEspAccountDisabled(context.Background(), haven.System("test"), gone.user, true); err != nil {
		t.Fatal(err)
	}
	one, two, three := s.from("127.0.0.1"), s.from("127.0.0.2"), s.from("127.0.0.3")
	ok := func(what string, a answer) {
		t.Helper()
		if r := a.response(t); a.status != 200 || r.ResponseCode != 0 {
			t.Errorf("%s: HTTP %d %+v, want 200 code 0", what, a.status, r)
		}
	}
	refused := func(what string, a answer) {
		t.Helper()
		wantError(t, what, a, 401, 2000, "Authentication required")
		if !strings.HasPrefix(a.header.Get("WWW-Authenticate"), "Basic") {
			t.Errorf("%s: no Basic challenge", what)
		}
	}
	locked := func(what string, a answer) {
		t.Helper()
		wantError(t, what, a, 429, 2000, "Authentication required: Too many failed authentications; try again in")
		if !strings.HasPrefix(a.header.Get("WWW-Authenticate"), "Basic") {
			t.Errorf("%s: no Basic challenge", what)
		}
		if n, err := strconv.Atoi(a.header.Get("Retry-After")); err != nil || n < 1 || n > 15*60 {
			t.Errorf("%s: Retry-After %q", what, a.header.Get("Retry-After"))
		}
	}
	passwordsTried := []string{chat.pass, photos.pass, gone.pass}
	noSecrets := func(es []*haven.AuditEvent) {
		t.Helper()
		for _, e := range es {
			for _, pw := range passwordsTried {
				if strings.Contains(e.Actor+e.Detail+e.Reason, pw) {
					t.Errorf("an audit event holds a password: %+v", e)
				}
			}
		}
	}

	t.Run("a wrong password, an unknown account and a disabled account are refused and audited", func(t *testing.T) {
		refused("wrong password", one(chat.user, "wrong-password-0001"))
		refused("unknown account", one("nobody.example", chat.pass))
		refused("disabled account", one(gone.user, gone.pass))
		passwordsTried = append(passwordsTried, "wrong-password-0001")
		es := s.authEvents()
		if len(es) != 3 {
			t.Fatalf("%d esp.auth events, want 3: %+v", len(es), es)
		}
		for i, want := range []struct {
			actor string
			id    int64
			why   string
		}{
			{"esp:examplechat", s.accountID("examplechat"), "wrong password"},
			{"esp:nobody.example", 0, "unknown account"},
			{"esp:examplegone", s.accountID("examplegone"), "account disabled"},
		} {
			e := es[i]
			if e.Actor != want.actor || e.RecordID != want.id || e.Detail != want.why || e.Outcome != haven.OutcomeFailed ||
				e.IP != "127.0.0.1" || e.Via != "esp" {
				t.Errorf("event %d: %+v, want actor %s, record %d, detail %q from 127.0.0.1", i, e, want.actor, want.id, want.why)
			}
		}
		noSecrets(es)
		ok("the right password", one(chat.user, chat.pass))
	})

	t.Run("repeated failures write one event a minute, with how many it stands for", func(t *testing.T) {
		before := len(s.authEvents())
		for i := range 3 {
			refused("again", one(chat.user, fmt.Sprintf("wrong-password-%04d", i+2)))
		}
		if n := len(s.authEvents()); n != before {
			t.Errorf("%d new events for three more failures within the minute, want none", n-before)
		}
		s.clock.Advance(61 * time.Second)
		refused("a minute later", one(chat.user, "wrong-password-0005"))
		es := s.authEvents()
		if len(es) != before+1 || !strings.Contains(es[len(es)-1].Detail, "wrong password; and 3 more refused attempts") {
			t.Errorf("after a minute: %d new events, last %+v; want one counting 3 more", len(es)-before, es[len(es)-1])
		}
	})

	t.Run("the 11th attempt for a name is refused unchecked, even with the right password", func(t *testing.T) {
		// examplechat has 5 failures; 5 more from another address lock it.
		for i := range 4 {
			refused("failure from .2", two(chat.user, fmt.Sprintf("guess-%04d", i)))
		}
		refused("10th failure", two(chat.user, "guess-0004"))
		es := s.authEvents()
		if last := es[len(es)-1]; !strings.Contains(last.Detail, "10 failures for this name: locked for 15 minutes") || last.IP != "127.0.0.2" {
			t.Errorf("the 10th failure's event: %+v", last)
		}
		before := len(es)
		locked("right password while locked", one(chat.user, chat.pass))
		locked("from a third address", three(chat.user, chat.pass))
		locked("wrong password while locked", two(chat.user, "guess-0005"))
		es = s.authEvents()
		if len(es) != before+1 {
			t.Fatalf("%d events for three locked attempts within a minute, want 1", len(es)-before)
		}
		if e := es[before]; !strings.Contains(e.Detail, "locked until") || !strings.Contains(e.Detail, "refused without checking the password") ||
			e.Actor != "esp:examplechat" || e.RecordID != s.accountID("examplechat") {
			t.Errorf("locked event: %+v", e)
		}
		// Others are not affected, from any address.
		ok("another ESP from .1", one(photos.user, photos.pass))
		ok("another ESP from .2", two(photos.user, photos.pass))

		s.clock.Advance(15*time.Minute + time.Second)
		ok("after 15 minutes", one(chat.user, chat.pass))
		noSecrets(s.authEvents())
	})

	t.Run("50 failures from one address lock the address; a success elsewhere resets nothing", func(t *testing.T) {
		four := s.from("127.0.0.4")
		for i := range 30 {
			refused("guess from .4", four(fmt.Sprintf("guess.%02d", i), "anything"))
		}
		ok("a success from .1", one(photos.user, photos.pass))
		ok("a success from .4", four(video.user, video.pass))
		for i := 30; i < 50; i++ {
			refused("guess from .4", four(fmt.Sprintf("guess.%02d", i), "anything"))
		}
		before := len(s.authEvents())
		locked("a good account from the locked address", four(video.user, video.pass))
		for i := 50; i < 60; i++ {
			locked("more guesses from .4", four(fmt.Sprintf("guess.%02d", i), "anything"))
		}
		es := s.authEvents()
		if len(es) != before+1 || !strings.Contains(es[before].Detail, "too many failed attempts from this address") || es[before].IP != "127.0.0.4" {
			t.Errorf("%d events for 11 attempts from a locked address, want 1 saying so: %+v", len(es)-before, es[before:])
		}
		ok("the same account from another address", one(video.user, video.pass))
		ok("another account from another address", two(photos.user, photos.pass))
	})

	t.Run("a request without credentials is refused but not audited", func(t *testing.T) {
		before := len(s.authEvents())
		c := &espClient{t: t, base: s.url}
		refused("no credentials", c.status())
		if n := len(s.authEvents()); n != before {
			t.Errorf("a request without credentials wrote %d events", n-before)
		}
	})
}
