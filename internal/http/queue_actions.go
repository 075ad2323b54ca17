package http

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/haven-oss/haven/internal/haven"
)

// Claim, release and assign a report (POST /reports/{id}/claim, /release,
// /assign with assignee=USER_ID). Each goes back to where the form was
// (back=, a local path: the queue or the report's page) with ?done= saying
// what happened, or shows the problem.

func (s *Server) reportClaim(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	s.queueAction(w, r, a, "claimed", func(id int64) error {
		_, err := s.svc.ClaimReport(r.Context(), a, id)
		return err
	})
}

func (s *Server) reportRelease(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	s.queueAction(w, r, a, "released", func(id int64) error {
		_, err := s.svc.ReleaseReport(r.Context(), a, id)
		return err
	})
}

func (s *Server) reportAssign(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	s.queueAction(w, r, a, "assigned", func(id int64) error {
		to, err := strconv.ParseInt(r.PostForm.Get("assignee"), 10, 64)
		if err != nil || to < 0 {
			to = -1 // not chosen: the service says so once it has checked who may assign
		}
		_, err = s.svc.AssignReport(r.Context(), a, id, to)
		return err
	})
}

func (s *Server) queueAction(w http.ResponseWriter, r *http.Request, a haven.Actor, done string, do func(id int64) error) {
	id, ok := s.postedToRecord(w, r)
	if !ok {
		return
	}
	back := localPath(r.PostForm.Get("back"), "/reports/"+strconv.FormatInt(id, 10))
	switch err := do(id); haven.ErrorCode(err) {
	case "":
		http.Redirect(w, r, withQuery(back, "done", done), http.StatusSeeOther)
	case haven.ECONFLICT:
		// Go back and say why (by a code: a page never shows text from
		// its URL): someone else has it.
		http.Redirect(w, r, withQuery(back, "problem", "taken"), http.StatusSeeOther)
	case haven.EINVALID:
		http.Redirect(w, r, withQuery(back, "problem", "assignee"), http.StatusSeeOther)
	default:
		s.pageError(w, r, err)
	}
}

// localPath returns p if it is a path on this site, else def: a form's
// back= must not send anyone elsewhere.
func localPath(p, def string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.ContainsAny(p, "\\\r\n") {
		return def
	}
	return p
}

// withQuery adds key=value to a local URL's query.
func withQuery(p, key, value string) string {
	u, err := url.Parse(p)
	if err != nil {
		return p
	}
	q := u.Query()
	q.Del("done")
	q.Del("problem")
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}
