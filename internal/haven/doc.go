// Package haven is Haven's domain: the types every other package speaks
// (reports, people, identifiers, children, cases, agencies, users, audit
// events), their validation, the authorisation table, and the services that
// apply them. It performs no I/O of its own: it reaches storage only through
// the Store interface, which internal/sqlstore implements for SQLite and
// PostgreSQL.
//
// The data flows one way: a channel (web page, JSON API, ESP protocol, CLI)
// calls a Service method with an Actor; the service decides whether that actor
// may do it, validates, writes through a Store transaction, and appends an
// audit event in the same transaction.
package haven
