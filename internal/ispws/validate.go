package ispws

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// node is an element of a validated document.
type node struct {
	name  string
	attrs map[string]string
	text  string
	kids  []*node
}

// all returns the children named name.
func (n *node) all(name string) []*node {
	if n == nil {
		return nil
	}
	var out []*node
	for _, k := range n.kids {
		if k.name == name {
			out = append(out, k)
		}
	}
	return out
}

// one returns the first child named name, or nil.
func (n *node) one(name string) *node {
	if n == nil {
		return nil
	}
	for _, k := range n.kids {
		if k.name == name {
			return k
		}
	}
	return nil
}

// val returns the text of the first child named name ("" if none).
func (n *node) val(name string) string {
	if k := n.one(name); k != nil {
		return k.text
	}
	return ""
}

// has reports whether a child named name is present.
func (n *node) has(name string) bool { return n.one(name) != nil }

// malformedError is a document that is not well-formed XML (code 4110).
type malformedError struct{ msg string }

func (e *malformedError) Error() string { return "Malformed XML: " + e.msg }

// invalidError is a well-formed document that breaks a rule (code 4100). Its
// message names the element and the rule.
type invalidError struct{ path, rule string }

func (e *invalidError) Error() string { return e.path + ": " + e.rule }

func invalid(path, format string, args ...any) error {
	return &invalidError{path: path, rule: fmt.Sprintf(format, args...)}
}

const xsiNamespace = "http://www.w3.org/2001/XMLSchema-instance"

// maxElements bounds the elements of one document.
const maxElements = 20000

// validator checks one document against the schema, building its tree.
type validator struct {
	d        *xml.Decoder
	now      time.Time
	elements int
}

// decode reads one document whose root must be root, checks it against the
// schema, and returns its tree. The error is a *malformedError or an
// *invalidError.
func decode(doc []byte, root part, now time.Time) (*node, error) {
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.Strict = true
	v := &validator{d: d, now: now}
	var n *node
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		} else if err != nil {
			return nil, &malformedError{msg: err.Error()}
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if n != nil {
				return nil, &malformedError{msg: "more than one root element"}
			}
			if t.Name.Local != root.name || t.Name.Space != "" {
				return nil, invalid(t.Name.Local, "the document must be a <%s>", root.name)
			}
			if n, err = v.element(t, root, "", true); err != nil {
				return nil, err
			}
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return nil, &malformedError{msg: "text outside the root element"}
			}
		case xml.Directive:
			return nil, &malformedError{msg: "DTDs and directives are not accepted"}
		}
	}
	if n == nil {
		return nil, &malformedError{msg: "no root element"}
	}
	return n, nil
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "/" + name
}

// element reads the element begun by start (already matched to p) up to its
// end. path names it in messages: relative to the root, which is named by
// itself.
func (v *validator) element(start xml.StartElement, p part, parent string, root bool) (*node, error) {
	v.elements++
	if v.elements > maxElements {
		return nil, invalid(parent, "a document has at most %d elements", maxElements)
	}
	path := join(parent, p.name)
	if root {
		path = ""
	}
	here := path
	if here == "" {
		here = p.name
	}
	n := &node{name: p.name}
	var attrs []attr
	if p.ct != nil {
		attrs = p.ct.attrs
	}
	for _, a := range start.Attr {
		if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
			if a.Name.Space == "" && a.Value != "" {
				return nil, invalid(here, "elements have no XML namespace")
			}
			continue
		}
		if a.Name.Space == xsiNamespace && root {
			continue
		}
		var def *attr
		for i := range attrs {
			if attrs[i].name == a.Name.Local && a.Name.Space == "" {
				def = &attrs[i]
			}
		}
		if def == nil {
			return nil, invalid(here+"/@"+a.Name.Local, "attribute not allowed here")
		}
		if n.attrs == nil {
			n.attrs = map[string]string{}
		}
		val := strings.TrimSpace(a.Value)
		if rule := v.check(def.st, val); rule != "" {
			return nil, invalid(here+"/@"+a.Name.Local, "%s", rule)
		}
		n.attrs[a.Name.Local] = val
	}
	for _, a := range attrs {
		if _, ok := n.attrs[a.name]; a.required && !ok {
			return nil, invalid(here+"/@"+a.name, "required attribute missing")
		}
	}

	var text strings.Builder
	var seq []part
	if p.ct != nil {
		seq = p.ct.seq
	}
	pos, count, total := 0, 0, 0
	for {
		tok, err := v.d.Token()
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, &malformedError{msg: err.Error()}
		}
		switch t := tok.(type) {
		case xml.CharData:
			if text.Len()+len(t) > 1<<20 {
				return nil, invalid(here, "text too long")
			}
			text.Write(t)
		case xml.Directive:
			return nil, &malformedError{msg: "directives are not accepted"}
		case xml.StartElement:
			name := t.Name.Local
			if t.Name.Space != "" {
				return nil, invalid(join(path, name), "elements have no XML namespace")
			}
			if len(seq) == 0 {
				return nil, invalid(join(path, name), "not allowed: %s has no child elements", here)
			}
			var kid part
			if p.ct.choice {
				if total > 0 {
					return nil, invalid(join(path, name), "%s holds exactly one of %s", here, names(seq))
				}
				i := indexOf(seq, name)
				if i < 0 {
					return nil, invalid(join(path, name), "unknown element; %s holds one of %s", here, names(seq))
				}
				kid = seq[i]
			} else {
				for pos < len(seq) && seq[pos].name != name {
					if count < seq[pos].min {
						return nil, invalid(join(path, seq[pos].name), "required (before %s)", name)
					}
					pos, count = pos+1, 0
				}
				if pos == len(seq) {
					if indexOf(seq, name) >= 0 {
						return nil, invalid(join(path, name), "out of order; the order is %s", names(seq))
					}
					return nil, invalid(join(path, name), "unknown element; %s holds %s", here, names(seq))
				}
				kid = seq[pos]
				count++
				if count > kid.maxOccurs() {
					return nil, invalid(join(path, name), "at most %d", kid.maxOccurs())
				}
			}
			total++
			k, err := v.element(t, kid, path, false)
			if err != nil {
				return nil, err
			}
			n.kids = append(n.kids, k)
		case xml.EndElement:
			return n, v.finish(n, p, path, here, text.String(), seq, pos, count, total)
		}
	}
}

