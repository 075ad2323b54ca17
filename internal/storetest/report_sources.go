package storetest

import (
	"context"
	"testing"

	"github.com/haven-oss/haven/internal/haven"
)

func init() { register(reportSourceTests) }

var reportSourceTests = []test{
	{"what a channel kept about a report is found by the report", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		spec := mustUser(t, s, "sam.hotline", haven.RoleHotline, 0)
		called := mustReport(t, s, newReport("HV-SRC0-0001", at(9, 0, 0, 0)))
		sent := mustReport(t, s, newReport("HV-SRC0-0002", at(9, 1, 0, 0)))
		missing := mustReport(t, s, newReport("HV-SRC0-0003", at(9, 2, 0, 0)))
		other := mustReport(t, s, newReport("HV-SRC0-0004", at(9, 3, 0, 0)))

		c := &haven.Call{SpecialistID: spec.ID, ReportID: called.ID, StartedAt: at(9, 0, 0, 0), Language: "en"}
		acct := &haven.EspAccount{Name: "examplechat", PasswordHash: "h"}
		update(t, s, func(tx haven.Tx) error {
			if err := tx.CreateCall(ctx, c); err != nil {
				return err
			}
			return tx.CreateEspAccount(ctx, acct)
		})
		open := &haven.EspSubmission{AccountID: acct.ID, BodyHash: []byte{9}, XML: []byte("other"), State: haven.EspOpen,
			OpenedAt: at(8, 0, 0, 0), ChangedAt: at(8, 0, 0, 0)}
		sub := &haven.EspSubmission{AccountID: acct.ID, BodyHash: []byte{1}, XML: []byte("ciphertext"), State: haven.EspOpen,
			OpenedAt: at(9, 0, 0, 0), ChangedAt: at(9, 0, 0, 0)}
		update(t, s, func(tx haven.Tx) error {
			for _, x := range []*haven.EspSubmission{open, sub} {
				if err := tx.CreateEspSubmission(ctx, x); err != nil {
					return err
				}
			}
			sub.State, sub.ReportID, sub.FinishedAt, sub.ChangedAt = haven.EspFinished, sent.ID, ptr(at(9, 1, 0, 0)), at(9, 1, 0, 0)
			return tx.UpdateEspSubmission(ctx, sub)
		})
		ch := mustChild(t, s, &haven.Child{FirstName: "Maya"})
		e := mustEpisode(t, s, newEpisode(ch.ID, missing.ID, at(6, 0, 0, 0)))

		view(t, s, func(tx haven.Tx) error {
			is(t, "CallByReport", c)(tx.CallByReport(ctx, called.ID))
			is(t, "EspSubmissionByReport", sub)(tx.EspSubmissionByReport(ctx, sent.ID))
			is(t, "EspAccountByID", acct)(tx.EspAccountByID(ctx, acct.ID))
			is(t, "EpisodeIDByReport", e.ID)(tx.EpisodeIDByReport(ctx, missing.ID))
			_, err := tx.CallByReport(ctx, other.ID)
			wantCode(t, "a report without a call", err, haven.ENOTFOUND)
			_, err = tx.EspSubmissionByReport(ctx, other.ID)
			wantCode(t, "a report without an ESP submission", err, haven.ENOTFOUND)
			_, err = tx.EspAccountByID(ctx, acct.ID+100)
			wantCode(t, "a missing ESP account", err, haven.ENOTFOUND)
			_, err = tx.EpisodeIDByReport(ctx, other.ID)
			wantCode(t, "a report without an episode", err, haven.ENOTFOUND)
			return nil
		})
	}},
}
