// Package storetest is the contract every haven.Store meets, written once as
// a test suite that internal/sqlite and internal/postgres run against their
// stores: what each Tx method stores and returns, its not-found and conflict
// errors, transactions, the audit chain, and that every list and count
// agrees with haven.Scope.Match.
package storetest

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// RawSQL is implemented by stores whose database the suite may write to
// behind the store's back, as an attacker with database access would: the
// audit-chain tests edit and delete rows through it. The suite's statements
// use no placeholders, so they run unchanged on every dialect.
type RawSQL interface {
	SQL() *sql.DB
}

// Run runs the contract suite. open must return a new, empty, migrated
// store for each call, close it when t ends, and implement RawSQL. Subtests
// run in parallel, each on its own store.
func Run(t *testing.T, open func(t *testing.T) haven.Store) {
	var tests []test
	for _, group := range append([][]test{accountTests, agencyTests, reportTests, childAndCaseTests, scopeTests, auditTests, txTests, jobTests, attachmentTests}, groups...) {
		tests = append(tests, group...)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, open(t))
		})
	}
}

// groups are further test groups, each registered by its own file with
// register, so that a new concern adds a file without editing this one.
var groups [][]test

// register adds a group of tests to the suite (call it from an init func).
func register(ts []test) { groups = append(groups, ts) }

// test is one behaviour of the contract.
type test struct {
	name string
	fn   func(t *testing.T, s haven.Store)
}

// update runs fn in a read-write transaction, failing the test on error.
func update(t *testing.T, s haven.Store, fn func(tx haven.Tx) error) {
	t.Helper()
	if err := s.Update(context.Background(), fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

// view runs fn in a read-only transaction, failing the test on error.
func view(t *testing.T, s haven.Store, fn func(tx haven.Tx) error) {
	t.Helper()
	if err := s.View(context.Background(), fn); err != nil {
		t.Fatalf("View: %v", err)
	}
}

// wantCode fails the test unless err carries the application error code.
func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := haven.ErrorCode(err); got != code {
		t.Errorf("%s: error code %q (%v), want %q", what, got, err, code)
	}
}

// viewErr runs fn in a read-only transaction and returns its error.
func viewErr(s haven.Store, fn func(tx haven.Tx) error) error {
	return s.View(context.Background(), fn)
}

// updateErr runs fn in a read-write transaction and returns its error.
func updateErr(s haven.Store, fn func(tx haven.Tx) error) error {
	return s.Update(context.Background(), fn)
}

// same fails the test unless got and want are deeply equal.
func same(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %s\nwant %s", what, dump(got), dump(want))
	}
}

// is returns a check that fails the test unless it is given want and no
// error, to be called with a getter's results: is(t, "UserByID", u)(tx.UserByID(ctx, id)).
func is(t *testing.T, what string, want any) func(got any, err error) {
	return func(got any, err error) {
		t.Helper()
		if err != nil {
			t.Errorf("%s: %v", what, err)
			return
		}
		same(t, what, got, want)
	}
}

// dump prints a value with its pointers followed, for failure messages.
func dump(v any) string {
	var b strings.Builder
	dumpValue(&b, reflect.ValueOf(v), 0)
	return b.String()
}

func dumpValue(b *strings.Builder, v reflect.Value, depth int) {
	if depth > 6 {
		b.WriteString("…")
		return
	}
	switch v.Kind() {
	case reflect.Invalid:
		b.WriteString("<nil>")
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			b.WriteString("nil")
			return
		}
		if t, ok := v.Interface().(*time.Time); ok {
			fmt.Fprintf(b, "&%s", t.Format(time.RFC3339Nano))
			return
		}
		b.WriteString("&")
		dumpValue(b, v.Elem(), depth+1)
	case reflect.Struct:
		if t, ok := v.Interface().(time.Time); ok {
			b.WriteString(t.Format(time.RFC3339Nano))
			return
		}
		b.WriteString("{")
		for i := 0; i < v.NumField(); i++ {
			if i > 0 {
				b.WriteString(" ")
			}
			b.WriteString(v.Type().Field(i).Name + ":")
			dumpValue(b, v.Field(i), depth+1)
		}
		b.WriteString("}")
	case reflect.Slice:
		if v.IsNil() {
			b.WriteString("nil")
			return
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			fmt.Fprintf(b, "%x", v.Bytes())
			return
		}
		b.WriteString("[")
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				b.WriteString(" ")
			}
			dumpValue(b, v.Index(i), depth+1)
		}
		b.WriteString("]")
	default:
		fmt.Fprintf(b, "%#v", v.Interface())
	}
}

// listCase is a filter and the keys of the records it must list, in order.
type listCase[F any, K comparable] struct {
	name string
	f    F
	want []K
}

