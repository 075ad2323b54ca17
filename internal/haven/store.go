package haven

import (
	"context"
	"time"
)

// Store is Haven's storage, implemented on SQLite and on PostgreSQL by
// internal/sqlstore. Both implementations pass the same contract suite
// (internal/storetest).
type Store interface {
	// Update runs fn in a read-write transaction and commits it if fn
	// returns nil. A write acknowledged by a nil return survives a crash.
	Update(ctx context.Context, fn func(Tx) error) error
	// View runs fn in a read-only transaction.
	View(ctx context.Context, fn func(Tx) error) error
	// Ping checks that the database answers (for /readyz).
	Ping(ctx context.Context) error
	// Dialect is "sqlite" or "postgres".
	Dialect() string
	Close() error
}

// Tx is one transaction. Methods return an *Error with ENOTFOUND for a
// missing record and ECONFLICT for a unique-key clash; other errors are
// internal. Lists take a filter with a Scope: the zero Scope selects nothing.
type Tx interface {
	JobsTx
	AttachmentsTx
	HotlineTx
	NotificationsTx
	MissingTx
	TipsTx
	EspTx
	ImportTx
	IdempotencyTx
	ReportSourcesTx
	IndexTx
	PersonMatchTx
	PersonModelTx
	SearchTx
	TriageTx
	CaseWorkbenchTx
	AnalysisTx
	ReferralTx
	RetentionTx

	// Users. CreateUser sets ID, CreatedAt and UpdatedAt.
	CreateUser(ctx context.Context, u *User) error
	UserByID(ctx context.Context, id int64) (*User, error)
	UserByUsername(ctx context.Context, username string) (*User, error)
	// UpdateUser writes every mutable field of u and sets UpdatedAt.
	UpdateUser(ctx context.Context, u *User) error
	ListUsers(ctx context.Context, f UserFilter) ([]*User, error)
	CountUsers(ctx context.Context, f UserFilter) (int, error)

	// Sessions.
	CreateSession(ctx context.Context, s *Session) error
	SessionByTokenHash(ctx context.Context, hash []byte) (*Session, error)
	// UpdateSession writes TokenHash, MFAVerified and LastSeenAt.
	UpdateSession(ctx context.Context, s *Session) error
	DeleteSession(ctx context.Context, id int64) error
	DeleteUserSessions(ctx context.Context, userID int64) error

	// API tokens.
	CreateToken(ctx context.Context, t *APIToken) error
	TokenByHash(ctx context.Context, hash []byte) (*APIToken, error)
	TouchToken(ctx context.Context, id int64, at time.Time) error

	// Agencies. CreateAgency sets ID, CreatedAt and UpdatedAt and stores the
	// jurisdiction and contacts; a taken name is ECONFLICT. UpdateAgency
	// replaces every field of agency a.ID, its jurisdiction and contacts
	// included, and sets UpdatedAt (ENOTFOUND, ECONFLICT for a taken name).
	// AgencyByID, AgencyByName and ListAgencies return agencies with their
	// jurisdiction and contacts.
	CreateAgency(ctx context.Context, a *Agency) error
	UpdateAgency(ctx context.Context, a *Agency) error
	AgencyByID(ctx context.Context, id int64) (*Agency, error)
	AgencyByName(ctx context.Context, name string) (*Agency, error)
	ListAgencies(ctx context.Context, f AgencyFilter) ([]*Agency, error)
	CountAgencies(ctx context.Context, f AgencyFilter) (int, error)
	// AgenciesCovering returns the active agencies (of q.Kind, if set) whose
	// jurisdiction covers the place: listing q.ZIP, listing q.CountyFIPS,
	// covering q.State whole, or nationwide. Each comes once, with the most
	// specific part that matched, ordered zip, county, state, nationwide,
	// then by name.
	AgenciesCovering(ctx context.Context, q CoverageQuery) ([]AgencyCoverage, error)

	// Reports. CreateReport stores the report with its places, people and
	// identifiers, and sets every ID and timestamp; a Ref already used is
	// ECONFLICT. ReportByID returns them all.
	CreateReport(ctx context.Context, r *Report) error
	ReportByID(ctx context.Context, id int64) (*Report, error)
	ReportByRef(ctx context.Context, ref string) (*Report, error)
	// MarkReportIngested records when the ingest job finished with the report.
	MarkReportIngested(ctx context.Context, id int64, at time.Time) error
	// SetReportAssignee moves the report from assignee from (0 = nobody)
	// to to (0 = nobody), at at: a report new until then goes in review,
	// and the first time anyone takes it is kept as its first action. A
	// report whose assignee is no longer from is ECONFLICT.
	SetReportAssignee(ctx context.Context, id, from, to int64, at time.Time) error
	// ListReports returns reports without places, people and identifiers,
	// in f.Order (newest first by default).
	ListReports(ctx context.Context, f ReportFilter) ([]*Report, error)
	CountReports(ctx context.Context, f ReportFilter) (int, error)
	// CountReportsUpTo counts the filtered reports, stopping at max: a
	// count of max means "max or more", at a cost that does not grow
	// with the table.
	CountReportsUpTo(ctx context.Context, f ReportFilter, max int) (int, error)
	// CountReportsBy counts the filtered reports grouped by one column:
	// "channel", "priority", "status", "state" or "incident_type".
	CountReportsBy(ctx context.Context, f ReportFilter, column string) (map[string]int, error)

	// Children.
	CreateChild(ctx context.Context, c *Child) error
	ChildByID(ctx context.Context, id int64) (*Child, error)
	ListChildren(ctx context.Context, f ChildFilter) ([]*Child, error)
	CountChildren(ctx context.Context, f ChildFilter) (int, error)

	// Cases. CreateCase stores the case and its ReportIDs.
	CreateCase(ctx context.Context, c *Case) error
	CaseByID(ctx context.Context, id int64) (*Case, error)
	// UpdateCase writes Title, Status, Determination, AgencyID, AssignedTo,
	// State, ClosedAt and sets UpdatedAt.
	UpdateCase(ctx context.Context, c *Case) error
	ListCases(ctx context.Context, f CaseFilter) ([]*Case, error)
	CountCases(ctx context.Context, f CaseFilter) (int, error)

	// Audit. AppendAudit queues the event; before the transaction commits
	// (or an audit read in it), the queue is chained: each event gets Seq and
	// PrevHash from the chain head, is sealed with its sealer and inserted,
	// and the head moves, serialised against concurrent appends. Seq,
	// PrevHash and Hash are set then. There is no update or delete.
	AppendAudit(ctx context.Context, e *AuditEvent, sealer Sealer) error
	ListAudit(ctx context.Context, f AuditFilter) ([]*AuditEvent, error)
	CountAudit(ctx context.Context, f AuditFilter) (int, error)
	// ScanAudit calls fn for every event in Seq order.
	ScanAudit(ctx context.Context, fn func(*AuditEvent) error) error
	// AuditHead returns the Seq and Hash of the newest event (0, nil when empty).
	AuditHead(ctx context.Context) (int64, []byte, error)
}
