package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"
)

const purgeHelp = `haven purge [--dry-run] [flags]

Runs the retention purge now (the server runs it daily): closed reports past
their channel's retention, on no open case and under no legal hold, are
deleted with their files and search entry, each leaving a tombstone and an
audit event naming the rule; idempotency keys older than 72 hours and
unfinished ESP reports past their protocol expiry go too. With --dry-run,
lists what would go and changes nothing. See docs/retention.md.`

func cmdPurge(ctx context.Context, e env, args []string) error {
	fs := newFlagSet("purge", purgeHelp)
	dry := fs.Bool("dry-run", false, "list what would be purged; change nothing")
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
	res, err := a.svc.Purge(ctx, *dry)
	if res != nil && len(res.Reports) > 0 {
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "REF\tCHANNEL\tRECEIVED\tCLOSED\tRULE")
		for _, t := range res.Reports {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", t.Ref, t.Channel, t.ReceivedAt.Format(time.DateOnly), t.ClosedAt.Format(time.DateOnly), t.Rule)
		}
		tw.Flush()
	}
	if err != nil {
		return err
	}
	verb := "purged"
	if *dry {
		verb = "would purge (dry run, nothing changed)"
		fmt.Fprintf(e.stdout, "%s: %d reports, %d idempotency keys\n", verb, len(res.Reports), res.IdempotencyKeys)
		return nil
	}
	fmt.Fprintf(e.stdout, "%s: %d reports, %d idempotency keys, %d expired unfinished ESP reports\n", verb, len(res.Reports), res.IdempotencyKeys, res.EspExpired)
	return nil
}
