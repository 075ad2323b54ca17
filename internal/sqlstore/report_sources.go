package sqlstore

import (
	"context"

	"github.com/haven-oss/haven/internal/haven"
)

// What a channel kept about the report it produced, for the staff report
// page (see haven.ReportSourcesTx). Each lookup is by an indexed report_id
// (migration 00011 indexes the two that had none).

var (
	qCallByReport          = query(`SELECT ` + callColumns + ` FROM calls WHERE report_id = ?`)
	qEspSubmissionByReport = query(`SELECT ` + espSubmissionColumns + ` FROM esp_submissions
	WHERE report_id = ? ORDER BY id LIMIT 1`)
	qEspAccountByID    = query(`SELECT ` + espAccountColumns + ` FROM esp_accounts WHERE id = ?`)
	qEpisodeIDByReport = query(`SELECT id FROM missing_episodes WHERE report_id = ? ORDER BY id LIMIT 1`)
	noEpisodeForReport = "no missing episode for that report"
	noCallForReport    = "no call for that report"
	noEspForReport     = "no ESP report for that report"
)

func (tx *tx) CallByReport(ctx context.Context, reportID int64) (*haven.Call, error) {
	c, err := scanCall(tx.queryRow(ctx, qCallByReport, reportID))
	if err != nil {
		return nil, tx.db.failure("call by report", err, noCallForReport, "")
	}
	return c, nil
}

func (tx *tx) EspSubmissionByReport(ctx context.Context, reportID int64) (*haven.EspSubmission, error) {
	s, err := scanEspSubmission(tx.queryRow(ctx, qEspSubmissionByReport, reportID))
	if err != nil {
		return nil, tx.db.failure("esp submission by report", err, noEspForReport, "")
	}
	return s, nil
}

func (tx *tx) EspAccountByID(ctx context.Context, id int64) (*haven.EspAccount, error) {
	a, err := scanEspAccount(tx.queryRow(ctx, qEspAccountByID, id))
	if err != nil {
		return nil, tx.db.failure("esp account by id", err, noEspAccount, "")
	}
	return a, nil
}

func (tx *tx) EpisodeIDByReport(ctx context.Context, reportID int64) (int64, error) {
	var id int64
	if err := tx.queryRow(ctx, qEpisodeIDByReport, reportID).Scan(&id); err != nil {
		return 0, tx.db.failure("episode by report", err, noEpisodeForReport, "")
	}
	return id, nil
}
