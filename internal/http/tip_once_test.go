package http_test

import (
	"image/color"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
)

var submissionRE = regexp.MustCompile(`<input type="hidden" name="submission" value="([0-9a-f]{32})">`)

// tipFormToken opens the tip form and returns its one-time submission token.
func tipFormToken(t *testing.T, c *client, path string) string {
	t.Helper()
	r := c.get(path)
	expectStatus(t, r, http.StatusOK)
	m := submissionRE.FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatalf("the tip form carries no submission token")
	}
	return m[1]
}

func TestTipSentTwiceIsStoredOnce(t *testing.T) {
	e := newTestEnv(t)
	e.withBlobs()
	c := e.newClient()
	token := tipFormToken(t, c, "/tip")
	if other := tipFormToken(t, e.newClient(), "/tip"); other == token {
		t.Fatal("two visits to the form got the same token")
	}
	form := validTip()
	form.Set("submission", token)
	img := squarePNG(t, color.RGBA{90, 90, 200, 255})
	first := c.postMultipart("/tip", form, []tipFile{{"screenshot.png", "image/png", img}}, nil)
	expectStatus(t, first, http.StatusOK)
	ref, _ := receipt(t, first)

	// The browser sends the same form again (a double click, or back and
	// send): the same reference, no second report, no second file.
	again := c.postMultipart("/tip", form, []tipFile{{"screenshot.png", "image/png", img}}, nil)
	expectStatus(t, again, http.StatusOK)
	m := refRE.FindStringSubmatch(again.Body)
	if m == nil || m[1] != ref {
		t.Fatalf("the second answer gives reference %v, want %s:\n%s", m, ref, again.Body)
	}
	if codeRE.MatchString(again.Body) {
		t.Error("the second answer shows a follow-up code again")
	}
	for _, want := range []string{"This tip was already received; its reference is", "cannot be shown again"} {
		if !strings.Contains(again.Body, want) {
			t.Errorf("the second answer does not say %q", want)
		}
	}
	if n := e.reportCount(); n != 1 {
		t.Errorf("%d reports stored for one form sent twice, want 1", n)
	}
	if _, atts, _ := e.stored(ref); len(atts) != 1 {
		t.Errorf("%d files stored, want 1", len(atts))
	}

	// Even with what was typed changed, the same form's token gives the same answer.
	form.Set("narrative", "Something else entirely (synthetic).")
	if m := refRE.FindStringSubmatch(c.postMultipart("/tip", form, nil, nil).Body); m == nil || m[1] != ref {
		t.Errorf("a changed resend answered %v", m)
	}

	// A new visit to the form is a new tip.
	form.Set("submission", tipFormToken(t, c, "/tip"))
	ref2, _ := receipt(t, c.postMultipart("/tip", form, nil, nil))
	if ref2 == ref || e.reportCount() != 2 {
		t.Errorf("a new form: reference %s (first %s), %d reports", ref2, ref, e.reportCount())
	}
}

func TestTipSentTwiceAtOnceIsStoredOnce(t *testing.T) {
	e := newTestEnv(t)
	c := e.newClient()
	form := validTip()
	form.Set("submission", tipFormToken(t, c, "/tip"))
	var wg sync.WaitGroup
	answers := make([]*response, 2)
	for i := range answers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i] = c.postMultipart("/tip", form, nil, nil)
		}()
	}
	wg.Wait()
	var refs []string
	codes := 0
	for _, a := range answers {
		if a.StatusCode != http.StatusOK {
			t.Fatalf("a double click answered %d:\n%s", a.StatusCode, a.Body)
		}
		if m := refRE.FindStringSubmatch(a.Body); m != nil {
			refs = append(refs, m[1])
		}
		if codeRE.MatchString(a.Body) {
			codes++
		}
	}
	if len(refs) != 2 || refs[0] != refs[1] || codes != 1 {
		t.Errorf("two simultaneous sends answered references %v with %d codes, want one reference twice and one code", refs, codes)
	}
	if n := e.reportCount(); n != 1 {
		t.Errorf("%d reports stored, want 1", n)
	}
}

func TestTipSentAgainInSpanishSaysSoInSpanish(t *testing.T) {
	e := newTestEnv(t)
	c := e.newClient()
	form := url.Values{"lang": {"es"}, "contact_choice": {"anonymous"}, "narrative": {"Un reporte corto de prueba (sintético)."},
		"submission": {tipFormToken(t, c, "/tip?lang=es")}}
	ref, _ := receipt(t, c.post("/tip", form))
	again := c.post("/tip", form)
	expectStatus(t, again, http.StatusOK)
	if !strings.Contains(again.Body, "Este reporte ya se recibió; su número de referencia es") || !strings.Contains(again.Body, ref) {
		t.Errorf("the Spanish answer to a resend:\n%s", excerpt(again.Body, "<main", "</main>"))
	}
	if e.reportCount() != 1 {
		t.Errorf("%d reports", e.reportCount())
	}
}

func TestTipFormKeepsItsTokenWhenItComesBack(t *testing.T) {
	e := newTestEnv(t)
	c := e.newClient()
	token := tipFormToken(t, c, "/tip")
	form := validTip()
	form.Set("submission", token)
	form.Set("zip", "2203")
	bad := c.postMultipart("/tip", form, nil, nil)
	expectStatus(t, bad, http.StatusBadRequest)
	if m := submissionRE.FindStringSubmatch(bad.Body); m == nil || m[1] != token {
		t.Errorf("the refused form carries token %v, want the same %s", m, token)
	}
	form.Set("zip", "22030")
	ref, _ := receipt(t, c.postMultipart("/tip", form, nil, nil))
	if m := refRE.FindStringSubmatch(c.postMultipart("/tip", form, nil, nil).Body); m == nil || m[1] != ref || e.reportCount() != 1 {
		t.Errorf("after a corrected form, a resend answered %v with %d reports", m, e.reportCount())
	}
}
