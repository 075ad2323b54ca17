package http

import (
	"net/http"
	"strings"

	"github.com/haven-oss/haven/internal/haven"
)

// espAccountsData is what the ESP accounts page shows.
type espAccountsData struct {
	Accounts          []*haven.EspAccount
	Name              string // the name typed in the form, kept on error
	Error, ErrorField string
	CanCreate         bool
	CanUpdate         bool
}

// espCreatedData shows a new ESP account's password, once.
type espCreatedData struct {
	Account  *haven.EspAccount
	Password string
	BaseURL  string
}

// adminEsp lists the ESP accounts (online service providers reporting over
// /ispws) with a form to add one. Administrators only; the service refuses
// anyone else and records the refusal.
func (s *Server) adminEsp(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	s.renderEspAccounts(w, r, a, http.StatusOK, espAccountsData{})
}

func (s *Server) renderEspAccounts(w http.ResponseWriter, r *http.Request, a haven.Actor, status int, d espAccountsData) {
	as, err := s.svc.ListEspAccounts(r.Context(), a)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	d.Accounts = as
	d.CanCreate = haven.CanKind(a, haven.ActionCreate, haven.KindESP)
	d.CanUpdate = haven.CanKind(a, haven.ActionUpdate, haven.KindESP)
	s.render(w, r, status, "admin_esp", &a, d)
}

// adminEspCreate creates an ESP account and shows its generated password
// once; a refused name is shown next to the field.
func (s *Server) adminEspCreate(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	if !s.readForm(w, r) {
		return
	}
	name := r.PostForm.Get("name")
	acct, pw, err := s.svc.CreateEspAccount(r.Context(), a, name)
	if haven.ErrorCode(err) == haven.EINVALID {
		d := espAccountsData{Name: name}
		d.Error, d.ErrorField = s.fieldProblem(r, err)
		s.renderEspAccounts(w, r, a, http.StatusBadRequest, d)
		return
	} else if err != nil {
		s.pageError(w, r, err)
		return
	}
	// ESPs must use HTTPS; plain HTTP only shows for a server on this machine.
	scheme := "https"
	if r.TLS == nil && (strings.HasPrefix(r.Host, "127.0.0.1") || strings.HasPrefix(r.Host, "localhost")) {
		scheme = "http"
	}
	s.render(w, r, http.StatusOK, "admin_esp_created", &a, espCreatedData{Account: acct, Password: pw, BaseURL: scheme + "://" + r.Host + "/ispws"})
}

// adminEspSetDisabled disables or re-enables an ESP account, then shows the list.
func (s *Server) adminEspSetDisabled(disabled bool) userHandler {
	return func(w http.ResponseWriter, r *http.Request, a haven.Actor) {
		if err := s.svc.SetEspAccountDisabled(r.Context(), a, r.PathValue("name"), disabled); err != nil {
			s.pageError(w, r, err)
			return
		}
		http.Redirect(w, r, "/admin/esp", http.StatusSeeOther)
	}
}
