package haven

import (
	"context"
	"strings"
)

// A report's status: new until someone takes it, in review while they work
// on it, referred once it has been sent to an agency (CreateReferrals), and
// closed when nothing more is to be done with it. Closing and reopening are
// the handler's (the analyst who has the report) or a supervisor's, each
// with a reason, audited. A closed report leaves the queues, and its
// retention clock starts (retention.go); reopening stops it.

// CloseReport closes a report, saying why. Closing a closed report changes
// nothing.
func (s *Service) CloseReport(ctx context.Context, a Actor, id int64, reason string) error {
	return s.setReportStatus(ctx, a, id, "report.close", "close this report", reason, func(r *Report) (ReportStatus, error) {
		return ReportClosed, nil
	})
}

// ReopenReport opens a closed report again, saying why: it goes back to
// review with whoever has it, or to the new reports when nobody does.
func (s *Service) ReopenReport(ctx context.Context, a Actor, id int64, reason string) error {
	return s.setReportStatus(ctx, a, id, "report.reopen", "reopen this report", reason, func(r *Report) (ReportStatus, error) {
		if r.Status != ReportClosed {
			return "", Errorf(ECONFLICT, "Report %s is not closed.", r.Ref)
		}
		if r.AssignedTo != 0 {
			return ReportInReview, nil
		}
		return ReportNew, nil
	})
}

// setReportStatus moves report id to the status to chooses, if the actor
// may change the report (checked before the reason, so that a refusal
// says nothing about the form); a report they may not see answers as one
// that does not exist. Both the change and a refusal are audited.
func (s *Service) setReportStatus(ctx context.Context, a Actor, id int64, action, what, reason string, to func(*Report) (ReportStatus, error)) error {
	reason = strings.TrimSpace(reason)
	var denied *Error
	err := s.Store.Update(ctx, func(tx Tx) error {
		r, err := tx.ReportByID(ctx, id)
		if ErrorCode(err) == ENOTFOUND || (err == nil && !Can(a, ActionView, r.Resource())) {
			denied = hidden(KindReport)
			return denied
		} else if err != nil {
			return err
		}
		if !Can(a, ActionUpdate, r.Resource()) {
			denied = forbidden(what)
			return denied
		}
		switch {
		case reason == "":
			return FieldError("reason", "say why")
		case len(reason) > 2000:
			return FieldError("reason", "a reason has at most 2000 characters")
		}
		status, err := to(r)
		if err != nil || status == r.Status {
			return err
		}
		if err := tx.SetReportStatus(ctx, id, status, s.now()); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, action, OutcomeOK, KindReport, id, reason, r.Ref+": "+string(r.Status)+" → "+string(status))
	})
	if denied != nil {
		return s.deny(ctx, a, action, KindReport, id, denied)
	}
	return err
}
