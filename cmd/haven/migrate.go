package main

import (
	"context"
	"fmt"
)

func cmdMigrate(ctx context.Context, e env, args []string) error {
	fs := newFlagSet("migrate", "haven migrate [flags]\n\nApplies the embedded database migrations and exits (serve applies them at start too).")
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
	fmt.Fprintf(e.stdout, "%s database is up to date\n", a.store.Dialect())
	return nil
}
