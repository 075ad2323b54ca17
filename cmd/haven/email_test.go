package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// relay is a real SMTP server on a local port that keeps what it gets.
type relay struct {
	mu   sync.Mutex
	msgs []string
}

type relaySession struct {
	r  *relay
	to string
}

func (s *relaySession) Mail(string, *smtp.MailOptions) error      { return nil }
func (s *relaySession) Rcpt(to string, _ *smtp.RcptOptions) error { s.to = to; return nil }
func (s *relaySession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	s.r.mu.Lock()
	s.r.msgs = append(s.r.msgs, "RCPT "+s.to+"\n"+string(b))
	s.r.mu.Unlock()
	return err
}
func (s *relaySession) Reset()        {}
func (s *relaySession) Logout() error { return nil }

func (r *relay) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.msgs...)
}

// TestServeEmailsAssignmentsThroughTheSMTPServer runs `haven serve
// --smtp-url` against a local relay: a supervisor assigns a report through
// the API, and the analyst gets an email linking it, and none of its
// content.
func TestServeEmailsAssignmentsThroughTheSMTPServer(t *testing.T) {
	rl := &relay{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &relaySession{r: rl}, nil }))
	srv.Domain = "relay.example.org"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	ev := dataEnv(t)
	pw := "a long enough passphrase\n"
	runHaven(t, ev, pw, "user", "add", "okafor", "--role", "supervisor")
	runHaven(t, ev, pw, "user", "add", "rivera", "--role", "analyst", "--email", "analyst.rivera@example.com")
	tok := strings.TrimSpace(runHaven(t, ev, "", "token", "add", "--name", "test", "okafor").out)
	base := startServeEnv(t, ev, "--smtp-url", "smtp://"+ln.Addr().String()+"?from=alerts@haven.example.org&security=none",
		"--public-url", "https://haven.example.org")

	call := func(method, path, body string) map[string]any {
		t.Helper()
		req, _ := http.NewRequest(method, base+strings.TrimPrefix(path, "/"), bytes.NewBufferString(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode >= 300 || json.Unmarshal(b, &out) != nil {
			t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
		}
		return out
	}
	rep := call("POST", "/api/v1/reports", `{"incident_type": "child_sex_trafficking", "narrative": "Synthetic report for the email test: a teen seen at a bus station."}`)
	// rivera is the second account of a new database: id 2.
	call("POST", fmt.Sprintf("/api/v1/reports/%v/assign", rep["id"]), `{"assignee_id": 2}`)

	deadline := time.Now().Add(15 * time.Second)
	for len(rl.got()) == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	msgs := rl.got()
	if len(msgs) != 1 {
		t.Fatalf("the relay got %d emails, want 1", len(msgs))
	}
	m := msgs[0]
	if !strings.HasPrefix(m, "RCPT analyst.rivera@example.com\n") || !strings.Contains(m, "A report was assigned to you") ||
		!strings.Contains(m, fmt.Sprintf("https://haven.example.org/reports/%v", rep["id"])) || strings.Contains(m, "bus station") {
		t.Errorf("the email:\n%s", m)
	}
}
