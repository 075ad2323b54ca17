package haven_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// queueReport stores a report with a priority and a due time (as triage
// would have set them), received at the clock's time.
func queueReport(t *testing.T, svc *haven.Service, narrative string, p haven.Priority, due time.Time) *haven.Report {
	t.Helper()
	r := &haven.Report{Channel: haven.ChannelHotline, IncidentType: haven.IncidentSexTrafficking, Narrative: narrative, Priority: p}
	if !due.IsZero() {
		r.DueAt = &due
	}
	if err := svc.CreateReport(context.Background(), sys, r); err != nil {
		t.Fatal(err)
	}
	return r
}

func refs(rs []*haven.Report) string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Narrative)
	}
	return strings.Join(out, ", ")
}

// actor signs nobody in: it is the actor the web layer would build.
func actor(u *haven.User) haven.Actor {
	return haven.Actor{UserID: u.ID, Username: u.Username, Role: u.Role, AgencyID: u.AgencyID, Via: "web"}
}

func TestQueueShowsTheMostUrgentFirstAndClaimsOnce(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		now := c.Now()
		ana1, _ := addUser(t, svc, "analyst.rivera", haven.RoleAnalyst, 0)
		ana2, _ := addUser(t, svc, "analyst.chen", haven.RoleAnalyst, 0)
		hot, _ := addUser(t, svc, "hotline.ade", haven.RoleHotline, 0)
		queueReport(t, svc, "p4", haven.P4, now.Add(72*time.Hour))
		p3 := queueReport(t, svc, "p3", haven.P3, now.Add(24*time.Hour))
		queueReport(t, svc, "p1", haven.P1, now.Add(time.Hour))
		queueReport(t, svc, "p2-later", haven.P2, now.Add(4*time.Hour))
		queueReport(t, svc, "p2-sooner", haven.P2, now.Add(2*time.Hour))
		queueReport(t, svc, "untriaged", haven.PriorityNone, time.Time{})
		closed := &haven.Report{Channel: haven.ChannelHotline, IncidentType: haven.IncidentSexTrafficking, Narrative: "closed",
			Priority: haven.P1, Status: haven.ReportClosed}
		if err := svc.CreateReport(ctx, sys, closed); err != nil {
			t.Fatal(err)
		}

		rs, total, err := svc.Queue(ctx, actor(ana1), haven.QueueFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := refs(rs), "untriaged, p1, p2-sooner, p2-later, p3, p4"; got != want || total != 6 {
			t.Fatalf("the unassigned queue: %s (%d), want %s (6)", got, total, want)
		}

		// Claiming takes the report out of the unassigned queue and into
		// the analyst's own; a second analyst is told who has it.
		got, err := svc.ClaimReport(ctx, actor(ana1), p3.ID)
		if err != nil || got.AssignedTo != ana1.ID || got.Status != haven.ReportInReview {
			t.Fatalf("claim: %+v, %v", got, err)
		}
		if _, err := svc.ClaimReport(ctx, actor(ana2), p3.ID); haven.ErrorCode(err) != haven.ECONFLICT || !strings.Contains(haven.ErrorMessage(err), "analyst.rivera") {
			t.Fatalf("a second claim: %v, want a conflict naming analyst.rivera", err)
		}
		mine, _, _ := svc.Queue(ctx, actor(ana1), haven.QueueFilter{View: haven.QueueMine})
		unassigned, _, _ := svc.Queue(ctx, actor(ana2), haven.QueueFilter{})
		if refs(mine) != "p3" || strings.Contains(refs(unassigned), "p3") {
			t.Errorf("after the claim: mine %q, unassigned %q", refs(mine), refs(unassigned))
		}
		// Only its holder (or a supervisor) releases it.
		if _, err := svc.ReleaseReport(ctx, actor(ana2), p3.ID); haven.ErrorCode(err) != haven.EFORBIDDEN {
			t.Errorf("another analyst releases it: %v, want forbidden", err)
		}
		if got, err := svc.ReleaseReport(ctx, actor(ana1), p3.ID); err != nil || got.AssignedTo != 0 {
			t.Errorf("release: %+v, %v", got, err)
		}
		// Filters and views.
		p2s, _, _ := svc.Queue(ctx, actor(ana1), haven.QueueFilter{View: haven.QueueAll, Priority: haven.P2})
		if refs(p2s) != "p2-sooner, p2-later" {
			t.Errorf("P2 only: %s", refs(p2s))
		}
		if _, _, err := svc.Queue(ctx, actor(ana1), haven.QueueFilter{View: "everything"}); haven.ErrorCode(err) != haven.EINVALID {
			t.Errorf("an unknown view: %v", err)
		}
		// A hotline specialist does not work the queue, and the refusal
		// is audited.
		if _, _, err := svc.Queue(ctx, actor(hot), haven.QueueFilter{}); haven.ErrorCode(err) != haven.EFORBIDDEN {
			t.Errorf("hotline queue: %v, want forbidden", err)
		}
		if _, err := svc.ClaimReport(ctx, actor(hot), p3.ID); haven.ErrorCode(err) != haven.ENOTFOUND {
			t.Errorf("hotline claim of a report they may not see: %v, want not found", err)
		}
		for _, action := range []string{"queue.view", "report.claim", "report.release"} {
			denied, _, _ := svc.ListAudit(ctx, sys, haven.AuditFilter{Action: action, Outcome: haven.OutcomeDenied})
			if len(denied) == 0 {
				t.Errorf("no denied %s in the audit log", action)
			}
		}
		claims, _, _ := svc.ListAudit(ctx, sys, haven.AuditFilter{Action: "report.claim", Outcome: haven.OutcomeOK})
		if len(claims) != 1 {
			t.Errorf("%d successful claims audited, want 1", len(claims))
		}
	})
}

