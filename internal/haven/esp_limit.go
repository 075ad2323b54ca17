package haven

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"
)

// Failed ESP authentications. ESP clients send HTTP Basic credentials with
// every request to the ESP reporting API, so without a limit the API could
// be used to guess passwords. Every refused authentication is audited
// ("esp.auth", outcome failed), and after EspNameMaxFailures refusals for
// one account name, or EspIPMaxFailures from one client address, within
// EspFailureWindow, further attempts for that name or from that address
// are refused for EspFailureWindow without looking at the password (no
// argon2id cost), with ELOCKED. A successful authentication resets
// nothing: the counts only expire.
//
// Everything is kept in memory by each process on its own (like the
// public tip form's limits), in maps of at most espLimitKeys keys each, so
// that a flood of random names or addresses cannot exhaust memory: when a
// map is full, keys whose window is over are forgotten first, then the
// unlocked keys with the fewest failures; a locked key is kept until its
// lock ends. An address is counted by its IPv4 address or its IPv6 /64.
//
// The audit writes are throttled so that a flood cannot fill the log: at
// most one event a minute (EspAuditInterval) for one name from one
// address, or for one locked name or address, each saying how many refused
// attempts it stands for; and at most espAuditBudget esp.auth events a
// minute in all (twice that for events that say a lock starts), the rest
// counted in a summary event.
//
// The successful path pays one atomic load more than before while nothing
// is locked; while some name or address is locked (anywhere), it also takes
// the limiter's mutex and looks up its name and its address.

// Limits on failed ESP authentications.
const (
	EspNameMaxFailures = 10               // refusals for one account name …
	EspIPMaxFailures   = 50               // … or from one client address …
	EspFailureWindow   = 15 * time.Minute // … within this long lock it for this long
	EspAuditInterval   = time.Minute      // at most one esp.auth event per key per interval
)

const (
	espLimitKeys   = 10000 // keys per map (names, addresses, audit keys)
	espAuditBudget = 60    // esp.auth events a minute in all, summaries aside
	espMaxName     = 200   // longest name or password looked at
	espAuditName   = 64    // longest name tried written to the audit log
)

// Reasons written in an esp.auth event's detail.
const (
	espWhyUnknown   = "unknown account"
	espWhyPassword  = "wrong password"
	espWhyDisabled  = "account disabled"
	espWhyMalformed = "empty or overlong name or password"
)

// espLimiter is a Service's record of failed ESP authentications.
type espLimiter struct {
	// lockedUntil is the end of the latest lock (Unix nanoseconds): before
	// it, some key may be locked; from it on, none is.
	lockedUntil atomic.Int64

	mu       sync.Mutex
	names    espCounters
	addrs    espCounters
	audits   map[string]*espAuditMark
	budgetAt time.Time // start of the current minute of the audit budget
	budget   int       // events written in it
	overflow int       // refused attempts not written and not pending on a mark
	sweepAt  time.Time // when marks are next swept
}

// espCounters counts failures per key.
type espCounters struct {
	m        map[string]*espFailures
	rescanAt time.Time // full of locked keys: no eviction scan before this
}

type espFailures struct {
	n      int
	start  time.Time // the first failure of the window
	until  time.Time // locked until (zero: not locked)
	acctID int64     // names only: the account, when the name exists
}

func (f *espFailures) locked(now time.Time) bool { return now.Before(f.until) }

// espAuditMark throttles the esp.auth events of one key.
type espAuditMark struct {
	written time.Time // when the last event was written (zero: never)
	pending int       // refused attempts since, not written separately
	actor   string
	ip      string
	acctID  int64
	why     string // the latest reason
}

// espAttempt is one refused authentication.
type espAttempt struct {
	name   string // as tried, at most espMaxName bytes
	ip     string // the client's address
	addr   string // the address's key (espAddrKey)
	acctID int64
	why    string
}

// espLockedError is the refusal of a locked name or address.
type espLockedError struct {
	err   *Error
	after time.Duration
}

func (e *espLockedError) Error() string { return e.err.Error() }
func (e *espLockedError) Unwrap() error { return e.err }

// EspRetryAfter returns how long a client refused by AuthenticateEsp with
// ELOCKED must wait before trying again (0 for any other error).
func EspRetryAfter(err error) time.Duration {
	var e *espLockedError
	if errors.As(err, &e) {
		return e.after
	}
	return 0
}

// espAddrKey is the key an address is counted under: the IPv4 address, or
// the IPv6 /64 (one subscriber's usual allocation).
func espAddrKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	p, _ := a.WithZone("").Prefix(64)
	return p.String()
}

