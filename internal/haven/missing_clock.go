package haven

// The 24-hour statutory clocks of missing episodes.

import (
	"fmt"
	"time"
)

// ClockState is where a statutory clock stands.
type ClockState string

// Clock states.
const (
	ClockOnTime  ClockState = "on_time"  // still owed, not yet due
	ClockOverdue ClockState = "overdue"  // still owed, past due
	ClockMet     ClockState = "met"      // done by the due time
	ClockMetLate ClockState = "met_late" // done, after the due time
)

// Clock is a statutory deadline as of a moment: when it is due, whether the
// duty is done, and how the time stands.
type Clock struct {
	Due   time.Time
	Done  *time.Time
	State ClockState
	// Left is the time left before Due (ClockOnTime); Over is how late it
	// is or was (ClockOverdue, ClockMetLate); Took is how long the duty took
	// from the start of the window (ClockMet, ClockMetLate).
	Left, Over, Took time.Duration
}

// StatutoryClock computes a 24-hour statutory clock that falls due at due,
// done at done (nil while still owed), as of now. A duty done exactly at
// due, or still owed exactly at due, is on time: "in no case later than 24
// hours". due must not be nil.
func StatutoryClock(due, done *time.Time, now time.Time) Clock {
	c := Clock{Due: *due, Done: done}
	start := due.Add(-StatutoryWindow)
	switch {
	case done != nil && done.After(*due):
		c.State, c.Over, c.Took = ClockMetLate, done.Sub(*due), done.Sub(start)
	case done != nil:
		c.State, c.Took = ClockMet, max(done.Sub(start), 0)
	case now.After(*due):
		c.State, c.Over = ClockOverdue, now.Sub(*due)
	default:
		c.State, c.Left = ClockOnTime, due.Sub(now)
	}
	return c
}

// Text says how the clock stands in plain words: "23 h 10 min left",
// "overdue by 6 h 0 min", "done in 3 h 5 min", "done 2 h 0 min late".
func (c Clock) Text() string {
	switch c.State {
	case ClockOnTime:
		return Span(c.Left) + " left"
	case ClockOverdue:
		return "overdue by " + Span(c.Over)
	case ClockMet:
		return "done in " + Span(c.Took) + ", within 24 hours"
	case ClockMetLate:
		return "done in " + Span(c.Took) + ", " + Span(c.Over) + " late"
	}
	return ""
}

// Span renders a duration in hours and minutes ("2 d 3 h 5 min" beyond two
// days), rounding down to the minute ("less than a minute" below one).
func Span(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	if d > 0 && d < time.Minute {
		return "less than a minute"
	}
	m := int64(d / time.Minute)
	days, hours, mins := m/(24*60), (m/60)%24, m%60
	if days >= 2 {
		return fmt.Sprintf("%d d %d h %d min", days, hours, mins)
	}
	return fmt.Sprintf("%d h %d min", m/60, mins)
}
