package main

import (
	"context"
	"fmt"
	"text/tabwriter"
)

const espUsage = `Usage: haven esp COMMAND [flags]

Online service providers (ESPs) report over the ESP reporting API at /ispws
(compatible with the CyberTipline Reporting API), with HTTP Basic credentials.

Commands:
  add NAME         create an ESP account; prints its username and a generated
                   password, shown only now (only an argon2id hash is kept)
  list             list ESP accounts
  disable NAME     refuse the account's requests from now on
  enable NAME      accept them again
`

func cmdEsp(ctx context.Context, e env, args []string) error {
	return dispatchSub(e, "esp", espUsage, args, map[string]func([]string) error{
		"add":     func(a []string) error { return espAdd(ctx, e, a) },
		"list":    func(a []string) error { return espList(ctx, e, a) },
		"disable": func(a []string) error { return espSetDisabled(ctx, e, "disable", a) },
		"enable":  func(a []string) error { return espSetDisabled(ctx, e, "enable", a) },
	})
}

// espOpen parses the flags and the NAME argument of an esp command and
// opens the store.
func espOpen(ctx context.Context, e env, verb string, args []string) (*app, string, error) {
	fs := newFlagSet("esp "+verb, "haven esp "+verb+" NAME")
	var sf storeFlags
	sf.register(fs, e)
	name, err := parseWithArg(fs, e, args, "NAME")
	if err != nil {
		return nil, "", err
	}
	a, err := sf.open(ctx, newLogger(e, "text"))
	return a, name, err
}

func espAdd(ctx context.Context, e env, args []string) error {
	a, name, err := espOpen(ctx, e, "add", args)
	if err != nil {
		return err
	}
	defer a.Close()
	acct, pw, err := a.svc.CreateEspAccount(ctx, operator(), name)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "username: %s\npassword: %s\n", acct.Name, pw)
	fmt.Fprintln(e.stderr, "Give these to the ESP over a secure channel: the password is shown only now. Its base URL is https://HOST/ispws")
	return nil
}

func espList(ctx context.Context, e env, args []string) error {
	fs := newFlagSet("esp list", "haven esp list")
	var sf storeFlags
	sf.register(fs, e)
	if err := parse(fs, e, args); err != nil {
		return err
	}
	a, err := sf.open(ctx, newLogger(e, "text"))
	if err != nil {
		return err
	}
	defer a.Close()
	as, err := a.svc.ListEspAccounts(ctx, operator())
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSTATUS\tCREATED")
	for _, acct := range as {
		status := "active"
		if acct.Disabled {
			status = "disabled"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", acct.Name, status, acct.CreatedAt.Format("2006-01-02"))
	}
	return tw.Flush()
}

func espSetDisabled(ctx context.Context, e env, verb string, args []string) error {
	a, name, err := espOpen(ctx, e, verb, args)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.svc.SetEspAccountDisabled(ctx, operator(), name, verb == "disable"); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%sd %s\n", verb, name)
	return nil
}
