package http

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// What every JSON API handler shares: reading a JSON body, the
// Idempotency-Key of a POST, answering a creation, and naming the field at
// fault as the client sent it.

// maxAPIBody is the largest JSON body the API reads.
const maxAPIBody = 1 << 20

// readJSON reads a JSON body of at most maxAPIBody bytes into v, refusing
// fields v does not have. what names the body in messages ("a report"). An
// empty body is refused unless optional. It returns the body's bytes (for
// the request hash) and ok true; otherwise it has answered the request: 413
// for a body too large, 400 naming the field where it can.
func (s *Server) readJSON(w http.ResponseWriter, r *http.Request, v any, what string, optional bool) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxAPIBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeJSONError(w, http.StatusRequestEntityTooLarge, haven.EINVALID, "The request body is larger than 1 MB.")
			return nil, false
		}
		s.apiError(w, r, haven.Errorf(haven.EINVALID, "The request body could not be read."))
		return nil, false
	}
	if optional && len(bytes.TrimSpace(body)) == 0 {
		return body, true
	}
	if err := decodeStrict(body, v); err != nil {
		s.apiError(w, r, bodyProblem(err, what, ""))
		return nil, false
	}
	return body, true
}

// decodeStrict decodes exactly one JSON value into v, refusing unknown fields.
func decodeStrict(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("more than one JSON value")
	}
	return nil
}

// bodyProblem turns a JSON decoding error into an EINVALID error that names
// the field at fault (under prefix, e.g. "details.") where there is one.
func bodyProblem(err error, what, prefix string) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return haven.Errorf(haven.EINVALID, "The body is not %s in JSON: syntax error at byte %d.", what, se.Offset)
	case errors.As(err, &te) && te.Field != "":
		return haven.FieldError(prefix+te.Field, "%s must be %s", prefix+te.Field, jsonKind(te.Type))
	case errors.As(err, &te):
		return haven.Errorf(haven.EINVALID, "The body must be %s: %s in JSON.", jsonKind(te.Type), what)
	case errors.Is(err, io.EOF):
		return haven.Errorf(haven.EINVALID, "The body is empty: send %s in JSON.", what)
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		f, _ = strconv.Unquote(f)
		return haven.FieldError(prefix+f, "there is no field %q in %s", f, what)
	}
	return haven.Errorf(haven.EINVALID, "The body is not %s in JSON: %s.", what, err.Error())
}

// jsonKind names a Go type as JSON calls it, with an article.
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	}
	return "an object"
}

// requestOnce is the request's Idempotency-Key with a hash of its method,
// path and body: the same key sent with another request, to this endpoint
// or another, is a conflict, never a replay of something else.
func requestOnce(r *http.Request, body []byte) haven.Once {
	h := sha256.New()
	io.WriteString(h, r.Method+" "+r.URL.Path+"\n")
	h.Write(body)
	return haven.Once{Key: strings.TrimSpace(r.Header.Get("Idempotency-Key")), RequestHash: hex.EncodeToString(h.Sum(nil))}
}

// writeCreated answers a POST that created something: 201 with its
// Location (if any), or 200 for a retry that returns the first result.
func writeCreated(w http.ResponseWriter, location string, replayed bool, v any) {
	if location != "" {
		w.Header().Set("Location", location)
	}
	status := http.StatusCreated
	if replayed {
		status = http.StatusOK
	}
	writeJSON(w, status, v)
}

// renameField returns err with the field it names renamed by rename (a
// service's field name to the name the client sent it under); any other
// error is returned as it is.
func renameField(err error, rename func(string) string) error {
	var e *haven.Error
	if !errors.As(err, &e) || e.Field == "" {
		return err
	}
	f := rename(e.Field)
	if f == e.Field {
		return err
	}
	return &haven.Error{Code: e.Code, Message: e.Message, Field: f}
}

// fieldMap renames the fields found in m and leaves others as they are.
func fieldMap(m map[string]string) func(string) string {
	return func(f string) string {
		if to, ok := m[f]; ok {
			return to
		}
		return f
	}
}

// apiTime parses an optional RFC 3339 time of a request body (nil for "").
func apiTime(field, s string) (*time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return nil, haven.FieldError(field, "give a date and time in RFC 3339, such as 2026-11-24T18:30:00Z")
	}
	t = t.UTC()
	return &t, nil
}

// apiDate parses an optional date (YYYY-MM-DD) of a request body.
func apiDate(field, s string) (*time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return nil, haven.FieldError(field, "give a date as year-month-day, such as 2011-02-03")
	}
	return &t, nil
}

// apiPathID reads the {id} of an API path (400 naming "id" when malformed).
func apiPathID(r *http.Request, what string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return 0, haven.FieldError("id", "%s id is a positive whole number", what)
	}
	return id, nil
}

// queryBool reads an optional boolean query parameter ("true", "false", "1", "0").
func queryBool(r *http.Request, name string) (bool, error) {
	switch v := r.URL.Query().Get(name); v {
	case "", "false", "0":
		return false, nil
	case "true", "1":
		return true, nil
	}
	return false, haven.FieldError(name, "%s is true or false", name)
}
