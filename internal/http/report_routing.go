package http

import (
	"net/http"
	"strconv"

	"github.com/haven-oss/haven/internal/haven"
)

// Routing suggestions for a report: the "Suggested recipients" panel (the
// "routing-panel" template, drawn on the report page and usable on the case
// page) and GET /api/v1/reports/{id}/routing. Both come from
// Service.RoutingSuggestions, which audits the read; the panel's form posts
// the analyst's choice to POST /reports/{id}/referrals (agency_id repeated,
// note), where the referrals are made.

// routingView is the panel's data.
type routingView struct {
	ReportID             int64
	Action               string // where the form posts
	CanRefer             bool   // the form is shown; else the list is read-only
	International        bool
	InternationalReasons []string
	Conflicts            []string
	Unplaced             []string
	Places               []string
	Groups               []routingGroup
	Any                  bool // any candidate at all
}

type routingGroup struct {
	ID, Title, Hint string
	Rows            []routingRow
}

type routingRow struct {
	AgencyID           int64
	InputID            string
	Name, Kind, Match  string
	Phone              string
	Reasons            []string
	ReasonsID          string
	Nationwide, Tribal bool
}

var coverageLabels = map[haven.CoverageMatch]string{haven.CoverZIP: "Covers the ZIP code", haven.CoverCounty: "Covers the county",
	haven.CoverState: "Covers the state", haven.CoverNationwide: "Nationwide"}

// newRoutingView turns the suggestions into the panel; canRefer shows the
// form.
func newRoutingView(rt *haven.Routing, canRefer bool) *routingView {
	id := strconv.FormatInt(rt.ReportID, 10)
	v := &routingView{ReportID: rt.ReportID, Action: "/reports/" + id + "/referrals", CanRefer: canRefer,
		International: rt.Basis.International, InternationalReasons: rt.Basis.InternationalReasons,
		Conflicts: rt.Basis.Conflicts, Unplaced: rt.Basis.Unplaced}
	for _, p := range rt.Basis.Places {
		v.Places = append(v.Places, p.Reason)
	}
	group := func(gid, title, hint string, cs []haven.RouteCandidate) {
		g := routingGroup{ID: gid, Title: title, Hint: hint}
		for _, c := range cs {
			row := routingRow{AgencyID: c.Agency.ID, InputID: "route-" + strconv.FormatInt(c.Agency.ID, 10),
				Name: c.Agency.Name, Kind: labelOr(agencyKindLabels, c.Agency.Kind), Match: labelOr(coverageLabels, c.Match),
				Phone: c.Agency.Phone24x7, Nationwide: c.Match == haven.CoverNationwide, Tribal: c.Agency.Level == haven.LevelTribal}
			row.ReasonsID = row.InputID + "-reasons"
			for _, r := range c.Reasons {
				row.Reasons = append(row.Reasons, r.Text)
			}
			g.Rows = append(g.Rows, row)
		}
		if len(g.Rows) > 0 || gid == "route-investigators" {
			v.Groups = append(v.Groups, g)
			v.Any = v.Any || len(g.Rows) > 0
		}
	}
	group("route-investigators", "Investigators", "Law enforcement and task forces whose jurisdiction covers a place in the report, most specific first.",
		rt.Investigators)
	if rt.ChildInCare {
		group("route-child-welfare", "Child welfare", rt.ChildInCareReason+" The child-welfare agencies covering the report's places should also be told.",
			rt.ChildWelfare)
	}
	return v
}

// reportRouting is the panel for the report page; nil (panel not shown)
// when the suggestions cannot be read.
func (s *Server) reportRouting(r *http.Request, a haven.Actor, rep *haven.Report) *routingView {
	rt, err := s.svc.RoutingSuggestions(r.Context(), a, rep.ID)
	if err != nil {
		if haven.ErrorCode(err) != haven.ENOTFOUND {
			s.logger(r).Error("routing suggestions", "report", rep.ID, "err", err)
		}
		return nil
	}
	return newRoutingView(rt, haven.Can(a, haven.ActionUpdate, rep.Resource()))
}

// apiRouting is GET /api/v1/reports/{id}/routing.
type apiRouting struct {
	ReportID             int64               `json:"report_id"`
	International        bool                `json:"international"`
	InternationalReasons []string            `json:"international_reasons"`
	Conflicts            []string            `json:"conflicts"`
	Unplaced             []string            `json:"unplaced"`
	Places               []apiRoutePlace     `json:"places"`
	ChildInCare          bool                `json:"child_in_care"`
	ChildInCareReason    string              `json:"child_in_care_reason"`
	Candidates           []apiRouteCandidate `json:"candidates"`
}

type apiRoutePlace struct {
	Source      haven.RouteSource `json:"source"`
	State       string            `json:"state"`
	CountyFIPS  string            `json:"county_fips"`
	County      string            `json:"county"`
	ZIP         string            `json:"zip"`
	Specificity haven.Specificity `json:"specificity"`
	Reason      string            `json:"reason"`
}

type apiRouteCandidate struct {
	Rank      int                 `json:"rank"`
	Group     haven.RouteGroup    `json:"group"`
	AgencyID  int64               `json:"agency_id"`
	Name      string              `json:"name"`
	Kind      haven.AgencyKind    `json:"kind"`
	Level     haven.AgencyLevel   `json:"level"`
	State     string              `json:"state"`
	Phone24x7 string              `json:"phone_24x7"`
	Match     haven.CoverageMatch `json:"match"`
	Reasons   []apiRouteReason    `json:"reasons"`
}

type apiRouteReason struct {
	Source haven.RouteSource   `json:"source"`
	Match  haven.CoverageMatch `json:"match"`
	Text   string              `json:"text"`
}

// nonNil is l, or an empty list for none: the API writes [] rather than
// null.
func nonNil(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

// apiReportRouting answers the routing suggestions of a report the token's
// user may see (others: 404, audited).
func (s *Server) apiReportRouting(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	id, ok := s.apiPathID(w, r, haven.KindReport)
	if !ok {
		return
	}
	rt, err := s.svc.RoutingSuggestions(r.Context(), a, id)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	out := apiRouting{ReportID: rt.ReportID, International: rt.Basis.International,
		InternationalReasons: nonNil(rt.Basis.InternationalReasons), Conflicts: nonNil(rt.Basis.Conflicts),
		Unplaced: nonNil(rt.Basis.Unplaced), Places: []apiRoutePlace{}, ChildInCare: rt.ChildInCare,
		ChildInCareReason: rt.ChildInCareReason, Candidates: []apiRouteCandidate{}}
	for _, p := range rt.Basis.Places {
		out.Places = append(out.Places, apiRoutePlace{Source: p.Source, State: p.State, CountyFIPS: p.CountyFIPS, County: p.CountyName,
			ZIP: p.ZIP, Specificity: p.Specificity, Reason: p.Reason})
	}
	for _, cs := range [][]haven.RouteCandidate{rt.Investigators, rt.ChildWelfare} {
		for i, c := range cs {
			ac := apiRouteCandidate{Rank: i + 1, Group: c.Group, AgencyID: c.Agency.ID, Name: c.Agency.Name, Kind: c.Agency.Kind,
				Level: c.Agency.Level, State: c.Agency.State, Phone24x7: c.Agency.Phone24x7, Match: c.Match, Reasons: []apiRouteReason{}}
			for _, r := range c.Reasons {
				ac.Reasons = append(ac.Reasons, apiRouteReason{Source: r.Source, Match: r.Match, Text: r.Text})
			}
			out.Candidates = append(out.Candidates, ac)
		}
	}
	writeJSON(w, http.StatusOK, out)
}
