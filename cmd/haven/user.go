package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/haven-oss/haven/internal/haven"
)

const userUsage = `Usage: haven user COMMAND [flags]

Commands:
  add USERNAME --role ROLE [--agency NAME] [--name NAME] [--email EMAIL]
        create a staff account; reads the password from standard input (first
        line) and prints the TOTP secret the user enrolls with at first sign-in
  list [--role ROLE]           list accounts
  disable USERNAME             disable an account and end its sessions
  enable USERNAME              re-enable an account (clears a lockout)
  reset-mfa USERNAME           issue a new TOTP secret (lost device) and end sessions

Roles: %s
`

func cmdUser(ctx context.Context, e env, args []string) error {
	roles := make([]string, len(haven.Roles))
	for i, r := range haven.Roles {
		roles[i] = string(r)
	}
	return dispatchSub(e, "user", fmt.Sprintf(userUsage, strings.Join(roles, ", ")), args, map[string]func([]string) error{
		"add":       func(a []string) error { return userAdd(ctx, e, a) },
		"list":      func(a []string) error { return userList(ctx, e, a) },
		"disable":   func(a []string) error { return userSetDisabled(ctx, e, "disable", a) },
		"enable":    func(a []string) error { return userSetDisabled(ctx, e, "enable", a) },
		"reset-mfa": func(a []string) error { return userResetMFA(ctx, e, a) },
	})
}

func userAdd(ctx context.Context, e env, args []string) error {
	fs := newFlagSet("user add", "haven user add USERNAME --role ROLE [--agency NAME] [--name NAME] [--email EMAIL] < password")
	var sf storeFlags
	sf.register(fs, e)
	role := fs.String("role", "", "the account's role (required)")
	agency := fs.String("agency", "", "the agency the user belongs to, by name or id (required for officer, child_welfare, foster_parent)")
	name := fs.String("name", "", "display name")
	email := fs.String("email", "", "email address")
	username, err := parseWithArg(fs, e, args, "USERNAME")
	if err != nil {
		return err
	}
	pw, err := readPassword(e)
	if err != nil {
		return err
	}
	a, err := sf.open(ctx, newLogger(e, "text"))
	if err != nil {
		return err
	}
	defer a.Close()
	op := operator()
	var agencyID int64
	if *agency != "" {
		if agencyID, err = findAgency(ctx, a, op, *agency); err != nil {
			return err
		}
	}
	u, secret, err := a.svc.CreateUser(ctx, op, haven.NewUser{Username: username, DisplayName: *name, Email: *email,
		Role: haven.Role(*role), AgencyID: agencyID, Password: pw})
	if err != nil {
		return err
	}
	_, url, err := a.svc.TOTPSecret(ctx, u)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "created %s (%s), id %d\nTOTP secret: %s\nTOTP URL:    %s\n", u.Username, u.Role.Label(), u.ID, secret, url)
	fmt.Fprintln(e.stdout, "The user adds the secret to an authenticator app (or scans the QR code shown at first sign-in).")
	return nil
}

// parseWithArg parses flags that may come before or after one positional
// argument ("USERNAME --role x" or "--role x USERNAME") and returns it.
func parseWithArg(fs *flag.FlagSet, e env, args []string, what string) (string, error) {
	var pos []string
	for rest := args; ; {
		if err := parse(fs, e, rest); err != nil {
			return "", err
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(pos) != 1 {
		fmt.Fprintf(e.stderr, "expected exactly one %s, got %d\n", what, len(pos))
		fs.Usage()
		return "", errUsage
	}
	return pos[0], nil
}

// readPassword reads the first line of standard input.
func readPassword(e env) (string, error) {
	sc := bufio.NewScanner(e.stdin)
	if !sc.Scan() {
		return "", haven.FieldError("password", "give the password on standard input (e.g. printf '%%s\\n' \"$PASSWORD\" | haven user add ...)")
	}
	return strings.TrimRight(sc.Text(), "\r"), nil
}

// findAgency resolves an agency given by id or exact name.
func findAgency(ctx context.Context, a *app, op haven.Actor, s string) (int64, error) {
	if id, err := strconv.ParseInt(s, 10, 64); err == nil {
		return id, nil
	}
	ag, err := a.svc.AgencyByName(ctx, op, s)
	if err != nil {
		return 0, err
	}
	return ag.ID, nil
}

func userList(ctx context.Context, e env, args []string) error {
	fs := newFlagSet("user list", "haven user list [--role ROLE]")
	var sf storeFlags
	sf.register(fs, e)
	role := fs.String("role", "", "only accounts with this role")
	if err := parse(fs, e, args); err != nil {
		return err
	}
	a, err := sf.open(ctx, newLogger(e, "text"))
	if err != nil {
		return err
	}
	defer a.Close()
	users, err := a.svc.ListUsers(ctx, operator(), haven.UserFilter{Role: haven.Role(*role)})
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tUSERNAME\tROLE\tAGENCY\tTOTP\tSTATE")
	for _, u := range users {
		state := "active"
		if u.Disabled {
			state = "disabled"
		} else if u.Locked(a.svc.Now()) {
			state = "locked"
		}
		mfa := "not enrolled"
		if u.TOTPEnrolled {
			mfa = "enrolled"
		}
		agency := "-"
		if u.AgencyID != 0 {
			agency = strconv.FormatInt(u.AgencyID, 10)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", u.ID, u.Username, u.Role, agency, mfa, state)
	}
	return tw.Flush()
}

func userSetDisabled(ctx context.Context, e env, verb string, args []string) error {
	fs := newFlagSet("user "+verb, "haven user "+verb+" USERNAME")
	var sf storeFlags
	sf.register(fs, e)
	username, err := parseWithArg(fs, e, args, "USERNAME")
	if err != nil {
		return err
	}
	a, err := sf.open(ctx, newLogger(e, "text"))
	if err != nil {
		return err
	}
	defer a.Close()
	op := operator()
	u, err := a.svc.UserByUsername(ctx, op, username)
	if err != nil {
		return err
	}
	if err := a.svc.SetUserDisabled(ctx, op, u.ID, verb == "disable"); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%sd %s\n", verb, u.Username)
	return nil
}

func userResetMFA(ctx context.Context, e env, args []string) error {
	fs := newFlagSet("user reset-mfa", "haven user reset-mfa USERNAME")
	var sf storeFlags
	sf.register(fs, e)
	username, err := parseWithArg(fs, e, args, "USERNAME")
	if err != nil {
		return err
	}
	a, err := sf.open(ctx, newLogger(e, "text"))
	if err != nil {
		return err
	}
	defer a.Close()
	op := operator()
	u, err := a.svc.UserByUsername(ctx, op, username)
	if err != nil {
		return err
	}
	secret, err := a.svc.ResetMFA(ctx, op, u.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "new TOTP secret for %s: %s\nTheir sessions have ended; they enroll the new secret at their next sign-in.\n", u.Username, secret)
	return nil
}
