// Package productpdf renders what Haven hands to law enforcement, an
// analytical product (internal/haven analysis.go) or a referral package
// (referral.go), as a PDF for one recipient. Every page carries, at its top
// and its foot, the marking "Law enforcement sensitive" and a watermark
// naming the recipient and the time of the download (UTC), so that a copy
// that travels further says whose it was. The PDF is drawn from the
// product's frozen snapshot (the referral's frozen package), never from the
// live records.
package productpdf

import (
	"fmt"
	"strings"
	"time"

	"github.com/johnfercher/maroto/v2"
	"github.com/johnfercher/maroto/v2/pkg/components/col"
	"github.com/johnfercher/maroto/v2/pkg/components/line"
	"github.com/johnfercher/maroto/v2/pkg/components/row"
	"github.com/johnfercher/maroto/v2/pkg/components/text"
	"github.com/johnfercher/maroto/v2/pkg/config"
	"github.com/johnfercher/maroto/v2/pkg/consts/align"
	"github.com/johnfercher/maroto/v2/pkg/consts/fontstyle"
	"github.com/johnfercher/maroto/v2/pkg/core"
	"github.com/johnfercher/maroto/v2/pkg/props"

	"github.com/haven-oss/haven/internal/haven"
)

// Marking is the handling marking every page carries.
const Marking = "LAW ENFORCEMENT SENSITIVE"

// Watermark is the line naming the recipient and the time, as it appears
// on every page.
func Watermark(recipient string, at time.Time) string {
	return fmt.Sprintf("Prepared for %s - downloaded %s UTC - do not copy or forward", latin(recipient), at.UTC().Format("2006-01-02 15:04:05"))
}

var (
	red     = &props.Color{Red: 170, Green: 20, Blue: 20}
	grey    = &props.Color{Red: 90, Green: 90, Blue: 90}
	marking = props.Text{Size: 10, Style: fontstyle.Bold, Align: align.Center, Color: red}
	mark    = props.Text{Size: 8, Align: align.Center, Color: red}
	heading = props.Text{Size: 14, Style: fontstyle.Bold, Top: 2}
	sub     = props.Text{Size: 11, Style: fontstyle.Bold, Top: 3}
	body    = props.Text{Size: 10, Top: 1}
	small   = props.Text{Size: 8, Color: grey, Top: 1}
	cell    = props.Text{Size: 9, Top: 1}
	cellB   = props.Text{Size: 9, Style: fontstyle.Bold, Top: 1}
)

// Render returns the product of x as a PDF watermarked for x.Recipient at
// x.At. compress=false leaves the page streams readable (for tests).
func Render(x *haven.ProductExport, compress bool) ([]byte, error) {
	p, req := x.Product, x.Request
	m, err := newDocument(p.Title, x.Recipient, x.At, compress)
	if err != nil {
		return nil, err
	}

	m.AddAutoRow(text.NewCol(12, latin(p.Title), heading))
	m.AddAutoRow(text.NewCol(12, fmt.Sprintf("%s, version %d, by %s, %s UTC", p.Kind.Label(), p.Version,
		latin(orDash(p.AuthorName)), p.CreatedAt.UTC().Format("2006-01-02 15:04")), small))
	m.AddAutoRow(text.NewCol(12, fmt.Sprintf("In answer to request %d of %s, case number %s: %s", req.ID,
		latin(req.AgencyName), latin(req.CaseNumber), latin(req.Question)), small))
	if p.Body != "" {
		m.AddAutoRow(text.NewCol(12, "Analysis", sub))
		for _, para := range strings.Split(p.Body, "\n") {
			if strings.TrimSpace(para) != "" {
				m.AddAutoRow(text.NewCol(12, latin(para), body))
			}
		}
	}
	switch p.Kind {
	case haven.ProductLinkChart:
		addLinkChart(m, p.Snapshot)
	case haven.ProductTimeline:
		addTimeline(m, p.Snapshot)
	}
	doc, err := m.Generate()
	if err != nil {
		return nil, err
	}
	return doc.GetBytes(), nil
}

// newDocument starts a PDF whose every page carries the marking and the
// watermark naming recipient and at, at its top and its foot.
func newDocument(title, recipient string, at time.Time, compress bool) (core.Maroto, error) {
	cfg := config.NewBuilder().
		WithPageNumber(props.PageNumber{Pattern: "Page {current} of {total}", Size: 8, Color: grey}).
		WithCompression(compress).
		WithTitle(latin(title), false).
		WithSubject(Marking, false).
		WithCreationDate(at).
		WithSequentialMode().
		Build()
	m := maroto.New(cfg)
	wm := Watermark(recipient, at)
	if err := m.RegisterHeader(
		text.NewRow(6, Marking, marking),
		text.NewRow(5, wm, mark),
		line.NewRow(3),
	); err != nil {
		return nil, err
	}
	if err := m.RegisterFooter(text.NewRow(5, Marking+" - "+wm, mark)); err != nil {
		return nil, err
	}
	return m, nil
}

// addLinkChart lists the chart's links (report, shared identifiers, report)
// and then its reports: the picture on the web page, as tables.
func addLinkChart(m core.Maroto, s haven.ProductSnapshot) {
	m.AddAutoRow(text.NewCol(12, "Links between reports", sub))
	if len(s.Links) == 0 {
		m.AddAutoRow(text.NewCol(12, "No two of these reports share an identifier.", body))
	} else {
		m.AddAutoRow(text.NewCol(3, "Report", cellB), text.NewCol(6, "Shares", cellB), text.NewCol(3, "With report", cellB))
		for _, l := range s.Links {
			m.AddAutoRow(text.NewCol(3, l.From, cell), text.NewCol(6, latin(strings.Join(l.Identifiers, ", ")), cell), text.NewCol(3, l.To, cell))
		}
	}
	addReports(m, s, "Reports in the chart")
}

// addTimeline lists the reports in the order received.
func addTimeline(m core.Maroto, s haven.ProductSnapshot) {
	addReports(m, s, "Timeline of reports, in the order received")
}

func addReports(m core.Maroto, s haven.ProductSnapshot, title string) {
	m.AddAutoRow(text.NewCol(12, title, sub))
	m.AddAutoRow(text.NewCol(3, "Received (UTC)", cellB), text.NewCol(3, "Report", cellB), text.NewCol(3, "Channel", cellB),
		text.NewCol(2, "Incident", cellB), text.NewCol(1, "State", cellB))
	for _, n := range s.Nodes {
		m.AddAutoRow(text.NewCol(3, n.ReceivedAt.UTC().Format("2006-01-02 15:04"), cell), text.NewCol(3, n.Ref, cell),
			text.NewCol(3, latin(n.Channel), cell), text.NewCol(2, latin(n.Incident), cell), text.NewCol(1, orDash(n.State), cell))
	}
	m.AddRows(row.New(2).Add(col.New(12)))
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}

// latin replaces what the PDF's standard fonts (Windows-1252) cannot show:
// common typographic marks by their plain forms, anything else by "?".
func latin(s string) string {
	r := strings.NewReplacer("\u2014", "-", "\u2013", "-", "\u2018", "'", "\u2019", "'", "\u201c", "\"", "\u201d", "\"", "\u2026", "...")
	s = r.Replace(s)
	return strings.Map(func(c rune) rune {
		if c == '\n' || c == '\t' {
			return ' '
		}
		if c < 32 || c > 255 {
			return '?'
		}
		return c
	}, s)
}
