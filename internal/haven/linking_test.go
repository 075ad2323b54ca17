package haven_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/linking"
)

// phoneStub stands in for internal/linking/extract: it finds North American
// phone numbers written with separators.
var phoneStub = regexp.MustCompile(`\(?\b(\d{3})\)?[ .-]?(\d{3})[ .-](\d{4})\b`)

func findPhones(text string) []haven.Identifier {
	var out []haven.Identifier
	for _, m := range phoneStub.FindAllStringSubmatch(text, -1) {
		out = append(out, haven.Identifier{Kind: haven.IDPhone, Value: m[1] + m[2] + m[3], Raw: m[0]})
	}
	return out
}

// withLinking makes the service link every report it ingests.
func withLinking(t *testing.T, svc *haven.Service, threshold int) {
	t.Helper()
	idx, ok := svc.Secrets.(haven.BlindIndexer)
	if !ok {
		t.Fatalf("the key file (%T) has no blind index", svc.Secrets)
	}
	svc.Ingestions = []haven.Ingestion{&linking.Step{Index: idx, Extract: findPhones, Threshold: threshold}}
}

// ingest runs the report's ingest job as the job runner would.
func ingest(t *testing.T, svc *haven.Service, r *haven.Report) {
	t.Helper()
	ctx := context.Background()
	done, err := svc.IngestReport(ctx, r.ID)
	if err != nil {
		t.Fatalf("ingest report %d: %v", r.ID, err)
	}
	if err := svc.Store.Update(ctx, done); err != nil {
		t.Fatalf("record report %d ingested: %v", r.ID, err)
	}
}

// linkReport creates a report as actor a (the operator when a is zero) and
// ingests it.
func linkReport(t *testing.T, svc *haven.Service, a haven.Actor, state, narrative string, ids ...haven.Identifier) *haven.Report {
	t.Helper()
	if a.Role == "" {
		a = sys
	}
	r := &haven.Report{Channel: haven.ChannelHotline, IncidentType: haven.IncidentSexTrafficking, Narrative: narrative,
		Identifiers: ids, Status: haven.ReportNew}
	if state != "" {
		r.Places = []haven.Place{{Role: haven.PlaceIncident, City: "Springfield", State: state}}
	}
	if err := svc.CreateReport(context.Background(), a, r); err != nil {
		t.Fatalf("create report: %v", err)
	}
	ingest(t, svc, r)
	return r
}

func phone(v string) haven.Identifier {
	return haven.Identifier{Kind: haven.IDPhone, Value: v, Raw: v, Source: "reporter.online"}
}

func refsOf(rs []*haven.Report) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Ref)
	}
	return out
}

func TestReportsSharingAPhoneAreLinkedWithTheReason(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		withLinking(t, svc, 0)
		analyst, _ := addUser(t, svc, "ana", haven.RoleAnalyst, 0)
		an := haven.Actor{UserID: analyst.ID, Username: "ana", Role: haven.RoleAnalyst, Via: "web"}

		// The phone written in a narrative links to the same phone given in a form.
		a := linkReport(t, svc, an, "TX", "The ad lists (202) 555-0147 for appointments.")
		c.Advance(1)
		b := linkReport(t, svc, an, "VA", "A caller reports a girl of about 15 at a motel.", phone("+12025550147"))
		c.Advance(1)
		d := linkReport(t, svc, an, "MD", "Second ad, same number: 202.555.0147.")
		linkReport(t, svc, an, "MD", "Nothing shared here.", phone("+12025550199"))

		got, err := svc.GetReport(ctx, sys, a.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Identifiers) != 1 || got.Identifiers[0].Value != "+12025550147" || got.Identifiers[0].Source != "narrative" ||
			got.Identifiers[0].Raw != "(202) 555-0147" {
			t.Fatalf("the phone found in the narrative is not among the report's identifiers: %+v", got.Identifiers)
		}

		links, err := svc.ReportLinks(ctx, an, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(links.Links) != 1 {
			t.Fatalf("B's links: %+v", links.Links)
		}
		l := links.Links[0]
		if l.Identifier.Display() != "+1 202-555-0147" || l.Visible != 2 || l.Hidden != 0 || !l.KeyVisible ||
			strings.Join(refsOf(l.Reports), ",") != d.Ref+","+a.Ref || l.Key.ReportCount != 3 {
			t.Errorf("B's phone link: %+v (reports %v), want the phone in A and D, newest first", l, refsOf(l.Reports))
		}
		if links.Network == nil || links.Network.Size != 3 {
			t.Errorf("B's network: %+v, want 3 reports", links.Network)
		}

		// Ingesting again adds nothing.
		ingest(t, svc, a)
		if again, _ := svc.GetReport(ctx, sys, a.ID, ""); len(again.Identifiers) != 1 {
			t.Errorf("ingesting again added identifiers: %+v", again.Identifiers)
		}
		if again, _ := svc.ReportLinks(ctx, an, b.ID); again.Links[0].Key.ReportCount != 3 || again.Network.Size != 3 {
			t.Errorf("ingesting again changed the links: %+v, %+v", again.Links[0].Key, again.Network)
		}

		// The view of the links is audited.
		es, _, err := svc.ListAudit(ctx, sys, haven.AuditFilter{Action: "report.links", RecordID: b.ID})
		if err != nil || len(es) != 2 || es[0].Actor != "ana" {
			t.Errorf("audit of the links views: %+v, %v", es, err)
		}
	})
}