func TestConcurrentClaimsGiveTheReportToOneAnalyst(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		r := queueReport(t, svc, "contested", haven.P1, c.Now().Add(time.Hour))
		var analysts []*haven.User
		for _, n := range []string{"analyst.a", "analyst.b", "analyst.c", "analyst.d"} {
			u, _ := addUser(t, svc, n, haven.RoleAnalyst, 0)
			analysts = append(analysts, u)
		}
		var wg sync.WaitGroup
		errs := make([]error, len(analysts))
		for i, u := range analysts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = svc.ClaimReport(ctx, actor(u), r.ID)
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch haven.ErrorCode(err) {
			case "":
				won++
			case haven.ECONFLICT:
			default:
				t.Errorf("a claim failed with %v", err)
			}
		}
		if won != 1 {
			t.Errorf("%d claims succeeded, want 1 (%v)", won, errs)
		}
	})
}

// mailbox is a Mailer that keeps what it is given.
type mailbox struct {
	mu   sync.Mutex
	sent []string
}

func (m *mailbox) Send(_ context.Context, to, subject, body string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, to+"|"+subject+"|"+body)
	return nil
}

func TestAssigningNotifiesTheAssigneeInTheAppAndByEmail(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		box := &mailbox{}
		svc.Mailer, svc.PublicURL = box, "https://haven.example.org/"
		sup, _ := addUser(t, svc, "supervisor.okafor", haven.RoleSupervisor, 0)
		ana, _ := addUser(t, svc, "analyst.rivera", haven.RoleAnalyst, 0)
		off, _ := addUser(t, svc, "hotline.lane", haven.RoleHotline, 0)
		if err := svc.Store.Update(ctx, func(tx haven.Tx) error {
			u, err := tx.UserByID(ctx, ana.ID)
			if err != nil {
				return err
			}
			u.Email = "analyst.rivera@example.com"
			return tx.UpdateUser(ctx, u)
		}); err != nil {
			t.Fatal(err)
		}
		r := queueReport(t, svc, "to assign", haven.P2, c.Now().Add(4*time.Hour))

		if _, err := svc.AssignReport(ctx, actor(sup), r.ID, off.ID); haven.ErrorCode(err) != haven.EINVALID {
			t.Errorf("assigning to a hotline specialist: %v, want an invalid assignee", err)
		}
		if _, err := svc.AssignReport(ctx, actor(ana), r.ID, sup.ID); haven.ErrorCode(err) != haven.EFORBIDDEN {
			t.Errorf("an analyst assigning an unassigned report to someone else: %v, want forbidden", err)
		}
		got, err := svc.AssignReport(ctx, actor(sup), r.ID, ana.ID)
		if err != nil || got.AssignedTo != ana.ID {
			t.Fatalf("assign: %+v, %v", got, err)
		}
		ns, unread, err := svc.ListNotifications(ctx, actor(ana), true, 10)
		if err != nil || unread != 1 || ns[0].Kind != haven.NotifyAssigned || ns[0].ReportID != r.ID || !strings.Contains(ns[0].Message, "supervisor.okafor") {
			t.Fatalf("the assignee's notifications: %+v (%d unread), %v", ns, unread, err)
		}
		// The email goes out in its job, once, with the link.
		var jobs []*haven.Job
		err = svc.Store.View(ctx, func(tx haven.Tx) (err error) {
			jobs, err = tx.ListJobs(ctx, haven.JobEmailNotification, false, 10)
			return err
		})
		if err != nil || len(jobs) != 1 || jobs[0].RecordID != ns[0].ID {
			t.Fatalf("email jobs: %+v, %v", jobs, err)
		}
		for range 2 {
			done, err := svc.EmailNotification(ctx, ns[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			if done != nil {
				if err := svc.Store.Update(ctx, done); err != nil {
					t.Fatal(err)
				}
			}
		}
		if len(box.sent) != 1 {
			t.Fatalf("%d emails sent, want 1: %q", len(box.sent), box.sent)
		}
		mail := box.sent[0]
		if !strings.HasPrefix(mail, "analyst.rivera@example.com|Haven: A report was assigned to you|") ||
			!strings.Contains(mail, "https://haven.example.org/reports/") || strings.Contains(mail, "to assign") {
			t.Errorf("the email: %q (it must link the report and carry none of its content)", mail)
		}
	})
}

