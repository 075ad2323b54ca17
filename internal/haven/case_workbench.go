package haven

import (
	"context"
	"time"
)

// The case workbench (issue 5): what happened on a case, its notes, tasks,
// determinations and merges. The service writes a CaseEvent in the same
// transaction as every change, so that the timeline (case_timeline.go) is
// exactly the record of what was done.

// CaseEventKind is the kind of a case event.
type CaseEventKind string

// Case event kinds.
const (
	CaseEventOpened                CaseEventKind = "opened"
	CaseEventReportAdded           CaseEventKind = "report_added"
	CaseEventStatus                CaseEventKind = "status"
	CaseEventAssigned              CaseEventKind = "assigned"
	CaseEventNote                  CaseEventKind = "note"
	CaseEventTaskAdded             CaseEventKind = "task_added"
	CaseEventTaskDone              CaseEventKind = "task_done"
	CaseEventTaskUndone            CaseEventKind = "task_undone"
	CaseEventDeterminationRecorded CaseEventKind = "determination_recorded"
	CaseEventDeterminationApproved CaseEventKind = "determination_approved"
	CaseEventDeterminationReturned CaseEventKind = "determination_returned"
	CaseEventMerged                CaseEventKind = "merged"
	CaseEventSplit                 CaseEventKind = "split"
	// CaseEventReferral is the hook for referrals (issue 6): a referral
	// service writes one event of this kind per referral sent, with
	// RecordKind "referral", and the timeline shows it like any other.
	CaseEventReferral CaseEventKind = "referral"
)

// CaseEvent is one thing done on a case, by whom and when, with the record
// it concerns (RecordKind "note", "task", "determination", "report",
// "case", "merge"; RecordID 0 for none).
type CaseEvent struct {
	ID         int64
	CaseID     int64
	Kind       CaseEventKind
	At         time.Time
	ActorID    int64
	Actor      string
	Summary    string
	RecordKind string
	RecordID   int64
}

// CaseNote is a note on a case. Shareable marks a note that may go into a
// referral package for a partner agency (issue 6); notes are private to the
// case by default.
type CaseNote struct {
	ID        int64
	CaseID    int64
	Body      string
	Shareable bool
	CreatedBy int64
	CreatedAt time.Time
}

// MaxNoteLength is the longest note, in bytes.
const MaxNoteLength = 20000

// CaseTask is something to do on a case, with an owner and a due date.
type CaseTask struct {
	ID        int64
	CaseID    int64
	Title     string
	OwnerID   int64      // 0 = nobody yet
	DueAt     *time.Time // nil = no due date
	DoneAt    *time.Time // nil = not done
	DoneBy    int64
	CreatedBy int64
	CreatedAt time.Time
}

// Overdue reports whether the task is not done and past its due date at now.
func (t *CaseTask) Overdue(now time.Time) bool {
	return t.DoneAt == nil && t.DueAt != nil && now.After(*t.DueAt)
}

// DeterminationState is where a recorded determination is: awaiting a
// supervisor, approved (the case's determination), or returned with a reason.
type DeterminationState string

// Determination states.
const (
	DeterminationPending  DeterminationState = "pending"
	DeterminationApproved DeterminationState = "approved"
	DeterminationReturned DeterminationState = "returned"
)

// CaseDetermination is an analyst's answer to "likely child sex trafficking
// victim?" with the rationale and the taxonomy indicators relied on, and a
// supervisor's decision on it. Only an approved one is the case's
// determination and counts in statistics.
type CaseDetermination struct {
	ID             int64
	CaseID         int64
	Determination  Determination
	Rationale      string
	Indicators     []string // taxonomy indicator ids
	State          DeterminationState
	RecordedBy     int64
	RecordedAt     time.Time
	DecidedBy      int64
	DecidedAt      *time.Time
	DecisionReason string
}

