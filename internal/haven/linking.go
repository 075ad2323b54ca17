package haven

import (
	"context"
	"encoding/binary"
	"strings"
	"time"
)

// Linking. Every identifier a report carries (a phone number, an email, a
// handle on a platform …), whether given in a structured field or found in
// its text, is entered in an identifier index when the report is ingested
// (internal/linking does it). Reports that share an identifier are linked
// through it, and reports linked directly or through other reports form a
// network: the connected components of the graph of reports and the
// identifiers that may link them, kept up to date as each report arrives.
//
// The index holds no identifier in plain text: an entry is the keyed MAC
// (a blind index) of the identifier's kind, platform and normalised value,
// under a key kept in the key file, so exact matching is one lookup of a
// MAC. What a page shows of an identifier comes from a report's own
// identifier rows, which the viewer may see because they may see the report.
//
// An identifier linked to more than FlagThreshold reports is flagged: it
// stops linking (the networks it held together are recomputed without it)
// until an analyst decides. An analyst may exclude a noisy identifier (a
// platform's support address, a hotline's own number) with a reason, which
// splits the networks it held together, or confirm a flagged one as
// meaningful, which lets it link again. Both decisions are audited.

// Kinds of record of linking, for the authorisation rules.
const (
	KindIdentifier Kind = "identifier" // an entry of the identifier index
	KindNetwork    Kind = "network"    // reports linked through shared identifiers
)

// FlagThreshold is how many reports an identifier may link before it is
// flagged for review instead of linking more. A phone number, address or
// account shared by more than 25 separate reports is far more often one that
// many people cite for reasons of their own (a hotline's or a shelter's
// number, a platform's support address, a payment service's demo handle, a
// template pasted into many ads) than a single trafficker's, and linking
// through it would merge unrelated reports into one network that grows with
// every report. Genuine networks of that size exist, but they are rare
// enough that an analyst confirming one costs little, while a false merge
// misleads everyone who opens any of its reports. Flagging at 26 still lets
// every ordinary shared identifier (a handful of reports) link at once.
const FlagThreshold = 25

// BlindIndexer computes the keyed MAC an identifier's index entry is
// looked up by (internal/keys implements it with the key file's "index"
// key). The same data always gives the same MAC.
type BlindIndexer interface {
	BlindIndex(data []byte) []byte
}

// IndexInput returns the bytes whose MAC is an identifier's index entry: its
// kind, platform and normalised value, each length-prefixed after a version
// tag, so that no two different identifiers give the same bytes. Callers
// normalise first: the index matches exactly.
func IndexInput(kind IdentifierKind, platform, value string) []byte {
	b := make([]byte, 0, 16+len(kind)+len(platform)+len(value)+12)
	b = append(b, "haven-index-v1"...)
	for _, s := range []string{string(kind), platform, value} {
		b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
		b = append(b, s...)
	}
	return b
}

// KeyState is whether an identifier in the index links reports.
type KeyState string

// Identifier states.
const (
	KeyActive   KeyState = "active"   // links the reports that share it
	KeyFlagged  KeyState = "flagged"  // over FlagThreshold: links nothing until an analyst decides
	KeyExcluded KeyState = "excluded" // an analyst excluded it: links nothing
)

var keyStateLabels = map[KeyState]string{
	KeyActive: "Links reports", KeyFlagged: "Flagged for review: not linking", KeyExcluded: "Excluded: not linking",
}

// Label is the state as people read it.
func (s KeyState) Label() string { return label(keyStateLabels, s) }

// IdentifierKey is one distinct identifier in the index: its kind and
// platform in clear, its value only as a MAC.
type IdentifierKey struct {
	ID          int64
	Kind        IdentifierKind
	Platform    string
	MAC         []byte
	ReportCount int       // reports linked through it
	FirstSeen   time.Time // when the earliest of them was received
	LastSeen    time.Time // when the latest of them was received
	State       KeyState
	Reason      string     // the reason the analyst gave for the decision
	DecidedBy   int64      // the analyst who decided (0 = nobody yet)
	DecidedAt   *time.Time // when; a decided identifier is never flagged again
}

// Links reports whether the identifier links the reports that share it.
func (k *IdentifierKey) Links() bool { return k.State == KeyActive }

// Resource returns what the rules need to know about the identifier.
func (k *IdentifierKey) Resource() Resource { return Resource{Kind: KindIdentifier, ID: k.ID} }

// IndexEntry is one identifier of a report as the index sees it.
type IndexEntry struct {
	Kind     IdentifierKind
	Platform string
	MAC      []byte
	// IdentifierID is the report's identifier row it came from: what a page
	// shows as the reason for the link.
	IdentifierID int64
}

// Linking asks the store to link one report through its identifiers.
type Linking struct {
	ReportID   int64
	ReceivedAt time.Time // the report's, for the identifiers' and networks' first and last times
	Entries    []IndexEntry
	// Threshold is the number of reports above which an identifier is
	// flagged (FlagThreshold; tests use less).
	Threshold int
}

