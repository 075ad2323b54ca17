package mail_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/http/httptest"
	stdmail "net/mail"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/haven-oss/haven/internal/mail"
)

// received is one message an inbox got.
type received struct {
	from, to, user string
	data           []byte
}

// inbox is a real SMTP server on a local port that keeps what it receives.
type inbox struct {
	mu   sync.Mutex
	msgs []received
	addr string
	pool *x509.CertPool
}

type session struct {
	in  *inbox
	cur received
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != "haven" || password != "s3cret-for-tests" {
			return errors.New("bad credentials")
		}
		s.cur.user = username
		return nil
	}), nil
}
func (s *session) Mail(from string, _ *smtp.MailOptions) error { s.cur.from = from; return nil }
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error   { s.cur.to = to; return nil }
func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.data = b
	s.in.mu.Lock()
	s.in.msgs = append(s.in.msgs, s.cur)
	s.in.mu.Unlock()
	return nil
}
func (s *session) Reset()        {}
func (s *session) Logout() error { return nil }

// newInbox starts the server; withTLS offers STARTTLS with a certificate
// for 127.0.0.1 that the inbox's pool trusts.
func newInbox(t *testing.T, withTLS bool) *inbox {
	in := &inbox{}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &session{in: in}, nil }))
	srv.Domain = "inbox.example.org"
	if withTLS {
		ts := httptest.NewUnstartedServer(nil)
		ts.StartTLS()
		srv.TLSConfig = &tls.Config{Certificates: ts.TLS.Certificates}
		in.pool = x509.NewCertPool()
		in.pool.AddCert(ts.Certificate())
		ts.Close()
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	in.addr = ln.Addr().String()
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return in
}

func (in *inbox) messages() []received {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]received(nil), in.msgs...)
}

func TestSendOverSTARTTLSWithPassword(t *testing.T) {
	in := newInbox(t, true)
	s, err := mail.ParseURL("smtp://haven:s3cret-for-tests@" + in.addr + "?from=alerts@haven.example.org")
	if err != nil {
		t.Fatal(err)
	}
	s.TLSConfig = &tls.Config{RootCAs: in.pool, ServerName: "127.0.0.1"}
	err = s.Send(context.Background(), mail.Message{To: "analyst.rivera@example.com", Subject: "Haven: priorité P1 — report HV-0001",
		Body: "A report was assigned to you.\nOpen it at /reports/1\n"})
	if err != nil {
		t.Fatal(err)
	}
	msgs := in.messages()
	if len(msgs) != 1 {
		t.Fatalf("the inbox got %d messages, want 1", len(msgs))
	}
	m := msgs[0]
	if m.from != "alerts@haven.example.org" || m.to != "analyst.rivera@example.com" || m.user != "haven" {
		t.Errorf("envelope from %q to %q user %q", m.from, m.to, m.user)
	}
	parsed, err := stdmail.ReadMessage(strings.NewReader(string(m.data)))
	if err != nil {
		t.Fatalf("the message does not parse as mail: %v\n%s", err, m.data)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(parsed.Header.Get("Subject"))
	if err != nil || subject != "Haven: priorité P1 — report HV-0001" {
		t.Errorf("subject %q (%v)", subject, err)
	}
	body, err := io.ReadAll(quotedprintable.NewReader(parsed.Body))
	if err != nil || string(body) != "A report was assigned to you.\r\nOpen it at /reports/1\r\n" {
		t.Errorf("body %q (%v)", body, err)
	}
	if parsed.Header.Get("Message-ID") == "" || parsed.Header.Get("Date") == "" {
		t.Errorf("headers lack Message-ID or Date: %v", parsed.Header)
	}
}

func TestServerWithoutSTARTTLSIsRefusedByDefault(t *testing.T) {
	in := newInbox(t, false)
	s, err := mail.ParseURL("smtp://" + in.addr + "?from=alerts@haven.example.org")
	if err != nil {
		t.Fatal(err)
	}
	err = s.Send(context.Background(), mail.Message{To: "analyst@example.com", Subject: "x", Body: "y"})
	if err == nil || !strings.Contains(strings.ToUpper(err.Error()), "STARTTLS") {
		t.Fatalf("sending to a server without STARTTLS: %v, want a refusal that names STARTTLS", err)
	}
	if n := len(in.messages()); n != 0 {
		t.Errorf("the inbox got %d messages in clear text", n)
	}
}

func TestLocalRelayWithoutTLSWhenAskedFor(t *testing.T) {
	in := newInbox(t, false)
	s, err := mail.ParseURL("smtp://" + in.addr + "?from=alerts@haven.example.org&security=none")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), mail.Message{To: "Supervisor Okafor <supervisor@example.com>", Subject: "Deadline", Body: "Due soon."}); err != nil {
		t.Fatal(err)
	}
	if msgs := in.messages(); len(msgs) != 1 || msgs[0].to != "supervisor@example.com" {
		t.Fatalf("inbox: %+v", msgs)
	}
}

func TestBadMessagesSendNothing(t *testing.T) {
	in := newInbox(t, false)
	s, _ := mail.ParseURL("smtp://" + in.addr + "?from=alerts@haven.example.org&security=none")
	for _, m := range []mail.Message{
		{To: "analyst@example.com\r\nBcc: someone@example.net", Subject: "x"},
		{To: "not an address", Subject: "x"},
		{To: "analyst@example.com", Subject: "two\r\nBcc: someone@example.net"},
	} {
		if err := s.Send(context.Background(), m); err == nil {
			t.Errorf("sending %+v succeeded, want an error", m)
		}
	}
	if n := len(in.messages()); n != 0 {
		t.Errorf("the inbox got %d messages", n)
	}
}

func TestParseURL(t *testing.T) {
	good := map[string]mail.SMTP{
		"smtp://mail.example.org?from=alerts@example.org":                  {Addr: "mail.example.org:587", From: "alerts@example.org", Security: mail.StartTLS},
		"smtps://u:p@mail.example.org?from=alerts@example.org":             {Addr: "mail.example.org:465", From: "alerts@example.org", Username: "u", Password: "p", Security: mail.TLS},
		"smtp://127.0.0.1:2525?from=alerts@example.org&security=none":      {Addr: "127.0.0.1:2525", From: "alerts@example.org", Security: mail.Plain},
		"smtp://mail.example.org:25?from=Haven%20%3Calerts@example.org%3E": {Addr: "mail.example.org:25", From: "alerts@example.org", Security: mail.StartTLS},
	}
	for raw, want := range good {
		got, err := mail.ParseURL(raw)
		if err != nil || *got != want {
			t.Errorf("ParseURL(%q) = %+v, %v; want %+v", raw, got, err, want)
		}
	}
	bad := map[string]string{
		"http://mail.example.org?from=a@example.org":                   "smtp://",
		"smtp://mail.example.org":                                      "from=",
		"smtp://?from=a@example.org":                                   "no host",
		"smtp://u:p@mail.example.org?from=a@example.org&security=none": "without TLS",
		"smtp://mail.example.org?from=a@example.org&security=maybe":    "unknown SMTP security",
	}
	for raw, want := range bad {
		if _, err := mail.ParseURL(raw); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseURL(%q): %v, want an error about %q", raw, err, want)
		}
	}
}
