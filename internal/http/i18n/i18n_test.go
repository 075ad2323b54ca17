package i18n_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/haven-oss/haven/internal/http/i18n"
)

func TestEveryKeyExistsInEveryLanguage(t *testing.T) {
	en := i18n.Keys("en")
	if len(en) < 50 {
		t.Fatalf("the English catalogue has only %d keys", len(en))
	}
	for _, lang := range i18n.Languages {
		for _, other := range i18n.Languages {
			for _, k := range i18n.Keys(lang) {
				if !i18n.Has(other, k) {
					t.Errorf("%q is in %s but not in %s", k, lang, other)
				}
			}
		}
	}
}

func TestMessagesKeepTheirPlaceholders(t *testing.T) {
	verbs := regexp.MustCompile(`%[dsvq]`)
	for _, k := range i18n.Keys("en") {
		en, es := i18n.For("en").Get(k), i18n.For("es").Get(k)
		if a, b := verbs.FindAllString(en, -1), verbs.FindAllString(es, -1); strings.Join(a, "") != strings.Join(b, "") {
			t.Errorf("%s: English has %v, Spanish %v", k, a, b)
		}
		if strings.TrimSpace(es) == "" || (es == en && !strings.HasPrefix(es, "%") && k != "common.error") {
			t.Errorf("%s: Spanish %q is empty or untranslated", k, es)
		}
	}
}

// Every key a public template or handler uses exists: a typo would show
// the key on the page.
func TestEveryKeyUsedExists(t *testing.T) {
	used := regexp.MustCompile(`"((?:common|tip|done|followup|files|err|limit|large)\.[a-z_.0-9]+[a-z0-9_])"`)
	root := filepath.Join("..", "..", "..")
	var files []string
	for _, glob := range []string{"web/templates/tip*.html", "web/templates/layout.html", "internal/http/tip*.go"} {
		m, err := filepath.Glob(filepath.Join(root, glob))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 5 {
		t.Fatalf("found only %v", files)
	}
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		for _, m := range used.FindAllStringSubmatch(string(b), -1) {
			n++
			if !i18n.Has("en", m[1]) {
				t.Errorf("%s uses %q, which the catalogue lacks", f, m[1])
			}
		}
	}
	if n < 50 {
		t.Errorf("found only %d uses of keys", n)
	}
}

func TestMatchPicksSpanishOrEnglish(t *testing.T) {
	for header, want := range map[string]string{
		"":                        "en",
		"es-MX,es;q=0.9,en;q=0.8": "es",
		"en-US,en;q=0.9":          "en",
		"fr-FR,fr;q=0.9":          "en",
		"fr-FR,es;q=0.5":          "es",
		"garbage;;q=x":            "en",
		"es-419":                  "es",
	} {
		if got := i18n.Match(header); got != want {
			t.Errorf("Match(%q) = %q, want %q", header, got, want)
		}
	}
}

func TestGetFallsBackAndFormats(t *testing.T) {
	if got := i18n.For("es").Get("tip.person.legend", 2); got != "Persona 2" {
		t.Errorf("Spanish person legend = %q", got)
	}
	if got := i18n.For("xx").Lang(); got != "en" {
		t.Errorf("unsupported language gives %q", got)
	}
	if got := i18n.For("en").Get("no.such.key"); got != "no.such.key" {
		t.Errorf("missing key gives %q", got)
	}
}