// LinkOutcome is what linking a report did.
type LinkOutcome struct {
	NewLinks  int     // links added (0 when the report was linked already)
	Linked    []int64 // the other reports it shares an identifier that links with
	Flagged   []int64 // identifiers this linking took over the threshold
	NetworkID int64   // the report's network afterwards (0 = none)
}

// Network is a set of reports linked, directly or through one another, by
// identifiers that link. A report linked to no other is in no network.
type Network struct {
	ID            int64
	Size          int
	FirstReportAt time.Time // when its earliest report was received
	LastReportAt  time.Time // when its latest report was received
	UpdatedAt     time.Time
}

// Resource returns what the rules need to know about the network.
func (n *Network) Resource() Resource { return Resource{Kind: KindNetwork, ID: n.ID} }

// ReportLink is one identifier of a report that links it to other reports.
type ReportLink struct {
	Key *IdentifierKey
	// Identifier is the report's own identifier row that made the link.
	Identifier Identifier
	// Reports are other reports linked through the identifier that the
	// scope selects, newest first, at most as many as asked for; they carry
	// no places, people or identifiers.
	Reports []*Report
	Visible int // other reports linked through it that the scope selects
	Total   int // other reports linked through it
}

// LinkedReport is a report linked through an identifier, with its
// identifier row that made the link.
type LinkedReport struct {
	Report     *Report // without places, people and identifiers
	Identifier Identifier
	LinkedAt   time.Time
}

// NetworkLink is one member of a network linked through an identifier that
// links, with its identifier row that made the link.
type NetworkLink struct {
	KeyID      int64
	ReportID   int64
	Identifier Identifier
}

// IdentifierKeyFilter selects identifiers in the index, most-linked first.
type IdentifierKeyFilter struct {
	State  KeyState // "" = any
	Kind   IdentifierKind
	Limit  int
	Offset int
}

// IndexTx is the part of a transaction that keeps the identifier index and
// the networks.
type IndexTx interface {
	// AddReportIdentifiers appends identifiers to a stored report, after the
	// ones it has (the identifiers found in its text), setting their ID and
	// ReportID.
	AddReportIdentifiers(ctx context.Context, reportID int64, ids []Identifier) error
	// LinkReport enters the report's identifiers in the index and links the
	// report: it adds each identifier not yet indexed, links the report to
	// each, counts the reports of each and flags those that go over
	// l.Threshold (recomputing the networks they held together without
	// them), and puts the report in one network with every report it shares
	// an identifier that links with, merging their networks into the one
	// with the lowest id. Running it again for the same report changes
	// nothing. It is safe to run for many reports at once.
	LinkReport(ctx context.Context, l *Linking) (*LinkOutcome, error)
	// DecideIdentifierKey records an analyst's decision on an identifier:
	// KeyExcluded (it stops linking, and the networks it held together are
	// recomputed without it) or KeyActive (it links again, merging the
	// networks of its reports). It returns the identifier as decided.
	DecideIdentifierKey(ctx context.Context, id int64, state KeyState, reason string, by int64) (*IdentifierKey, error)
	IdentifierKeyByID(ctx context.Context, id int64) (*IdentifierKey, error)
	// IdentifierKeyByMAC finds an identifier by its index entry.
	IdentifierKeyByMAC(ctx context.Context, kind IdentifierKind, mac []byte) (*IdentifierKey, error)
	ListIdentifierKeys(ctx context.Context, f IdentifierKeyFilter) ([]*IdentifierKey, error)
	CountIdentifierKeys(ctx context.Context, f IdentifierKeyFilter) (int, error)
	// ReportLinks returns, for each identifier of the report that is linked
	// to at least one other report (whatever its state), the identifier
	// and up to perKey of those other reports that scope selects.
	ReportLinks(ctx context.Context, reportID int64, scope Scope, perKey int) ([]*ReportLink, error)
	// IdentifierReports lists the reports linked through an identifier that
	// scope selects, newest first; CountIdentifierReports counts them.
	IdentifierReports(ctx context.Context, keyID int64, scope Scope, limit, offset int) ([]*LinkedReport, error)
	CountIdentifierReports(ctx context.Context, keyID int64, scope Scope) (int, error)
	NetworkByID(ctx context.Context, id int64) (*Network, error)
	// NetworkOfReport returns the report's network, or ENOTFOUND.
	NetworkOfReport(ctx context.Context, reportID int64) (*Network, error)
	// NetworkMembers lists the network's reports that scope selects, oldest
	// first, without places, people and identifiers.
	NetworkMembers(ctx context.Context, id int64, scope Scope) ([]*Report, error)
	// NetworkLinks lists the links of the network's reports through
	// identifiers that link.
	NetworkLinks(ctx context.Context, id int64) ([]*NetworkLink, error)
}

// Display returns the identifier's value as people read it: a North
// American phone number in E.164 as "+1 202-555-0147", anything else as
// stored.
func (i Identifier) Display() string {
	v := i.Value
	if i.Kind == IDPhone && len(v) == 12 && strings.HasPrefix(v, "+1") && allDigits(v[2:]) {
		return "+1 " + v[2:5] + "-" + v[5:8] + "-" + v[8:]
	}
	return v
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
