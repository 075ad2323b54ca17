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
	if err := decodeBody(body, v, what, ""); err != nil {
		s.apiError(w, r, err)
		return nil, false
	}
	return body, true
}

// decodeBody decodes body, one JSON object, into v (a pointer to a
// struct), refusing fields v does not have. A failure is an EINVALID error
// that names the field at fault as the client wrote it ("people[1].age"),
// under prefix (e.g. "details."), where there is one.
func decodeBody(body []byte, v any, what, prefix string) error {
	if bytes.Equal(bytes.TrimSpace(body), []byte("null")) {
		return haven.Errorf(haven.EINVALID, "The body must be an object: %s in JSON, not null.", what)
	}
	if err := decodeStrict(body, v); err != nil {
		return bodyProblem(err, body, reflect.TypeOf(v), what, prefix)
	}
	if bytes.Contains(body, []byte(`\u0000`)) && hasNUL(body) {
		// PostgreSQL cannot store a NUL character in text (it would fail
		// as a server error) and no name, note or narrative needs one.
		return haven.Errorf(haven.EINVALID, "The body has a NUL character (\\u0000) in a text; remove it and send %s again.", what)
	}
	return nil
}

// hasNUL reports whether a string or a member name of the JSON body holds
// a NUL character.
func hasNUL(body []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		if s, ok := tok.(string); ok && strings.ContainsRune(s, 0) {
			return true
		}
	}
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

// bodyProblem turns the error of decoding body into a value of type t
// into an EINVALID error that names the field at fault (under prefix, e.g.
// "details.") where there is one, as the client wrote it.
func bodyProblem(err error, body []byte, t reflect.Type, what, prefix string) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return haven.Errorf(haven.EINVALID, "The body is not %s in JSON: %s, at byte %d.", what, se.Error(), se.Offset)
	case errors.As(err, &te) && te.Field != "":
		field := te.Field
		if at, ok := jsonPathAt(body, t, te.Offset); ok && at.path != "" {
			field = at.path
		}
		field = prefix + field
		if isIntegerLiteral(te.Value) && isInteger(te.Type) {
			if strings.HasPrefix(te.Value, "number -") {
				return haven.FieldError(field, "%s is too small a number", field)
			}
			return haven.FieldError(field, "%s is too large a number", field)
		}
		return haven.FieldError(field, "%s must be %s", field, jsonKind(te.Type))
	case errors.As(err, &te) && prefix != "":
		field := strings.TrimSuffix(prefix, ".")
		return haven.FieldError(field, "%s must be %s: %s", field, jsonKind(te.Type), what)
	case errors.As(err, &te):
		return haven.Errorf(haven.EINVALID, "The body must be %s: %s in JSON.", jsonKind(te.Type), what)
	case errors.Is(err, io.EOF):
		return haven.Errorf(haven.EINVALID, "The body is empty: send %s in JSON.", what)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return haven.Errorf(haven.EINVALID, "The body is not %s in JSON: it ends before the JSON does.", what)
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		f, _ = strconv.Unquote(f)
		at, found := jsonPathAt(body, t, -1)
		if !found {
			// Not where the decoder found it: name no field rather than a wrong one.
			return haven.Errorf(haven.EINVALID, "There is no field %q in %s.", f, what)
		}
		if at.parent == "" {
			return haven.FieldError(prefix+at.path, "there is no field %q in %s", at.key, what)
		}
		return haven.FieldError(prefix+at.path, "%s has no field %q", prefix+at.parent, at.key)
	}
	return haven.Errorf(haven.EINVALID, "The body is not %s in JSON: %s.", what, err.Error())
}

// isInteger reports whether t (through pointers) is an integer type.
func isInteger(t reflect.Type) bool {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t != nil && jsonKind(t) == "a whole number"
}

