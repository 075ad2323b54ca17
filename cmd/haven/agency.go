package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/haven-oss/haven/internal/agencycsv"
	"github.com/haven-oss/haven/internal/haven"
)

const agencyUsage = `Usage: haven agency COMMAND [flags]

Commands:
  add NAME --kind KIND --level LEVEL [--state ST] [--states ST,ST] [--counties C;C] [--zips Z,Z]
      [--phone PHONE] [--email EMAIL]
        add an agency to the directory
  list [--kind KIND] [--state ST]
        list the directory
  import [--dry-run] FILE
        add or update agencies from a CSV file, matched by name; nothing is
        written unless every row is good (layout: docs/agency-directory.md)
  export [FILE]
        write the whole directory as CSV to FILE (default: standard output)
`

func cmdAgency(ctx context.Context, e env, args []string) error {
	return dispatchSub(e, "agency", agencyUsage, args, map[string]func([]string) error{
		"add":    func(a []string) error { return agencyAdd(ctx, e, a) },
		"list":   func(a []string) error { return agencyList(ctx, e, a) },
		"import": func(a []string) error { return agencyImport(ctx, e, a) },
		"export": func(a []string) error { return agencyExport(ctx, e, a) },
	})
}

func agencyAdd(ctx context.Context, e env, args []string) error {
	fs := newFlagSet("agency add", "haven agency add NAME --kind KIND --level LEVEL [--state ST] [--states ST,ST] [--counties C;C] [--zips Z,Z] [--phone PHONE] [--email EMAIL]")
	var sf storeFlags
	sf.register(fs, e)
	kind := fs.String("kind", "", "law_enforcement, task_force, child_welfare, service_provider or clearinghouse")
	level := fs.String("level", "", "local, state, tribal, federal or private")
	state := fs.String("state", "", "home state postal code")
	states := fs.String("states", "", "jurisdiction: comma-separated postal codes (default: the home state; none for federal = nationwide)")
	phone := fs.String("phone", "", "24/7 phone line (required for law enforcement and child welfare)")
	email := fs.String("email", "", "the agency's email address")
	counties := fs.String("counties", "", "jurisdiction: counties separated by ';' (48453 or TX:Travis County)")
	zips := fs.String("zips", "", "jurisdiction: ZIP codes separated by ','")
	name, err := parseWithArg(fs, e, args, "NAME")
	if err != nil {
		return err
	}
	a, err := sf.open(ctx, newLogger(e, "text"))
	if err != nil {
		return err
	}
	defer a.Close()
	ag := &haven.Agency{Name: name, Kind: haven.AgencyKind(*kind), Level: haven.AgencyLevel(*level), State: *state, Phone24x7: *phone, Email: *email}
	ag.Counties = strings.Split(*counties, ";")
	ag.ZIPs = strings.Split(*zips, ",")
	for _, s := range strings.Split(*states, ",") {
		if s = strings.ToUpper(strings.TrimSpace(s)); s != "" {
			ag.States = append(ag.States, s)
		}
	}
	if err := a.svc.CreateAgency(ctx, operator(), ag); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "added agency %d: %s\n", ag.ID, ag.Name)
	return nil
}

func agencyList(ctx context.Context, e env, args []string) error {
	fs := newFlagSet("agency list", "haven agency list [--kind KIND] [--state ST]")
	var sf storeFlags
	sf.register(fs, e)
	kind := fs.String("kind", "", "only agencies of this kind")
	state := fs.String("state", "", "only agencies of this home state")
	if err := parse(fs, e, args); err != nil {
		return err
	}
	a, err := sf.open(ctx, newLogger(e, "text"))
	if err != nil {
		return err
	}
	defer a.Close()
	as, err := a.svc.ListAgencies(ctx, operator(), haven.AgencyFilter{Kind: haven.AgencyKind(*kind), State: strings.ToUpper(*state)})
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tKIND\tLEVEL\tJURISDICTION")
	for _, ag := range as {
		j := strings.Join(ag.Jurisdiction(), ",")
		if j == "" {
			j = "nationwide"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", ag.ID, ag.Name, ag.Kind, ag.Level, j)
	}
	return tw.Flush()
}

func agencyImport(ctx context.Context, e env, args []string) error {
	fs := newFlagSet("agency import", "haven agency import [--dry-run] FILE")
	var sf storeFlags
	sf.register(fs, e)
	dry := fs.Bool("dry-run", false, "check every row and say what would change; write nothing")
	path, err := parseWithArg(fs, e, args, "FILE")
	if err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	rows, err := agencycsv.Read(f)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	a, err := sf.open(ctx, newLogger(e, "text"))
	if err != nil {
		return err
	}
	defer a.Close()
	res, err := a.svc.ImportAgencies(ctx, operator(), rows, *dry)
	if res != nil {
		for _, p := range res.Problems {
			fmt.Fprintln(e.stdout, p.String())
		}
		if len(res.Problems) == 0 {
			verb := "imported"
			if res.DryRun {
				verb = "dry run, nothing written; would import"
			}
			fmt.Fprintf(e.stdout, "%s: %d added, %d changed, %d unchanged\n", verb, len(res.Created), len(res.Updated), res.Unchanged)
			for _, n := range res.Created {
				fmt.Fprintf(e.stdout, "  added   %s\n", n)
			}
			for _, n := range res.Updated {
				fmt.Fprintf(e.stdout, "  changed %s\n", n)
			}
		}
	}
	return err
}

func agencyExport(ctx context.Context, e env, args []string) error {
	fs := newFlagSet("agency export", "haven agency export [FILE]")
	var sf storeFlags
	sf.register(fs, e)
	if err := parse(fs, e, args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		fs.Usage()
		return errUsage
	}
	a, err := sf.open(ctx, newLogger(e, "text"))
	if err != nil {
		return err
	}
	defer a.Close()
	as, err := a.svc.ExportAgencies(ctx, operator())
	if err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return agencycsv.Write(e.stdout, as)
	}
	f, err := os.Create(fs.Arg(0))
	if err != nil {
		return err
	}
	if err := agencycsv.Write(f, as); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
