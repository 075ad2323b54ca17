// Package i18n is the message catalogue of Haven's public pages (the tip
// form and its follow-up): every string a member of the public reads, in
// English and Spanish, kept as data (one embedded JSON file per language),
// and the choice of language from a link, a cookie or Accept-Language.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"

	"golang.org/x/text/language"
)

//go:embed messages/*.json
var files embed.FS

// Default is the language used when nothing else matches.
const Default = "en"

// Languages are the supported languages, as base language codes, the
// default first.
var Languages = []string{"en", "es"}

var (
	catalogue = mustLoad()
	matcher   = language.NewMatcher([]language.Tag{language.English, language.Spanish})
)

// mustLoad reads messages/<lang>.json for every language. A missing or
// malformed file is a build defect: the files are embedded.
func mustLoad() map[string]map[string]string {
	c := make(map[string]map[string]string, len(Languages))
	for _, lang := range Languages {
		b, err := files.ReadFile(path.Join("messages", lang+".json"))
		if err != nil {
			panic(fmt.Sprintf("i18n: %v", err))
		}
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
			panic(fmt.Sprintf("i18n: messages/%s.json: %v", lang, err))
		}
		c[lang] = m
	}
	return c
}

// Supported returns lang if it is a supported language code, else "".
func Supported(lang string) string {
	lang = strings.ToLower(strings.TrimSpace(lang))
	for _, l := range Languages {
		if l == lang {
			return l
		}
	}
	return ""
}

// Match picks the supported language that best fits an Accept-Language
// header; Default when nothing fits.
func Match(acceptLanguage string) string {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return Default
	}
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return Default
	}
	return Languages[i]
}

// Keys returns every key of a language's catalogue, sorted.
func Keys(lang string) []string {
	m := catalogue[lang]
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Has reports whether the language's catalogue has the key.
func Has(lang, key string) bool {
	_, ok := catalogue[lang][key]
	return ok
}

// Text is the catalogue of one language, for templates and handlers.
type Text struct{ lang string }

// For returns the catalogue of lang (the default language if unsupported).
func For(lang string) Text {
	if Supported(lang) == "" {
		lang = Default
	}
	return Text{lang: lang}
}

// Lang is the text's language code ("en", "es").
func (t Text) Lang() string { return t.lang }

// Get returns the message for key, formatted with args (fmt verbs), falling
// back to the default language and then to the key itself, so that a
// missing message shows up instead of an empty place (the catalogue test
// keeps keys complete).
func (t Text) Get(key string, args ...any) string {
	msg, ok := catalogue[t.lang][key]
	if !ok {
		if msg, ok = catalogue[Default][key]; !ok {
			return key
		}
	}
	if len(args) == 0 {
		return msg
	}
	return fmt.Sprintf(msg, args...)
}
