package http

import (
	"html/template"
	"net/http"
	"sort"
	"strings"

	"github.com/haven-oss/haven/internal/geo"
	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/usmap"
)

// roleIntro is the short, plain-language introduction each role reads on
// its home page.
var roleIntro = map[haven.Role]string{
	haven.RoleHotline:        "Thank you for being the first voice people reach. Below are the reports you have taken. Every call matters, and you do not have to decide everything alone: a supervisor and the analysts follow up.",
	haven.RoleAnalyst:        "Here is the work waiting for you. Start with reports of imminent danger, then new reports nobody has claimed. Each report is about a child who deserves care; indicators are prompts for questions, never a score.",
	haven.RoleSupervisor:     "Here is what needs your attention across the team: urgent new reports, work nobody has claimed yet, and cases with a determination to review.",
	haven.RoleOfficer:        "These are the reports and cases shared with your agency. They concern children who may be victims or survivors of sex trafficking, or who are missing; please treat them as children in need of protection.",
	haven.RoleChildWelfare:   "Here you can follow the reports about children in your agency's care. When a child is missing from care, report it to law enforcement and to the clearinghouse within 24 hours.",
	haven.RoleFosterParent:   "If a child in your care is missing, tell your caseworker and the police straight away. Here you can follow the reports you have made.",
	haven.RoleRecovery:       "The resource directory and recovery plans help children and families get trauma-informed support after a child is found.",
	haven.RoleFamilyAdvocate: "Families need someone on their side. From here you will keep track of the families you support and the help they have asked for.",
	haven.RolePeerVolunteer:  "Thank you for offering your own experience to support a family. You will see only the families matched with you.",
	haven.RoleTrainer:        "From here you will manage courses and requests for in-person training.",
	haven.RoleLearner:        "From here you will find your courses and your progress.",
	haven.RoleAdmin:          "Accounts, agencies and the audit log. Give each person only the access their work needs.",
}

// homeData is what the home page shows.
type homeData struct {
	Name  string
	Intro string
	Stats []haven.Stat
	Map   *stateMap // supervisors: reports by state
}

// stateMap is a map of report counts by state with the same figures as a
// table (for screen readers, and to follow a state to its reports).
type stateMap struct {
	Title string
	SVG   template.HTML
	Rows  []stateCount
}

type stateCount struct {
	Code, Name string
	Count      int
}

// mapDays is how far back the supervisor's map counts reports.
const mapDays = 30

// reportsMap draws the reports the supervisor may see received in the last
// mapDays days, by state.
func (s *Server) reportsMap(r *http.Request, a haven.Actor) (*stateMap, error) {
	counts, err := s.svc.ReportsByState(r.Context(), a, s.svc.Now().AddDate(0, 0, -mapDays))
	if err != nil {
		return nil, err
	}
	m := &stateMap{Title: "Reports received in the last 30 days, by state"}
	m.SVG = usmap.Render(counts, usmap.Options{Title: m.Title, Noun: "reports", ID: "home-map"})
	for code, n := range counts {
		name := "No state given"
		if st, ok := geo.StateByCode(code); ok {
			name = st.Name
		} else if code != "" {
			name = code
		}
		m.Rows = append(m.Rows, stateCount{Code: code, Name: name, Count: n})
	}
	sort.Slice(m.Rows, func(i, j int) bool {
		if m.Rows[i].Count != m.Rows[j].Count {
			return m.Rows[i].Count > m.Rows[j].Count
		}
		return m.Rows[i].Name < m.Rows[j].Name
	})
	return m, nil
}

// home is each user's start page: a welcome, what their role is for, and
// the figures the service counts for them from the store.
func (s *Server) home(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	stats, err := s.svc.HomeStats(r.Context(), a)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	for i := range stats {
		// Link a figure only to a list that exists already.
		path, _, _ := strings.Cut(stats[i].Link, "?")
		if stats[i].Link != "" && !s.routed(path) {
			stats[i].Link = ""
		}
	}
	d := homeData{Name: a.Username, Intro: roleIntro[a.Role], Stats: stats}
	if a.Role == haven.RoleSupervisor {
		if d.Map, err = s.reportsMap(r, a); err != nil {
			s.pageError(w, r, err)
			return
		}
	}
	if u, err := s.svc.UserByUsername(r.Context(), a, a.Username); err == nil && u.DisplayName != "" {
		d.Name = u.DisplayName
	} else if err != nil {
		s.logger(r).Warn("home: display name", "err", err)
	}
	s.render(w, r, http.StatusOK, "home", &a, d)
}
