package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

func init() { register(hotlineTests) }

var hotlineTests = []test{
	{"calls round-trip with their details, update, and list within scope", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		sam := mustUser(t, s, "sam.hotline", haven.RoleHotline, 0)
		kim := mustUser(t, s, "kim.hotline", haven.RoleHotline, 0)
		r := mustReport(t, s, newReport("HV-CALL-0001", at(9, 0, 0, 0)))
		c1 := &haven.Call{SpecialistID: sam.ID, StartedAt: at(9, 0, 0, 7), Language: "en"}
		c2 := &haven.Call{SpecialistID: kim.ID, StartedAt: at(9, 5, 0, 0), Language: "es", CallerType: "survivor"}
		c3 := &haven.Call{SpecialistID: sam.ID, StartedAt: at(9, 10, 0, 0), Language: "en"}
		update(t, s, func(tx haven.Tx) error {
			for _, c := range []*haven.Call{c1, c2, c3} {
				if err := tx.CreateCall(ctx, c); err != nil {
					return err
				}
			}
			return nil
		})
		view(t, s, func(tx haven.Tx) error {
			is(t, "new call", c1)(tx.CallByID(ctx, c1.ID))
			_, err := tx.CallByID(ctx, c3.ID+100)
			wantCode(t, "missing call", err, haven.ENOTFOUND)
			return nil
		})
		age := 15
		c1.ReportID, c1.CallerType, c1.Disposition, c1.Imminent = r.ID, "parent_guardian", "report_taken", true
		c1.ImminentAt, c1.EndedAt = ptr(at(9, 1, 0, 0)), ptr(at(9, 20, 30, 1))
		c1.Details = haven.CallDetails{CallerName: "Rosa Díaz", WhatHappened: "Saw her at a motel.", ChildAge: &age,
			People:     []haven.CallPerson{{Role: haven.PersonSuspect, Nickname: "Dee"}},
			Indicators: []string{"living_in_motel"},
			Answers:    []haven.FollowUpAnswer{{Indicator: "living_in_motel", Question: 0, Text: "Which motel?", Answer: "The Bluebird."}}}
		update(t, s, func(tx haven.Tx) error { return tx.UpdateCall(ctx, c1) })
		view(t, s, func(tx haven.Tx) error {
			is(t, "updated call", c1)(tx.CallByID(ctx, c1.ID))
			is(t, "every call, newest first", []*haven.Call{c3, c2, c1})(tx.ListCalls(ctx, haven.CallFilter{Scope: haven.Scope{All: true}}))
			is(t, "sam's calls", []*haven.Call{c3, c1})(tx.ListCalls(ctx, haven.CallFilter{Scope: haven.Scope{Any: []haven.Conj{{CreatedBy: sam.ID}}}}))
			is(t, "sam's open calls", []*haven.Call{c3})(tx.ListCalls(ctx, haven.CallFilter{Open: true, Scope: haven.Scope{Any: []haven.Conj{{CreatedBy: sam.ID}}}}))
			got, err := tx.ListCalls(ctx, haven.CallFilter{})
			if err != nil || len(got) != 0 {
				t.Errorf("the zero scope listed %d calls (%v)", len(got), err)
			}
			return nil
		})
		// One report, one call.
		err := updateErr(s, func(tx haven.Tx) error {
			c2.ReportID = r.ID
			return tx.UpdateCall(ctx, c2)
		})
		wantCode(t, "a second call on one report", err, haven.ECONFLICT)
	}},
	{"a report's intake is rewritten in place, parts replaced", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		r := fullReport("HV-INTK-0001", 0, 0, 0)
		mustReport(t, s, r)
		r.IncidentType, r.IncidentTimeText, r.Narrative, r.State = haven.IncidentEnticement, "yesterday", "New account of the call.", "TX"
		r.Reporter = haven.Contact{Anonymous: true, Relationship: "concerned_person", Language: "en"}
		r.Indicators, r.Priority = []string{"online_ads"}, haven.P1
		r.Places = []haven.Place{{Role: haven.PlaceIncident, City: "Austin", State: "TX"}}
		r.People = []haven.PersonMention{{Role: haven.PersonChild, FirstName: "Jo", Nickname: "JJ", Age: ptr(14)}}
		r.Identifiers = []haven.Identifier{{Kind: haven.IDPhone, Value: "+12025550147", Raw: "202-555-0147", Source: "hotline_online"}}
		before := time.Now()
		update(t, s, func(tx haven.Tx) error { return tx.UpdateReportIntake(ctx, r) })
		view(t, s, func(tx haven.Tx) error {
			got, err := tx.ReportByID(ctx, r.ID)
			if err != nil {
				return err
			}
			if got.UpdatedAt.Before(before.Add(-time.Minute)) {
				t.Errorf("UpdatedAt not moved: %v", got.UpdatedAt)
			}
			r.UpdatedAt = got.UpdatedAt
			same(t, "rewritten report", got, r)
			return nil
		})
		err := updateErr(s, func(tx haven.Tx) error {
			missing := *r
			missing.ID += 100
			return tx.UpdateReportIntake(ctx, &missing)
		})
		wantCode(t, "missing report", err, haven.ENOTFOUND)
	}},
	{"notifications list newest first, count unread, and are read once", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		ana := mustUser(t, s, "ana.analyst", haven.RoleAnalyst, 0)
		sue := mustUser(t, s, "sue.supervisor", haven.RoleSupervisor, 0)
		r := mustReport(t, s, newReport("HV-NOTE-0001", at(9, 0, 0, 0)))
		n1 := &haven.Notification{RecipientID: ana.ID, Kind: haven.NotifyImminent, ReportID: r.ID, Message: "one", CreatedAt: at(9, 0, 1, 0)}
		n2 := &haven.Notification{RecipientID: ana.ID, Kind: haven.NotifyImminent, Message: "two", CreatedAt: at(9, 0, 2, 0)}
		n3 := &haven.Notification{RecipientID: sue.ID, Kind: haven.NotifyImminent, ReportID: r.ID, Message: "three", CreatedAt: at(9, 0, 3, 0)}
		update(t, s, func(tx haven.Tx) error {
			for _, n := range []*haven.Notification{n1, n2, n3} {
				if err := tx.CreateNotification(ctx, n); err != nil {
					return err
				}
			}
			return tx.MarkNotificationRead(ctx, n1.ID, at(10, 0, 0, 0))
		})
		n1.ReadAt = ptr(at(10, 0, 0, 0))
		// Marking again keeps the first time.
		update(t, s, func(tx haven.Tx) error { return tx.MarkNotificationRead(ctx, n1.ID, at(11, 0, 0, 0)) })
		view(t, s, func(tx haven.Tx) error {
			is(t, "by id", n1)(tx.NotificationByID(ctx, n1.ID))
			is(t, "ana's", []*haven.Notification{n2, n1})(tx.ListNotifications(ctx, haven.NotificationFilter{RecipientID: ana.ID}))
			is(t, "ana's unread", []*haven.Notification{n2})(tx.ListNotifications(ctx, haven.NotificationFilter{RecipientID: ana.ID, Unread: true}))
			is(t, "ana's unread count", 1)(tx.CountUnreadNotifications(ctx, ana.ID))
			is(t, "sue's unread count", 1)(tx.CountUnreadNotifications(ctx, sue.ID))
			_, err := tx.NotificationByID(ctx, n3.ID+100)
			wantCode(t, "missing notification", err, haven.ENOTFOUND)
			return nil
		})
		err := updateErr(s, func(tx haven.Tx) error { return tx.MarkNotificationRead(ctx, n3.ID+100, at(12, 0, 0, 0)) })
		wantCode(t, "marking a missing notification", err, haven.ENOTFOUND)
	}},
}
