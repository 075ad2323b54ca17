package haven_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

func TestOnlineDetailsGetABestEffortKind(t *testing.T) {
	for line, want := range map[string]string{
		"https://ads.example.com/listing/9": "url||https://ads.example.com/listing/9",
		"www.example.com/ad":                "url||www.example.com/ad",
		"Instagram: @star.example":          "handle|Instagram|@star.example",
		"@nightowl":                         "handle||@nightowl",
		"$starpay":                          "payment|Cash App|$starpay",
		"venmo: jamie-pay":                  "payment|Venmo|jamie-pay",
		"(202) 555-0147":                    "phone||+12025550147",
		"WhatsApp: +52 55 5555 0101":        "phone|WhatsApp|+525555550101",
		"Friend@Example.com":                "email||friend@example.com",
	} {
		id := haven.ClassifyOnlineDetail(line)
		if got := string(id.Kind) + "|" + id.Platform + "|" + id.Value; got != want {
			t.Errorf("%q → %s, want %s", line, got, want)
		}
		if id.Raw != line {
			t.Errorf("%q: raw %q", line, id.Raw)
		}
	}
}

func TestFollowUpCodesAreRandomAndReadAsTyped(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		c := haven.NewFollowUpCode()
		if len(c) != 19 || strings.Count(c, "-") != 3 || seen[c] {
			t.Fatalf("code %q (seen before: %v)", c, seen[c])
		}
		seen[c] = true
		if n := haven.NormalizeFollowUpCode(strings.ToLower(strings.ReplaceAll(c, "-", " "))); n != strings.ReplaceAll(c, "-", "") {
			t.Errorf("%q typed in lower case with spaces reads as %q", c, n)
		}
	}
	if got := haven.NormalizeFollowUpCode("o1il-0000-0000-0000"); got != "0111000000000000" {
		t.Errorf("O, I and L read as %q", got)
	}
	for _, bad := range []string{"", "ABC", "UUUU-0000-0000-0000", "0000-0000-0000-00000"} {
		if got := haven.NormalizeFollowUpCode(bad); got != "" {
			t.Errorf("%q reads as %q", bad, got)
		}
	}
	for typed, want := range map[string]string{
		" hv-7k3q-9d2m ": "HV-7K3Q-9D2M", "7K3Q9D2M": "HV-7K3Q-9D2M", "hv 7k3q 9d2m": "HV-7K3Q-9D2M",
		// A reference whose own characters begin with HV (about one in
		// a thousand) reads as itself, with or without the prefix.
		"HV-HVK3-9D2M": "HV-HVK3-9D2M", "hvk39d2m": "HV-HVK3-9D2M", "HVHVK39D2M": "HV-HVK3-9D2M",
		"HV-7K3Q-9D2": "", "HV-7K3Q-9D2MX": "",
	} {
		if got := haven.NormalizeRef(typed); got != want {
			t.Errorf("reference %q reads as %q, want %q", typed, got, want)
		}
	}
}

func TestOnlyThePublicUsesTheTipForm(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		addUser(t, svc, "hana.hotline", haven.RoleHotline, 0)
		staff := haven.Actor{UserID: 1, Username: "hana.hotline", Role: haven.RoleHotline, Via: "web"}
		_, err := svc.SubmitTip(ctx, staff, haven.TipInput{Narrative: "x"})
		if haven.ErrorCode(err) != haven.EFORBIDDEN {
			t.Errorf("staff submitting a public tip: %v", err)
		}
		rc, err := svc.SubmitTip(ctx, haven.PublicActor("192.0.2.1"), haven.TipInput{Narrative: "A synthetic tip.", Language: "es",
			Contact: haven.Contact{Anonymous: true, Name: "dropped"}})
		if err != nil {
			t.Fatal(err)
		}
		// Supplements need the right code; five wrong ones pause the reference for an hour.
		add := func(code string) error {
			return svc.AddSupplement(ctx, haven.PublicActor("192.0.2.1"), haven.SupplementInput{Ref: rc.Ref, Code: code, Text: "more"})
		}
		for i := 0; i < haven.FollowUpMaxFailures; i++ {
			if err := add("0000-0000-0000-0000"); !haven.ErrFollowUpRefused(err) {
				t.Fatalf("wrong code %d: %v", i+1, err)
			}
		}
		if err := add(rc.Code); !haven.ErrFollowUpRefused(err) {
			t.Errorf("right code while paused: %v", err)
		}
		c.Advance(haven.FollowUpLockout + time.Minute)
		if err := add(rc.Code); err != nil {
			t.Errorf("right code after the pause: %v", err)
		}
		if err := svc.AddSupplement(ctx, staff, haven.SupplementInput{Ref: rc.Ref, Code: rc.Code, Text: "x"}); haven.ErrorCode(err) != haven.EFORBIDDEN {
			t.Errorf("staff adding a supplement: %v", err)
		}
		var r *haven.Report
		var sups []*haven.Supplement
		_ = svc.Store.View(ctx, func(tx haven.Tx) (err error) {
			if r, err = tx.ReportByRef(ctx, rc.Ref); err != nil {
				return err
			}
			sups, err = tx.ListSupplements(ctx, r.ID)
			return err
		})
		if r.Channel != haven.ChannelPublicTip || !r.Reporter.Anonymous || r.Reporter.Name != "" || r.Reporter.Language != "es" || len(sups) != 1 {
			t.Errorf("report %+v, %d supplements", r, len(sups))
		}
	})
}
