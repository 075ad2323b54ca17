package productpdf_test

import (
	"strings"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/productpdf"
)

// A referral's PDF carries the marking and the recipient's watermark on
// every page, the package's summary, identifiers and file hashes, and
// never a file's bytes.
func TestAReferralPDFIsWatermarkedOnEveryPageAndCarriesThePackage(t *testing.T) {
	at := time.Date(2026, 11, 25, 14, 30, 5, 0, time.UTC)
	p := haven.ReferralPackage{
		Report: haven.PackageReport{Ref: "HV-7K3Q-9D2M", ReceivedAt: at.Add(-48 * time.Hour), Channel: "Hotline", Incident: "Child sex trafficking",
			Priority: "High", Places: []string{"Bus station, Reno, NV"}, Narrative: strings.Repeat("A caller saw a teenager at a bus station (synthetic).\n", 120)},
		Identifiers: []string{"202-555-0147"},
		Linked:      []haven.PackageLink{{Ref: "HV-AAAA-BBBB", ReceivedAt: at.Add(-72 * time.Hour), Identifiers: []string{"202-555-0147"}}},
		Attachments: []haven.PackageAttachment{{FileName: "ad.txt", ContentType: "text/plain", Size: 18,
			SHA256: strings.Repeat("ab", 32), MD5: strings.Repeat("cd", 16)}},
		Notes:  []haven.PackageNote{{CaseID: 4, CreatedAt: at, Body: "The station has cameras."}},
		Agency: "Reno Police Department", SentBy: "Ana Analyst", SentAt: at.Add(-time.Hour),
	}
	x := &haven.ReferralExport{Recipient: "Olive Officer (officer-a)", At: at, View: &haven.ReferralView{
		Referral: &haven.Referral{ID: 12, State: haven.ReferralAcknowledged, Package: p},
		Events:   []*haven.ReferralEvent{{Kind: haven.RefEventSent, At: at.Add(-time.Hour), Actor: "analyst"}},
	}}
	b, err := productpdf.RenderReferral(x, false)
	if err != nil {
		t.Fatal(err)
	}
	pages := pagesText(t, b)
	if len(pages) < 2 {
		t.Fatalf("%d pages, want a long narrative to take several", len(pages))
	}
	wm := productpdf.Watermark(x.Recipient, at)
	for i, pg := range pages {
		if !strings.Contains(pg, productpdf.Marking) || !strings.Contains(pg, wm) {
			t.Errorf("page %d lacks the marking or the watermark %q", i+1, wm)
		}
	}
	all := strings.Join(pages, "\n")
	for _, want := range []string{"HV-7K3Q-9D2M", "HV-AAAA-BBBB", "202-555-0147", "SHA-256 " + strings.Repeat("ab", 32), "MD5 " + strings.Repeat("cd", 16), "The station has cameras."} {
		if !strings.Contains(all, want) {
			t.Errorf("the PDF lacks %q", want)
		}
	}
}
