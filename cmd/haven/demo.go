package main

import (
	"context"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/haven-oss/haven/internal/demo"
	"github.com/haven-oss/haven/internal/haven"
)

func cmdDemo(ctx context.Context, e env, args []string) error {
	fs := newFlagSet("demo", "haven demo [flags]\n\nStarts Haven on an embedded SQLite database loaded with synthetic demo data, and prints\nthe address and the demo logins with their TOTP secrets. Everything in it is fictional.")
	dataDir := fs.String("data-dir", e.getenv("HAVEN_DATA_DIR"), "folder for the demo database and key file (default: a new temporary folder, removed on exit)")
	var sv serverFlags
	sv.register(fs, e, "127.0.0.1:8080")
	reports := fs.Int("reports", demo.DefaultReports, "how many synthetic reports to generate")
	seed := fs.Uint64("seed", demo.DefaultSeed, "random seed (the same seed gives the same people and reports)")
	if err := parse(fs, e, args); err != nil {
		return err
	}
	if err := sv.validate(); err != nil {
		return err
	}
	if *dataDir == "" {
		dir, err := os.MkdirTemp("", "haven-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		*dataDir = dir
	}
	log := newLogger(e, sv.logFormat)
	sf := storeFlags{dataDir: *dataDir}
	a, err := sf.open(ctx, log)
	if err != nil {
		return err
	}
	defer a.Close()

	var n int
	if err := a.store.View(ctx, func(tx haven.Tx) (err error) {
		n, err = tx.CountUsers(ctx, haven.UserFilter{})
		return err
	}); err != nil {
		return err
	}
	var loaded *demo.Loaded
	if n == 0 {
		fmt.Fprintf(e.stdout, "Generating %d synthetic reports (seed %d) in %s ...\n", *reports, *seed, *dataDir)
		d := demo.Generate(*seed, *reports, time.Now().UTC().Truncate(time.Hour))
		if loaded, err = demo.Load(ctx, a.svc, d); err != nil {
			return err
		}
		fmt.Fprint(e.stdout, demo.Stats(d).String())
	} else {
		fmt.Fprintf(e.stdout, "%s already holds data: not loading demo data again. Sign in with the logins printed when it was loaded.\n", *dataDir)
	}
	return serve(ctx, e, a, sv, func(url string) {
		fmt.Fprintf(e.stdout, "\nHaven demo is running at %s  (Ctrl-C stops it)\n", url)
		if loaded != nil {
			printLogins(e, loaded)
		}
	})
}

// printLogins prints the demo accounts: every one has the same public demo
// password and its own TOTP secret.
func printLogins(e env, l *demo.Loaded) {
	fmt.Fprintf(e.stdout, "\nDemo logins (password %q for all; add the TOTP secret to an authenticator app,\nor scan the QR code shown at first sign-in):\n", demo.Password)
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  USERNAME\tROLE\tAGENCY\tTOTP SECRET")
	for _, u := range l.Users {
		ag := u.Agency
		if ag == "" {
			ag = "-"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", u.User.Username, u.User.Role.Label(), ag, u.TOTPSecret)
	}
	tw.Flush()
}

func cmdSeed(ctx context.Context, e env, args []string) error {
	fs := newFlagSet("seed", "haven seed --reports N --seed S [flags]\n\nLoads a deterministic synthetic data set into the database (for trials and benchmarks).\nThe database must not hold demo data already.")
	var sf storeFlags
	sf.register(fs, e)
	reports := fs.Int("reports", 10000, "how many synthetic reports")
	seed := fs.Uint64("seed", demo.DefaultSeed, "random seed (the same seed and base give the same data)")
	base := fs.String("base", "2026-11-01T00:00:00Z", "the data's newest time (RFC 3339)")
	logins := fs.Bool("print-logins", false, "print the demo accounts' TOTP secrets")
	if err := parse(fs, e, args); err != nil {
		return err
	}
	if *reports < 1 {
		return haven.FieldError("reports", "give a positive number of reports")
	}
	at, err := time.Parse(time.RFC3339, *base)
	if err != nil {
		return haven.FieldError("base", "the base time is RFC 3339, e.g. 2026-11-01T00:00:00Z")
	}
	a, err := sf.open(ctx, newLogger(e, "text"))
	if err != nil {
		return err
	}
	defer a.Close()
	start := time.Now()
	d := demo.Generate(*seed, *reports, at.UTC())
	gen := time.Since(start)
	loaded, err := demo.Load(ctx, a.svc, d)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "loaded %d agencies, %d users, %d children, %d reports, %d cases into the %s database (generated in %v, stored in %v)\n",
		loaded.Agencies, len(loaded.Users), loaded.Children, loaded.Reports, loaded.Cases, a.store.Dialect(),
		gen.Round(time.Millisecond), (time.Since(start) - gen).Round(time.Millisecond))
	fmt.Fprint(e.stdout, demo.Stats(d).String())
	if *logins {
		printLogins(e, loaded)
	}
	return nil
}
