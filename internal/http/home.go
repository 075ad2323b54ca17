package http

import (
	"net/http"
	"strings"

	"github.com/haven-oss/haven/internal/haven"
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
	if u, err := s.svc.UserByUsername(r.Context(), a, a.Username); err == nil && u.DisplayName != "" {
		d.Name = u.DisplayName
	} else if err != nil {
		s.logger(r).Warn("home: display name", "err", err)
	}
	s.render(w, r, http.StatusOK, "home", &a, d)
}