func TestLinksNeverTellOfReportsTheActorMayNotOpen(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		withLinking(t, svc, 0)
		ag := &haven.Agency{Name: "Travis County Sheriff", Kind: haven.AgencyLawEnforcement, Phone24x7: "202-555-0140", Level: haven.LevelLocal, State: "TX"}
		if err := svc.CreateAgency(ctx, sys, ag); err != nil {
			t.Fatal(err)
		}
		off, _ := addUser(t, svc, "officer", haven.RoleOfficer, ag.ID)
		officer := haven.Actor{UserID: off.ID, Username: "officer", Role: haven.RoleOfficer, AgencyID: ag.ID, Jurisdiction: []string{"TX"}, Via: "web"}
		ana, _ := addUser(t, svc, "ana", haven.RoleAnalyst, 0)
		analyst := haven.Actor{UserID: ana.ID, Username: "ana", Role: haven.RoleAnalyst, Via: "web"}

		mine := linkReport(t, svc, officer, "TX", "Seen with an older man.", phone("+12025550147"), phone("+12025550148"))
		other := linkReport(t, svc, officer, "TX", "Another report by the officer.", phone("+12025550147"))
		hidden := linkReport(t, svc, sys, "VA", "A report the officer may not open.", phone("+12025550147"), phone("+12025550148"))

		links, err := svc.ReportLinks(ctx, officer, mine.ID)
		if err != nil {
			t.Fatal(err)
		}
		// The 0147 phone shows the officer's other report and nothing of
		// the hidden one; the 0148 phone links only to the hidden report,
		// so it is not listed at all; the network is not theirs to open.
		if len(links.Links) != 1 || links.Links[0].Visible != 1 || links.Links[0].Hidden != 0 || links.Links[0].Reports[0].ID != other.ID ||
			links.Links[0].Key.ReportCount != 0 || links.Links[0].KeyVisible || links.Network != nil {
			t.Errorf("the officer's view of the links: %+v", links)
		}
		// An analyst, who may see the index, sees everything.
		links, err = svc.ReportLinks(ctx, analyst, mine.ID)
		if err != nil || len(links.Links) != 2 || links.Links[0].Visible != 2 || links.Links[1].Reports[0].ID != hidden.ID || links.Network == nil {
			t.Errorf("the analyst's view of the links: %+v, %v", links, err)
		}
		// The officer may not open the hidden report's links either: it
		// answers as missing, and the refusal is audited.
		if _, err := svc.ReportLinks(ctx, officer, hidden.ID); haven.ErrorCode(err) != haven.ENOTFOUND {
			t.Errorf("the officer asked for a hidden report's links: %v", err)
		}
		if _, err := svc.Network(ctx, officer, links.Network.ID); haven.ErrorCode(err) != haven.ENOTFOUND {
			t.Errorf("the officer opened a network: %v", err)
		}
		if _, err := svc.Identifier(ctx, officer, links.Links[0].Key.ID, 1); haven.ErrorCode(err) != haven.ENOTFOUND {
			t.Errorf("the officer opened an identifier: %v", err)
		}
		es, _, _ := svc.ListAudit(ctx, sys, haven.AuditFilter{Actor: "officer", Outcome: haven.OutcomeDenied})
		if len(es) != 3 {
			t.Errorf("the officer's refusals in the audit log: %d, want 3", len(es))
		}
	})
}

