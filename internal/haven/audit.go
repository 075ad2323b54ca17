package haven

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"
)

// AuditEvent is one entry of the append-only audit log: who did what to
// which record, when, from where, and why when a reason was asked for.
// Entries form a chain: each Hash is a keyed MAC over the entry's canonical
// bytes and the previous entry's Hash, so an edited, inserted or deleted
// entry breaks the chain (VerifyChain).
type AuditEvent struct {
	Seq      int64 // 1, 2, 3, … assigned by the store, without gaps
	At       time.Time
	ActorID  int64  // 0 for the public, ESPs and the CLI
	Actor    string // username, ESP account name, "public" or the operator's name
	Role     Role
	Via      string // web, api, esp, cli, job
	IP       string
	Action   string // e.g. "report.view", "user.create", "auth.signin"
	Outcome  string // "ok", "denied" or "failed"
	Kind     Kind   // the kind of record, if any
	RecordID int64  // the record, if any
	Reason   string // the reason the actor gave, where one was asked for
	Detail   string // a short human-readable detail (never secrets, never narratives)
	PrevHash []byte
	Hash     []byte
}

// Audit outcomes.
const (
	OutcomeOK     = "ok"
	OutcomeDenied = "denied"
	OutcomeFailed = "failed"
)

// Canonical returns the bytes the chain MAC covers: every field but Hash,
// length-prefixed so that no two different events encode alike.
func (e *AuditEvent) Canonical() []byte {
	var b bytes.Buffer
	num := func(n int64) { _ = binary.Write(&b, binary.BigEndian, n) }
	str := func(s string) { num(int64(len(s))); b.WriteString(s) }
	b.WriteString("haven-audit-v1")
	num(e.Seq)
	num(e.At.UTC().UnixMicro())
	num(e.ActorID)
	str(e.Actor)
	str(string(e.Role))
	str(e.Via)
	str(e.IP)
	str(e.Action)
	str(e.Outcome)
	str(string(e.Kind))
	num(e.RecordID)
	str(e.Reason)
	str(e.Detail)
	str(string(e.PrevHash))
	return b.Bytes()
}

// Sealer computes and checks the keyed MAC that chains audit entries. The
// key lives in the key file, not the database, so someone who can write to
// the database cannot forge a consistent chain.
type Sealer interface {
	Seal(data []byte) ([]byte, error)
	Verify(mac, data []byte) error
}

// ChainBreak describes the first place where an audit chain fails to verify.
type ChainBreak struct {
	Seq    int64
	Reason string
}

func (b *ChainBreak) Error() string {
	return fmt.Sprintf("audit chain broken at entry %d: %s", b.Seq, b.Reason)
}

// ChainVerifier checks a stream of audit events, fed in Seq order.
type ChainVerifier struct {
	Sealer Sealer
	prev   []byte
	next   int64
	// Count is the number of events checked so far.
	Count int64
}

// Check verifies the next event; it returns a *ChainBreak at the first
// edited, inserted, reordered or missing entry.
func (v *ChainVerifier) Check(e *AuditEvent) error {
	if v.next == 0 {
		v.next = 1
	}
	if e.Seq != v.next {
		return &ChainBreak{Seq: v.next, Reason: fmt.Sprintf("expected entry %d, found %d (an entry was deleted or inserted)", v.next, e.Seq)}
	}
	if !bytes.Equal(e.PrevHash, v.prev) {
		return &ChainBreak{Seq: e.Seq, Reason: "does not follow the previous entry (an entry was deleted, inserted or edited)"}
	}
	if err := v.Sealer.Verify(e.Hash, e.Canonical()); err != nil {
		return &ChainBreak{Seq: e.Seq, Reason: "its contents do not match its seal (the entry was edited)"}
	}
	v.prev, v.next = e.Hash, e.Seq+1
	v.Count++
	return nil
}

// Finish checks the end of the chain against the head the store recorded
// (the last Seq and Hash), which catches a deletion of the newest entries.
func (v *ChainVerifier) Finish(headSeq int64, headHash []byte) error {
	if headSeq != v.next-1 && !(headSeq == 0 && v.next <= 1) {
		return &ChainBreak{Seq: headSeq, Reason: fmt.Sprintf("the log ends at entry %d but its head says %d (entries were deleted from the end)", v.next-1, headSeq)}
	}
	if !bytes.Equal(headHash, v.prev) {
		return &ChainBreak{Seq: headSeq, Reason: "the newest entry does not match the recorded head"}
	}
	return nil
}

// AuditFilter selects audit events, newest first. Zero fields do not filter.
type AuditFilter struct {
	Actor    string
	Action   string // exact, or a prefix ending in "." (e.g. "report.")
	Outcome  string
	Kind     Kind
	RecordID int64
	From     *time.Time
	To       *time.Time
	Limit    int
	Offset   int
}
