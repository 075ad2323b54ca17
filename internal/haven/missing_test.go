package haven

import (
	"testing"
	"time"
)

func TestStatutoryClock(t *testing.T) {
	found := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	due := found.Add(24 * time.Hour)
	at := func(d time.Duration) *time.Time { t := found.Add(d); return &t }
	tests := []struct {
		name  string
		done  *time.Time
		now   time.Duration // after found missing
		state ClockState
		text  string
	}{
		{"owed, just found missing", nil, 0, ClockOnTime, "24 h 0 min left"},
		{"owed, 23 h 59 min in", nil, 23*time.Hour + 59*time.Minute, ClockOnTime, "0 h 1 min left"},
		{"owed at exactly 24 hours is still on time", nil, 24 * time.Hour, ClockOnTime, "0 h 0 min left"},
		{"owed a nanosecond past 24 hours is overdue", nil, 24*time.Hour + time.Nanosecond, ClockOverdue, "overdue by less than a minute"},
		{"owed 30 hours in", nil, 30 * time.Hour, ClockOverdue, "overdue by 6 h 0 min"},
		{"owed three days in", nil, 75 * time.Hour, ClockOverdue, "overdue by 2 d 3 h 0 min"},
		{"done in 3 hours", at(3 * time.Hour), 30 * time.Hour, ClockMet, "done in 3 h 0 min, within 24 hours"},
		{"done at exactly 24 hours is met", at(24 * time.Hour), 30 * time.Hour, ClockMet, "done in 24 h 0 min, within 24 hours"},
		{"done a second past 24 hours is late", at(24*time.Hour + time.Second), 30 * time.Hour, ClockMetLate, "done in 24 h 0 min, less than a minute late"},
		{"done 26 hours in", at(26 * time.Hour), 26 * time.Hour, ClockMetLate, "done in 26 h 0 min, 2 h 0 min late"},
		{"done before now regardless of now", at(time.Hour), 0, ClockMet, "done in 1 h 0 min, within 24 hours"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := StatutoryClock(&due, tc.done, found.Add(tc.now))
			if c.State != tc.state {
				t.Errorf("state %s, want %s", c.State, tc.state)
			}
			if got := c.Text(); got != tc.text {
				t.Errorf("text %q, want %q", got, tc.text)
			}
			if !c.Due.Equal(due) {
				t.Errorf("due %v, want %v", c.Due, due)
			}
		})
	}
}

func TestEpisodeClocksAndOverdue(t *testing.T) {
	found := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	e := &MissingEpisode{LastSeenAt: found, FromCare: &FromCare{FoundMissingAt: found}}
	if e.LawEnforcementClock(found).State != ClockOnTime || e.Overdue(found.Add(24*time.Hour)) {
		t.Error("an episode is overdue at exactly 24 hours")
	}
	if !e.Overdue(found.Add(30 * time.Hour)) {
		t.Error("an episode with nobody told is not overdue after 30 hours")
	}
	told := found.Add(2 * time.Hour)
	e.FromCare.LawEnforcementToldAt = &told
	if !e.Overdue(found.Add(30 * time.Hour)) {
		t.Error("an episode with the clearinghouse not told is not overdue")
	}
	e.FromCare.ClearinghouseToldAt = &told
	if e.Overdue(found.Add(30 * time.Hour)) {
		t.Error("an episode with both told in time is overdue")
	}
	e.FromCare.ClearinghouseToldAt = nil
	e.Recovery = &Recovery{RecoveredAt: found.Add(5 * time.Hour), RecordedAt: found.Add(6 * time.Hour), Screening: ScreeningPositive}
	if e.Overdue(found.Add(30 * time.Hour)) {
		t.Error("a child back before the notifications fell due still owes them")
	}
	c := e.TraffickingClock(found.Add(6 * time.Hour))
	if c == nil || c.State != ClockOnTime || !c.Due.Equal(found.Add(30*time.Hour)) {
		t.Errorf("trafficking clock after a positive screening: %+v", c)
	}
	e.Recovery.Screening = ScreeningNegative
	if e.TraffickingClock(found) != nil {
		t.Error("a negative screening has a trafficking clock")
	}
	if (&MissingEpisode{LastSeenAt: found}).LawEnforcementClock(found) != nil {
		t.Error("an episode not from care has a statutory clock")
	}
}

func TestNCIC(t *testing.T) {
	for in, want := range map[string]bool{
		"M123456789": true, "m-123-456-789": true, " M 123 456 789 ": true,
		"M12345678": false, "M1234567890": false, "X123456789": false, "MA23456789": false, "123456789": false, "": false,
	} {
		if got := ValidNCIC(NormalizeNCIC(in)); got != want {
			t.Errorf("ValidNCIC(NormalizeNCIC(%q)) = %v, want %v", in, got, want)
		}
	}
	l := LawEnforcementReport{NCIC: "m123-456-789"}
	if err := l.Validate(); err != nil || l.NCIC != "M123456789" {
		t.Errorf("Validate: %v, NCIC %q", err, l.NCIC)
	}
	l = LawEnforcementReport{NCIC: "M12345"}
	if err := l.Validate(); ErrorField(err) != "ncic" {
		t.Errorf("a short NCIC number: %v", err)
	}
}

// FuzzNCIC checks that normalising and validating never panic, that a valid
// number is "M" and nine digits, and that normalising is idempotent.
func FuzzNCIC(f *testing.F) {
	for _, s := range []string{"M123456789", "m-123 456 789", "", "M", "ñ123456789", "M12345678\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := NormalizeNCIC(s)
		if NormalizeNCIC(n) != n {
			t.Fatalf("normalising %q twice gives %q then %q", s, n, NormalizeNCIC(n))
		}
		if ValidNCIC(n) && (len(n) != 10 || n[0] != 'M') {
			t.Fatalf("%q accepted", n)
		}
	})
}

// TestEpisodeScopeAgreesWithCan walks every role × action × relation for
// the episode rules: the list's WHERE clause selects exactly what opening allows.
func TestEpisodeScopeAgreesWithCan(t *testing.T) {
	for _, role := range Roles {
		a := actorFor(role)
		for _, act := range []Action{ActionCreate, ActionView, ActionUpdate} {
			scope := ScopeFor(a, act, KindEpisode)
			for _, rel := range relations {
				res := rel.res(a)
				res.Kind = KindEpisode
				if got, want := scope.Match(res), Can(a, act, res); got != want {
					t.Errorf("%s %s episode (%s): scope says %v, Can says %v", role, act, rel.name, got, want)
				}
			}
		}
	}
	//                     own-agency-in  own-agency-out  other  created  assigned  unassigned
	want := map[Role]string{
		RoleAnalyst: "++++++", RoleSupervisor: "++++++", RoleHotline: "---+--", RoleOfficer: "+--+--",
		RoleChildWelfare: "+--+--", RoleFosterParent: "---+--", RoleAdmin: "------", RoleRecovery: "------",
	}
	for role, row := range want {
		a := actorFor(role)
		got := ""
		for _, rel := range relations[:6] {
			res := rel.res(a)
			res.Kind = KindEpisode
			if Can(a, ActionView, res) {
				got += "+"
			} else {
				got += "-"
			}
		}
		if got != row {
			t.Errorf("%s viewing episodes: got %s, want %s", role, got, row)
		}
	}
}
