package http

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/web"
)

// page is what the layout template receives.
type page struct {
	Title   string
	Actor   *haven.Actor // nil when nobody is fully signed in
	Nav     []navLink
	Alerts  *alertBadge // the unread-notifications badge; nil for roles not alerted
	Search  bool        // the header's search box: for those who may see reports
	Version string
	Data    any // the page's own data
}

// navLink is one entry of the main navigation.
type navLink struct {
	Label, Href string
	Current     bool
}

// navItems are the screens the navigation may offer, each with the
// permission that decides whether a role sees it (may, when set, decides
// instead). Screens not built yet (no route) are left out by nav.
var navItems = []struct {
	label, href string
	action      haven.Action
	kind        haven.Kind
	may         func(haven.Actor) bool
}{
	{"Queue", "/queue", haven.ActionAssign, haven.KindReport, nil},
	{"Reports", "/reports", haven.ActionView, haven.KindReport, nil},
	{"Cases", "/cases", haven.ActionView, haven.KindCase, nil},
	{"Missing children", "/missing", haven.ActionView, haven.KindEpisode, nil},
	// Referrals: the agency's portal for its officers, the clearinghouse's
	// list for the analysts and supervisors who send them.
	{"Portal", "/portal", haven.ActionView, haven.KindReferral, portalUser},
	{"Referrals", "/referrals", haven.ActionCreate, haven.KindReferral, nil},
	{"Analysis", "/analysis", haven.ActionView, haven.KindAnalysisRequest, nil},
	{"Identifiers", "/identifiers", haven.ActionView, haven.KindIdentifier, nil},
	{"Review", "/review", haven.ActionView, haven.KindIdentifier, nil},
	{"Agencies", "/agencies", haven.ActionView, haven.KindAgency, nil},
	// Everyone may view their own account; the list is for those who may
	// see others' (administrators, and supervisors read-only).
	{"Accounts", "/admin/users", haven.ActionView, haven.KindUser, haven.CanListAccounts},
	{"Audit log", "/admin/audit", haven.ActionView, haven.KindAudit, nil},
	{"ESP accounts", "/admin/esp", haven.ActionView, haven.KindESP, nil},
	{"Retention", "/admin/retention", haven.ActionView, haven.KindRetention, nil},
	{"Legal holds", "/admin/legal-holds", haven.ActionView, haven.KindLegalHold, nil},
	// Hotline console: specialists take calls, supervisors see them all.
	{"Hotline", "/hotline", haven.ActionView, haven.KindCall, nil},
}

// nav returns the links the actor may use, marking the current one.
func (s *Server) nav(a haven.Actor, current string) []navLink {
	links := []navLink{{Label: "Home", Href: "/", Current: current == "/"}}
	for _, it := range navItems {
		may := haven.CanKind(a, it.action, it.kind)
		if it.may != nil {
			may = it.may(a)
		}
		if may && s.routed(it.href) {
			links = append(links, navLink{Label: it.label, Href: it.href, Current: current == it.href})
		}
	}
	return links
}

// parseTemplates parses layout.html with each page template into its own set.
func (s *Server) parseTemplates() map[string]*template.Template {
	funcs := template.FuncMap{
		"static": func(name string) (string, error) {
			if u, ok := s.staticURL[name]; ok {
				return u, nil
			}
			return "", fmt.Errorf("no static asset %q", name)
		},
		"roleLabel": func(r haven.Role) string { return r.Label() },
		"showTime":  func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05") },
		"isoTime":   func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	}
	layout := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(web.Templates, "templates/layout.html"))
	names, err := fs.Glob(web.Templates, "templates/*.html")
	if err != nil {
		panic(err)
	}
	pages := make(map[string]*template.Template)
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" {
			continue
		}
		pages[base] = template.Must(template.Must(layout.Clone()).ParseFS(web.Templates, n))
	}
	return pages
}

// render writes the named page inside the layout with the given status. The
// page is rendered to a buffer first so that a template error gives a clean
// 500, not half a page. a is the signed-in actor, or nil.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, a *haven.Actor, data any) {
	p := page{Actor: a, Version: s.version, Data: data}
	if a != nil {
		p.Nav = s.nav(*a, r.URL.Path)
		p.Search = haven.CanKind(*a, haven.ActionView, haven.KindReport)
		p.Alerts = s.badge(r, *a)
	}
	s.execute(w, r, status, name, "layout", p)
}

// renderFragment writes one named template of a page (for htmx requests).
func (s *Server) renderFragment(w http.ResponseWriter, r *http.Request, status int, name, fragment string, data any) {
	s.execute(w, r, status, name, fragment, data)
}

// isHTMX reports whether htmx sent the request (and will swap the answer
// into the page). History restores want the whole page.
func isHTMX(r *http.Request) bool {
	return r.Header.Get("HX-Request") == "true" && r.Header.Get("HX-History-Restore-Request") != "true"
}

func (s *Server) execute(w http.ResponseWriter, r *http.Request, status int, name, tmpl string, data any) {
	t, ok := s.pages[name]
	if !ok {
		s.logger(r).Error("no such template", "template", name)
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, tmpl, data); err != nil {
		s.logger(r).Error("render template", "template", name, "err", err)
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// hashStatic maps every static asset's path (relative to static/) to its
// URL with a content hash, so that assets can be cached for a year and
// still change with a new release.
func hashStatic() map[string]string {
	urls := make(map[string]string)
	err := fs.WalkDir(web.Static, "static", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(web.Static, path)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		urls[strings.TrimPrefix(path, "static/")] = "/" + path + "?v=" + hex.EncodeToString(sum[:6])
		return nil
	})
	if err != nil {
		panic(err)
	}
	return urls
}
