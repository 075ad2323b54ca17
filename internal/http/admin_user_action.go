package http

import (
	"net/http"

	"github.com/haven-oss/haven/internal/haven"
)

// accountAction is a change an administrator makes to an account from the
// list: each has a confirmation page (GET) and the change itself (POST).
type accountAction struct {
	path    string // the last segment of /admin/users/{id}/…
	heading func(acc *haven.Account) string
	explain func(acc *haven.Account) string
	button  func(acc *haven.Account) string
	danger  bool
}

// accountActions are the actions, by path segment.
var accountActions = map[string]accountAction{
	"disable": {
		path:    "disable",
		heading: func(acc *haven.Account) string { return "Disable the account of " + personName(acc) + "?" },
		explain: func(acc *haven.Account) string {
			return personName(acc) + " will be signed out at once and cannot sign in until an administrator enables the account again. Nothing they entered is deleted."
		},
		button: func(*haven.Account) string { return "Disable account" },
		danger: true,
	},
	"enable": {
		path: "enable",
		heading: func(acc *haven.Account) string {
			if acc.State == haven.AccountLocked {
				return "Unlock the account of " + personName(acc) + "?"
			}
			return "Enable the account of " + personName(acc) + "?"
		},
		explain: func(acc *haven.Account) string {
			return personName(acc) + " will be able to sign in again with their password and their authenticator app. A lockout after failed sign-ins is cleared too."
		},
		button: func(acc *haven.Account) string {
			if acc.State == haven.AccountLocked {
				return "Unlock account"
			}
			return "Enable account"
		},
	},
	"reset-mfa": {
		path:    "reset-mfa",
		heading: func(acc *haven.Account) string { return "Reset two-step sign-in for " + personName(acc) + "?" },
		explain: func(acc *haven.Account) string {
			return "Do this when " + personName(acc) + " has lost their phone or can no longer use their authenticator app. " +
				"Their current codes stop working and they are signed out. Haven then shows you a new setup key, once, to give to them; " +
				"they set it up the next time they sign in."
		},
		button: func(*haven.Account) string { return "Reset two-step sign-in" },
		danger: true,
	},
}

// accountActionData is what the confirmation page, and the page after a
// change, show.
type accountActionData struct {
	Account                 *haven.Account
	Path                    string
	StateLabel              string
	Heading, Explain, Label string
	Danger                  bool
	Done                    string // what was done; empty on the confirmation page
}

// personName is how the account pages name a person: "Display Name (username)".
func personName(acc *haven.Account) string {
	if acc.DisplayName == "" || acc.DisplayName == acc.Username {
		return acc.Username
	}
	return acc.DisplayName + " (" + acc.Username + ")"
}

// adminUserConfirm asks the administrator to confirm an action on an
// account. The service refuses anyone who may not administer it.
func (s *Server) adminUserConfirm(action string) userHandler {
	act := accountActions[action]
	return func(w http.ResponseWriter, r *http.Request, a haven.Actor) {
		id, ok := pathID(r)
		if !ok {
			s.notFound(w, r)
			return
		}
		acc, err := s.svc.Account(r.Context(), a, id, haven.ActionAdmin)
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		s.render(w, r, http.StatusOK, "admin_user_action", &a, accountActionData{Account: acc, Path: act.path,
			StateLabel: accountStateLabels[acc.State], Heading: act.heading(acc), Explain: act.explain(acc), Label: act.button(acc), Danger: act.danger})
	}
}

// adminUserDo makes the confirmed change. Disabling ends the user's
// sessions at once (the service does it in the same transaction); a reset
// shows the new key once.
func (s *Server) adminUserDo(action string) userHandler {
	act := accountActions[action]
	return func(w http.ResponseWriter, r *http.Request, a haven.Actor) {
		id, ok := pathID(r)
		if !ok {
			s.notFound(w, r)
			return
		}
		var err error
		switch act.path {
		case "disable":
			err = s.svc.SetUserDisabled(r.Context(), a, id, true)
		case "enable":
			err = s.svc.SetUserDisabled(r.Context(), a, id, false)
		case "reset-mfa":
			var secret string
			if secret, err = s.svc.ResetMFA(r.Context(), a, id); err == nil {
				var acc *haven.Account
				if acc, err = s.svc.Account(r.Context(), a, id, haven.ActionAdmin); err == nil {
					s.render(w, r, http.StatusOK, "admin_user_secret", &a, secretData{Account: acc, Secret: secret})
					return
				}
			}
		}
		if haven.ErrorCode(err) == haven.ENOTFOUND {
			// The store's "no such user" is for logs; the page says it plainly.
			err = haven.Errorf(haven.ENOTFOUND, "There is no such account.")
		}
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		acc, err := s.svc.Account(r.Context(), a, id, haven.ActionAdmin)
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		d := accountActionData{Account: acc, Path: act.path, StateLabel: accountStateLabels[acc.State], Heading: "Account updated"}
		if act.path == "disable" {
			d.Done = "The account of " + personName(acc) + " is disabled, and they have been signed out."
		} else {
			d.Done = "The account of " + personName(acc) + " is enabled. They can sign in again."
		}
		s.render(w, r, http.StatusOK, "admin_user_action", &a, d)
	}
}
