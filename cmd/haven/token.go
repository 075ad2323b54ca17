package main

import (
	"context"
	"fmt"
)

func cmdToken(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || args[0] != "add" {
		fs := newFlagSet("token", "haven token add [--name NAME] USER")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fs.SetOutput(e.stdout)
			fs.Usage()
			return nil
		}
		fs.SetOutput(e.stderr)
		fs.Usage()
		return errUsage
	}
	fs := newFlagSet("token add", "haven token add [--name NAME] USER\n\nIssues a JSON API token (Authorization: Bearer TOKEN) that carries exactly USER's permissions.\nThe token is printed once; only its hash is kept.")
	var sf storeFlags
	sf.register(fs, e)
	name := fs.String("name", "", "what the token is for (e.g. the integrating system)")
	username, err := parseWithArg(fs, e, args[1:], "USER")
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
	tok, err := a.svc.CreateToken(ctx, op, u.ID, *name)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s\n", tok)
	fmt.Fprintf(e.stderr, "API token for %s (%s). Keep it secret: it is shown only now.\n", u.Username, u.Role.Label())
	return nil
}
