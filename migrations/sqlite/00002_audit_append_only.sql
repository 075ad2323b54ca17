-- The audit log is append-only: the database itself refuses to change or
-- remove an entry. (Someone with full access to the file can drop these
-- triggers; the keyed hash chain is what detects that kind of tampering.)

-- +goose Up
-- +goose StatementBegin
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
	SELECT RAISE(ABORT, 'audit_events is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
	SELECT RAISE(ABORT, 'audit_events is append-only');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER audit_events_no_update;
DROP TRIGGER audit_events_no_delete;
