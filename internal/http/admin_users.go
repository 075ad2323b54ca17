package http

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/haven-oss/haven/internal/haven"
)

// accountsPageSize is how many accounts one page of the list shows.
const accountsPageSize = 100

// accountStateLabels name the account states as people read them.
var accountStateLabels = map[haven.AccountState]string{
	haven.AccountActive:   "Active",
	haven.AccountDisabled: "Disabled",
	haven.AccountLocked:   "Locked after failed sign-ins",
}

// accountsForm is the list's filter form as the user typed it.
type accountsForm struct{ Role, State string }

// accountRow is one account in the list, with what the actor may do to it.
type accountRow struct {
	*haven.Account
	StateLabel string
	CanAdmin   bool // show the disable/enable and reset actions
}

// accountsData is what the account list shows.
type accountsData struct {
	Form              accountsForm
	Error, ErrorField string
	Roles, States     []option
	Accounts          []accountRow
	Total             int
	First, Last       int
	PrevURL, NextURL  string
	CanCreate         bool // show the "New account" button
	CanAdmin          bool // show the actions column
}

// adminUsers lists accounts with their role, agency, two-step sign-in and
// state, filtered by role and state. Administrators and supervisors may see
// it; only administrators get the actions. The service refuses anyone else
// (a 403 page) and records the refusal.
func (s *Server) adminUsers(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	q := r.URL.Query()
	d := accountsData{Form: accountsForm{Role: q.Get("role"), State: q.Get("state")}}
	f, pageNo, ferr := parseAccountsFilter(d.Form, q.Get("page"))
	if ferr != nil {
		d.Error, d.ErrorField = haven.ErrorMessage(ferr), haven.ErrorField(ferr)
	}
	accounts, total, err := s.svc.ListAccounts(r.Context(), a, f)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	d.Roles, d.States = roleOptions(d.Form.Role), stateOptions(d.Form.State)
	d.CanCreate = haven.CanKind(a, haven.ActionCreate, haven.KindUser)
	d.CanAdmin = haven.CanKind(a, haven.ActionAdmin, haven.KindUser)
	for _, acc := range accounts {
		d.Accounts = append(d.Accounts, accountRow{Account: acc, StateLabel: accountStateLabels[acc.State],
			CanAdmin: haven.Can(a, haven.ActionAdmin, acc.Resource())})
	}
	d.Total = total
	if len(accounts) > 0 {
		d.First, d.Last = f.Offset+1, f.Offset+len(accounts)
	}
	if pageNo > 1 {
		d.PrevURL = accountsURL(d.Form, pageNo-1)
	}
	if f.Offset+len(accounts) < total {
		d.NextURL = accountsURL(d.Form, pageNo+1)
	}
	status := http.StatusOK
	if ferr != nil {
		status = http.StatusBadRequest
	}
	w.Header().Add("Vary", "HX-Request")
	if isHTMX(r) && r.Header.Get("HX-Target") == "accounts-results" {
		w.Header().Set("HX-Push-Url", accountsURL(d.Form, pageNo))
		s.renderFragment(w, r, status, "admin_users", "accounts-fragment", d)
		return
	}
	s.render(w, r, status, "admin_users", &a, d)
}

// parseAccountsFilter turns the form into a filter. On a bad field it
// returns the filter without that field and an EINVALID error naming it.
func parseAccountsFilter(form accountsForm, page string) (haven.AccountFilter, int, error) {
	f := haven.AccountFilter{Limit: accountsPageSize}
	var bad error
	if form.Role != "" {
		if r := haven.Role(form.Role); r.Valid() {
			f.Role = r
		} else {
			bad = haven.FieldError("role", "Choose a role from the list.")
		}
	}
	if form.State != "" {
		if st := haven.AccountState(form.State); st.Valid() {
			f.State = st
		} else if bad == nil {
			bad = haven.FieldError("state", "Choose a state from the list.")
		}
	}
	pageNo, ok := parsePage(page)
	if !ok {
		pageNo = 1
		if bad == nil {
			bad = haven.FieldError("page", "A page number is a whole number from 1.")
		}
	}
	f.Offset = (pageNo - 1) * accountsPageSize
	return f, pageNo, bad
}

// accountsURL is the list's address for the given filters and page.
func accountsURL(form accountsForm, page int) string {
	v := url.Values{}
	if form.Role != "" {
		v.Set("role", form.Role)
	}
	if form.State != "" {
		v.Set("state", form.State)
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	if len(v) == 0 {
		return "/admin/users"
	}
	return "/admin/users?" + v.Encode()
}

// roleOptions lists the roles with their labels, marking selected.
func roleOptions(selected string) []option {
	opts := make([]option, 0, len(haven.Roles))
	for _, r := range haven.Roles {
		opts = append(opts, option{Value: string(r), Label: r.Label(), Selected: string(r) == selected})
	}
	return opts
}

// stateOptions lists the account states with their labels, marking selected.
func stateOptions(selected string) []option {
	opts := make([]option, 0, len(haven.AccountStates))
	for _, st := range haven.AccountStates {
		opts = append(opts, option{Value: string(st), Label: accountStateLabels[st], Selected: string(st) == selected})
	}
	return opts
}
