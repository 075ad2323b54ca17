package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// fullReport returns a report with every field set, and more people and
// identifiers than fit in one multi-row INSERT.
func fullReport(ref string, createdBy, agencyID, assignedTo int64) *haven.Report {
	r := &haven.Report{
		Ref:              ref,
		Channel:          haven.ChannelMissingChild,
		IncidentType:     haven.IncidentMissingChild,
		MissingType:      haven.MissingEndangeredRunaway,
		MissingFromCare:  true,
		ReceivedAt:       at(14, 3, 7, 123456),
		IncidentAt:       ptr(at(2, 0, 0, 1)),
		IncidentTimeText: "last night, after 2am",
		Narrative:        "Foster mother reports M. (15) left the group home; seen getting into a grey sedan.\nMessages mention 'dates'.",
		Places: []haven.Place{
			{Role: haven.PlaceLastSeen, Name: "Sunrise group home", Address: "1 Main St", City: "Reno", County: "Washoe", State: "NV", ZIP: "89501", Lat: ptr(39.5296), Lon: ptr(-119.8138)},
			{Role: haven.PlaceEstimated, City: "Sacramento", State: "CA"},
			{Role: haven.PlaceOther, Name: "Hotel abroad", Country: "MX"},
		},
		State: "NV",
		Reporter: haven.Contact{Anonymous: false, Name: "Rosa Díaz", Phone: "+17755550123", Email: "rosa@example.org",
			Organization: "Sunrise Homes", Relationship: "parent_guardian", Language: "es"},
		Indicators: []string{"runaway_history", "older_boyfriend", "online_ads"},
		Priority:   haven.P2,
		Status:     haven.ReportInReview,
		AgencyID:   agencyID,
		CreatedBy:  createdBy,
		AssignedTo: assignedTo,
	}
	for i := 0; i < 11; i++ {
		p := haven.PersonMention{Role: haven.PersonOther, FirstName: fmt.Sprintf("Person%d", i), Description: "tall"}
		switch i {
		case 0:
			p = haven.PersonMention{Role: haven.PersonChild, FirstName: "Maya", LastName: "R.", Nickname: "Mimi",
				DateOfBirth: ptr(time.Date(2011, 2, 3, 0, 0, 0, 0, time.UTC)), Sex: haven.SexFemale,
				Description: "5'3\", braids", City: "Reno", State: "NV"}
		case 1:
			p = haven.PersonMention{Role: haven.PersonSuspect, Nickname: "Dre", Age: ptr(24), Sex: haven.SexMale}
		case 2:
			p.Age = ptr(0)
		}
		r.People = append(r.People, p)
	}
	for i := 0; i < 19; i++ {
		r.Identifiers = append(r.Identifiers, haven.Identifier{
			Kind: haven.IDPhone, Value: fmt.Sprintf("+1775555%04d", i), Raw: fmt.Sprintf("(775) 555-%04d", i), Source: "narrative",
		})
	}
	r.Identifiers[3] = haven.Identifier{Kind: haven.IDHandle, Value: "dre_vip", Platform: "instagram", Raw: "@Dre_VIP", Source: "people.handle"}
	return r
}

