package ispws

import (
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// XSD returns Haven's XML schema for the ESP reporting API, generated from
// the same schema data the validator checks documents against.
func XSD() []byte {
	xsdOnce.Do(func() { xsdBytes = generateXSD() })
	return xsdBytes
}

var (
	xsdOnce  sync.Once
	xsdBytes []byte
)

const xsdPreamble = "The schema of the Haven ESP reporting API (compatible with the CyberTipline Reporting API), written by the Haven project. " +
	"Elements carry no namespace. Timestamps are ISO 8601 with a zone. Rules this schema cannot express are stated in the " +
	"documentation of the types and elements they apply to; Haven enforces them too and names the element and the rule " +
	"in its answer (code 4100)."

type xsdWriter struct {
	b      strings.Builder
	seenC  map[*ctype]bool
	seenS  map[*stype]bool
	ctypes []*ctype
	stypes []*stype
}

func generateXSD() []byte {
	w := &xsdWriter{seenC: map[*ctype]bool{}, seenS: map[*stype]bool{}}
	for _, r := range roots {
		w.collect(r)
	}
	w.b.WriteString(xml.Header)
	w.b.WriteString(`<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="unqualified">` + "\n")
	w.doc(1, xsdPreamble)
	for _, r := range roots {
		fmt.Fprintf(&w.b, "  <xs:element name=%q type=%q/>\n", r.name, r.ct.name)
	}
	for _, c := range w.ctypes {
		w.complexType(c)
	}
	for _, s := range w.stypes {
		w.simpleType(s)
	}
	w.b.WriteString("</xs:schema>\n")
	return []byte(w.b.String())
}

func (w *xsdWriter) collect(p part) {
	if p.st != nil {
		w.collectS(p.st)
		return
	}
	c := p.ct
	if w.seenC[c] {
		return
	}
	w.seenC[c] = true
	w.ctypes = append(w.ctypes, c)
	if c.text != nil {
		w.collectS(c.text)
	}
	for _, a := range c.attrs {
		w.collectS(a.st)
	}
	for _, k := range c.seq {
		w.collect(k)
	}
}

func (w *xsdWriter) collectS(s *stype) {
	if strings.HasPrefix(s.name, "xs:") || w.seenS[s] {
		return
	}
	w.seenS[s] = true
	w.stypes = append(w.stypes, s)
}

func indent(n int) string { return strings.Repeat("  ", n) }

func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

func (w *xsdWriter) doc(level int, text string) {
	if text == "" {
		return
	}
	fmt.Fprintf(&w.b, "%s<xs:annotation><xs:documentation>%s</xs:documentation></xs:annotation>\n", indent(level), esc(text))
}

func typeName(p part) string {
	if p.st != nil {
		return p.st.name
	}
	return p.ct.name
}

func (w *xsdWriter) complexType(c *ctype) {
	fmt.Fprintf(&w.b, "  <xs:complexType name=%q>\n", c.name)
	w.doc(2, c.note)
	switch {
	case c.text != nil:
		fmt.Fprintf(&w.b, "    <xs:simpleContent>\n      <xs:extension base=%q>\n", c.text.name)
		w.attributes(4, c.attrs)
		w.b.WriteString("      </xs:extension>\n    </xs:simpleContent>\n")
	case len(c.seq) > 0:
		group := "sequence"
		if c.choice {
			group = "choice"
		}
		fmt.Fprintf(&w.b, "    <xs:%s>\n", group)
		for _, p := range c.seq {
			occurs := ""
			if p.min != 1 {
				occurs += fmt.Sprintf(" minOccurs=\"%d\"", p.min)
			}
			if p.maxOccurs() != 1 {
				occurs += fmt.Sprintf(" maxOccurs=\"%d\"", p.maxOccurs())
			}
			if p.note == "" {
				fmt.Fprintf(&w.b, "      <xs:element name=%q type=%q%s/>\n", p.name, typeName(p), occurs)
				continue
			}
			fmt.Fprintf(&w.b, "      <xs:element name=%q type=%q%s>\n", p.name, typeName(p), occurs)
			w.doc(4, p.note)
			w.b.WriteString("      </xs:element>\n")
		}
		fmt.Fprintf(&w.b, "    </xs:%s>\n", group)
		w.attributes(2, c.attrs)
	default:
		w.attributes(2, c.attrs)
	}
	w.b.WriteString("  </xs:complexType>\n")
}

func (w *xsdWriter) attributes(level int, as []attr) {
	for _, a := range as {
		use := ""
		if a.required {
			use = ` use="required"`
		}
		fmt.Fprintf(&w.b, "%s<xs:attribute name=%q type=%q%s/>\n", indent(level), a.name, a.st.name, use)
	}
}

func (w *xsdWriter) simpleType(s *stype) {
	fmt.Fprintf(&w.b, "  <xs:simpleType name=%q>\n", s.name)
	w.doc(2, s.note)
	fmt.Fprintf(&w.b, "    <xs:restriction base=%q>\n", s.base)
	if s.maxLen > 0 {
		fmt.Fprintf(&w.b, "      <xs:maxLength value=\"%d\"/>\n", s.maxLen)
	}
	for _, e := range s.enum {
		fmt.Fprintf(&w.b, "      <xs:enumeration value=\"%s\"/>\n", esc(e))
	}
	if s.pattern != "" {
		fmt.Fprintf(&w.b, "      <xs:pattern value=\"%s\"/>\n", esc(s.pattern))
	}
	if s.min != nil {
		fmt.Fprintf(&w.b, "      <xs:minInclusive value=\"%s\"/>\n", strconv.FormatFloat(*s.min, 'f', -1, 64))
	}
	if s.max != nil {
		fmt.Fprintf(&w.b, "      <xs:maxInclusive value=\"%s\"/>\n", strconv.FormatFloat(*s.max, 'f', -1, 64))
	}
	w.b.WriteString("    </xs:restriction>\n  </xs:simpleType>\n")
}
