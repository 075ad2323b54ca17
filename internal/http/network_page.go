package http

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/haven-oss/haven/internal/geo"
	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/netviz"
)

// A network of reports linked through shared identifiers, for analysts and
// supervisors (/networks/{id}): the graph (reports as nodes coloured by
// priority, the identifiers they share on the edges), the same links as a
// table, a timeline of the reports in the order received, and a tile-grid
// map of the states they concern with the same counts as a table. All of
// it is server-rendered SVG and HTML: no script. Only the reports the
// viewer may open are drawn; the service audits the view, and a network
// that does not exist or that the viewer may not open answer alike.

type networkData struct {
	ID, Size, Hidden int64
	First, Last      string
	Graph            networkGraph
	Edges            []networkEdgeRow
	Identifiers      []networkIdentifierRow
	Timeline         []networkTimelineRow
	StripWidth       float64
	Tiles            []networkTile
	MapWidth         float64
	MapHeight        float64
	States           []networkStateRow
	Elsewhere        int // members with no US state
}

type networkGraph struct {
	Width, Height, R float64
	Nodes            []networkNode
	Edges            []networkGraphEdge
}

type networkNode struct {
	X, Y, LabelY    float64
	Ref, Href       string
	Class, Priority string
}

type networkGraphEdge struct {
	X1, Y1, X2, Y2, MX, MY float64
	Label, Title           string
}

type networkEdgeRow struct {
	FromRef, FromHref, ToRef, ToHref string
	Identifier, IdentifierHref       string
}

type networkIdentifierRow struct {
	Href, Value, Kind string
	Reports           int
}

type networkTimelineRow struct {
	Received, ReceivedISO, Ref, Href string
	Channel, Incident, Priority      string
	Class                            string
	X                                float64
}

type networkTile struct {
	X, Y, TextX, CodeY, CountY float64
	Code, Name, Class          string
	Count                      int
}

type networkStateRow struct {
	Code, Name string
	Count      int
}

// Sizes of the timeline strip and the map's tiles, in SVG units.
const (
	stripWidth  = 720.0
	stripMargin = 24.0
	tileSize    = 44.0
	tileGap     = 4.0
)

// priorityClass is the CSS class that colours a report by its priority.
func priorityClass(p haven.Priority) string {
	if p >= haven.P1 && p <= haven.P4 {
		return "pri-" + strconv.Itoa(int(p))
	}
	return "pri-none"
}

func priorityLabel(p haven.Priority) string {
	if p == haven.PriorityNone {
		return "Not triaged"
	}
	return p.Label()
}

// networkPage shows one network.
func (s *Server) networkPage(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	v, err := s.svc.Network(r.Context(), a, id)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "network", &a, buildNetworkData(v))
}

