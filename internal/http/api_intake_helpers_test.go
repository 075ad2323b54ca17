package http_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/haven-oss/haven/internal/haven"
)

// apiSpecEnv is a real server and a client that validates every request and
// response against openapi.json.
type apiSpecEnv struct {
	*testEnv
	call func(method, path, token, body string, hdr map[string]string) (int, []byte)
}

func newAPISpecEnv(t *testing.T) *apiSpecEnv {
	t.Helper()
	_, v := loadSpec(t)
	e := newTestEnv(t)
	return &apiSpecEnv{testEnv: e, call: specCaller(t, e, v)}
}

// token creates a user with the role and returns an API token for them.
func (e *apiSpecEnv) token(username string, role haven.Role, agencyID int64) (*haven.User, string) {
	e.t.Helper()
	u, _ := e.createUser(username, strings.ReplaceAll(username, ".", " "), role, agencyID)
	tok, err := e.svc.CreateToken(context.Background(), sys, u.ID, "intake system")
	if err != nil {
		e.t.Fatal(err)
	}
	return u, tok
}

// key is an Idempotency-Key header.
func key(k string) map[string]string { return map[string]string{"Idempotency-Key": k} }

// decode reads a JSON answer.
func decode(t *testing.T, b []byte, into any) {
	t.Helper()
	if err := json.Unmarshal(b, into); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
}

// wantFieldError fails unless the answer is the status with a JSON error
// of the code naming the field.
func wantFieldError(t *testing.T, what string, code int, b []byte, status int, errCode, field string) {
	t.Helper()
	var body apiErr
	_ = json.Unmarshal(b, &body)
	if code != status || body.Error.Code != errCode || body.Error.Field != field || body.Error.Message == "" {
		t.Errorf("%s: %d %s, want %d %s naming %q", what, code, b, status, errCode, field)
	}
}

// counts are how many records of each kind the store holds.
type counts struct{ Reports, Episodes, Children, Calls int }

func (e *apiSpecEnv) counts() counts {
	e.t.Helper()
	ctx := context.Background()
	var c counts
	all := haven.Scope{All: true}
	err := e.store.View(ctx, func(tx haven.Tx) (err error) {
		if c.Reports, err = tx.CountReports(ctx, haven.ReportFilter{Scope: all}); err != nil {
			return err
		}
		if c.Episodes, err = tx.CountEpisodes(ctx, haven.EpisodeFilter{Scope: all}); err != nil {
			return err
		}
		if c.Children, err = tx.CountChildren(ctx, haven.ChildFilter{Scope: all}); err != nil {
			return err
		}
		calls, err := tx.ListCalls(ctx, haven.CallFilter{Scope: all, Limit: 1000})
		c.Calls = len(calls)
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}
