package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/haven-oss/haven/internal/haven"
)

const agencyUsage = `Usage: haven agency COMMAND [flags]

Commands:
  add NAME --kind KIND --level LEVEL [--state ST] [--states ST,ST] [--phone PHONE]
        add an agency to the directory
  list [--kind KIND] [--state ST]
        list the directory
`

func cmdAgency(ctx context.Context, e env, args []string) error {
	return dispatchSub(e, "agency", agencyUsage, args, map[string]func([]string) error{
		"add":  func(a []string) error { return agencyAdd(ctx, e, a) },
		"list": func(a []string) error { return agencyList(ctx, e, a) },
	})
}

func agencyAdd(ctx context.Context, e env, args []string) error {
	fs := newFlagSet("agency add", "haven agency add NAME --kind KIND --level LEVEL [--state ST] [--states ST,ST] [--phone PHONE]")
	var sf storeFlags
	sf.register(fs, e)
	kind := fs.String("kind", "", "law_enforcement, task_force, child_welfare, service_provider or clearinghouse")
	level := fs.String("level", "", "local, state, tribal, federal or private")
	state := fs.String("state", "", "home state postal code")
	states := fs.String("states", "", "jurisdiction: comma-separated postal codes (default: the home state; none for federal = nationwide)")
	phone := fs.String("phone", "", "24/7 phone line")
	name, err := parseWithArg(fs, e, args, "NAME")
	if err != nil {
		return err
	}
	a, err := sf.open(ctx, newLogger(e, "text"))
	if err != nil {
		return err
	}
	defer a.Close()
	ag := &haven.Agency{Name: name, Kind: haven.AgencyKind(*kind), Level: haven.AgencyLevel(*level), State: *state, Phone24x7: *phone}
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
