package http_test

import (
	"context"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// submit presses a button and waits for the page it leads to (at path,
// with heading h1), telling it from the page it left.
func (b *browser) submit(button, path, h1 string) {
	b.t.Helper()
	b.do("press "+button,
		chromedp.Evaluate[chromedp.Void](`window.__havenSeen = true`),
		chromedp.Click(chromedp.CSS(button)))
	b.waitPage(path, h1)
}

// TestBrowserTipForm drives the public tip form in Chromium as a member of
// the public would: in English with JavaScript on (adding a person block and
// a file), the follow-up page, in Spanish after switching language, and
// once more with JavaScript disabled.
func TestBrowserTipForm(t *testing.T) {
	e := newTestEnv(t)
	e.withBlobs()
	dir := t.TempDir()
	pngPath := filepath.Join(dir, "screenshot.png")
	if err := os.WriteFile(pngPath, squarePNG(t, color.RGBA{200, 80, 40, 255}), 0o600); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, e)

	// English, JavaScript on.
	b.open("/tip?lang=en")
	if h := b.text("h1"); h != "Share a concern about a child" {
		t.Fatalf("heading %q", h)
	}
	b.do("fill in the tip",
		chromedp.Click(chromedp.CSS("#kind")),
		chromedp.SendKeys(chromedp.CSS("#narrative"), "A teenager is brought to a motel by an older man most evenings (synthetic browser test)."),
		chromedp.SendKeys(chromedp.CSS("#when_text"), "last weekend"),
		chromedp.SendKeys(chromedp.CSS("#city"), "Fairview"),
		chromedp.SetValue(chromedp.CSS("#state"), "VA"),
		chromedp.SendKeys(chromedp.CSS("#child_nickname"), "Star"),
		chromedp.SendKeys(chromedp.CSS("#child_age"), "15"),
		chromedp.SetValue(chromedp.CSS("#p0_role"), "suspect"),
		chromedp.SendKeys(chromedp.CSS("#p0_first_name"), "Rick"),
		chromedp.SendKeys(chromedp.CSS("#online"), "Instagram: @star.example"),
		chromedp.Click(chromedp.CSS(`input[value="living_in_motel"]`)),
	)
	b.submit("#add-person", "/tip", "Share a concern about a child")
	if n := run(b, "person blocks", chromedp.Evaluate[int](`document.querySelectorAll('fieldset.tip-person').length`)); n != 4 {
		t.Errorf("%d person fieldsets after adding one, want 4 (the child and three people)", n)
	}
	if v := run(b, "kept narrative", chromedp.Value(chromedp.CSS("#narrative"))); !strings.Contains(v, "older man") {
		t.Errorf("narrative after adding a person: %q", v)
	}
	if v := run(b, "kept state", chromedp.Value(chromedp.CSS("#state"))); v != "VA" {
		t.Errorf("state after adding a person: %q", v)
	}
	checked := run(b, "kept indicator", chromedp.Evaluate[bool](`document.querySelector('input[value="living_in_motel"]').checked`))
	if !checked {
		t.Error("the ticked indicator was lost")
	}
	b.do("add a buyer and a file",
		chromedp.SetValue(chromedp.CSS("#p2_role"), "buyer"),
		chromedp.SendKeys(chromedp.CSS("#p2_description"), "Drives a grey car"),
		chromedp.SetUploadFiles(chromedp.CSS("#files"), []string{pngPath}),
	)
	b.submit("#send-tip", "/tip", "Thank you. We received your tip.")
	ref, code := b.text("#tip-ref"), b.text("#tip-code")
	rep, atts, _ := e.stored(ref)
	if !strings.Contains(rep.Narrative, "older man") || len(rep.People) != 3 || len(atts) != 1 || atts[0].ContentType != "image/png" {
		t.Errorf("stored tip: narrative %q, %d people, attachments %+v", rep.Narrative, len(rep.People), atts)
	}

	// The follow-up page, with the reference and code from the page.
	b.open("/tip/follow-up")
	b.do("fill in the follow-up",
		chromedp.SendKeys(chromedp.CSS("#ref"), ref),
		chromedp.SendKeys(chromedp.CSS("#code"), code),
		chromedp.SendKeys(chromedp.CSS("#text"), "She also uses the name Sky (synthetic)."),
	)
	b.submit("#send-follow-up", "/tip/follow-up", "Thank you. We added this to your tip.")
	if _, _, sups := e.stored(ref); len(sups) != 1 || !strings.Contains(sups[0].Text, "Sky") {
		t.Errorf("supplements %+v", sups)
	}

	// Spanish: the reporter switches language with the link.
	b.open("/tip")
	b.submit(`a[hreflang="es"]`, "/tip?lang=es", "Comparta una preocupación sobre un niño o una niña")
	if l := run(b, "page language", chromedp.Evaluate[string](`document.documentElement.lang`)); l != "es" {
		t.Errorf("html lang %q", l)
	}
	if l := b.text(`label[for="narrative"]`); l != "¿Qué pasó?" {
		t.Errorf("Spanish narrative label %q", l)
	}
	b.do("fill in the Spanish tip",
		chromedp.SendKeys(chromedp.CSS("#narrative"), "Un adolescente parece estar en peligro (prueba sintética)."),
	)
	b.submit("#send-tip", "/tip", "Gracias. Recibimos su reporte.")
	esRef := b.text("#tip-ref")
	if rep, _, _ := e.stored(esRef); rep.Reporter.Language != "es" {
		t.Errorf("Spanish tip stored with language %q", rep.Reporter.Language)
	}

	// JavaScript disabled: the form works all the same.
	ctx, cancel := context.WithTimeout(b.ctx, 10e9)
	_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
	cancel()
	if err != nil {
		t.Fatalf("disable JavaScript: %v", err)
	}
	b.open("/tip?lang=en")
	if v := run(b, "htmx without JavaScript", chromedp.Evaluate[string](`typeof htmx`)); v != "undefined" {
		t.Fatalf("page scripts still run (htmx is %s)", v)
	}
	b.do("fill in the tip without JavaScript",
		chromedp.SendKeys(chromedp.CSS("#narrative"), "Seen without JavaScript (synthetic)."),
		chromedp.SendKeys(chromedp.CSS("#p0_first_name"), "Rick"),
	)
	b.submit("#add-person", "/tip", "Share a concern about a child")
	if n := run(b, "person blocks", chromedp.Evaluate[int](`document.querySelectorAll('fieldset.tip-person').length`)); n != 4 {
		t.Errorf("without JavaScript, %d person fieldsets after adding one, want 4", n)
	}
	b.do("zip code typo", chromedp.SendKeys(chromedp.CSS("#zip"), "123"))
	b.submit("#send-tip", "/tip", "Share a concern about a child")
	if s := b.text("#error-summary"); !strings.Contains(s, "Enter a ZIP code of 5 digits") {
		t.Errorf("error summary %q", s)
	}
	if v := run(b, "kept narrative", chromedp.Value(chromedp.CSS("#narrative"))); v != "Seen without JavaScript (synthetic)." {
		t.Errorf("narrative after the error %q", v)
	}
	// Typed, not set by script: page scripts are off.
	b.do("fix the ZIP code", chromedp.SendKeys(chromedp.CSS("#zip"), kb.End+"\b\b\b22030"))
	b.submit("#send-tip", "/tip", "Thank you. We received your tip.")
	noJSRef := b.text("#tip-ref")
	if rep, _, _ := e.stored(noJSRef); rep.Narrative != "Seen without JavaScript (synthetic)." || len(rep.People) != 1 {
		t.Errorf("tip sent without JavaScript: %+v", rep)
	}
}