// CaseMerge records that one case (Absorbed) was merged into another
// (Surviving) and exactly what moved, so that a split moves it back.
// SplitAt is set once the merge is undone.
type CaseMerge struct {
	ID          int64
	SurvivingID int64
	AbsorbedID  int64
	MergedBy    int64
	MergedAt    time.Time
	Reason      string
	// ReportIDs are the absorbed case's reports the surviving case did not
	// hold already (added to it); the absorbed case keeps its own list.
	ReportIDs, NoteIDs, TaskIDs, EventIDs, DeterminationIDs []int64
	SplitBy                                                 int64
	SplitAt                                                 *time.Time
}

// DeterminationCountFilter selects the cases whose approved determinations
// are counted. The zero Scope selects nothing.
type DeterminationCountFilter struct {
	Scope      Scope
	State      string // the case's state
	ChildSex   Sex    // the child's sex
	OpenedFrom *time.Time
	OpenedTo   *time.Time // exclusive
}

// CaseWorkbenchTx is the storage of the case workbench.
type CaseWorkbenchTx interface {
	// AddCaseEvent stores an event; sets ID (and At when zero).
	AddCaseEvent(ctx context.Context, e *CaseEvent) error
	// ListCaseEvents returns a case's events, oldest first.
	ListCaseEvents(ctx context.Context, caseID int64) ([]*CaseEvent, error)
	// AddCaseReports adds reports to a case; one already there is left.
	AddCaseReports(ctx context.Context, caseID int64, reportIDs []int64) error
	// CasesOfReport returns the ids of the cases (not merged away) holding
	// a report, in ascending order.
	CasesOfReport(ctx context.Context, reportID int64) ([]int64, error)

	// CreateCaseNote stores a note; sets ID and CreatedAt.
	CreateCaseNote(ctx context.Context, n *CaseNote) error
	// ListCaseNotes returns a case's notes, oldest first.
	ListCaseNotes(ctx context.Context, caseID int64) ([]*CaseNote, error)

	// CreateCaseTask stores a task; sets ID and CreatedAt.
	CreateCaseTask(ctx context.Context, t *CaseTask) error
	CaseTaskByID(ctx context.Context, id int64) (*CaseTask, error)
	// UpdateCaseTask writes DoneAt and DoneBy.
	UpdateCaseTask(ctx context.Context, t *CaseTask) error
	// ListCaseTasks returns a case's tasks in the order they were added.
	ListCaseTasks(ctx context.Context, caseID int64) ([]*CaseTask, error)

	// CreateDetermination stores a recorded determination; sets ID.
	CreateDetermination(ctx context.Context, d *CaseDetermination) error
	DeterminationByID(ctx context.Context, id int64) (*CaseDetermination, error)
	// DecideDetermination writes State, DecidedBy, DecidedAt and
	// DecisionReason.
	DecideDetermination(ctx context.Context, d *CaseDetermination) error
	// ListDeterminations returns a case's determinations, oldest first.
	ListDeterminations(ctx context.Context, caseID int64) ([]*CaseDetermination, error)
	// SetCaseDetermination makes an approved determination the case's.
	SetCaseDetermination(ctx context.Context, caseID int64, d Determination, determinationID int64) error
	// CountDeterminations counts the cases (not merged away) with an
	// approved determination, by determination.
	CountDeterminations(ctx context.Context, f DeterminationCountFilter) (map[Determination]int, error)

	// MergeCases moves the absorbed case's reports (those the surviving
	// case lacks), notes, tasks, events and determinations to the
	// surviving case, marks the absorbed case merged into it, and records
	// what moved in m (sets ID and the id lists).
	MergeCases(ctx context.Context, m *CaseMerge) error
	// MergeOf returns the merge (not split) that absorbed a case.
	MergeOf(ctx context.Context, absorbedID int64) (*CaseMerge, error)
	// SplitCase undoes m: moves back exactly what moved, clears the
	// absorbed case's merge, and writes SplitBy and SplitAt.
	SplitCase(ctx context.Context, m *CaseMerge) error
}
