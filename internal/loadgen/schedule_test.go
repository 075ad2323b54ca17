package loadgen

import (
	"strings"
	"testing"
	"time"
)

func TestTheScheduleIsAConstantRateWhateverHappens(t *testing.T) {
	start := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	s := schedule{start: start, rate: 40, espShare: 0.8, fileShare: 0.25}
	for i, want := range map[int]time.Duration{0: 0, 1: 25 * time.Millisecond, 40: time.Second, 2400: time.Minute} {
		if got := s.at(i).Sub(start); got != want {
			t.Errorf("request %d due at +%v, want +%v", i, got, want)
		}
	}
	for _, c := range []struct {
		rate float64
		d    time.Duration
		want int
	}{{40, time.Minute, 2400}, {40, 10 * time.Second, 400}, {3, time.Second, 3}, {0.5, 3 * time.Second, 2}, {7, 1500 * time.Millisecond, 11}} {
		s := schedule{start: start, rate: c.rate}
		if got := s.count(c.d); got != c.want {
			t.Errorf("%g/s for %v: %d requests due, want %d", c.rate, c.d, got, c.want)
		}
	}
}

func TestTheMixIsSpreadEvenlyAndNumbersEachKind(t *testing.T) {
	s := schedule{rate: 10, espShare: 0.8, fileShare: 0.25}
	esp, tips, files := 0, 0, 0
	for i := 0; i < 1000; i++ {
		j := s.job(i)
		if j.esp {
			if j.n != esp {
				t.Fatalf("request %d is ESP report number %d, want %d", i, j.n, esp)
			}
			esp++
			if j.file {
				files++
			}
		} else {
			if j.n != tips {
				t.Fatalf("request %d is tip number %d, want %d", i, j.n, tips)
			}
			tips++
		}
		// Any prefix holds the share within one request.
		if n := i + 1; esp < n*8/10-1 || esp > n*8/10+1 {
			t.Fatalf("after %d requests, %d ESP reports", n, esp)
		}
	}
	if esp != 800 || tips != 200 || files != 200 {
		t.Errorf("1000 requests: %d ESP reports (%d with a file), %d tips; want 800 (200), 200", esp, files, tips)
	}
	for _, share := range []float64{0, 1} {
		s := schedule{rate: 1, espShare: share, fileShare: share}
		for i := 0; i < 10; i++ {
			if j := s.job(i); j.esp != (share == 1) || j.n != i || j.file != (share == 1) {
				t.Errorf("share %g: request %d is %+v", share, i, j)
			}
		}
	}
}

func TestSyntheticContentIsFictional(t *testing.T) {
	doc := string(espReport("r1", 123, time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)))
	for _, want := range []string{"202-555-0123", "user123@example.com", "<espIdentifier>load-r1-123</espIdentifier>", "2026-11-20T10:00:00Z", "synthetic"} {
		if !contains(doc, want) {
			t.Errorf("report lacks %q:\n%s", want, doc)
		}
	}
	name, data := espFile(2)
	if name != "square-2.png" || string(data[1:4]) != "PNG" {
		t.Errorf("file 2: %s %q", name, data[:8])
	}
	if name, data := espFile(3); name != "note-3.txt" || !contains(string(data), "synthetic") {
		t.Errorf("file 3: %s %q", name, data)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
