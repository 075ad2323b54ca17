package people

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// plain is a blind index that keeps its input, for tests.
type plain struct{}

func (plain) BlindIndex(b []byte) []byte { return slices.Clone(b) }

func shareKey(a, b [][]byte) bool {
	for _, x := range a {
		for _, y := range b {
			if bytes.Equal(x, y) {
				return true
			}
		}
	}
	return false
}

func TestATipNamingAMissingChildByNicknameFindsAndMatchesHer(t *testing.T) {
	dob := time.Date(2011, 4, 12, 0, 0, 0, 0, time.UTC)
	alexis := &haven.Child{ID: 7, FirstName: "Alexis", LastName: "Moreno", Nicknames: []string{"Lexi"}, DateOfBirth: &dob,
		Sex: haven.SexFemale, State: "OH"}
	sister := &haven.Child{ID: 8, FirstName: "Brianna", LastName: "Moreno", Sex: haven.SexFemale, State: "OH"}
	fifteen := 15
	tip := &haven.PersonMention{ID: 3, Role: haven.PersonChild, FirstName: "Lexi", LastName: "Moreno", Age: &fifteen,
		Sex: haven.SexFemale, State: "OH"}
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

	rec := MentionRecord(tip, at)
	if rec.Age != 15 || rec.AgeAt.Year != 2026 {
		t.Fatalf("the age is not an age on the report's date: %+v", rec)
	}
	if !shareKey(Keys(plain{}, &rec), ChildKeys(plain{})(alexis)) {
		t.Fatal("the tip and the child on file share no blocking key")
	}
	st := &Step{Index: plain{}}
	ms := st.Matches(tip, at, []*haven.Child{alexis, sister})
	if len(ms) != 1 || ms[0].ChildID != alexis.ID || ms[0].ReportPersonID != tip.ID {
		t.Fatalf("matches: %+v", ms)
	}
	var levels []string
	for _, e := range ms[0].Evidence {
		levels = append(levels, e.Field+"="+e.Level)
	}
	for _, want := range []string{"first name=other name", "last name=exact", "date of birth=age agrees"} {
		if !slices.Contains(levels, want) {
			t.Errorf("evidence lacks %q: %v", want, levels)
		}
	}
}

func TestNicknamesGivenTogetherAreEachAName(t *testing.T) {
	r := MentionRecord(&haven.PersonMention{FirstName: "Alexis", Nickname: "Lexi, Lex "}, time.Now())
	if !slices.Equal(r.OtherNames, []string{"Lexi", "Lex"}) {
		t.Errorf("other names: %q", r.OtherNames)
	}
}