func TestExcludingAnIdentifierSplitsItsNetworkAndIsAudited(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		withLinking(t, svc, 0)
		ana, _ := addUser(t, svc, "ana", haven.RoleAnalyst, 0)
		analyst := haven.Actor{UserID: ana.ID, Username: "ana", Role: haven.RoleAnalyst, Via: "web"}
		hot, _ := addUser(t, svc, "hot", haven.RoleHotline, 0)
		hotline := haven.Actor{UserID: hot.ID, Username: "hot", Role: haven.RoleHotline, Via: "web"}

		// The hotline's own number appears in both reports; each also
		// shares a handle with a third.
		const hotlineNumber = "+18883737888"
		a := linkReport(t, svc, analyst, "TX", "Caller was given 888-373-7888 by a friend.",
			haven.Identifier{Kind: haven.IDHandle, Platform: "Instagram", Value: "@Star.Example", Source: "online"})
		b := linkReport(t, svc, analyst, "TX", "Called 888 373 7888 from a motel.")
		cc := linkReport(t, svc, analyst, "TX", "Profile @star.example on instagram.",
			haven.Identifier{Kind: haven.IDHandle, Platform: "instagram", Value: "star.example", Source: "online"})
		links, err := svc.ReportLinks(ctx, analyst, a.ID)
		if err != nil || links.Network == nil || links.Network.Size != 3 {
			t.Fatalf("before: %+v, %v", links, err)
		}
		var key *haven.IdentifierKey
		for _, l := range links.Links {
			if l.Identifier.Value == hotlineNumber {
				key = l.Key
			}
		}
		if key == nil {
			t.Fatalf("the hotline number does not link A: %+v", links.Links)
		}
		netID := links.Network.ID
		v, err := svc.Network(ctx, analyst, netID)
		if err != nil || len(v.Members) != 3 || len(v.Edges) != 2 || len(v.Identifiers) != 2 {
			t.Fatalf("the network before: %+v, %v", v, err)
		}

		if _, err := svc.ExcludeIdentifier(ctx, analyst, key.ID, "  "); haven.ErrorField(err) != "reason" {
			t.Errorf("excluding without a reason: %v, want an error naming the reason", err)
		}
		if _, err := svc.ExcludeIdentifier(ctx, hotline, key.ID, "ours"); haven.ErrorCode(err) != haven.EFORBIDDEN {
			t.Errorf("a hotline specialist excluded an identifier: %v", err)
		}
		if after, _ := svc.ReportLinks(ctx, analyst, a.ID); after.Network == nil || after.Network.Size != 3 {
			t.Fatalf("a refused exclusion changed the network: %+v", after.Network)
		}
		k, err := svc.ExcludeIdentifier(ctx, analyst, key.ID, "The national hotline's own number")
		if err != nil || k.State != haven.KeyExcluded || k.DecidedBy != ana.ID || k.Reason != "The national hotline's own number" {
			t.Fatalf("exclude: %+v, %v", k, err)
		}
		// A and C still share the handle; B is linked to nobody now.
		after, err := svc.ReportLinks(ctx, analyst, b.ID)
		if err != nil || after.Network != nil || len(after.Links) != 1 || after.Links[0].Key.State != haven.KeyExcluded {
			t.Errorf("B after the exclusion: %+v, %v", after, err)
		}
		after, err = svc.ReportLinks(ctx, analyst, cc.ID)
		if err != nil || after.Network == nil || after.Network.Size != 2 || after.Network.ID != netID {
			t.Errorf("C after the exclusion: %+v, %v", after.Network, err)
		}
		es, _, _ := svc.ListAudit(ctx, sys, haven.AuditFilter{Action: "identifier.exclude"})
		if len(es) != 2 || es[0].Outcome != haven.OutcomeOK || es[0].Reason != "The national hotline's own number" || es[0].RecordID != key.ID ||
			es[1].Outcome != haven.OutcomeDenied || es[1].Actor != "hot" {
			t.Errorf("the exclusion in the audit log: %+v", es)
		}
		if strings.Contains(es[0].Detail, "373") {
			t.Errorf("the audit detail carries the identifier's value: %q", es[0].Detail)
		}

		// Confirming it brings B back.
		if _, err := svc.ConfirmIdentifier(ctx, analyst, key.ID, "it was the trafficker's after all"); err != nil {
			t.Fatal(err)
		}
		if after, _ := svc.ReportLinks(ctx, analyst, b.ID); after.Network == nil || after.Network.Size != 3 {
			t.Errorf("B after the confirmation: %+v", after.Network)
		}
	})
}

func TestNoisyIdentifiersAreFlaggedForReview(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		withLinking(t, svc, 2)
		ana, _ := addUser(t, svc, "ana", haven.RoleAnalyst, 0)
		analyst := haven.Actor{UserID: ana.ID, Username: "ana", Role: haven.RoleAnalyst, Via: "web"}
		for i := 0; i < 3; i++ {
			linkReport(t, svc, analyst, "TX", "Shelter intake line 202-555-0100 was mentioned.")
		}
		list, total, err := svc.ListIdentifiers(ctx, analyst, haven.IdentifierKeyFilter{State: haven.KeyFlagged})
		if err != nil || total != 1 || len(list) != 1 || list[0].Display.Display() != "+1 202-555-0100" || list[0].Key.ReportCount != 3 {
			t.Fatalf("the review queue: %+v (%d), %v", list, total, err)
		}
		v, err := svc.Identifier(ctx, analyst, list[0].Key.ID, 1)
		if err != nil || v.Visible != 3 || len(v.Reports) != 3 || !v.CanDecide || v.Display.Value != "+12025550100" {
			t.Errorf("the flagged identifier's page: %+v, %v", v, err)
		}
		if _, _, err := svc.ListIdentifiers(ctx, analyst, haven.IdentifierKeyFilter{State: "noisy"}); haven.ErrorField(err) != "state" {
			t.Errorf("an unknown state: %v", err)
		}
		hot, _ := addUser(t, svc, "hot", haven.RoleHotline, 0)
		if _, _, err := svc.ListIdentifiers(ctx, haven.Actor{UserID: hot.ID, Username: "hot", Role: haven.RoleHotline}, haven.IdentifierKeyFilter{}); haven.ErrorCode(err) != haven.EFORBIDDEN {
			t.Errorf("a hotline specialist listed the index: %v", err)
		}
	})
}
