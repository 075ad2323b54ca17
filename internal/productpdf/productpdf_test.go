package productpdf_test

import (
	"bytes"
	"compress/zlib"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/productpdf"
)

var (
	streamRE = regexp.MustCompile(`(?s)stream\r?\n(.*?)\r?\nendstream`)
	showRE   = regexp.MustCompile(`\(((?:\\.|[^\\)])*)\)\s*Tj`)
	pageRE   = regexp.MustCompile(`/Type\s*/Page\b`)
)

// pagesText returns the text each page stream shows, in order: the page
// content streams inflated, and the strings of their Tj operators joined.
// It is enough of a PDF reader for the PDFs Render writes.
func pagesText(t *testing.T, pdf []byte) []string {
	t.Helper()
	var pages []string
	for _, m := range streamRE.FindAllSubmatch(pdf, -1) {
		data := m[1]
		if zr, err := zlib.NewReader(bytes.NewReader(data)); err == nil {
			if inflated, err := io.ReadAll(zr); err == nil {
				data = inflated
			}
		}
		if !bytes.Contains(data, []byte("Tj")) {
			continue
		}
		var sb strings.Builder
		for _, s := range showRE.FindAllSubmatch(data, -1) {
			un := strings.NewReplacer(`\(`, "(", `\)`, ")", `\\`, `\`).Replace(string(s[1]))
			sb.WriteString(un)
			sb.WriteString("\n")
		}
		pages = append(pages, sb.String())
	}
	return pages
}

func export(kind haven.ProductKind, body string, nodes int) *haven.ProductExport {
	snap := haven.ProductSnapshot{}
	for i := range nodes {
		snap.Nodes = append(snap.Nodes, haven.SnapshotNode{Ref: "HV-TEST-" + string(rune('A'+i%26)) + "000",
			ReceivedAt: time.Date(2026, 10, 1+i%28, 9, 0, 0, 0, time.UTC), Channel: "Hotline", Incident: "Child sex trafficking", State: "NV"})
	}
	if nodes > 1 {
		snap.Links = []haven.SnapshotLink{{From: snap.Nodes[0].Ref, To: snap.Nodes[1].Ref, Identifiers: []string{"202-555-0147"}}}
	}
	return &haven.ProductExport{
		Product: &haven.AnalyticalProduct{ID: 7, RequestID: 3, Kind: kind, Title: "Network around 202-555-0147", Body: body,
			Version: 2, AuthorName: "Ana Analyst", CreatedAt: time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC), Snapshot: snap},
		Request:   &haven.AnalysisRequest{ID: 3, AgencyName: "Reno Police Department", CaseNumber: "RPD-2026-0147", Question: "Who else uses this number?"},
		Recipient: "Olivia Officer (olivia)",
		At:        time.Date(2026, 11, 25, 20, 31, 5, 0, time.UTC),
	}
}

func TestEveryPageOfTheExportCarriesTheRecipientTheTimeAndTheMarking(t *testing.T) {
	long := strings.Repeat("The number appears in reports from three states over six weeks (synthetic).\n", 120)
	for _, tc := range []struct {
		name     string
		x        *haven.ProductExport
		minPages int
		want     []string
	}{
		{"a one-page narrative", export(haven.ProductNarrative, "Two reports share the number (synthetic).", 0), 1,
			[]string{"Two reports share the number", "RPD-2026-0147"}},
		{"a narrative running over several pages", export(haven.ProductNarrative, long, 0), 3, nil},
		{"a link chart lists its links and reports", export(haven.ProductLinkChart, "", 90), 2,
			[]string{"Links between reports", "202-555-0147", "HV-TEST-A000"}},
		{"a timeline lists its reports", export(haven.ProductTimeline, "", 3), 1, []string{"Timeline of reports", "2026-10-02 09:00"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pdf, err := productpdf.Render(tc.x, true)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
				t.Fatalf("not a PDF: %q", pdf[:min(20, len(pdf))])
			}
			pages := pagesText(t, pdf)
			if len(pages) < tc.minPages {
				t.Fatalf("%d pages of text, want at least %d", len(pages), tc.minPages)
			}
			if n := len(pageRE.FindAll(pdf, -1)); n != len(pages) {
				t.Errorf("%d page objects but %d page streams with text", n, len(pages))
			}
			for i, p := range pages {
				for _, w := range []string{"LAW ENFORCEMENT SENSITIVE", "Prepared for Olivia Officer (olivia)", "downloaded 2026-11-25 20:31:05 UTC"} {
					if !strings.Contains(p, w) {
						t.Errorf("page %d lacks %q", i+1, w)
					}
				}
			}
			all := strings.Join(pages, "")
			for _, w := range tc.want {
				if !strings.Contains(all, w) {
					t.Errorf("the PDF lacks %q", w)
				}
			}
		})
	}
}