// checkLists lists each case's filter in a read-only transaction and, for a
// filter that does not page (no Limit or Offset), counts it too.
func checkLists[F, T any, K comparable](t *testing.T, s haven.Store, what string, cases []listCase[F, K],
	list func(haven.Tx, context.Context, F) ([]T, error), count func(haven.Tx, context.Context, F) (int, error), key func(T) K) {
	t.Helper()
	ctx := context.Background()
	view(t, s, func(tx haven.Tx) error {
		for _, c := range cases {
			xs, err := list(tx, ctx, c.f)
			if err != nil {
				return fmt.Errorf("%s %s: %w", what, c.name, err)
			}
			var got []K
			for _, x := range xs {
				got = append(got, key(x))
			}
			same(t, what+" "+c.name, got, c.want)
			if paged(c.f) {
				continue
			}
			n, err := count(tx, ctx, c.f)
			if err != nil {
				return fmt.Errorf("counting %s %s: %w", what, c.name, err)
			}
			if n != len(c.want) {
				t.Errorf("counting %s %s = %d, want %d", what, c.name, n, len(c.want))
			}
		}
		return nil
	})
}

// paged reports whether a filter struct has a non-zero Limit or Offset.
func paged(f any) bool {
	v := reflect.ValueOf(f)
	for _, name := range []string{"Limit", "Offset"} {
		if fv := v.FieldByName(name); fv.IsValid() && fv.Int() != 0 {
			return true
		}
	}
	return false
}

// at returns a time on a fixed day, in UTC, at h:m:s plus µs microseconds.
func at(h, m, s, µs int) time.Time {
	return time.Date(2026, 3, 14, h, m, s, µs*1000, time.UTC)
}

// ptr returns a pointer to v.
func ptr[T any](v T) *T { return &v }

// sealer is a keyed MAC like the one Haven keeps its key for, enough for
// the audit-chain tests.
type sealer struct{ key []byte }

var testSealer = sealer{key: []byte("storetest audit key")}

// Seal returns HMAC-SHA256(key, data).
func (s sealer) Seal(data []byte) ([]byte, error) {
	m := hmac.New(sha256.New, s.key)
	m.Write(data)
	return m.Sum(nil), nil
}

// Verify checks a MAC made by Seal.
func (s sealer) Verify(mac, data []byte) error {
	want, _ := s.Seal(data)
	if !hmac.Equal(mac, want) {
		return errors.New("the MAC does not match")
	}
	return nil
}

// Fixtures.

func mustAgency(t *testing.T, s haven.Store, name, state string, states ...string) *haven.Agency {
	t.Helper()
	a := &haven.Agency{Name: name, Kind: haven.AgencyLawEnforcement, Level: haven.LevelLocal, State: state, States: states}
	update(t, s, func(tx haven.Tx) error { return tx.CreateAgency(context.Background(), a) })
	return a
}

func mustUser(t *testing.T, s haven.Store, username string, role haven.Role, agencyID int64) *haven.User {
	t.Helper()
	u := &haven.User{Username: username, DisplayName: username, Role: role, AgencyID: agencyID, PasswordHash: "$argon2id$x"}
	update(t, s, func(tx haven.Tx) error { return tx.CreateUser(context.Background(), u) })
	return u
}

// newReport returns a small valid report.
func newReport(ref string, received time.Time) *haven.Report {
	return &haven.Report{
		Ref:          ref,
		Channel:      haven.ChannelHotline,
		IncidentType: haven.IncidentSexTrafficking,
		ReceivedAt:   received,
		Narrative:    "A caller reports a girl of about 15 advertised online.",
		Status:       haven.ReportNew,
	}
}

func mustReport(t *testing.T, s haven.Store, r *haven.Report) *haven.Report {
	t.Helper()
	update(t, s, func(tx haven.Tx) error { return tx.CreateReport(context.Background(), r) })
	return r
}

func mustChild(t *testing.T, s haven.Store, c *haven.Child) *haven.Child {
	t.Helper()
	update(t, s, func(tx haven.Tx) error { return tx.CreateChild(context.Background(), c) })
	return c
}

func mustCase(t *testing.T, s haven.Store, c *haven.Case) *haven.Case {
	t.Helper()
	update(t, s, func(tx haven.Tx) error { return tx.CreateCase(context.Background(), c) })
	return c
}

// rawExec runs a statement directly on the store's database.
func rawExec(t *testing.T, s haven.Store, stmt string) {
	t.Helper()
	raw, ok := s.(RawSQL)
	if !ok {
		t.Fatalf("the store (%T) does not implement storetest.RawSQL", s)
	}
	if _, err := raw.SQL().ExecContext(context.Background(), stmt); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}
