package http

import (
	"encoding/json"
	"net/http"

	"github.com/haven-oss/haven/internal/haven"
)

// This file is the one place that maps haven error codes to HTTP statuses,
// page headings and JSON error bodies. Users see the service's message,
// which says what they can fix; internal details go to the log only.

// errorStatus is the HTTP status for each haven error code.
var errorStatus = map[string]int{
	haven.EINVALID:      http.StatusBadRequest,
	haven.EUNAUTHORIZED: http.StatusUnauthorized,
	haven.EFORBIDDEN:    http.StatusForbidden,
	haven.ENOTFOUND:     http.StatusNotFound,
	haven.ECONFLICT:     http.StatusConflict,
	haven.ELOCKED:       http.StatusTooManyRequests,
	haven.EINTERNAL:     http.StatusInternalServerError,
}

// errorHeading is the heading of the error page for each status.
var errorHeading = map[int]string{
	http.StatusBadRequest:          "Check what you entered",
	http.StatusUnauthorized:        "Please sign in",
	http.StatusForbidden:           "You do not have access to this page",
	http.StatusNotFound:            "Page not found",
	http.StatusConflict:            "This has changed",
	http.StatusTooManyRequests:     "Too many attempts",
	http.StatusInternalServerError: "Something went wrong on our side",
}

// internalMessage is what users read about a fault of ours.
const internalMessage = "Haven could not complete this request. Nothing you did caused this; try again in a moment, and if it keeps happening, tell your administrator."

// statusOf returns the HTTP status for err (500 for anything that is not a
// *haven.Error).
func statusOf(err error) int {
	if st, ok := errorStatus[haven.ErrorCode(err)]; ok {
		return st
	}
	return http.StatusInternalServerError
}

// messageOf returns the message a user may read for err, logging internal
// errors with their details.
func (s *Server) messageOf(r *http.Request, err error) string {
	if haven.ErrorCode(err) == haven.EINTERNAL {
		s.logger(r).Error("internal error", "method", r.Method, "path", r.URL.Path, "err", err)
		return internalMessage
	}
	return haven.ErrorMessage(err)
}

// pageError answers a page request that failed with err: a request that
// needs a session goes to the sign-in page; anything else gets the error
// page with the status for err's code.
func (s *Server) pageError(w http.ResponseWriter, r *http.Request, err error) {
	status := statusOf(err)
	if status == http.StatusUnauthorized {
		s.clearSessionCookie(w)
		http.Redirect(w, r, "/signin", http.StatusSeeOther)
		return
	}
	s.renderError(w, r, status, errorHeading[status], s.messageOf(r, err))
}

// renderError renders the error page with a status, heading and message.
// Server faults carry the request id, for people to quote when asking for help.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, status int, heading, message string) {
	if heading == "" {
		heading = http.StatusText(status)
	}
	data := struct{ Heading, Message, RequestID string }{heading, message, ""}
	if status >= 500 {
		data.RequestID = requestID(r)
	}
	s.render(w, r, status, "error", actorFrom(r), data)
}

// notFound is the page for any path without a route. A signed-in user
// still sees who they are and their navigation on it.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	if actorFrom(r) == nil {
		r = s.withOptionalActor(r)
	}
	s.renderError(w, r, http.StatusNotFound, errorHeading[http.StatusNotFound],
		"There is no page at this address. Check the address, or go back to your home page.")
}

// apiErrorBody is the JSON shape of every API error:
// {"error":{"code":"forbidden","message":"..."}}.
type apiErrorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field,omitempty"`
	} `json:"error"`
}

// apiError answers an API request that failed with err.
func (s *Server) apiError(w http.ResponseWriter, r *http.Request, err error) {
	status := statusOf(err)
	code := haven.ErrorCode(err)
	if status == http.StatusInternalServerError {
		code = haven.EINTERNAL
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="haven"`)
	}
	var body apiErrorBody
	body.Error.Code, body.Error.Message, body.Error.Field = code, s.messageOf(r, err), haven.ErrorField(err)
	writeJSON(w, status, body)
}

// writeJSONError writes an API error that did not come from the service.
func writeJSONError(w http.ResponseWriter, status int, code, message string) {
	var body apiErrorBody
	body.Error.Code, body.Error.Message = code, message
	writeJSON(w, status, body)
}

// writeJSON writes v as JSON with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
