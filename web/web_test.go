package web_test

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"github.com/haven-oss/haven/web"
)

func TestVendoredHTMXMatchesItsRecordedHash(t *testing.T) {
	readme, err := fs.ReadFile(web.Static, "static/vendor/README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("SHA-256 of `(htmx-[0-9.]+\\.min\\.js)`: `([0-9a-f]{64})`").FindSubmatch(readme)
	if m == nil {
		t.Fatal("static/vendor/README.md records no SHA-256 for htmx")
	}
	b, err := fs.ReadFile(web.Static, "static/vendor/"+string(m[1]))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	if got := hex.EncodeToString(sum[:]); got != string(m[2]) {
		t.Errorf("%s has SHA-256 %s, README records %s: run scripts/vendor-assets.sh", m[1], got, m[2])
	}
	layout, err := fs.ReadFile(web.Templates, "templates/layout.html")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(layout), `static "vendor/`+string(m[1])+`"`) {
		t.Errorf("layout.html does not load the vendored %s", m[1])
	}
}

func TestTemplatesHaveNoInlineScriptsOrStyles(t *testing.T) {
	bad := regexp.MustCompile(`(?i)<style\b|\sstyle\s*=|\son[a-z]+\s*=|javascript:|<script\b[^>]*>[^<]+</script>`)
	scripts := regexp.MustCompile(`(?i)<script\b[^>]*>`)
	err := fs.WalkDir(web.Templates, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(web.Templates, path)
		if err != nil {
			return err
		}
		if m := bad.Find(b); m != nil {
			t.Errorf("%s: %q is blocked by the Content-Security-Policy", path, m)
		}
		for _, s := range scripts.FindAll(b, -1) {
			if !strings.Contains(string(s), "src=") {
				t.Errorf("%s: inline script %q", path, s)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
