package extract

import (
	"errors"
	"slices"
	"testing"

	"github.com/haven-oss/haven/internal/haven"
)

// The same identifier typed into a form field and written in prose must
// normalise to the same Kind, Platform and Value, or the reports would not
// link.
func TestNormalizeMatchesText(t *testing.T) {
	cases := []struct {
		kind            haven.IdentifierKind
		platform, field string
		prose           string
	}{
		{haven.IDPhone, "", "(202) 555-0147", "text Mia at two oh two, five five five, oh one four seven"},
		{haven.IDPhone, "mobile", "+1 202.555.0147", "call 2O2-555-Ol47"},
		{haven.IDPhone, "", "+44 20 7946 0958", "her aunt's number is +44 (0)20 7946 0958"},
		{haven.IDEmail, "", "Mia.Example@Example.com", "write to mia.example at example dot com"},
		{haven.IDEmail, "", "mailto:mia.example@example.com", "mia.example(at)example(dot)com"},
		{haven.IDURL, "", "http://www.Example.com/ads/55/?utm_source=feed", "the ad at example.com/ads/55 again"},
		{haven.IDHandle, "Instagram", "@Mia.Example", "IG: @mia.example"},
		{haven.IDHandle, "IG", "https://www.instagram.com/mia.example/", "insta mia.example"},
		{haven.IDHandle, "Twitter", "DeeExample", "x.com/DeeExample"},
		{haven.IDPayment, "Cash App", "$ExampleCash99", "he paid through $ExampleCash99"},
		{haven.IDPayment, "Venmo", "@Kay-Example-7", "venmo @Kay-Example-7"},
		{haven.IDPayment, "Zelle", "202-555-0171", "send it by Zelle to 202.555.0171"},
		{haven.IDPayment, "zelle", "Pay.Example@example.com", "zelle: pay.example@example.com"},
		{haven.IDIP, "", "2001:DB8:0:0:0:0:0:1", "from 2001:db8::1 twice"},
		{haven.IDIP, "", "[203.0.113.9]:8080", "login 203.0.113.9"},
		{haven.IDDevice, "IMEI", "49-015420-323751-8", "IMEI 490154203237518"},
		{haven.IDDevice, "IDFA", "6F1C2A9E-3B4D-4E5F-8A7B-0C1D2E3F4A5B", "IDFA 6f1c2a9e-3b4d-4e5f-8a7b-0c1d2e3f4a5b"},
		{haven.IDPlate, "Virginia", "abc 1234", "a grey sedan, VA plate ABC-1234"},
		{haven.IDFileHash, "SHA-256", "48D93C8D86FEEB82B1CD63869CBE27BF3570F855CC691BAC0B506687DBAF6751", "sha256 48d93c8d86feeb82b1cd63869cbe27bf3570f855cc691bac0b506687dbaf6751"},
	}
	for _, c := range cases {
		p, v, err := Normalize(c.kind, c.platform, c.field)
		if err != nil {
			t.Errorf("Normalize(%s, %q, %q): %v", c.kind, c.platform, c.field, err)
			continue
		}
		want := string(c.kind) + ":" + p + ":" + v
		if got := labelsOf(Text(c.prose)); !slices.Contains(got, want) {
			t.Errorf("field %q normalises to %s, but %q gives %v", c.field, want, c.prose, got)
		}
	}
}

