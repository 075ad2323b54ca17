package http

import (
	"sync"
	"time"
)

// rateLimiter is a token bucket per client address, in memory: each address
// may spend up to burst tokens at once, refilled at rate per period. It
// keeps at most maxAddresses buckets, forgetting full ones (and then the
// oldest) when it must, so that a flood of addresses cannot exhaust memory.
// Being in memory, each server node counts on its own and a restart forgets
// (acceptable for abuse protection: the limits are per node).
type rateLimiter struct {
	mu      sync.Mutex
	burst   float64
	rate    float64 // tokens added per period
	per     time.Duration
	now     func() time.Time
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

const maxAddresses = 50000

func newRateLimiter(rate, burst int, per time.Duration, now func() time.Time) *rateLimiter {
	return &rateLimiter{rate: float64(rate), burst: float64(burst), per: per, now: now, buckets: make(map[string]*bucket)}
}

// refill returns the address's bucket with its tokens brought up to now.
func (l *rateLimiter) refill(addr string) *bucket {
	now := l.now()
	b := l.buckets[addr]
	if b == nil {
		if len(l.buckets) >= maxAddresses {
			l.prune(now)
		}
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[addr] = b
		return b
	}
	if elapsed := now.Sub(b.at); elapsed > 0 {
		b.tokens = min(l.burst, b.tokens+l.rate*elapsed.Seconds()/l.per.Seconds())
		b.at = now
	}
	return b
}

// prune forgets buckets that have refilled, or every bucket if none has.
func (l *rateLimiter) prune(now time.Time) {
	for addr, b := range l.buckets {
		if b.tokens+l.rate*now.Sub(b.at).Seconds()/l.per.Seconds() >= l.burst {
			delete(l.buckets, addr)
		}
	}
	if len(l.buckets) >= maxAddresses {
		clear(l.buckets)
	}
}

// Ready reports whether the address has a token to spend, spending none.
func (l *rateLimiter) Ready(addr string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.refill(addr).tokens >= 1
}

// Take spends one of the address's tokens and reports whether it had one.
func (l *rateLimiter) Take(addr string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.refill(addr)
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// Give returns a token Take spent, for work that did not happen after all
// (a tip refused or a retry answered from the first): taking before the
// work and giving back after is what makes simultaneous requests of one
// address unable to pass the limit together.
func (l *rateLimiter) Give(addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.refill(addr)
	b.tokens = min(l.burst, b.tokens+1)
}
