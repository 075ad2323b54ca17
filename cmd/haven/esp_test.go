package main

import (
	"regexp"
	"strings"
	"testing"
)

func TestEspAddPrintsAGeneratedPasswordOnceAndDisableShowsInTheList(t *testing.T) {
	ev := dataEnv(t)
	r := runHaven(t, ev, "", "esp", "add", "examplechat")
	if r.code != nil {
		t.Fatalf("esp add: %v\n%s", r.code, r.err)
	}
	m := regexp.MustCompile(`(?m)^username: examplechat\npassword: ([a-z2-7]{32})$`).FindStringSubmatch(r.out)
	if m == nil {
		t.Fatalf("esp add printed no username and password:\n%s", r.out)
	}
	if dup := runHaven(t, ev, "", "esp", "add", "examplechat"); dup.code == nil || !strings.Contains(describe(dup.code), "exists already") {
		t.Fatalf("duplicate esp add: %v", dup.code)
	}
	if d := runHaven(t, ev, "", "esp", "disable", "examplechat"); d.code != nil {
		t.Fatalf("esp disable: %v", d.code)
	}
	list := runHaven(t, ev, "", "esp", "list")
	if list.code != nil || !strings.Contains(list.out, "examplechat") || !strings.Contains(list.out, "disabled") || strings.Contains(list.out, m[1]) {
		t.Fatalf("esp list:\n%s %v", list.out, list.code)
	}
}