func buildNetworkData(v *haven.NetworkView) networkData {
	n := v.Network
	d := networkData{ID: n.ID, Size: int64(n.Size), Hidden: int64(v.Hidden),
		First: showMinute(n.FirstReportAt), Last: showMinute(n.LastReportAt), StripWidth: stripWidth}
	href := func(id int64) string { return "/reports/" + strconv.FormatInt(id, 10) }
	idHref := func(id int64) string { return "/identifiers/" + strconv.FormatInt(id, 10) }

	// The graph: members on a circle, oldest at the top, clockwise.
	g := netviz.CircleLayout(len(v.Members))
	d.Graph = networkGraph{Width: g.Width, Height: g.Height, R: g.NodeRadius}
	at := make(map[int64]int, len(v.Members))
	for i, m := range v.Members {
		at[m.ReportID] = i
		p := g.Nodes[i]
		d.Graph.Nodes = append(d.Graph.Nodes, networkNode{X: p.X, Y: p.Y, LabelY: p.Y + g.NodeRadius + 14, Ref: m.Ref,
			Href: href(m.ReportID), Class: priorityClass(m.Priority), Priority: priorityLabel(m.Priority)})
	}
	ids := make(map[int64]haven.NetworkIdentifier, len(v.Identifiers))
	for _, it := range v.Identifiers {
		ids[it.KeyID] = it
		d.Identifiers = append(d.Identifiers, networkIdentifierRow{Href: idHref(it.KeyID), Value: identifierValue(it.Display),
			Kind: identifierKindLabel(it.Display.Kind), Reports: it.Reports})
	}
	// One line per pair of reports, labelled with every identifier they share.
	type pair struct{ a, b int64 }
	var pairs []pair
	labels := map[pair][]string{}
	for _, e := range v.Edges {
		from, to := v.Members[at[e.From]], v.Members[at[e.To]]
		value := identifierValue(ids[e.KeyID].Display)
		d.Edges = append(d.Edges, networkEdgeRow{FromRef: from.Ref, FromHref: href(from.ReportID), ToRef: to.Ref, ToHref: href(to.ReportID),
			Identifier: value, IdentifierHref: idHref(e.KeyID)})
		pr := pair{e.From, e.To}
		if _, ok := labels[pr]; !ok {
			pairs = append(pairs, pr)
		}
		labels[pr] = append(labels[pr], value)
	}
	for _, pr := range pairs {
		p, q := g.Nodes[at[pr.a]], g.Nodes[at[pr.b]]
		label := strings.Join(labels[pr], ", ")
		d.Graph.Edges = append(d.Graph.Edges, networkGraphEdge{X1: p.X, Y1: p.Y, X2: q.X, Y2: q.Y,
			MX: (p.X + q.X) / 2, MY: (p.Y+q.Y)/2 - 4, Label: label,
			Title: fmt.Sprintf("%s and %s share %s", v.Members[at[pr.a]].Ref, v.Members[at[pr.b]].Ref, label)})
	}

	// The timeline: members come oldest first.
	sorted := append([]haven.NetworkMember(nil), v.Members...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].ReceivedAt.Before(sorted[j].ReceivedAt) })
	times := make([]time.Time, len(sorted))
	for i, m := range sorted {
		times[i] = m.ReceivedAt
	}
	xs := netviz.TimelineX(times, stripWidth, stripMargin)
	for i, m := range sorted {
		d.Timeline = append(d.Timeline, networkTimelineRow{Received: showMinute(m.ReceivedAt), ReceivedISO: isoUTC(m.ReceivedAt), Ref: m.Ref,
			Href: href(m.ReportID), Channel: m.Channel.Label(), Incident: m.Incident.Label(), Priority: priorityLabel(m.Priority),
			Class: priorityClass(m.Priority), X: xs[i]})
	}

	// The map: members by state.
	counts := map[string]int{}
	for _, m := range v.Members {
		if _, ok := geo.StateByCode(m.State); ok {
			counts[m.State]++
		} else {
			d.Elsewhere++
		}
	}
	d.MapWidth, d.MapHeight = netviz.TileColumns*(tileSize+tileGap), netviz.TileRows*(tileSize+tileGap)
	for _, t := range netviz.Tiles {
		st, _ := geo.StateByCode(t.Code)
		x, y := float64(t.Col)*(tileSize+tileGap), float64(t.Row)*(tileSize+tileGap)
		c := counts[t.Code]
		d.Tiles = append(d.Tiles, networkTile{X: x, Y: y, TextX: x + tileSize/2, CodeY: y + 18, CountY: y + 36,
			Code: t.Code, Name: st.Name, Count: c, Class: tileClass(c)})
	}
	for _, st := range geo.States {
		if c := counts[st.Code]; c > 0 {
			d.States = append(d.States, networkStateRow{Code: st.Code, Name: st.Name, Count: c})
		}
	}
	sort.SliceStable(d.States, func(i, j int) bool { return d.States[i].Count > d.States[j].Count })
	return d
}

// tileClass shades a state's tile by how many reports it has.
func tileClass(n int) string {
	switch {
	case n == 0:
		return "tile tile--0"
	case n == 1:
		return "tile tile--1"
	case n < 5:
		return "tile tile--2"
	default:
		return "tile tile--3"
	}
}

// identifierValue is an identifier as a page shows it, with its platform.
func identifierValue(i haven.Identifier) string {
	v := i.Display()
	if v == "" {
		return identifierKindLabel(i.Kind)
	}
	if i.Platform != "" {
		v += " on " + i.Platform
	}
	return v
}
