package loadgen

import (
	"math"
	"time"
)

// schedule is an open-loop, constant-rate arrival plan: request i is due
// at start + i/rate, whatever happened to the requests before it, and
// what it does is decided by i alone (deterministic, no random numbers),
// so that any stretch of requests holds the configured mix.
type schedule struct {
	start     time.Time
	rate      float64 // requests per second
	espShare  float64 // share of requests that are ESP reports (the rest are tips)
	fileShare float64 // share of ESP reports that carry a file
}

// at returns when request i is due.
func (s schedule) at(i int) time.Time {
	return s.start.Add(time.Duration(float64(i) * float64(time.Second) / s.rate))
}

// count returns how many requests are due in [start, start+d).
func (s schedule) count(d time.Duration) int {
	n := int(math.Ceil(d.Seconds() * s.rate))
	for n > 0 && !s.at(n-1).Before(s.start.Add(d)) {
		n--
	}
	for s.at(n).Before(s.start.Add(d)) {
		n++
	}
	return n
}

// spread reports whether item i is one of a share of items spread evenly:
// exactly ⌊n·share⌋ or ⌈n·share⌉ of any n consecutive items are.
func spread(i int, share float64) bool {
	if share <= 0 {
		return false
	}
	if share >= 1 {
		return true
	}
	return math.Floor(float64(i+1)*share) > math.Floor(float64(i)*share)
}

// job is what request i does.
type job struct {
	esp  bool // an ESP report; otherwise a tip
	n    int  // its number among the requests of its kind (from 0)
	file bool // an ESP report with a file
}

// job returns what request i does. The ESP reports' and the tips' own
// numbering (n) drives their synthetic content.
func (s schedule) job(i int) job {
	espBefore := int(math.Floor(float64(i) * s.espShare))
	if s.espShare >= 1 {
		espBefore = i
	}
	if spread(i, s.espShare) {
		return job{esp: true, n: espBefore, file: spread(espBefore, s.fileShare)}
	}
	return job{n: i - espBefore}
}
