// Package demo generates Haven's synthetic demo data and loads it through the
// service: a clearinghouse and the agencies of all 52 reporting jurisdictions,
// a demo account for every role, fictional children, reports from every
// channel, and child-centred cases whose "likely victim" determinations are
// calibrated to the rates NCMEC published for 2021 (1 in 6 runaway children;
// 19% of children who ran from child-welfare care).
//
// Generation is pure and deterministic: the same seed, size and base time
// give the same Dataset, byte for byte. Nothing in it is real. Narratives start
// with Marker, children's descriptions with ChildMarker and agency names end
// with "(demo)"; phone numbers are NXX-555-01xx (reserved for fiction), e-mail
// addresses and URLs are under example.com, IP addresses are in the
// documentation ranges, and the online platforms are made up. Narratives are
// short, plain, non-graphic descriptions of concern in trauma-informed
// language.
package demo

import (
	"math/rand/v2"
	"sort"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// Password is the password of every demo account. It is public: a database
// loaded with demo data must never hold real records.
const Password = "haven-demo-password"

// Markers that make synthetic records recognisable wherever people read them.
const (
	Marker      = "[Synthetic demo report]" // starts every report narrative
	ChildMarker = "[Synthetic demo child]"  // starts every child's description
)

// Defaults for `haven demo`.
const (
	DefaultSeed    uint64 = 1
	DefaultReports        = 1500
)

// The published rates the data is calibrated to (NCMEC, 2021).
const (
	RunawayLikelyVictimRate  = 1.0 / 6 // of runaway children, likely child sex trafficking victims
	FromCareLikelyVictimRate = 0.19    // of children who ran from child-welfare care
)

// inCareShare is the share of runaway children who ran from child-welfare
// care (the demo's choice; the published rates say nothing about it).
const inCareShare = 0.30

// Dataset is a generated demo data set. Records refer to one another by index
// into the Dataset's slices, because IDs exist only once records are stored;
// Load turns indices into IDs. An index of -1 means "none".
type Dataset struct {
	Seed     uint64
	Base     time.Time // every time in the data is at or before Base
	Agencies []*haven.Agency
	Users    []DemoUser
	Children []*haven.Child
	// ChildAgency[i] is the index in Agencies of the agency responsible for
	// Children[i]: the child-welfare agency for a child in care, otherwise
	// the state police of the child's state.
	ChildAgency []int
	Reports     []*haven.Report // in ReceivedAt order
	// ReportLinks[i] holds the references of Reports[i].
	ReportLinks []ReportLinks
	Cases       []*DemoCase
}

// DemoUser is a demo account: what CreateUser needs, and the index in
// Dataset.Agencies of the user's agency (-1 for clearinghouse staff, who
// belong to no agency).
type DemoUser struct {
	User   haven.NewUser
	Agency int
}

// ReportLinks are a report's references to other records, by index.
type ReportLinks struct {
	Agency     int // in Agencies: the agency that holds the report; -1 = the clearinghouse
	Child      int // in Children: the child on file the report's first person mention (People[0]) is confirmed to be
	CreatedBy  int // in Users: who entered the report
	AssignedTo int // in Users: the analyst who has it
}

// DemoCase is a child-centred case and its references, by index.
type DemoCase struct {
	Case       *haven.Case
	Child      int   // in Children
	Reports    []int // in Reports
	Agency     int   // in Agencies: the agency the case is shared with
	AssignedTo int   // in Users
}

// Generate returns a demo data set of reports reports (about a third of them
// missing-child reports, each about a child on file), generated from seed.
// Every time in it lies in the three years before base (most in the last
// year), and no time depends on the clock: pass the current time for a demo
// that looks current (base must not be later than the clock of the service
// that loads the data, which refuses times in the future), or a fixed time
// for a reproducible set. With a few hundred reports or more, every
// channel, every missing-child case type and all 52 reporting jurisdictions
// appear.
func Generate(seed uint64, reports int, base time.Time) *Dataset {
	if reports < 0 {
		reports = 0
	}
	g := &gen{
		r:    rand.New(rand.NewPCG(seed, 0x4841_5645_4e5f_4445)), // "HAVEN_DE"
		base: base.UTC().Truncate(time.Second),
	}
	g.d = &Dataset{Seed: seed, Base: g.base}
	g.agencies()
	g.users()
	counts := channelCounts(reports)
	g.networks(reports)
	g.kids(counts[haven.ChannelMissingChild])
	g.calibrate()
	g.missingReports()
	slots := g.slots(counts)
	slots = g.concernReports(slots)
	g.otherReports(slots)
	g.cases()
	g.sortReports()
	return g.d
}

// channelShares is the channel mix, in haven.Channels order.
var channelShares = map[haven.Channel]float64{
	haven.ChannelPublicTip:    0.20,
	haven.ChannelHotline:      0.14,
	haven.ChannelMissingChild: 0.34,
	haven.ChannelESP:          0.22,
	haven.ChannelAPI:          0.05,
	haven.ChannelImport:       0.05,
}

// channelCounts splits n reports among the channels by largest remainder,
// giving every channel at least one report when n allows.
func channelCounts(n int) map[haven.Channel]int {
	counts := make(map[haven.Channel]int, len(haven.Channels))
	type rem struct {
		c haven.Channel
		f float64
	}
	var rems []rem
	left := n
	for _, c := range haven.Channels {
		x := float64(n) * channelShares[c]
		counts[c] = int(x)
		left -= int(x)
		rems = append(rems, rem{c, x - float64(int(x))})
	}
	sort.SliceStable(rems, func(i, j int) bool { return rems[i].f > rems[j].f })
	for i := 0; left > 0; i++ {
		counts[rems[i%len(rems)].c]++
		left--
	}
	if n >= len(haven.Channels) {
		for _, c := range haven.Channels {
			for counts[c] == 0 { // take one from the largest channel
				big := haven.Channels[0]
				for _, o := range haven.Channels {
					if counts[o] > counts[big] {
						big = o
					}
				}
				counts[big]--
				counts[c]++
			}
		}
	}
	return counts
}

// sortReports puts the reports in ReceivedAt order (so that stored IDs rise
// with time) and renumbers the indices that point at them.
func (g *gen) sortReports() {
	d := g.d
	order := make([]int, len(d.Reports))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		return d.Reports[order[a]].ReceivedAt.Before(d.Reports[order[b]].ReceivedAt)
	})
	newIndex := make([]int, len(order))
	reports := make([]*haven.Report, len(order))
	links := make([]ReportLinks, len(order))
	for to, from := range order {
		newIndex[from] = to
		reports[to], links[to] = d.Reports[from], d.ReportLinks[from]
	}
	d.Reports, d.ReportLinks = reports, links
	for _, c := range d.Cases {
		for i, ri := range c.Reports {
			c.Reports[i] = newIndex[ri]
		}
		sort.Ints(c.Reports)
	}
}
