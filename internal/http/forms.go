package http

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/haven-oss/haven/internal/haven"
)

// option is one choice of a select, radio group or checkbox list.
type option struct {
	Value, Label string
	Selected     bool
}

// readForm parses a small POSTed form, bounded to maxFormBytes. It reports
// false after answering 400 itself when the form cannot be read.
func (s *Server) readForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, http.StatusBadRequest, errorHeading[http.StatusBadRequest], "The form could not be read. Please try again.")
		return false
	}
	if formHasBadText(r.PostForm) {
		s.renderError(w, r, http.StatusBadRequest, errorHeading[http.StatusBadRequest], badFormText)
		return false
	}
	return true
}

// badFormText is the message for a form refused by formHasBadText.
const badFormText = "The form has a character that cannot be kept (a NUL character, or bytes that are not text). Remove it and try again."

// formHasBadText reports whether a field's name or value holds a NUL
// character or bytes that are not UTF-8. No browser sends either from
// Haven's pages; PostgreSQL cannot store them in text, and a page showing
// them again would not be UTF-8 (the JSON API refuses them alike).
func formHasBadText(form url.Values) bool {
	bad := func(s string) bool { return strings.IndexByte(s, 0) >= 0 || !utf8.ValidString(s) }
	for k, vs := range form {
		if bad(k) {
			return true
		}
		for _, v := range vs {
			if bad(v) {
				return true
			}
		}
	}
	return false
}

// postedToRecord reads the {id} of a POST to a record's action and its
// form. It reports false after answering itself: not found for an id that
// is not one, 400 for a form that cannot be read.
func (s *Server) postedToRecord(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return 0, false
	}
	return id, s.readForm(w, r)
}

// pathID returns the {id} of the request's path, or false when it is not a
// positive whole number.
func pathID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil && id > 0
}

// fieldProblem returns the message and field of a field error from the
// service, written as a sentence for the page (the service's messages also
// serve the CLI, where they start in lower case).
func (s *Server) fieldProblem(r *http.Request, err error) (msg, field string) {
	return sentence(s.messageOf(r, err)), haven.ErrorField(err)
}

// sentence capitalises the first letter of msg and ends it with a full stop.
func sentence(msg string) string {
	msg = strings.TrimSpace(msg)
	if msg == "" {
		return msg
	}
	first, n := utf8.DecodeRuneInString(msg)
	msg = string(unicode.ToUpper(first)) + msg[n:]
	if !strings.HasSuffix(msg, ".") && !strings.HasSuffix(msg, "?") && !strings.HasSuffix(msg, "!") {
		msg += "."
	}
	return msg
}

// parsePage reads a 1-based page number ("" is page 1).
func parsePage(s string) (int, bool) {
	if s == "" {
		return 1, true
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= 1 && n <= 1_000_000
}
