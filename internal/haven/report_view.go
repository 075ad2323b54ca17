package haven

import (
	"context"
	"fmt"
)

// The staff report page shows everything known about one report, whatever
// channel it came through: the report with its places, people and
// identifiers, the supplements its reporter appended later, its attachments,
// and what its channel kept about it (the hotline call, the ESP submission,
// the missing episode it opened).

// ReportSourcesTx is the part of a transaction that finds what a channel
// kept about the report it produced.
type ReportSourcesTx interface {
	// CallByReport returns the hotline call that produced the report, or
	// ENOTFOUND.
	CallByReport(ctx context.Context, reportID int64) (*Call, error)
	// EspSubmissionByReport returns the finished ESP submission that became
	// the report, or ENOTFOUND.
	EspSubmissionByReport(ctx context.Context, reportID int64) (*EspSubmission, error)
	// EspAccountByID returns an ESP account, or ENOTFOUND.
	EspAccountByID(ctx context.Context, id int64) (*EspAccount, error)
	// EpisodeIDByReport returns the id of the missing episode the report
	// opened, or ENOTFOUND.
	EpisodeIDByReport(ctx context.Context, reportID int64) (int64, error)
}

// ReportView is everything known about one report.
type ReportView struct {
	Report *Report
	// Supplements the reporter appended through the tip follow-up page,
	// oldest first. The report itself is never edited by them.
	Supplements []*Supplement
	// Attachments in the order they came (the report's own, then each
	// supplement's).
	Attachments []*Attachment
	// Call is the hotline call that produced the report (nil for other
	// channels); Specialist is the username of who took it.
	Call       *Call
	Specialist string
	// Esp is what the ESP sent (nil unless the report came from an ESP).
	Esp *EspReportView
	// EpisodeID is the missing episode the report opened (0 = none).
	EpisodeID int64
}

// EspReportView is the ESP submission a report came from.
type EspReportView struct {
	Submission  *EspSubmission // XML is the ciphertext; see Document
	AccountName string
	// Document is the ESP's original report document, verbatim.
	Document []byte
	Files    []EspFileView
}

// EspFileView is one file of an ESP submission with its file details
// document (nil when the ESP sent none).
type EspFileView struct {
	File    *EspFile
	Details []byte
}

// ReportDetail returns everything known about a report the actor may see,
// and records the view in the audit log with the reason given (one
// report.view event, as GetReport). A report that does not exist and one
// the actor may not see answer alike (ENOTFOUND), and the refusal is audited.
func (s *Service) ReportDetail(ctx context.Context, a Actor, id int64, reason string) (*ReportView, error) {
	var v *ReportView
	err := s.viewRecord(ctx, a, KindReport, id, reason, func(tx Tx) (Resource, error) {
		var err error
		v, err = loadReportView(ctx, tx, id)
		if err != nil {
			return Resource{}, err
		}
		return v.Report.Resource(), nil
	})
	if err != nil {
		return nil, err
	}
	// Decrypt only once the view is allowed.
	if e := v.Esp; e != nil {
		if e.Document, err = s.Secrets.Decrypt(e.Submission.XML, espXMLAD(e.Submission)); err != nil {
			return nil, fmt.Errorf("decrypt esp report %d: %w", e.Submission.ID, err)
		}
		for i := range e.Files {
			f := &e.Files[i]
			if f.File.Details != nil {
				if f.Details, err = s.Secrets.Decrypt(f.File.Details, espDetailsAD(f.File.FileID)); err != nil {
					return nil, fmt.Errorf("decrypt esp file details %s: %w", f.File.FileID, err)
				}
			}
		}
	}
	return v, nil
}

// loadReportView reads a report and everything hanging off it inside tx.
func loadReportView(ctx context.Context, tx Tx, id int64) (*ReportView, error) {
	r, err := tx.ReportByID(ctx, id)
	if err != nil {
		return nil, err
	}
	v := &ReportView{Report: r}
	if r.Triage, r.Override, err = tx.ReportTriage(ctx, id); err != nil {
		return nil, err
	}
	if v.Supplements, err = tx.ListSupplements(ctx, id); err != nil {
		return nil, err
	}
	if v.Attachments, err = tx.ListAttachments(ctx, id); err != nil {
		return nil, err
	}
	switch r.Channel {
	case ChannelHotline:
		c, err := tx.CallByReport(ctx, id)
		if ErrorCode(err) == ENOTFOUND {
			break // entered some other way (an import, the CLI)
		} else if err != nil {
			return nil, err
		}
		v.Call = c
		if u, err := tx.UserByID(ctx, c.SpecialistID); err == nil {
			v.Specialist = u.Username
		} else if ErrorCode(err) != ENOTFOUND {
			return nil, err
		}
	case ChannelESP:
		sub, err := tx.EspSubmissionByReport(ctx, id)
		if ErrorCode(err) == ENOTFOUND {
			break
		} else if err != nil {
			return nil, err
		}
		e := &EspReportView{Submission: sub}
		if acct, err := tx.EspAccountByID(ctx, sub.AccountID); err == nil {
			e.AccountName = acct.Name
		} else if ErrorCode(err) != ENOTFOUND {
			return nil, err
		}
		files, err := tx.ListEspFiles(ctx, sub.ID)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			e.Files = append(e.Files, EspFileView{File: f})
		}
		v.Esp = e
	case ChannelMissingChild:
		eid, err := tx.EpisodeIDByReport(ctx, id)
		if err != nil && ErrorCode(err) != ENOTFOUND {
			return nil, err
		}
		v.EpisodeID = eid
	}
	return v, nil
}
