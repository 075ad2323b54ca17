package productpdf

import (
	"fmt"
	"strings"

	"github.com/johnfercher/maroto/v2/pkg/components/text"

	"github.com/haven-oss/haven/internal/haven"
)

// RenderReferral returns a referral's frozen package as a PDF watermarked
// for x.Recipient at x.At: the report's summary, the linked reports and the
// identifiers they share, the identifiers, the files' hashes and metadata
// (never their bytes), the shareable case notes, and the referral's
// history. compress=false leaves the page streams readable (for tests).
func RenderReferral(x *haven.ReferralExport, compress bool) ([]byte, error) {
	r := x.View.Referral
	p := r.Package
	m, err := newDocument(fmt.Sprintf("Referral %d", r.ID), x.Recipient, x.At, compress)
	if err != nil {
		return nil, err
	}
	m.AddAutoRow(text.NewCol(12, fmt.Sprintf("Referral %d: report %s", r.ID, p.Report.Ref), heading))
	m.AddAutoRow(text.NewCol(12, fmt.Sprintf("To %s, sent by %s on %s UTC. State: %s%s", latin(p.Agency), latin(orDash(p.SentBy)),
		p.SentAt.UTC().Format("2006-01-02 15:04"), r.State.Label(), outcomeText(r)), small))
	if p.Note != "" {
		m.AddAutoRow(text.NewCol(12, "Note from the clearinghouse: "+latin(p.Note), body))
	}
	m.AddAutoRow(text.NewCol(12, "Summary", sub))
	rows := [][2]string{
		{"Received", p.Report.ReceivedAt.UTC().Format("2006-01-02 15:04") + " UTC"},
		{"Channel", p.Report.Channel},
		{"Incident type", p.Report.Incident},
		{"Priority", p.Report.Priority},
		{"Places", strings.Join(p.Report.Places, "; ")},
	}
	for _, kv := range rows {
		m.AddAutoRow(text.NewCol(3, kv[0], cellB), text.NewCol(9, latin(orDash(kv[1])), cell))
	}
	m.AddAutoRow(text.NewCol(12, "Narrative", sub))
	for _, para := range strings.Split(p.Report.Narrative, "\n") {
		if strings.TrimSpace(para) != "" {
			m.AddAutoRow(text.NewCol(12, latin(para), body))
		}
	}
	m.AddAutoRow(text.NewCol(12, "Identifiers", sub))
	if len(p.Identifiers) == 0 {
		m.AddAutoRow(text.NewCol(12, "None recorded.", body))
	}
	for _, id := range p.Identifiers {
		m.AddAutoRow(text.NewCol(12, latin(id), cell))
	}
	m.AddAutoRow(text.NewCol(12, "Linked reports", sub))
	if len(p.Linked) == 0 {
		m.AddAutoRow(text.NewCol(12, "No other report shares an identifier with this one.", body))
	} else {
		m.AddAutoRow(text.NewCol(3, "Report", cellB), text.NewCol(3, "Received (UTC)", cellB), text.NewCol(6, "Shares", cellB))
		for _, l := range p.Linked {
			m.AddAutoRow(text.NewCol(3, l.Ref, cell), text.NewCol(3, l.ReceivedAt.UTC().Format("2006-01-02 15:04"), cell),
				text.NewCol(6, latin(strings.Join(l.Identifiers, ", ")), cell))
		}
	}
	m.AddAutoRow(text.NewCol(12, "Files (described; the files themselves are not included)", sub))
	if len(p.Attachments) == 0 {
		m.AddAutoRow(text.NewCol(12, "None.", body))
	}
	for _, a := range p.Attachments {
		m.AddAutoRow(text.NewCol(12, fmt.Sprintf("%s (%s, %d bytes)", latin(a.FileName), latin(orDash(a.ContentType)), a.Size), cellB))
		m.AddAutoRow(text.NewCol(12, "SHA-256 "+a.SHA256, cell))
		m.AddAutoRow(text.NewCol(12, "MD5 "+a.MD5, cell))
	}
	m.AddAutoRow(text.NewCol(12, "Notes from the case", sub))
	if len(p.Notes) == 0 {
		m.AddAutoRow(text.NewCol(12, "None shared.", body))
	}
	for _, n := range p.Notes {
		m.AddAutoRow(text.NewCol(12, fmt.Sprintf("%s UTC: %s", n.CreatedAt.UTC().Format("2006-01-02 15:04"), latin(n.Body)), body))
	}
	m.AddAutoRow(text.NewCol(12, "History", sub))
	for _, e := range x.View.Events {
		line := fmt.Sprintf("%s UTC - %s by %s", e.At.UTC().Format("2006-01-02 15:04"), e.Kind.Label(), latin(orDash(e.Actor)))
		if e.Message != "" {
			line += ": " + latin(e.Message)
		}
		m.AddAutoRow(text.NewCol(12, line, cell))
	}
	doc, err := m.Generate()
	if err != nil {
		return nil, err
	}
	return doc.GetBytes(), nil
}

func outcomeText(r *haven.Referral) string {
	if r.Outcome == "" {
		return ""
	}
	return " (" + r.Outcome.Label() + ")"
}
