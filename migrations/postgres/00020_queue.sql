-- +goose Up
-- The analyst queue (internal/haven/queue.go): when someone first took a
-- report (its deadline is for that first action), when a notification's
-- email went out, and an index for each of the queue's views over the open
-- reports in its order (priority, due time, id), so that a page of the
-- queue reads a page of an index however many reports there are:
-- all open, nobody's, one analyst's, and those awaiting their first action
-- (the deadline view, one priority at a time).
ALTER TABLE reports ADD COLUMN first_action_at TIMESTAMPTZ;
UPDATE reports SET first_action_at = updated_at WHERE assigned_to IS NOT NULL;
CREATE INDEX reports_queue ON reports (priority, due_at, id) WHERE status IN ('new', 'in_review');
CREATE INDEX reports_queue_unassigned ON reports (priority, due_at, id) WHERE status IN ('new', 'in_review') AND assigned_to IS NULL;
CREATE INDEX reports_queue_assigned ON reports (assigned_to, priority, due_at, id) WHERE status IN ('new', 'in_review');
CREATE INDEX reports_awaiting ON reports (priority, due_at, id) WHERE status IN ('new', 'in_review') AND first_action_at IS NULL;
ALTER TABLE notifications ADD COLUMN emailed_at TIMESTAMPTZ;

-- +goose Down
ALTER TABLE notifications DROP COLUMN emailed_at;
DROP INDEX reports_awaiting;
DROP INDEX reports_queue_assigned;
DROP INDEX reports_queue_unassigned;
DROP INDEX reports_queue;
ALTER TABLE reports DROP COLUMN first_action_at;
