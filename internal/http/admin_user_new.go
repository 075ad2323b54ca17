package http

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/haven-oss/haven/internal/haven"
)

// newAccountForm is the "New account" form as the administrator typed it.
// The password is never sent back to the browser.
type newAccountForm struct {
	Username, DisplayName, Email, Role, Agency string
}

// newAccountData is what the "New account" page shows.
type newAccountData struct {
	Form              newAccountForm
	Error, ErrorField string
	Roles             []option
	Agencies          []option
	AgencyRoles       string // the roles that must belong to an agency, for the hint
	MinPassword       int
}

// secretData is the page that shows a newly issued TOTP secret, once: after
// an account is created, or after its two-step sign-in is reset.
type secretData struct {
	Created bool // a new account (false: a reset)
	Account *haven.Account
	Secret  string
}

// adminUserNew shows the "New account" form to those who may create
// accounts; the service refuses anyone else and records the refusal.
func (s *Server) adminUserNew(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	if err := s.svc.RequireKind(r.Context(), a, haven.ActionCreate, haven.KindUser, "create accounts"); err != nil {
		s.pageError(w, r, err)
		return
	}
	s.renderNewAccount(w, r, a, http.StatusOK, newAccountData{})
}

// adminUserCreate creates an account from the form. A field the service
// refuses is shown next to that field, with everything typed kept (except
// the password); on success the new key is shown once.
func (s *Server) adminUserCreate(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	if !s.readForm(w, r) {
		return
	}
	p := r.PostForm
	form := newAccountForm{Username: p.Get("username"), DisplayName: p.Get("display_name"),
		Email: p.Get("email"), Role: p.Get("role"), Agency: p.Get("agency")}
	nu := haven.NewUser{Username: form.Username, DisplayName: form.DisplayName, Email: form.Email,
		Role: haven.Role(form.Role), Password: p.Get("password")}
	if form.Agency != "" {
		id, err := strconv.ParseInt(form.Agency, 10, 64)
		if err != nil || id <= 0 {
			// Say so only to someone who may create accounts at all.
			if err := s.svc.RequireKind(r.Context(), a, haven.ActionCreate, haven.KindUser, "create accounts"); err != nil {
				s.pageError(w, r, err)
				return
			}
			s.renderNewAccount(w, r, a, http.StatusBadRequest, newAccountData{Form: form,
				Error: "Choose an agency from the list.", ErrorField: "agency"})
			return
		}
		nu.AgencyID = id
	}
	u, secret, err := s.svc.CreateUser(r.Context(), a, nu)
	if haven.ErrorCode(err) == haven.EINVALID {
		d := newAccountData{Form: form}
		d.Error, d.ErrorField = s.fieldProblem(r, err)
		s.renderNewAccount(w, r, a, http.StatusBadRequest, d)
		return
	} else if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.renderSecret(w, r, a, true, u, secret)
}

// renderNewAccount renders the form with the roles and agencies to choose from.
func (s *Server) renderNewAccount(w http.ResponseWriter, r *http.Request, a haven.Actor, status int, d newAccountData) {
	agencies, err := s.agencyOptions(r.Context(), a, d.Form.Agency)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	d.Roles, d.Agencies, d.MinPassword = roleOptions(d.Form.Role), agencies, haven.MinPasswordLength
	var need []string
	for _, role := range haven.Roles {
		if role.NeedsAgency() {
			need = append(need, strings.ToLower(role.Label())+"s")
		}
	}
	d.AgencyRoles = joinWords(need)
	s.render(w, r, status, "admin_user_new", &a, d)
}

// agencyOptions lists every agency as a choice, "Name (ST)", by name.
func (s *Server) agencyOptions(ctx context.Context, a haven.Actor, selected string) ([]option, error) {
	agencies, err := s.svc.ListAgencies(ctx, a, haven.AgencyFilter{Status: haven.AgencyActive})
	if err != nil {
		return nil, err
	}
	opts := make([]option, 0, len(agencies))
	for _, ag := range agencies {
		label := ag.Name
		if ag.State != "" {
			label += " (" + ag.State + ")"
		}
		id := strconv.FormatInt(ag.ID, 10)
		opts = append(opts, option{Value: id, Label: label, Selected: id == selected})
	}
	return opts, nil
}

// renderSecret shows a newly issued TOTP secret once. The page is the
// answer to the POST that issued it (no address to come back to), and the QR
// code's address carries only the account id: the service gives the secret
// behind it to this administrator alone, until the user enrols.
func (s *Server) renderSecret(w http.ResponseWriter, r *http.Request, a haven.Actor, created bool, u *haven.User, secret string) {
	acc, err := s.svc.Account(r.Context(), a, u.ID, haven.ActionView)
	if err != nil {
		s.logger(r).Warn("account for the secret page", "err", err)
		acc = &haven.Account{User: u}
	}
	s.render(w, r, http.StatusOK, "admin_user_secret", &a, secretData{Created: created, Account: acc, Secret: secret})
}

// joinWords joins words as in prose: "a", "a and b", "a, b and c".
func joinWords(words []string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return fmt.Sprintf("%s and %s", strings.Join(words[:len(words)-1], ", "), words[len(words)-1])
}
