package http_test

import (
	"bytes"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/haven-oss/haven/internal/haven"
)

// TestBrowserHotlineCall takes a call in Chromium as a hotline specialist
// would, flips the imminent-danger switch, ends the call, and checks that an
// analyst sees the alert.
func TestBrowserHotlineCall(t *testing.T) {
	e := newTestEnv(t)
	e.withBlobs()
	e.createUser("hana.hotline", "Hana Hotline", haven.RoleHotline, 0)
	e.createUser("ana.analyst", "Ana Analyst", haven.RoleAnalyst, 0)
	b := newBrowser(t, e)

	b.enrolAndSignIn("hana.hotline")
	b.do("open the hotline console", chromedp.Click(chromedp.CSS(`nav a[href="/hotline"]`)))
	b.waitPath("/hotline")
	b.do("start a call", chromedp.Click(chromedp.CSS("#start-call")))
	b.waitPath("/hotline/calls/1?section=caller")
	call := e.call(1)
	if call.StartedAt.IsZero() || call.Ended() {
		t.Fatalf("the call was not recorded at once: %+v", call)
	}

	b.do("who is calling",
		chromedp.Click(chromedp.CSS("#ct-concerned_person")),
		chromedp.SendKeys(chromedp.CSS("#caller_phone"), "202-555-0147"),
		chromedp.Click(chromedp.CSS("#save-continue")))
	b.waitPath("/hotline/calls/1?section=what&saved=1")
	b.do("what happened",
		chromedp.SendKeys(chromedp.CSS("#what_happened"), "A neighbour (synthetic test data) saw a girl taken to a motel by an older man."),
		chromedp.SendKeys(chromedp.CSS("#city"), "Denver"),
		chromedp.SendKeys(chromedp.CSS("#state"), "CO"),
		chromedp.Click(chromedp.CSS("#save-continue")))
	b.waitPath("/hotline/calls/1?section=child&saved=1")
	b.do("the child",
		chromedp.SendKeys(chromedp.CSS("#child_nickname"), "Lulu"),
		chromedp.SendKeys(chromedp.CSS("#child_age"), "14"),
		chromedp.Click(chromedp.CSS("#save-continue")))
	b.waitPath("/hotline/calls/1?section=people&saved=1")

	// A screenshot the caller emailed (a generated image), attached with the
	// section's file field; the call page lists it.
	img := squarePNG(t, color.RGBA{40, 110, 180, 255})
	shot := filepath.Join(t.TempDir(), "ad-screenshot.png")
	if err := os.WriteFile(shot, img, 0o600); err != nil {
		t.Fatal(err)
	}
	b.do("attach a screenshot",
		chromedp.SetUploadFiles(chromedp.CSS("#files"), []string{shot}),
		chromedp.Click(chromedp.CSS("#attach-files")))
	b.waitPath("/hotline/calls/1?section=people&attached=1")
	if got := b.text("#call-files tbody th"); !strings.Contains(got, "ad-screenshot.png") {
		t.Errorf("the call's files list %q", got)
	}
	if atts := e.attachmentsOfReport(e.call(1).ReportID); len(atts) != 1 || atts[0].Size != int64(len(img)) || atts[0].ContentType != "image/png" {
		t.Errorf("attached from the browser: %+v", atts)
	} else if _, rc, err := e.svc.OpenAttachment(t.Context(), sys, atts[0].ID, "test"); err != nil {
		t.Error(err)
	} else {
		var got bytes.Buffer
		got.ReadFrom(rc)
		rc.Close()
		if !bytes.Equal(got.Bytes(), img) {
			t.Error("the stored file differs from the one chosen in the browser")
		}
	}

	// Ticking an indicator reveals its follow-up questions in place.
	b.open("/hotline/calls/1?section=indicators")
	if !run(b, "questions hidden before ticking", chromedp.Evaluate[bool](`document.getElementById('fu-living_in_motel').hidden`)) {
		t.Fatal("follow-up questions show before the indicator is ticked")
	}
	b.do("tick an indicator", chromedp.Click(chromedp.CSS("#ind-living_in_motel")))
	visible := run(b, "questions appear", chromedp.Evaluate[bool](`(() => { const f = document.getElementById('fu-living_in_motel');
		return !f.hidden && f.offsetParent !== null && f.innerText.includes('name or address of the motel'); })()`))
	if !visible {
		t.Fatal("ticking the indicator did not reveal its follow-up questions")
	}
	b.do("answer a follow-up question",
		chromedp.SendKeys(chromedp.CSS(`[id="answer.living_in_motel.0"]`), "The Pine Motel (fictional)."))

	// Imminent danger: the report exists at once, P1, with what was filled.
	b.do("flip imminent danger", chromedp.Click(chromedp.CSS("#imminent")))
	b.waitPath("/hotline/calls/1?section=indicators&flagged=1")
	call = e.call(1)
	if !call.Imminent || call.ReportID == 0 {
		t.Fatalf("after the switch: %+v", call)
	}
	rep := e.report(call.ReportID)
	if rep.Priority != haven.P1 || len(rep.Indicators) != 1 || !strings.Contains(rep.Narrative, "The Pine Motel") ||
		rep.Reporter.Relationship != "concerned_person" {
		t.Errorf("the report at once: priority %d, indicators %v, relationship %q, narrative %q",
			rep.Priority, rep.Indicators, rep.Reporter.Relationship, rep.Narrative)
	}
	if banner := b.text("#imminent-banner h2"); banner != "Imminent danger flagged" {
		t.Errorf("banner %q", banner)
	}
	if ref := b.text("#report-ref"); ref != rep.Ref {
		t.Errorf("the page shows report %q, the store has %q", ref, rep.Ref)
	}

	// Disposition and end of the call.
	b.open("/hotline/calls/1?section=end")
	b.do("end the call",
		chromedp.Click(chromedp.CSS("#disp-transferred_law_enforcement")),
		chromedp.Click(chromedp.CSS("#end-call")))
	b.waitPath("/hotline/calls/1")
	call = e.call(1)
	if !call.Ended() || call.Disposition != "transferred_law_enforcement" || call.EndedAt.Before(call.StartedAt) {
		t.Fatalf("after ending: %+v", call)
	}
	if got := run(b, "end time shown", chromedp.AttributeValue(chromedp.CSS("#call-ended"), "datetime")); !got.Exists || got.Value == "" {
		t.Error("the ended call's page shows no end time")
	}
	b.signOut()

	// The analyst sees the badge and the notification.
	b.enrolAndSignIn("ana.analyst")
	if n := b.text("#alerts-count"); n != "1" {
		t.Errorf("the analyst's badge shows %q, want 1", n)
	}
	b.do("open notifications", chromedp.Click(chromedp.CSS("#alerts-link")))
	b.waitPath("/notifications")
	if msg := b.text("#notifications .notification__message"); !strings.Contains(msg, "Imminent danger") {
		t.Errorf("notification %q", msg)
	}
	b.signOut()
}
