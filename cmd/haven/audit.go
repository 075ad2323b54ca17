package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/haven-oss/haven/internal/haven"
)

func cmdAudit(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || args[0] != "verify" {
		fs := newFlagSet("audit", "haven audit verify [flags]")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fs.SetOutput(e.stdout)
			fs.Usage()
			return nil
		}
		fs.SetOutput(e.stderr)
		fs.Usage()
		return errUsage
	}
	fs := newFlagSet("audit verify", "haven audit verify [flags]\n\nWalks the whole audit log and checks its hash chain against the key file.\nExits 1 and names the first entry that was edited, inserted or deleted.")
	var sf storeFlags
	sf.register(fs, e)
	if err := parse(fs, e, args[1:]); err != nil {
		return err
	}
	a, err := sf.open(ctx, newLogger(e, "text"))
	if err != nil {
		return err
	}
	defer a.Close()
	n, err := a.svc.VerifyAudit(ctx)
	var brk *haven.ChainBreak
	if errors.As(err, &brk) {
		fmt.Fprintf(e.stdout, "audit log TAMPERED: %s (%d entries verified before it)\n", brk.Error(), n)
		return fmt.Errorf("audit verification failed")
	} else if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "audit log intact: %d entries verified\n", n)
	return nil
}