// isIntegerLiteral reports whether an UnmarshalTypeError's value is a
// whole number written without a fraction or exponent ("number 1200").
func isIntegerLiteral(v string) bool {
	n, ok := strings.CutPrefix(v, "number ")
	n = strings.TrimPrefix(n, "-")
	if !ok || n == "" {
		return false
	}
	for _, c := range n {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// jsonAt is a place in a JSON body: the path of a value ("people[1].age",
// each name as the API spells it, or as the client wrote it where the API
// has no such field); for an object member, also the path of the object
// ("people[1]", "" at the top) and the member's name.
type jsonAt struct {
	path, parent, key string
}

// jsonPathAt finds in body, which a decoder into a value of type t refused,
// the place it refused: for offset >= 0, the value that ends at offset
// (json.UnmarshalTypeError.Offset); for offset < 0, the first object member
// that t has no field for (as DisallowUnknownFields finds it). ok is false
// when there is no such place.
func jsonPathAt(body []byte, t reflect.Type, offset int64) (at jsonAt, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var stack []*jsonFrame
	for {
		tok, err := dec.Token()
		if err != nil {
			return jsonAt{}, false
		}
		var top *jsonFrame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if d, isDelim := tok.(json.Delim); isDelim && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			if len(stack) > 0 {
				stack[len(stack)-1].advance()
			}
			continue
		}
		if top != nil && top.object && top.inKey {
			key, _ := tok.(string)
			ft, name, known := memberType(top.t, key)
			if offset < 0 && !known {
				return jsonAt{path: joinPath(top.path, key), parent: top.path, key: key}, true
			}
			top.key, top.member, top.inKey = name, ft, false
			continue
		}
		// A value: of the top level, an object's member or an array's element.
		here, vt, parent, key := "", t, "", ""
		if top != nil && top.object {
			here, vt, parent, key = joinPath(top.path, top.key), top.member, top.path, top.key
		} else if top != nil {
			here, vt = top.path+"["+strconv.Itoa(top.index)+"]", elemType(top.t)
		}
		if d, isDelim := tok.(json.Delim); isDelim {
			stack = append(stack, &jsonFrame{object: d == '{', t: containerType(vt, d == '{'), path: here, inKey: d == '{'})
		} else if top != nil {
			top.advance()
		}
		if offset >= 0 && dec.InputOffset() >= offset {
			return jsonAt{path: here, parent: parent, key: key}, true
		}
	}
}

// jsonFrame is an object or array jsonPathAt is in.
type jsonFrame struct {
	object bool
	t      reflect.Type // the object's or the array's type; nil: anything goes
	path   string
	index  int          // arrays: the next element
	key    string       // objects: the member being read
	member reflect.Type // objects: the member's type
	inKey  bool         // objects: a name comes next
}

// advance moves the frame past one member or element.
func (f *jsonFrame) advance() {
	if f.object {
		f.inKey = true
	} else {
		f.index++
	}
}

func joinPath(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

var jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()

// deref is t without pointers; nil for types whose JSON is anything
// (interfaces, json.RawMessage and other Unmarshalers).
func deref(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() == reflect.Interface || reflect.PointerTo(t).Implements(jsonUnmarshaler) {
		return nil
	}
	return t
}

// containerType is vt if an object (object true) or an array of its JSON
// may be decoded into it, else nil (its members are not checked).
func containerType(vt reflect.Type, object bool) reflect.Type {
	t := deref(vt)
	if t == nil {
		return nil
	}
	switch k := t.Kind(); {
	case object && (k == reflect.Struct || k == reflect.Map):
		return t
	case !object && (k == reflect.Slice || k == reflect.Array):
		return t
	}
	return nil
}

func elemType(t reflect.Type) reflect.Type {
	if t == nil {
		return nil
	}
	return t.Elem()
}

// memberType is the type of the member key of an object decoded into t
// (a struct or map, or nil for anything), its name as the API spells it
// (the field's JSON name, whatever the case of key), and whether t has it.
func memberType(t reflect.Type, key string) (_ reflect.Type, name string, ok bool) {
	if t == nil {
		return nil, key, true
	}
	if t.Kind() == reflect.Map {
		return t.Elem(), key, true
	}
	f, ok := jsonField(t, key)
	return f.Type, jsonName(f), ok
}

// jsonName is the name encoding/json gives a struct field.
func jsonName(f reflect.StructField) string {
	if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name != "" {
		return name
	}
	return f.Name
}

// jsonField is the field of struct type t that encoding/json decodes the
// member key into: the one whose JSON name is key, or failing that the
// first that matches it ignoring case.
func jsonField(t reflect.Type, key string) (reflect.StructField, bool) {
	var folded reflect.StructField
	found := false
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() || f.Anonymous && f.Tag.Get("json") == "" {
			continue
		}
		name := jsonName(f)
		if name == "-" {
			continue
		}
		if name == key {
			return f, true
		}
		if !found && strings.EqualFold(name, key) {
			folded, found = f, true
		}
	}
	return folded, found
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
	writeJSON(w, createdStatus(replayed), v)
}

// createdStatus is the status of a POST that created something: 201, or
// 200 for a retry that returns the first result.
func createdStatus(replayed bool) int {
	if replayed {
		return http.StatusOK
	}
	return http.StatusCreated
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

// personField names the field of a person's error from
// haven.PersonMention.Validate (f, such as "people.age") as the client
// sent it: the field of the first of people that the same check refuses,
// under its path (paths[i], such as "child" or "people[2]"). A name too long
// is named exactly (first_name, last_name or nickname). Any other field is
// returned as it is.
func personField(f string, people []haven.PersonMention, paths []string, now time.Time) string {
	rest, ok := strings.CutPrefix(f, "people.")
	if !ok {
		return f
	}
	for i := range people {
		p := people[i]
		if haven.ErrorField(p.Validate(now)) != f {
			continue
		}
		if rest == "name" {
			switch {
			case len(p.FirstName) > 100:
				rest = "first_name"
			case len(p.LastName) > 100:
				rest = "last_name"
			default:
				rest = "nickname"
			}
		}
		return paths[i] + "." + rest
	}
	return f
}

// identifierField is personField for haven.Identifier.Validate's fields
// ("identifiers.value"), under "identifiers[i]".
func identifierField(f string, ids []haven.Identifier) string {
	rest, ok := strings.CutPrefix(f, "identifiers.")
	if !ok {
		return f
	}
	for i := range ids {
		id := ids[i]
		if haven.ErrorField(id.Validate()) == f {
			return "identifiers[" + strconv.Itoa(i) + "]." + rest
		}
	}
	return f
}
