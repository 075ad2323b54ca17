package haven

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"time"
)

// SecretBox encrypts small secrets at rest (TOTP secrets). internal/keys
// implements it with a rotating AEAD keyset.
type SecretBox interface {
	Encrypt(plaintext, associatedData []byte) ([]byte, error)
	Decrypt(ciphertext, associatedData []byte) ([]byte, error)
}

// Service is Haven's application service: every channel calls it with an
// Actor, and it decides whether the actor may act, validates, writes through
// the Store and appends the audit event in the same transaction.
type Service struct {
	Store   Store
	Sealer  Sealer    // seals the audit chain
	Secrets SecretBox // encrypts TOTP secrets
	Log     *slog.Logger
	// Now returns the current time; tests replace it to move the clock.
	Now func() time.Time
	// Issuer is the name authenticator apps show next to a TOTP code.
	Issuer string
	// Blobs keeps attachment bytes, encrypted; AttachmentPolicy limits them
	// (the zero policy means DefaultAttachmentPolicy).
	Blobs            Blobs
	AttachmentPolicy AttachmentPolicy
	// Ingestions are the steps run on every report after it commits.
	Ingestions []Ingestion
	// Triager evaluates the triage rules (triage.go); nil: reports are not
	// triaged.
	Triager Triager
	// MatchKeys files every child created under its person-matching
	// blocking keys (person_match.go); nil files none.
	MatchKeys ChildMatchKeys
	// Committed, if set, is called after a transaction that enqueued jobs
	// commits, so that the job runner starts at once instead of at its next
	// poll.
	Committed func()
	// Mailer, if set, also sends every notification by email (notify.go);
	// PublicURL (e.g. https://haven.example.org) makes the links in
	// emails absolute.
	Mailer    Mailer
	PublicURL string

	// espLimits counts failed ESP authentications (esp_limit.go).
	espLimits espLimiter
}

// NewService returns a Service with the real clock.
func NewService(store Store, sealer Sealer, secrets SecretBox, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	return &Service{Store: store, Sealer: sealer, Secrets: secrets, Log: log, Now: time.Now, Issuer: "Haven"}
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// wake tells the job runner that jobs were committed.
func (s *Service) wake() {
	if s.Committed != nil {
		s.Committed()
	}
}

// audit appends an event inside tx.
func (s *Service) audit(ctx context.Context, tx Tx, a Actor, action, outcome string, kind Kind, id int64, reason, detail string) error {
	e := &AuditEvent{
		At: s.now(), ActorID: a.UserID, Actor: actorName(a), Role: a.Role, Via: a.Via, IP: a.IP,
		Action: action, Outcome: outcome, Kind: kind, RecordID: id, Reason: reason, Detail: detail,
	}
	if err := tx.AppendAudit(ctx, e, s.Sealer); err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// deny records a refusal in its own transaction (the refused operation
// writes nothing) and returns err for the caller to return.
func (s *Service) deny(ctx context.Context, a Actor, action string, kind Kind, id int64, err *Error) error {
	if aerr := s.Store.Update(ctx, func(tx Tx) error {
		return s.audit(ctx, tx, a, action, OutcomeDenied, kind, id, "", err.Message)
	}); aerr != nil {
		s.Log.Error("audit of a refusal failed", "action", action, "err", aerr)
	}
	return err
}

// forbidden is the error for an action refused on a kind of record.
func forbidden(what string) *Error {
	return Errorf(EFORBIDDEN, "You are not allowed to %s.", what)
}

// hidden is the error for a record that does not exist or that the actor may
// not see: the two answer alike, so that a refusal reveals nothing.
func hidden(kind Kind) *Error {
	return Errorf(ENOTFOUND, "No such %s, or it is not yours to see.", kind)
}

func actorName(a Actor) string {
	switch {
	case a.Username != "":
		return a.Username
	case a.Via == "public":
		return "public"
	}
	return "anonymous"
}

// randomToken returns n random bytes (for session and API tokens).
func randomToken(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("haven: crypto/rand failed: " + err.Error())
	}
	return b
}