// espCheckLocked refuses, unverified, a name or address that is locked. It
// costs one atomic load while nothing is locked.
func (s *Service) espCheckLocked(ctx context.Context, at espAttempt, now time.Time) error {
	l := &s.espLimits
	if now.UnixNano() >= l.lockedUntil.Load() {
		return nil
	}
	events, err := l.check(at, now)
	s.espAudit(ctx, events)
	return err
}

// espFail counts a refused authentication, locking the name or address at
// its limit, and audits it (throttled).
func (s *Service) espFail(ctx context.Context, at espAttempt, now time.Time) {
	s.espAudit(ctx, s.espLimits.fail(at, now))
}

// check returns ELOCKED, and the audit events to write, when the attempt's
// name or address is locked.
func (l *espLimiter) check(at espAttempt, now time.Time) ([]*AuditEvent, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var until time.Time
	var key, why string
	if f := l.names.m[at.name]; f != nil && f.locked(now) {
		until, key, why = f.until, "n\x00"+at.name, "too many failed attempts for this name"
		at.acctID = f.acctID
	} else if f := l.addrs.m[at.addr]; f != nil && f.locked(now) {
		until, key, why = f.until, "a\x00"+at.addr, "too many failed attempts from this address"
		if g := l.names.m[at.name]; g != nil {
			at.acctID = g.acctID
		}
	}
	if until.IsZero() {
		return nil, nil
	}
	at.why = fmt.Sprintf("locked until %s: %s; refused without checking the password", until.UTC().Format("15:04:05 MST"), why)
	after := until.Sub(now)
	return l.note(key, at, "", now), &espLockedError{after: after, err: Errorf(ELOCKED,
		"Too many failed authentications; try again in %d minutes.", int((after+time.Minute-1)/time.Minute))}
}

// fail counts a refused attempt and returns the audit events to write.
func (l *espLimiter) fail(at espAttempt, now time.Time) []*AuditEvent {
	l.mu.Lock()
	defer l.mu.Unlock()
	var notes []string
	if l.names.count(at.name, at.acctID, EspNameMaxFailures, now) {
		notes = append(notes, fmt.Sprintf("%d failures for this name: locked for %d minutes", EspNameMaxFailures, EspFailureWindow/time.Minute))
		l.extend(now.Add(EspFailureWindow))
	}
	if l.addrs.count(at.addr, 0, EspIPMaxFailures, now) {
		notes = append(notes, fmt.Sprintf("%d failures from this address: locked for %d minutes", EspIPMaxFailures, EspFailureWindow/time.Minute))
		l.extend(now.Add(EspFailureWindow))
	}
	return l.note("p\x00"+at.addr+"\x00"+at.name, at, strings.Join(notes, "; "), now)
}

// extend records a lock that lasts until t.
func (l *espLimiter) extend(t time.Time) {
	if n := t.UnixNano(); n > l.lockedUntil.Load() {
		l.lockedUntil.Store(n)
	}
}

// count adds a failure for key and reports whether it locked the key.
func (c *espCounters) count(key string, acctID int64, max int, now time.Time) bool {
	if c.m == nil {
		c.m = make(map[string]*espFailures)
	}
	f := c.m[key]
	if f != nil && !f.locked(now) && !now.Before(f.start.Add(EspFailureWindow)) {
		*f = espFailures{start: now, acctID: f.acctID}
	}
	if f == nil {
		if len(c.m) >= espLimitKeys {
			c.evict(now)
			if len(c.m) >= espLimitKeys {
				return false // full of locked keys: this one goes uncounted
			}
		}
		f = &espFailures{start: now}
		c.m[key] = f
	}
	if acctID != 0 {
		f.acctID = acctID
	}
	f.n++
	if f.n >= max && !f.locked(now) {
		f.until = now.Add(EspFailureWindow)
		return true
	}
	return false
}

// evict forgets keys whose window is over, then unlocked keys with the
// fewest failures, until the map is at most three quarters full. Locked
// keys stay; a map full of them is not scanned again until one unlocks.
func (c *espCounters) evict(now time.Time) {
	if now.Before(c.rescanAt) {
		return
	}
	target := espLimitKeys * 3 / 4
	for k, f := range c.m {
		if !f.locked(now) && !now.Before(f.start.Add(EspFailureWindow)) {
			delete(c.m, k)
		}
	}
	for n := 1; len(c.m) > target && n <= EspIPMaxFailures; n++ {
		for k, f := range c.m {
			if !f.locked(now) && f.n <= n {
				delete(c.m, k)
			}
		}
	}
	if len(c.m) >= espLimitKeys {
		// Every key left is locked.
		first := time.Time{}
		for _, f := range c.m {
			if first.IsZero() || f.until.Before(first) {
				first = f.until
			}
		}
		c.rescanAt = first
	}
}