var reportTests = []test{
	{"a report round-trips with its places, people and identifiers", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		a := mustAgency(t, s, "Washoe County Sheriff", "NV")
		u := mustUser(t, s, "hotline1", haven.RoleHotline, 0)
		an := mustUser(t, s, "analyst1", haven.RoleAnalyst, 0)
		r := fullReport("HV-AAAA-0001", u.ID, a.ID, an.ID)
		update(t, s, func(tx haven.Tx) error { return tx.CreateReport(ctx, r) })

		if r.ID == 0 || r.CreatedAt.IsZero() || !r.UpdatedAt.Equal(r.CreatedAt) {
			t.Fatalf("CreateReport set ID %d, CreatedAt %v, UpdatedAt %v", r.ID, r.CreatedAt, r.UpdatedAt)
		}
		seen := map[int64]bool{}
		for _, p := range r.People {
			if p.ID == 0 || seen[p.ID] || p.ReportID != r.ID {
				t.Errorf("person %+v: want a fresh ID and ReportID %d", p, r.ID)
			}
			seen[p.ID] = true
		}
		seen = map[int64]bool{}
		for _, id := range r.Identifiers {
			if id.ID == 0 || seen[id.ID] || id.ReportID != r.ID {
				t.Errorf("identifier %+v: want a fresh ID and ReportID %d", id, r.ID)
			}
			seen[id.ID] = true
		}
		view(t, s, func(tx haven.Tx) error {
			is(t, "ReportByID", r)(tx.ReportByID(ctx, r.ID))
			is(t, "ReportByRef", r)(tx.ReportByRef(ctx, "HV-AAAA-0001"))
			return nil
		})
	}},

	{"a bare report from the public keeps its zero fields", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		r := newReport("HV-BARE-0001", at(1, 2, 3, 0))
		r.Channel, r.Reporter.Anonymous = haven.ChannelPublicTip, true
		mustReport(t, s, r)
		view(t, s, func(tx haven.Tx) error {
			// Nil lists, a nil time and zero ids come back as they went in.
			is(t, "ReportByID", r)(tx.ReportByID(ctx, r.ID))
			return nil
		})
	}},

	{"times round-trip in UTC to the microsecond", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		zone := time.FixedZone("PDT", -7*3600)
		received := time.Date(2026, 5, 6, 7, 8, 9, 987654321, zone)
		r := newReport("HV-TIME-0001", received)
		r.IncidentAt = ptr(time.Date(2026, 5, 5, 23, 59, 59, 1999, zone))
		update(t, s, func(tx haven.Tx) error { return tx.CreateReport(ctx, r) })
		view(t, s, func(tx haven.Tx) error {
			got, err := tx.ReportByID(ctx, r.ID)
			if err != nil {
				return err
			}
			if want := received.Truncate(time.Microsecond); !got.ReceivedAt.Equal(want) || got.ReceivedAt.Location() != time.UTC {
				t.Errorf("ReceivedAt = %v, want %v in UTC", got.ReceivedAt, want)
			}
			if want := r.IncidentAt.Truncate(time.Microsecond); got.IncidentAt == nil || !got.IncidentAt.Equal(want) || got.IncidentAt.Location() != time.UTC {
				t.Errorf("IncidentAt = %v, want %v in UTC", got.IncidentAt, want)
			}
			if got.CreatedAt.Location() != time.UTC || got.CreatedAt.Nanosecond()%1000 != 0 {
				t.Errorf("CreatedAt = %v, want UTC microseconds", got.CreatedAt)
			}
			return nil
		})
	}},

	{"a report without a received time gets the transaction's time", func(t *testing.T, s haven.Store) {
		r := newReport("HV-NOW-0001", time.Time{})
		before := time.Now().Add(-time.Second)
		mustReport(t, s, r)
		if r.ReceivedAt.Before(before) || !r.ReceivedAt.Equal(r.CreatedAt) {
			t.Errorf("ReceivedAt = %v, CreatedAt = %v", r.ReceivedAt, r.CreatedAt)
		}
	}},

	{"a report ref already used is a conflict", func(t *testing.T, s haven.Store) {
		mustReport(t, s, newReport("HV-DUP-0001", at(1, 0, 0, 0)))
		err := updateErr(s, func(tx haven.Tx) error {
			return tx.CreateReport(context.Background(), newReport("HV-DUP-0001", at(2, 0, 0, 0)))
		})
		wantCode(t, "CreateReport", err, haven.ECONFLICT)
	}},

	{"a report referring to a missing agency or user is invalid", func(t *testing.T, s haven.Store) {
		r := newReport("HV-FK-0001", at(1, 0, 0, 0))
		r.AgencyID = 999
		err := updateErr(s, func(tx haven.Tx) error { return tx.CreateReport(context.Background(), r) })
		wantCode(t, "CreateReport with a missing agency", err, haven.EINVALID)
		r = newReport("HV-FK-0002", at(1, 0, 0, 0))
		r.AssignedTo = 999
		err = updateErr(s, func(tx haven.Tx) error { return tx.CreateReport(context.Background(), r) })
		wantCode(t, "CreateReport with a missing assignee", err, haven.EINVALID)
	}},

	{"a missing report is not found", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		_, err := viewAndGet(s, func(tx haven.Tx) (any, error) { return tx.ReportByID(ctx, 12345) })
		wantCode(t, "ReportByID", err, haven.ENOTFOUND)
		_, err = viewAndGet(s, func(tx haven.Tx) (any, error) { return tx.ReportByRef(ctx, "HV-NONE-0000") })
		wantCode(t, "ReportByRef", err, haven.ENOTFOUND)
	}},

	{"ListReports filters, orders newest first and pages", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		an := mustUser(t, s, "analyst", haven.RoleAnalyst, 0)
		mk := func(ref string, received time.Time, edit func(r *haven.Report)) *haven.Report {
			r := newReport(ref, received)
			edit(r)
			return r
		}
		// Sub-second differences check that stored times sort as times.
		rs := []*haven.Report{
			mk("R1", at(12, 0, 0, 0), func(r *haven.Report) { r.Priority, r.State = haven.P1, "CA" }),
			mk("R2", at(12, 0, 0, 500000), func(r *haven.Report) { r.Channel, r.State = haven.ChannelESP, "NV" }),
			mk("R3", at(12, 0, 0, 250000), func(r *haven.Report) { r.Status, r.AssignedTo = haven.ReportClosed, an.ID }),
			mk("R4", at(12, 0, 0, 250001), func(r *haven.Report) {
				r.IncidentType, r.MissingType = haven.IncidentMissingChild, haven.MissingFamilyAbduction
			}),
			mk("R5", at(11, 59, 59, 999999), func(r *haven.Report) { r.Priority, r.AssignedTo = haven.P1, an.ID }),
			mk("R6", at(13, 0, 0, 0), func(r *haven.Report) { r.Channel, r.Priority = haven.ChannelESP, haven.P4 }),
		}
		update(t, s, func(tx haven.Tx) error {
			for _, r := range rs {
				if err := tx.CreateReport(ctx, r); err != nil {
					return err
				}
			}
			return nil
		})
		all := haven.Scope{All: true}
		cases := []listCase[haven.ReportFilter, string]{
			{"all, newest first", haven.ReportFilter{Scope: all}, []string{"R6", "R2", "R4", "R3", "R1", "R5"}},
			{"channel", haven.ReportFilter{Scope: all, Channel: haven.ChannelESP}, []string{"R6", "R2"}},
			{"incident type", haven.ReportFilter{Scope: all, IncidentType: haven.IncidentMissingChild}, []string{"R4"}},
			{"priority", haven.ReportFilter{Scope: all, Priority: haven.P1}, []string{"R1", "R5"}},
			{"status", haven.ReportFilter{Scope: all, Status: haven.ReportClosed}, []string{"R3"}},
			{"state", haven.ReportFilter{Scope: all, State: "NV"}, []string{"R2"}},
			{"assigned to", haven.ReportFilter{Scope: all, AssignedTo: an.ID}, []string{"R3", "R5"}},
			{"unassigned", haven.ReportFilter{Scope: all, Unassigned: true}, []string{"R6", "R2", "R4", "R1"}},
			{"received from (inclusive)", haven.ReportFilter{Scope: all, ReceivedFrom: ptr(at(12, 0, 0, 250000))}, []string{"R6", "R2", "R4", "R3"}},
			{"received to (exclusive)", haven.ReportFilter{Scope: all, ReceivedTo: ptr(at(12, 0, 0, 250000))}, []string{"R1", "R5"}},
			{"received between", haven.ReportFilter{Scope: all, ReceivedFrom: ptr(at(12, 0, 0, 0)), ReceivedTo: ptr(at(13, 0, 0, 0))}, []string{"R2", "R4", "R3", "R1"}},
			{"filters combine", haven.ReportFilter{Scope: all, Priority: haven.P1, Unassigned: true}, []string{"R1"}},
			{"limit", haven.ReportFilter{Scope: all, Limit: 2}, []string{"R6", "R2"}},
			{"limit and offset", haven.ReportFilter{Scope: all, Limit: 2, Offset: 2}, []string{"R4", "R3"}},
			{"offset alone", haven.ReportFilter{Scope: all, Offset: 4}, []string{"R1", "R5"}},
		}
		checkLists(t, s, "ListReports", cases, haven.Tx.ListReports, haven.Tx.CountReports, func(r *haven.Report) string { return r.Ref })
		view(t, s, func(tx haven.Tx) error {
			// A listed report is the stored report without its places,
			// people and identifiers.
			got, err := tx.ListReports(ctx, haven.ReportFilter{Scope: all, State: "NV"})
			if err != nil {
				return err
			}
			same(t, "the listed report", got[0], rs[1])
			return nil
		})
	}},

	{"CountReportsBy groups by each allowed column and refuses others", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		update(t, s, func(tx haven.Tx) error {
			for i, r := range []struct {
				ch haven.Channel
				p  haven.Priority
				st string
			}{
				{haven.ChannelESP, haven.P1, "CA"}, {haven.ChannelESP, haven.P2, "CA"}, {haven.ChannelHotline, haven.P2, ""},
				{haven.ChannelPublicTip, haven.PriorityNone, "NV"}, {haven.ChannelESP, haven.P4, "CA"},
			} {
				rep := newReport(fmt.Sprintf("G%d", i), at(10, i, 0, 0))
				rep.Channel, rep.Priority, rep.State = r.ch, r.p, r.st
				if i == 4 {
					rep.Status = haven.ReportClosed
				}
				if err := tx.CreateReport(ctx, rep); err != nil {
					return err
				}
			}
			return nil
		})
		all := haven.ReportFilter{Scope: haven.Scope{All: true}}
		cases := []struct {
			column string
			f      haven.ReportFilter
			want   map[string]int
		}{
			{"channel", all, map[string]int{"esp": 3, "hotline": 1, "public_tip": 1}},
			{"priority", all, map[string]int{"0": 1, "1": 1, "2": 2, "4": 1}},
			{"status", all, map[string]int{"new": 4, "closed": 1}},
			{"state", all, map[string]int{"CA": 3, "NV": 1, "": 1}},
			{"incident_type", all, map[string]int{"child_sex_trafficking": 5}},
			{"channel", haven.ReportFilter{Scope: haven.Scope{All: true}, Status: haven.ReportNew}, map[string]int{"esp": 2, "hotline": 1, "public_tip": 1}},
			{"channel", haven.ReportFilter{}, map[string]int{}},
		}
		view(t, s, func(tx haven.Tx) error {
			for _, c := range cases {
				got, err := tx.CountReportsBy(ctx, c.f, c.column)
				if err != nil {
					return err
				}
				same(t, "CountReportsBy "+c.column, got, c.want)
			}
			for _, bad := range []string{"narrative", "ref; DROP TABLE reports", ""} {
				_, err := tx.CountReportsBy(ctx, all, bad)
				wantCode(t, "CountReportsBy "+bad, err, haven.EINVALID)
			}
			return nil
		})
	}},
}