func TestNormalizeRejects(t *testing.T) {
	cases := []struct {
		kind            haven.IdentifierKind
		platform, value string
		field           string
	}{
		{haven.IDPhone, "", "555-0147", "identifiers.value"}, // no area code
		{haven.IDPhone, "", "call me", "identifiers.value"},  // no number
		{haven.IDEmail, "", "mia@localhost", "identifiers.value"},
		{haven.IDEmail, "", "not an address", "identifiers.value"},
		{haven.IDURL, "", "mailto:", "identifiers.value"},
		{haven.IDIP, "", "999.1.2.3", "identifiers.value"},
		{haven.IDDevice, "imei", "490154203237519", "identifiers.value"}, // wrong check digit
		{haven.IDDevice, "idfa", "not-a-uuid", "identifiers.value"},
		{haven.IDFileHash, "md5", "abc123", "identifiers.value"},
		{haven.IDFileHash, "", "abc123", "identifiers.platform"},
		{haven.IDHandle, "instagram", "mia example!", "identifiers.value"},
		{haven.IDHandle, "instagram", "  ", "identifiers.value"},
		{"nickname", "", "Mia", "identifiers.kind"},
	}
	for _, c := range cases {
		_, _, err := Normalize(c.kind, c.platform, c.value)
		var e *haven.Error
		if !errors.As(err, &e) || e.Code != haven.EINVALID || e.Field != c.field {
			t.Errorf("Normalize(%s, %q, %q) = %v; want an invalid-input error naming %s", c.kind, c.platform, c.value, err, c.field)
		}
	}
}

func TestTextOffsets(t *testing.T) {
	s := "Tip: ad at https://example.com/ads/5521 lists 2O2-555-Ol47 and $CityExample; IG: @mia.example, VA plate ABC-1234 — 203.0.113.9"
	found := Text(s)
	if len(found) < 6 {
		t.Fatalf("found %d identifiers in %q: %+v", len(found), s, found)
	}
	want := map[string]string{
		"url:https://example.com/ads/5521": "https://example.com/ads/5521",
		"phone:+12025550147":               "2O2-555-Ol47",
		"payment:cityexample":              "$CityExample",
		"handle:mia.example":               "@mia.example",
		"plate:ABC1234":                    "ABC-1234",
		"ip:203.0.113.9":                   "203.0.113.9",
	}
	for _, f := range found {
		if f.Raw != s[f.Start:f.End] {
			t.Errorf("%+v: Raw is not the input at its offsets", f)
		}
		if raw, ok := want[string(f.Kind)+":"+f.Value]; ok && raw != f.Raw {
			t.Errorf("%s %s: Raw %q, want %q", f.Kind, f.Value, f.Raw, raw)
		}
		if i := f.Identifier("narrative"); (&i).Validate() != nil || i.Source != "narrative" || i.Raw != f.Raw {
			t.Errorf("%+v: Identifier() = %+v", f, i)
		}
	}
	for i := 1; i < len(found); i++ {
		if found[i].Start < found[i-1].Start {
			t.Errorf("not in order of Start: %+v", found)
		}
	}
}

// Written forms that the corpus does not cover.
func TestTextForms(t *testing.T) {
	cases := map[string][]string{
		"gigi [ at ] example [ . ] com":                                           {"email::gigi@example.com"},
		"gigi <at> example <dot> org":                                             {"email::gigi@example.org"},
		"three one two triple five zero one one one":                              {"phone::+13125550111"},
		"sha256:3ea2dc786dc5d653a8695c26fe229b46cbd3e713fe9eff42b9a830c70e4526bb": {"file_hash:sha256:3ea2dc786dc5d653a8695c26fe229b46cbd3e713fe9eff42b9a830c70e4526bb"},
		"kik.me/lola_example":                                                     {"url::https://kik.me/lola_example", "handle:kik:lola_example"},
		"discord: luna_example#4411":                                              {"handle:discord:luna_example#4411"},
		"http://[2001:db8::5]:80/x":                                               {"url::https://[2001:db8::5]/x", "ip::2001:db8::5"},
		"127.0.0.1 and 0.0.0.0 are not linked":                                    nil,
	}
	for s, want := range cases {
		got := labelsOf(Text(s))
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("Text(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestTextFormsMore(t *testing.T) {
	cases := map[string][]string{
		"email me @ mia.example@example.com":            {"email::mia.example@example.com"},
		"he drives a black Altima, partial plate 7KX":   nil,
		"ask him at sam.example at example.net tonight": {"email::sam.example@example.net"},
	}
	for s, want := range cases {
		if got := labelsOf(Text(s)); !slices.Equal(got, want) {
			t.Errorf("Text(%q) = %v, want %v", s, got, want)
		}
	}
}
