package demo

import (
	"fmt"
	"strings"

	"github.com/haven-oss/haven/internal/geo"
	"github.com/haven-oss/haven/internal/haven"
)

// Calibration summarises a data set: the shares it is calibrated to, and
// what it covers. Stats computes it from the records themselves, the way
// Haven's statistics will, not from the generator's intentions.
type Calibration struct {
	Reports, Children, Cases int

	// Runaway children: children with at least one endangered-runaway
	// missing-child report; likely victims: those whose case has the
	// determination "yes".
	RunawayChildren, RunawayLikelyVictims int
	// Children who ran from care: runaway children with a missing-from-care
	// runaway report.
	FromCareChildren, FromCareLikelyVictims int

	ByChannel     []Count // in haven.Channels order
	ByMissingType []Count // missing-child reports, in haven.MissingTypes order
	ByPriority    []Count // P1 … P4

	// Jurisdictions is how many of the 52 reporting jurisdictions have at
	// least one report; MissingJurisdictions lists the others.
	Jurisdictions        int
	MissingJurisdictions []string
	// CrossStateIdentifiers counts identifiers (kind, platform, value) that
	// occur in reports from two or more states.
	CrossStateIdentifiers int
}

// Count is a number of records with some key.
type Count struct {
	Key string
	N   int
}

// RunawayShare is the share of runaway children who are likely victims
// (calibrated to 1/6); 0 when there are none.
func (c Calibration) RunawayShare() float64 { return share(c.RunawayLikelyVictims, c.RunawayChildren) }

// FromCareShare is the share of children who ran from care who are likely
// victims (calibrated to 0.19); 0 when there are none.
func (c Calibration) FromCareShare() float64 {
	return share(c.FromCareLikelyVictims, c.FromCareChildren)
}

func share(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return float64(n) / float64(of)
}

// Stats computes the calibration figures of d.
func Stats(d *Dataset) Calibration {
	c := Calibration{Reports: len(d.Reports), Children: len(d.Children), Cases: len(d.Cases)}
	runaway := make([]bool, len(d.Children))
	fromCare := make([]bool, len(d.Children))
	channels := make(map[haven.Channel]int)
	types := make(map[haven.MissingType]int)
	var prio [5]int
	states := make(map[string]bool)
	type idKey struct {
		kind            haven.IdentifierKind
		platform, value string
	}
	firstState := make(map[idKey]string)
	cross := make(map[idKey]bool)
	for i, r := range d.Reports {
		channels[r.Channel]++
		prio[r.Priority]++
		st := reportState(r)
		states[st] = true
		if r.Channel == haven.ChannelMissingChild {
			types[r.MissingType]++
			if ch := d.ReportLinks[i].Child; ch >= 0 && r.MissingType == haven.MissingEndangeredRunaway {
				runaway[ch] = true
				fromCare[ch] = fromCare[ch] || r.MissingFromCare
			}
		}
		for _, id := range r.Identifiers {
			k := idKey{id.Kind, id.Platform, id.Value}
			if s, ok := firstState[k]; !ok {
				firstState[k] = st
			} else if s != st {
				cross[k] = true
			}
		}
	}
	c.CrossStateIdentifiers = len(cross)
	yes := make([]bool, len(d.Children))
	for _, cs := range d.Cases {
		if cs.Case.Determination == haven.DeterminationYes {
			yes[cs.Child] = true
		}
	}
	for i := range d.Children {
		if runaway[i] {
			c.RunawayChildren++
			if yes[i] {
				c.RunawayLikelyVictims++
			}
			if fromCare[i] {
				c.FromCareChildren++
				if yes[i] {
					c.FromCareLikelyVictims++
				}
			}
		}
	}
	for _, ch := range haven.Channels {
		c.ByChannel = append(c.ByChannel, Count{string(ch), channels[ch]})
	}
	for _, t := range haven.MissingTypes {
		c.ByMissingType = append(c.ByMissingType, Count{string(t), types[t]})
	}
	for p := haven.P1; p <= haven.P4; p++ {
		c.ByPriority = append(c.ByPriority, Count{fmt.Sprintf("P%d", p), prio[p]})
	}
	for _, s := range geo.ReportingJurisdictions() {
		if states[s.Code] {
			c.Jurisdictions++
		} else {
			c.MissingJurisdictions = append(c.MissingJurisdictions, s.Code)
		}
	}
	return c
}

// reportState is the report's state as Normalize will derive it: the first
// place with a US state.
func reportState(r *haven.Report) string {
	if r.State != "" {
		return r.State
	}
	for _, p := range r.Places {
		if p.State != "" && (p.Country == "" || p.Country == "US") {
			return p.State
		}
	}
	return ""
}

// String renders the figures for `haven seed` and `haven demo`.
func (c Calibration) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "reports %d, children %d, cases %d\n", c.Reports, c.Children, c.Cases)
	fmt.Fprintf(&b, "runaway children who are likely victims: %d of %d = %.3f (target 1/6 = %.3f)\n",
		c.RunawayLikelyVictims, c.RunawayChildren, c.RunawayShare(), RunawayLikelyVictimRate)
	fmt.Fprintf(&b, "children who ran from care who are likely victims: %d of %d = %.3f (target %.2f)\n",
		c.FromCareLikelyVictims, c.FromCareChildren, c.FromCareShare(), FromCareLikelyVictimRate)
	b.WriteString("by channel:")
	for _, x := range c.ByChannel {
		fmt.Fprintf(&b, " %s %d", x.Key, x.N)
	}
	b.WriteString("\nmissing-child reports by case type:")
	for _, x := range c.ByMissingType {
		fmt.Fprintf(&b, " %s %d", x.Key, x.N)
	}
	b.WriteString("\nby priority:")
	for _, x := range c.ByPriority {
		fmt.Fprintf(&b, " %s %d", x.Key, x.N)
	}
	fmt.Fprintf(&b, "\nreporting jurisdictions covered: %d of 52", c.Jurisdictions)
	if len(c.MissingJurisdictions) > 0 {
		fmt.Fprintf(&b, " (none from %s)", strings.Join(c.MissingJurisdictions, ", "))
	}
	fmt.Fprintf(&b, "\nidentifiers shared across states: %d\n", c.CrossStateIdentifiers)
	return b.String()
}