// note throttles the audit of a refused attempt under key: it returns the
// events to write now (none while the key wrote one less than
// EspAuditInterval ago, or when the budget is spent: the attempt is then
// counted in the next event), with the summaries of keys that fell quiet.
func (l *espLimiter) note(key string, at espAttempt, extra string, now time.Time) []*AuditEvent {
	if l.audits == nil {
		l.audits = make(map[string]*espAuditMark)
	}
	events := l.sweep(now, key)
	m := l.audits[key]
	if m == nil {
		if len(l.audits) >= espLimitKeys {
			// Full: forget the keys that wrote nothing for an interval,
			// their pending attempts counted in the next summary.
			for k, q := range l.audits {
				if now.Sub(q.written) >= EspAuditInterval {
					l.overflow += q.pending
					delete(l.audits, k)
				}
			}
		}
		if len(l.audits) < espLimitKeys {
			m = &espAuditMark{}
			l.audits[key] = m
		}
	}
	actor := espAuditActor(at.name)
	if m != nil {
		m.actor, m.ip, m.why = actor, at.ip, at.why
		if at.acctID != 0 {
			m.acctID = at.acctID
		}
	}
	due := m == nil || m.written.IsZero() || now.Sub(m.written) >= EspAuditInterval
	if !due && extra == "" || !l.spend(now, extra != "") {
		if m != nil {
			m.pending++
		} else {
			l.overflow++
		}
		return events
	}
	detail := at.why
	if m != nil {
		if m.pending > 0 {
			detail += fmt.Sprintf("; and %d more refused attempts like it since the last event, not written separately", m.pending)
		}
		m.written, m.pending = now, 0
	}
	if extra != "" {
		detail += "; " + extra
	}
	return append(events, espAuthEvent(actor, at.ip, at.acctID, detail, now))
}

// spend takes one event from the minute's budget; an event that says a
// lock starts (must) may take up to twice the budget.
func (l *espLimiter) spend(now time.Time, must bool) bool {
	if now.Sub(l.budgetAt) >= EspAuditInterval {
		l.budgetAt, l.budget = now, 0
	}
	limit := espAuditBudget
	if must {
		limit *= 2
	}
	if l.budget >= limit {
		return false
	}
	l.budget++
	return true
}

// sweep, at most once an interval, turns the pending attempts of keys that
// wrote nothing for an interval into summary events (within the budget;
// the rest into one event counting them) and forgets quiet keys, all but
// skip.
func (l *espLimiter) sweep(now time.Time, skip string) []*AuditEvent {
	if now.Before(l.sweepAt) {
		return nil
	}
	l.sweepAt = now.Add(EspAuditInterval)
	var events []*AuditEvent
	for k, m := range l.audits {
		if k == skip || now.Sub(m.written) < EspAuditInterval {
			continue // skip is noting an attempt: its event will count these
		}
		if m.pending > 0 {
			if !l.spend(now, false) {
				l.overflow += m.pending
			} else {
				events = append(events, espAuthEvent(m.actor, m.ip, m.acctID, fmt.Sprintf(
					"%d more refused attempts since the last event, not written separately (the last: %s)", m.pending, m.why), now))
			}
		}
		delete(l.audits, k)
	}
	if l.overflow > 0 {
		events = append(events, espAuthEvent("esp:*", "", 0, fmt.Sprintf(
			"%d refused ESP authentications were not written separately (too many at once)", l.overflow), now))
		l.overflow = 0
	}
	return events
}

func espAuthEvent(actor, ip string, acctID int64, detail string, now time.Time) *AuditEvent {
	e := &AuditEvent{At: now, Actor: actor, Via: "esp", IP: ip, Action: "esp.auth", Outcome: OutcomeFailed, Detail: detail}
	if acctID != 0 {
		e.Kind, e.RecordID = KindESP, acctID
	}
	return e
}

// espAuditActor is the audit actor for a name tried: "esp:" and the name,
// cut to espAuditName characters, with anything unprintable replaced.
func espAuditActor(name string) string {
	name = strings.ToValidUTF8(name, "?")
	if utf8.RuneCountInString(name) > espAuditName {
		name = string([]rune(name)[:espAuditName]) + "…"
	}
	return "esp:" + strings.Map(func(r rune) rune {
		if !unicode.IsPrint(r) {
			return '?'
		}
		return r
	}, name)
}

// espAudit writes the events, each in its own transaction; a failure is
// logged (the refusal stands either way).
func (s *Service) espAudit(ctx context.Context, events []*AuditEvent) {
	for _, e := range events {
		e.At = s.now()
		err := s.Store.Update(ctx, func(tx Tx) error { return tx.AppendAudit(ctx, e, s.Sealer) })
		if err != nil {
			s.Log.Error("audit of a refused ESP authentication failed", "err", err)
		}
	}
}