// finish checks an element's text and its missing children.
func (v *validator) finish(n *node, p part, path, here, text string, seq []part, pos, count, total int) error {
	st := p.st
	if p.ct != nil {
		st = p.ct.text
	}
	if st != nil {
		n.text = strings.TrimSpace(text)
		if rule := v.check(st, n.text); rule != "" {
			return invalid(here, "%s", rule)
		}
		return nil
	}
	if strings.TrimSpace(text) != "" {
		return invalid(here, "text is not allowed here")
	}
	if p.ct.choice {
		if total == 0 {
			return invalid(here, "must hold one of %s", names(seq))
		}
		return nil
	}
	for ; pos < len(seq); pos, count = pos+1, 0 {
		if count < seq[pos].min {
			return invalid(join(path, seq[pos].name), "required")
		}
	}
	return nil
}

func indexOf(seq []part, name string) int {
	for i, p := range seq {
		if p.name == name {
			return i
		}
	}
	return -1
}

func names(seq []part) string {
	var b []string
	for _, p := range seq {
		b = append(b, p.name)
	}
	return strings.Join(b, ", ")
}

// check returns "" when val is valid for t, or the rule it breaks.
func (v *validator) check(t *stype, val string) string {
	return checkValue(t, val, v.now)
}

func checkValue(t *stype, val string, now time.Time) string {
	if t.maxLen > 0 && len([]rune(val)) > t.maxLen {
		return fmt.Sprintf("at most %d characters", t.maxLen)
	}
	if len(t.enum) > 0 {
		for _, e := range t.enum {
			if e == val {
				return ""
			}
		}
		return "must be one of " + joinEnum(t.enum)
	}
	if t.re != nil && !t.re.MatchString(val) {
		switch {
		case t.note != "":
			return "must be " + strings.TrimSuffix(t.note, ".")
		default:
			return fmt.Sprintf("must match %s", t.pattern)
		}
	}
	switch t.base {
	case "xs:boolean":
		switch val {
		case "true", "false", "1", "0":
		default:
			return "must be true or false"
		}
	case "xs:int", "xs:long", "xs:decimal":
		f, err := strconv.ParseFloat(val, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || strings.ContainsAny(val, "eExXpP_") || (t.base != "xs:decimal" && strings.Contains(val, ".")) {
			return "must be a number"
		}
		if t.min != nil && f < *t.min || t.max != nil && f > *t.max {
			return fmt.Sprintf("must be between %s and %s", bound(t.min, "-∞"), bound(t.max, "∞"))
		}
	case "xs:dateTime":
		tm, err := time.Parse(time.RFC3339Nano, val)
		if err != nil {
			return "must be an ISO 8601 date and time with a zone (Z or ±hh:mm)"
		}
		if t.past && tm.After(now.Add(5*time.Minute)) {
			return "must not be in the future"
		}
	case "xs:date":
		tm, err := time.Parse("2006-01-02", val)
		if err != nil {
			return "must be a date YYYY-MM-DD"
		}
		if t.past && tm.After(now) {
			return "must not be in the future"
		}
	}
	return ""
}

func bound(f *float64, none string) string {
	if f == nil {
		return none
	}
	return strconv.FormatFloat(*f, 'f', -1, 64)
}

// isMalformed and isInvalid classify decode errors.
func isMalformed(err error) bool { var m *malformedError; return errors.As(err, &m) }
