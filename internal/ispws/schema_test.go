package ispws

import (
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The XSD served is generated from the schema data the validator uses;
// these tests check that it is a complete schema and, where xmllint is
// installed, that an independent XSD engine accepts and refuses the same
// documents as Haven does.

func TestXSDDefinesEveryTypeItUsesOnce(t *testing.T) {
	var doc struct {
		Complex []struct {
			Name string `xml:"name,attr"`
		} `xml:"complexType"`
		Simple []struct {
			Name string `xml:"name,attr"`
		} `xml:"simpleType"`
	}
	x := XSD()
	if err := xml.Unmarshal(x, &doc); err != nil {
		t.Fatalf("the XSD is not XML: %v", err)
	}
	defined := map[string]bool{}
	for _, c := range doc.Complex {
		if defined[c.Name] {
			t.Errorf("type %s defined twice", c.Name)
		}
		defined[c.Name] = true
	}
	for _, s := range doc.Simple {
		if defined[s.Name] {
			t.Errorf("type %s defined twice", s.Name)
		}
		defined[s.Name] = true
	}
	d := xml.NewDecoder(strings.NewReader(string(x)))
	for {
		tok, err := d.Token()
		if err != nil {
			break
		}
		if se, ok := tok.(xml.StartElement); ok {
			for _, a := range se.Attr {
				if (a.Name.Local == "type" || a.Name.Local == "base") && !strings.HasPrefix(a.Value, "xs:") && !defined[a.Value] {
					t.Errorf("type %q is used but not defined", a.Value)
				}
			}
		}
	}
}

func TestAnXSDEngineAgreesWithTheValidator(t *testing.T) {
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("xmllint is not installed, and CI must check the XSD against the validator (.ci/run installs libxml2-utils)")
		}
		t.Skip("SKIPPING: xmllint is not installed (Debian: libxml2-utils), so the served XSD was not checked against the validator")
	}
	dir := t.TempDir()
	xsdPath := filepath.Join(dir, "haven.xsd")
	if err := os.WriteFile(xsdPath, XSD(), 0o600); err != nil {
		t.Fatal(err)
	}
	seeds, _ := filepath.Glob("testdata/fuzz/FuzzDecode*/*")
	type doc struct {
		name string
		body []byte
		root part
	}
	var docs []doc
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			t.Fatal(err)
		}
		body, ok := corpusBytes(b)
		if !ok {
			t.Fatalf("%s: not a corpus file", s)
		}
		root := roots[0]
		if strings.Contains(s, "FileDetails") {
			root = roots[1]
		}
		docs = append(docs, doc{s, body, root})
	}
	for _, d := range docs {
		path := filepath.Join(dir, "doc.xml")
		if err := os.WriteFile(path, d.body, 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(xmllint, "--noout", "--nonet", "--schema", xsdPath, path).CombinedOutput()
		engineOK := err == nil
		_, verr := decode(d.body, d.root, fuzzNow)
		// Rules beyond the XSD (documented in it) may refuse what the engine
		// accepts, never the other way round; the seeds use none of them
		// except where noted by name.
		if verr == nil && !engineOK {
			t.Errorf("%s: Haven accepts, the XSD refuses:\n%s", d.name, out)
		}
		if verr != nil && engineOK && !isMalformed(verr) {
			t.Errorf("%s: the XSD accepts, Haven refuses: %v", d.name, verr)
		}
	}
}

// corpusBytes reads a one-value "go test fuzz v1" file.
func corpusBytes(b []byte) ([]byte, bool) {
	s := strings.TrimSpace(string(b))
	s, ok := strings.CutPrefix(s, "go test fuzz v1\n[]byte(")
	if !ok || !strings.HasSuffix(s, ")") {
		return nil, false
	}
	out, err := strconv.Unquote(strings.TrimSuffix(s, ")"))
	return []byte(out), err == nil
}
