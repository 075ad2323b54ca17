package haven

import (
	"fmt"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func espTry(name, ip string) espAttempt {
	return espAttempt{name: name, ip: ip, addr: espAddrKey(ip), why: espWhyPassword}
}

func isLocked(l *espLimiter, at espAttempt, now time.Time) bool {
	_, err := l.check(at, now)
	return ErrorCode(err) == ELOCKED
}

// A flood of random names from random addresses neither grows the limiter
// past its bounds nor frees a locked name, and every refused attempt is
// counted in some audit event, with few events.
func TestESPLimiterStaysBoundedUnderAFlood(t *testing.T) {
	var l espLimiter
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	var events []*AuditEvent
	for i := range EspNameMaxFailures {
		events = append(events, l.fail(espTry("examplechat", fmt.Sprintf("198.51.100.%d", i)), now)...)
	}
	const flood = 60000
	for i := range flood {
		now = now.Add(time.Millisecond)
		ip := fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)
		events = append(events, l.fail(espTry(fmt.Sprintf("guess-%06d", i), ip), now)...)
		if len(l.names.m) > espLimitKeys || len(l.addrs.m) > espLimitKeys || len(l.audits) > espLimitKeys {
			t.Fatalf("after %d attempts: %d names, %d addresses, %d audit keys (bound %d)",
				i+1, len(l.names.m), len(l.addrs.m), len(l.audits), espLimitKeys)
		}
	}
	if !isLocked(&l, espTry("examplechat", "203.0.113.9"), now) {
		t.Error("the flood unlocked examplechat")
	}
	if isLocked(&l, espTry("examplephotos", "203.0.113.9"), now) {
		t.Error("examplephotos is locked")
	}
	// Two minutes later, one more failure sweeps what was pending.
	now = now.Add(2 * time.Minute)
	events = append(events, l.fail(espTry("examplevideo", "203.0.113.9"), now)...)

	t.Logf("%d events; %d names, %d addresses, %d audit keys", len(events), len(l.names.m), len(l.addrs.m), len(l.audits))
	minutes := 4
	if max := minutes * (2*espAuditBudget + 1); len(events) > max {
		t.Errorf("%d audit events for %d attempts, want at most %d", len(events), flood+EspNameMaxFailures+2, max)
	}
	// Every attempt is one event or counted in one: an event for an attempt
	// is one, or 1+N when it says "; and N more refused attempts"; a
	// summary ("N more refused attempts …", "N refused ESP
	// authentications …") is N.
	counted := 0
	andMore := regexp.MustCompile(`; and (\d+) more refused attempts`)
	summary := regexp.MustCompile(`^(\d+) (more refused attempts|refused ESP authentications) `)
	for _, e := range events {
		if e.Action != "esp.auth" || e.Outcome != OutcomeFailed {
			t.Fatalf("event %+v", e)
		}
		if m := summary.FindStringSubmatch(e.Detail); m != nil {
			n, _ := strconv.Atoi(m[1])
			counted += n
			continue
		}
		counted++
		if m := andMore.FindStringSubmatch(e.Detail); m != nil {
			n, _ := strconv.Atoi(m[1])
			counted += n
		}
	}
	// The flood, the lock, the locked attempt (isLocked) and the last one.
	if want := flood + EspNameMaxFailures + 2; counted != want {
		t.Errorf("the events count %d refused attempts, want %d", counted, want)
	}
}

func TestESPLimiterCountsAnIPv6SubnetAsOneAddressAndForgetsOldFailures(t *testing.T) {
	var l espLimiter
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	for i := range EspIPMaxFailures {
		l.fail(espTry(fmt.Sprintf("guess-%d", i), fmt.Sprintf("2001:db8:1:2::%x", i+1)), now)
	}
	if !isLocked(&l, espTry("examplechat", "2001:db8:1:2:abcd::1"), now) {
		t.Error("another address of the same /64 is not locked")
	}
	if isLocked(&l, espTry("examplechat", "2001:db8:1:3::1"), now) {
		t.Error("the next /64 is locked")
	}
	if espAddrKey("::ffff:198.51.100.7") != espAddrKey("198.51.100.7") {
		t.Error("an IPv4-mapped address is counted apart from its IPv4 address")
	}

	// Failures older than the window are forgotten.
	for range EspNameMaxFailures - 1 {
		l.fail(espTry("examplephotos", "198.51.100.7"), now)
	}
	now = now.Add(EspFailureWindow + time.Second)
	for range EspNameMaxFailures - 1 {
		l.fail(espTry("examplephotos", "198.51.100.8"), now)
	}
	if isLocked(&l, espTry("examplephotos", "198.51.100.9"), now) {
		t.Error("failures in two windows added up to a lock")
	}
	l.fail(espTry("examplephotos", "198.51.100.8"), now)
	if !isLocked(&l, espTry("examplephotos", "198.51.100.9"), now) {
		t.Error("the 10th failure within the window did not lock the name")
	}
	if isLocked(&l, espTry("examplephotos", "198.51.100.9"), now.Add(EspFailureWindow)) {
		t.Error("the lock outlasted its window")
	}
}

func TestESPAuditActorIsShortAndPrintable(t *testing.T) {
	long := "\x1b[31m" + string(make([]byte, 300))
	got := espAuditActor(long)
	if len([]rune(got)) > len("esp:")+espAuditName+1 || regexp.MustCompile(`[\x00-\x1f]`).MatchString(got) {
		t.Errorf("actor %q", got)
	}
	if got := espAuditActor("examplechat"); got != "esp:examplechat" {
		t.Errorf("actor %q", got)
	}
}

// Requests that find the same credentials unverified at once share one
// argon2id check, and again when the cached entry expires; a wrong
// password is never cached.
func TestConcurrentMissesShareOneCredentialCheck(t *testing.T) {
	var checks atomic.Int32
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	var clock sync.Mutex
	c := &credCache{m: map[[32]byte]time.Time{}, now: func() time.Time { clock.Lock(); defer clock.Unlock(); return now },
		verify: func(phc, pw string) (bool, error) {
			checks.Add(1)
			time.Sleep(30 * time.Millisecond) // as long as argon2id takes
			return pw == "right", nil
		}}
	key := espCredKey("examplechat", "right", "$argon2id$fake")
	run := func() {
		t.Helper()
		var wg sync.WaitGroup
		errs := make(chan string, 64)
		for range 64 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if ok, err := c.check(key, "$argon2id$fake", "right"); !ok || err != nil {
					errs <- fmt.Sprintf("%v %v", ok, err)
				}
			}()
		}
		wg.Wait()
		close(errs)
		for e := range errs {
			t.Errorf("a request was refused: %s", e)
		}
	}
	run()
	if n := checks.Load(); n != 1 {
		t.Fatalf("64 requests at once ran %d password checks, want 1", n)
	}
	run()
	if n := checks.Load(); n != 1 {
		t.Fatalf("cached credentials were checked again (%d checks)", n)
	}
	clock.Lock()
	now = now.Add(espAuthTTL + time.Second)
	clock.Unlock()
	run()
	if n := checks.Load(); n != 2 {
		t.Fatalf("after the entry expired, 64 requests ran %d more checks, want 1", n-1)
	}
	wrong := espCredKey("examplechat", "wrong", "$argon2id$fake")
	for range 2 {
		if ok, err := c.check(wrong, "$argon2id$fake", "wrong"); ok || err != nil {
			t.Fatalf("a wrong password: %v %v", ok, err)
		}
	}
	if n := checks.Load(); n != 4 {
		t.Errorf("a wrong password sent twice was checked %d times, want 2 (never cached)", n-2)
	}
}
