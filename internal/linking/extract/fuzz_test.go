package extract

import (
	"testing"
	"unicode/utf8"
)

// FuzzExtract: Text never panics; every identifier lies inside the input
// with Raw equal to the input at its offsets; values are valid UTF-8; and
// Normalize leaves Text's output as it is.
func FuzzExtract(f *testing.F) {
	for _, c := range readCorpus(f, "testdata/corpus.tsv") {
		f.Add(c.text)
	}
	f.Add("2⃣0⃣2⃣ five55 0l47 (at) example dot com $x @y u/zz plate VA A-1 ::ffff:1.2.3.4")
	f.Fuzz(func(t *testing.T, s string) {
		for _, x := range Text(s) {
			if x.Start < 0 || x.End > len(s) || x.Start >= x.End {
				t.Fatalf("%+v: offsets outside the input (%d bytes)", x, len(s))
			}
			if x.Raw != s[x.Start:x.End] {
				t.Fatalf("%+v: Raw is not s[%d:%d] = %q", x, x.Start, x.End, s[x.Start:x.End])
			}
			if x.Value == "" || !utf8.ValidString(x.Value) || !utf8.ValidString(x.Platform) {
				t.Fatalf("%+v: empty or invalid UTF-8 value", x)
			}
			if id := x.Identifier("narrative"); id.Validate() != nil {
				t.Fatalf("%+v: %v", x, id.Validate())
			}
			p, v, err := Normalize(x.Kind, x.Platform, x.Value)
			if err != nil || p != x.Platform || v != x.Value {
				t.Fatalf("Normalize(%s, %q, %q) = %q, %q, %v: not idempotent on Text's output", x.Kind, x.Platform, x.Value, p, v, err)
			}
		}
	})
}