func TestDeadlinesShowWhatNobodyHasTakenInTime(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		sup, _ := addUser(t, svc, "supervisor.okafor", haven.RoleSupervisor, 0)
		ana, _ := addUser(t, svc, "analyst.rivera", haven.RoleAnalyst, 0)
		start := c.Now()
		queueReport(t, svc, "breached-p1", haven.P1, start.Add(time.Hour))
		queueReport(t, svc, "breached-p3", haven.P3, start.Add(90*time.Minute))
		taken := queueReport(t, svc, "taken-late", haven.P1, start.Add(time.Hour))
		queueReport(t, svc, "due-soon", haven.P2, start.Add(2*time.Hour+40*time.Minute))
		queueReport(t, svc, "later", haven.P2, start.Add(4*time.Hour))
		c.Advance(2 * time.Hour)
		if _, err := svc.ClaimReport(ctx, actor(ana), taken.ID); err != nil {
			t.Fatal(err)
		}
		d, err := svc.Deadlines(ctx, actor(sup))
		if err != nil {
			t.Fatal(err)
		}
		if refs(d.Breached) != "breached-p1, breached-p3" || refs(d.DueSoon) != "due-soon" {
			t.Errorf("breached %q, due soon %q", refs(d.Breached), refs(d.DueSoon))
		}
		// Released again, the late report is still not on the list: it was
		// taken once, and the deadline is for the first action.
		if _, err := svc.ReleaseReport(ctx, actor(ana), taken.ID); err != nil {
			t.Fatal(err)
		}
		if d, _ := svc.Deadlines(ctx, actor(sup)); strings.Contains(refs(d.Breached), "taken-late") {
			t.Errorf("a report taken once is breached again: %q", refs(d.Breached))
		}
		if _, err := svc.Deadlines(ctx, actor(ana)); haven.ErrorCode(err) != haven.EFORBIDDEN {
			t.Errorf("an analyst's deadline view: %v, want forbidden", err)
		}
	})
}
