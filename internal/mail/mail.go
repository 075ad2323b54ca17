// Package mail sends Haven's email notifications through the SMTP server an
// organisation configures (haven serve --smtp-url). It only delivers: what a
// notification says, and to whom, is the domain's (internal/haven).
package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/url"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Security is how the connection to the SMTP server is protected.
type Security string

// Connection security. STARTTLS is the default: a server that does not offer
// it is refused, so that a misconfigured relay never gets passwords or
// notifications in clear text unless the operator says so (Plain).
const (
	StartTLS Security = "starttls" // smtp://, upgraded with STARTTLS (required)
	TLS      Security = "tls"      // smtps://, TLS from the first byte
	Plain    Security = "none"     // smtp://…?security=none: a local relay without TLS
)

// SMTP sends messages through one SMTP server.
type SMTP struct {
	Addr     string // host:port
	From     string // the envelope and header sender
	Username string // AUTH PLAIN when not empty
	Password string
	Security Security
	// TLSConfig overrides the TLS settings (tests trust their own
	// certificate with it); nil verifies the server's name as usual.
	TLSConfig *tls.Config
	Timeout   time.Duration // per connection; 0 means 30 s
}

// ParseURL reads the server from a URL: smtp://[user:password@]host[:port]
// ?from=address[&security=none] (port 587 by default), or smtps://… (port
// 465). from is required.
func ParseURL(raw string) (*SMTP, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("the SMTP URL does not parse: %w", err)
	}
	s := &SMTP{}
	port := ""
	switch u.Scheme {
	case "smtp":
		s.Security, port = StartTLS, "587"
	case "smtps":
		s.Security, port = TLS, "465"
	default:
		return nil, fmt.Errorf("the SMTP URL must start with smtp:// or smtps://, not %q", u.Scheme+"://")
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("the SMTP URL names no host")
	}
	if u.Port() != "" {
		port = u.Port()
	}
	s.Addr = net.JoinHostPort(u.Hostname(), port)
	if u.User != nil {
		s.Username = u.User.Username()
		s.Password, _ = u.User.Password()
	}
	q := u.Query()
	switch sec := q.Get("security"); sec {
	case "":
	case string(Plain):
		if u.Scheme != "smtp" {
			return nil, fmt.Errorf("security=none goes with smtp://, not smtps://")
		}
		s.Security = Plain
	default:
		return nil, fmt.Errorf("unknown SMTP security %q: leave it out (STARTTLS, required), or give none for a local relay without TLS", sec)
	}
	from, err := mail.ParseAddress(q.Get("from"))
	if err != nil {
		return nil, fmt.Errorf("the SMTP URL needs the sender's address as ?from=name@example.org: %w", err)
	}
	s.From = from.Address
	if s.Security == Plain && s.Username != "" {
		return nil, fmt.Errorf("refusing to send an SMTP password without TLS: drop security=none or the user name")
	}
	return s, nil
}

// Message is one plain-text email to one recipient.
type Message struct {
	To      string
	Subject string
	Body    string
}

// Send delivers m, or returns why not: the server's answer, or a refused
// address. It writes nothing when To or Subject would inject a header.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	to, err := mail.ParseAddress(m.To)
	if err != nil {
		return fmt.Errorf("recipient %q: %w", m.To, err)
	}
	if strings.ContainsAny(m.Subject, "\r\n") {
		return fmt.Errorf("a subject is one line")
	}
	msg, err := s.compose(to.Address, m)
	if err != nil {
		return err
	}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	c, err := s.dial(ctx)
	if err != nil {
		return fmt.Errorf("connecting to the SMTP server %s: %w", s.Addr, err)
	}
	defer c.Close()
	if s.Username != "" {
		if err := c.Auth(sasl.NewPlainClient("", s.Username, s.Password)); err != nil {
			return fmt.Errorf("signing in to the SMTP server %s: %w", s.Addr, err)
		}
	}
	if err := c.SendMail(s.From, []string{to.Address}, bytes.NewReader(msg)); err != nil {
		return fmt.Errorf("sending through %s: %w", s.Addr, err)
	}
	return c.Quit()
}

func (s *SMTP) dial(ctx context.Context) (*smtp.Client, error) {
	host, _, _ := net.SplitHostPort(s.Addr)
	cfg := s.TLSConfig
	if cfg == nil {
		cfg = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return nil, err
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	switch s.Security {
	case TLS:
		return smtp.NewClient(tls.Client(conn, cfg)), nil
	case Plain:
		return smtp.NewClient(conn), nil
	default:
		c, err := smtp.NewClientStartTLS(conn, cfg)
		if err != nil {
			conn.Close()
			return nil, err
		}
		return c, nil
	}
}

// compose writes the message: UTF-8 text, quoted-printable, with the
// headers a mail client expects.
func (s *SMTP) compose(to string, m Message) ([]byte, error) {
	var id [12]byte
	if _, err := rand.Read(id[:]); err != nil {
		return nil, err
	}
	domain := s.From[strings.LastIndex(s.From, "@")+1:]
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\n", (&mail.Address{Name: "Haven", Address: s.From}).String())
	fmt.Fprintf(&b, "To: %s\r\n", (&mail.Address{Address: to}).String())
	fmt.Fprintf(&b, "Subject: %s\r\n", mime.QEncoding.Encode("utf-8", m.Subject))
	fmt.Fprintf(&b, "Date: %s\r\n", time.Now().UTC().Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: <%s@%s>\r\n", hex.EncodeToString(id[:]), domain)
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\nAuto-Submitted: auto-generated\r\n\r\n")
	w := quotedprintable.NewWriter(&b)
	body := strings.ReplaceAll(strings.ReplaceAll(m.Body, "\r\n", "\n"), "\n", "\r\n")
	if _, err := w.Write([]byte(body)); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
