package http

import (
	"net/http"

	"github.com/haven-oss/haven/internal/haven"
)

// The page of a child on file (/children/{id}): who the child is, and the
// child's missing episodes in the order they happened. Opening it is a read
// of the child's record, audited by the service (with the reason given in
// ?reason=, if any); a child the actor may not see answers as missing.

// childData is what the child's page shows.
type childData struct {
	Child       *haven.Child
	Name        string
	DateOfBirth string
	Age         int
	HasAge      bool
	Nicknames   string
	Sex         string
	Episodes    []episodeRow
	// Matches are the reports whose people were matched with the child
	// (person_matches.go); ShowMatches is false for those who may not see
	// person matches.
	Matches     []matchRow
	ShowMatches bool
}

func (s *Server) childPage(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	c, es, err := s.svc.ChildEpisodes(r.Context(), a, id, r.URL.Query().Get("reason"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	now := s.serviceNow()
	d := childData{Child: c, Name: childLabel(c), Episodes: episodeRows(es, now)}
	if c.DateOfBirth != nil {
		d.DateOfBirth, d.Age, d.HasAge = c.DateOfBirth.Format("2006-01-02"), haven.AgeAt(*c.DateOfBirth, now), true
	}
	for i, n := range c.Nicknames {
		if i > 0 {
			d.Nicknames += ", "
		}
		d.Nicknames += n
	}
	d.ShowMatches = haven.CanKind(a, haven.ActionView, haven.KindPersonMatch)
	d.Matches = s.childMatches(r, a, c.ID)
	d.Sex = map[haven.Sex]string{haven.SexFemale: "Female", haven.SexMale: "Male", haven.SexOther: "Other"}[c.Sex]
	s.render(w, r, http.StatusOK, "child", &a, d)
}
