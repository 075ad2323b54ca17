package haven

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/haven-oss/haven/internal/taxonomy"
)

// The public tip form. A member of the public (not signed in, possibly
// anonymous) sends a tip; Haven answers with the report's reference number
// and a secret follow-up code, shown once. With both, the reporter may later
// add information to the report as supplements: the original is never
// edited, and the reporter never sees it again (someone who found the code
// must not be able to read the report).
//
// The follow-up code is 16 characters of Crockford base32 (80 random bits).
// It is stored only as a keyed MAC (the Sealer's key, kept in the key file,
// not the database), bound to the report's reference. Why not argon2id: the
// code is random, not chosen by a person, so there is nothing for a slow
// hash to protect: 2^80 guesses are out of reach even with the key, and
// without the key file a stolen database gives nothing to test guesses
// against at all. A slow hash would instead hand an anonymous visitor a way
// to make the server burn 19 MiB and tens of milliseconds per request.

// TipPolicy limits follow-up attempts.
const (
	// FollowUpMaxFailures wrong codes for one reference pause it for
	// FollowUpLockout.
	FollowUpMaxFailures = 5
	FollowUpLockout     = time.Hour
	// MaxTipFiles is the most files one tip or supplement may carry.
	MaxTipFiles = 5
	// MaxOnlineDetails is the most lines of online details one tip carries.
	MaxOnlineDetails = 100
)

// PublicActor returns the actor for a member of the public using the tip
// form from ip. The public has no role: the tip intake methods are the only
// service methods that accept it (see authz.go).
func PublicActor(ip string) Actor { return Actor{Via: "public", IP: ip} }

// IsPublic reports whether the actor is a member of the public.
func (a Actor) IsPublic() bool { return a.Via == "public" && a.Role == "" && a.UserID == 0 }

// TipFile is one file sent with a tip or a supplement.
type TipFile struct {
	Name         string // as the browser gave it
	DeclaredType string
	Body         io.Reader
}

// TipInput is a tip as the public form gives it, already parsed into types.
// Every field but Language may be empty; Validate says what is missing.
type TipInput struct {
	Language         string // the language the reporter used: "en" or "es"
	IncidentType     IncidentType
	Narrative        string
	IncidentAt       *time.Time
	IncidentTimeText string // when, in the reporter's own words
	Place            Place  // where: city, state, ZIP, or a country outside the US
	Child            *PersonMention
	People           []PersonMention // suspects, buyers, others
	Online           []string        // online details, one a line, as typed
	Indicators       []string        // indicator ids from the taxonomy (internal/taxonomy)
	Contact          Contact         // Anonymous, or name/phone/email
	Files            []TipFile
}

// Receipt is what a reporter gets back for a tip: shown once, never again.
type Receipt struct {
	Ref  string
	Code string // the follow-up code: four groups of four Crockford base32 characters
}

// TipFollowUp is the stored half of a report's follow-up code.
type TipFollowUp struct {
	ReportID    int64
	Ref         string
	CodeHash    []byte // the Sealer's MAC of the reference and code
	Failures    int    // wrong codes since the last lock or success
	LockedUntil *time.Time
	CreatedAt   time.Time
}

// Supplement is information a reporter added to their tip later. It hangs
// off the report and never changes it.
type Supplement struct {
	ID            int64
	ReportID      int64
	Text          string
	Language      string
	Identifiers   []Identifier
	AttachmentIDs []int64
	IP            string
	CreatedAt     time.Time
}

// SupplementInput is what the follow-up form gives.
type SupplementInput struct {
	Ref, Code string
	Language  string
	Text      string
	Online    []string
	Files     []TipFile
}

// TipsTx is the part of a transaction that keeps follow-up codes and
// supplements.
type TipsTx interface {
	// CreateTipFollowUp stores a report's follow-up code hash; a second one
	// for the same report is ECONFLICT.
	CreateTipFollowUp(ctx context.Context, f *TipFollowUp) error
	// TipFollowUpByRef returns the follow-up record of the report with the
	// reference, or ENOTFOUND.
	TipFollowUpByRef(ctx context.Context, ref string) (*TipFollowUp, error)
	// AddTipFollowUpFailure counts one wrong code, atomically, and returns
	// the new count.
	AddTipFollowUpFailure(ctx context.Context, reportID int64) (int, error)
	// SetTipFollowUpLock writes the failure count and lock.
	SetTipFollowUpLock(ctx context.Context, reportID int64, failures int, lockedUntil *time.Time) error
	// CreateSupplement stores a supplement with its identifiers and the ids
	// of its attachments (already stored); it sets ID and CreatedAt.
	CreateSupplement(ctx context.Context, s *Supplement) error
	// ListSupplements returns a report's supplements, oldest first.
	ListSupplements(ctx context.Context, reportID int64) ([]*Supplement, error)
}

// errFollowUp is the one answer to a reference and code that do not open a
// report: unknown reference, wrong code and a paused reference answer alike.
var errFollowUp = &Error{Code: EUNAUTHORIZED, Field: "code",
	Message: "We could not match that reference number and follow-up code. Check both and try again. After several wrong tries, a reference number is paused for an hour."}

// ErrFollowUpRefused reports whether err is the refusal of a reference and
// follow-up code (whatever the reason, which is not told).
func ErrFollowUpRefused(err error) bool {
	e, ok := err.(*Error)
	return ok && e == errFollowUp
}

// SubmitTip stores a tip from the public form as a report on the public_tip
// channel, with its attachments, in one transaction, and returns the
// reference and the follow-up code (to be shown once). Only the public may
// call it, and a partner organisation's intake system relaying tips through
// the JSON API (see relaysTips); signed-in staff use CreateReport. A refused
// file or an invalid field is an EINVALID error naming the field, and
// nothing is stored.
func (s *Service) SubmitTip(ctx context.Context, a Actor, in TipInput) (*Receipt, error) {
	rc, _, err := s.SubmitTipOnce(ctx, a, Once{}, in)
	return rc, err
}

// SubmitTipOnce is SubmitTip for a request that may be retried (see Once):
// a retry stores nothing and returns the first tip's reference with
// replayed true and Receipt.Code "". The follow-up code is shown once, in
// the first answer, and kept only as a MAC (see followUpHash): nothing
// can give it back, to a retry or to anyone else.
func (s *Service) SubmitTipOnce(ctx context.Context, a Actor, o Once, in TipInput) (rc *Receipt, replayed bool, err error) {
	if !a.IsPublic() && !relaysTips(a) {
		return nil, false, s.deny(ctx, a, "report.create", KindReport, 0, forbidden("use the public tip form while signed in"))
	}
	r, err := TipReport(in, s.now())
	if err != nil {
		return nil, false, err
	}
	if len(in.Files) > MaxTipFiles {
		return nil, false, FieldError("files", "send at most %d files at a time", MaxTipFiles)
	}
	if !a.IsPublic() {
		// The partner that relayed the tip entered it, for its agency.
		r.CreatedBy, r.AgencyID = a.UserID, a.AgencyID
	}
	code := NewFollowUpCode()
	id, replayed, err := s.once(ctx, a, o, func() (int64, error) {
		var cleanups []func()
		err := s.Store.Update(ctx, func(tx Tx) error {
			if err := s.insertReport(ctx, tx, a, r); err != nil {
				return err
			}
			hash, err := s.followUpHash(r.Ref, code)
			if err != nil {
				return err
			}
			if err := tx.CreateTipFollowUp(ctx, &TipFollowUp{ReportID: r.ID, Ref: r.Ref, CodeHash: hash, CreatedAt: s.now()}); err != nil {
				return err
			}
			if _, cleanups, err = s.storeTipFiles(ctx, tx, a, r.ID, in.Files, "public_tip"); err != nil {
				return err
			}
			return s.remember(ctx, tx, a, o, r.ID)
		})
		if err != nil {
			for _, c := range cleanups {
				c()
			}
		}
		return r.ID, err
	})
	if err != nil {
		return nil, false, err
	}
	if !replayed {
		s.wake()
		return &Receipt{Ref: r.Ref, Code: code}, false, nil
	}
	rc = &Receipt{} // the code was shown once, in the first answer
	err = s.Store.View(ctx, func(tx Tx) error {
		rep, err := tx.ReportByID(ctx, id)
		if err == nil {
			rc.Ref = rep.Ref
		}
		return err
	})
	if err != nil {
		return nil, false, err
	}
	return rc, true, nil
}

// relaysTips reports whether the actor is a partner organisation's intake
// system relaying tips from the public through the JSON API: an API token
// whose user may create reports. It may submit tips and add supplements
// with a reference and follow-up code, as the public does.
func relaysTips(a Actor) bool {
	return a.Via == "api" && a.UserID != 0 && CanKind(a, ActionCreate, KindReport)
}

// storeTipFiles stores each file against the report inside tx, returning
// their ids and the cleanups to run if the transaction fails.
func (s *Service) storeTipFiles(ctx context.Context, tx Tx, a Actor, reportID int64, files []TipFile, source string) ([]int64, []func(), error) {
	var ids []int64
	var cleanups []func()
	for i, f := range files {
		att, cleanup, err := s.StoreAttachment(ctx, tx, a, reportID, f.Name, f.DeclaredType, source, f.Body)
		if err != nil {
			if ErrorCode(err) == EINVALID {
				return nil, cleanups, &Error{Code: EINVALID, Field: fmt.Sprintf("files[%d]", i),
					Message: fmt.Sprintf("%s: %s", SanitizeFileName(f.Name), ErrorMessage(err))}
			}
			return nil, cleanups, fmt.Errorf("file %d: %w", i+1, err)
		}
		cleanups = append(cleanups, cleanup)
		ids = append(ids, att.ID)
	}
	return ids, cleanups, nil
}

// TipReport builds and validates the report a tip becomes at now (without
// its reference, files or follow-up code). The error names the field at
// fault; a form that checks its fields first must never pass one that this
// refuses.
func TipReport(in TipInput, now time.Time) (*Report, error) {
	if in.Language != "" && !oneOf(in.Language, CallLanguages) {
		return nil, FieldError("language", "the tip's language is en (English) or es (Spanish)")
	}
	if in.IncidentType == "" {
		in.IncidentType = IncidentOther
	}
	if !oneOf(in.IncidentType, []IncidentType{IncidentSexTrafficking, IncidentEnticement, IncidentSexTourism, IncidentOther}) {
		return nil, FieldError("incident_type", "choose what the tip is about from the list")
	}
	tax, err := taxonomy.Load()
	if err != nil {
		return nil, err
	}
	if bad := tax.UnknownIndicators(in.Indicators); len(bad) > 0 {
		return nil, FieldError("indicators", "%q is not one of the signs on the list", bad[0])
	}
	if len(in.Online) > MaxOnlineDetails {
		return nil, FieldError("online", "at most %d lines of online details", MaxOnlineDetails)
	}
	c := in.Contact
	c.Name, c.Phone, c.Email = strings.TrimSpace(c.Name), strings.TrimSpace(c.Phone), strings.TrimSpace(c.Email)
	if c.Anonymous {
		c.Name, c.Phone, c.Email = "", "", ""
	}
	if c.Email != "" && !emailRE.MatchString(c.Email) {
		return nil, FieldError("contact_email", "enter an email address like name@example.com, or leave it empty")
	}
	c.Language = in.Language
	r := &Report{
		Channel: ChannelPublicTip, IncidentType: in.IncidentType, Narrative: in.Narrative,
		IncidentAt: in.IncidentAt, IncidentTimeText: in.IncidentTimeText, Reporter: c,
		Indicators: in.Indicators, ReceivedAt: now, Status: ReportNew,
	}
	if p := in.Place; p.City != "" || p.State != "" || p.ZIP != "" || p.Country != "" {
		p.Role = PlaceIncident
		if p.ZIP != "" && !zipRE.MatchString(p.ZIP) {
			return nil, FieldError("zip", "a ZIP code is 5 digits, or 5 and 4 like 20001-1234")
		}
		r.Places = []Place{p}
	}
	if in.Child != nil {
		ch := *in.Child
		ch.Role = PersonChild
		r.People = append(r.People, ch)
	}
	r.People = append(r.People, in.People...)
	r.Identifiers = OnlineIdentifiers(in.Online, "form")
	r.Normalize()
	if err := r.Validate(now); err != nil {
		return nil, err
	}
	return r, nil
}

var (
	emailRE = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	zipRE   = regexp.MustCompile(`^\d{5}(-\d{4})?$`)
)

// OnlineIdentifiers turns lines of online details as a person typed them
// (links, ads, handles with their platform, phone numbers, payment handles)
// into identifiers with a best-effort kind. Blank lines are dropped; Raw
// keeps the line. Normalisation proper belongs to linking.
func OnlineIdentifiers(lines []string, source string) []Identifier {
	var out []Identifier
	for _, line := range lines {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		id := ClassifyOnlineDetail(line)
		id.Source = source
		out = append(out, id)
	}
	return out
}

var paymentPlatforms = map[string]string{
	"cash app": "Cash App", "cashapp": "Cash App", "venmo": "Venmo", "paypal": "PayPal",
	"zelle": "Zelle", "apple pay": "Apple Pay", "chime": "Chime",
}

// ClassifyOnlineDetail guesses what one typed line is. "Platform: value"
// names the platform; a $cashtag is a payment handle; an @name a handle; a
// URL, an email address or a phone number is recognised by its shape.
func ClassifyOnlineDetail(line string) Identifier {
	id := Identifier{Raw: truncate(line, 2048), Value: truncate(line, 2048)}
	platform, rest, found := strings.Cut(line, ":")
	if found && !strings.HasPrefix(strings.TrimSpace(rest), "//") && utf8.RuneCountInString(platform) <= 30 && strings.TrimSpace(rest) != "" {
		platform, rest = strings.TrimSpace(platform), strings.TrimSpace(rest)
		id.Platform, id.Value = truncate(platform, 256), truncate(rest, 2048)
		if p, ok := paymentPlatforms[strings.ToLower(platform)]; ok {
			id.Kind, id.Platform = IDPayment, p
			return id
		}
		if isPhone(rest) {
			id.Kind, id.Value = IDPhone, phoneValue(rest)
			return id
		}
		id.Kind = IDHandle
		return id
	}
	lower := strings.ToLower(line)
	switch {
	case strings.Contains(lower, "://") || strings.HasPrefix(lower, "www."):
		id.Kind = IDURL
	case emailRE.MatchString(line):
		id.Kind, id.Value = IDEmail, lower
	case strings.HasPrefix(line, "$") && len(line) > 1:
		id.Kind, id.Platform = IDPayment, "Cash App"
	case isPhone(line):
		id.Kind, id.Value = IDPhone, phoneValue(line)
	default:
		id.Kind = IDHandle
	}
	return id
}

// isPhone reports whether s looks like a phone number: 7 to 15 digits and
// only the characters people write numbers with.
func isPhone(s string) bool {
	digits := 0
	for _, r := range s {
		switch {
		case unicode.IsDigit(r):
			digits++
		case strings.ContainsRune(" +-().", r):
		default:
			return false
		}
	}
	return digits >= 7 && digits <= 15
}

// phoneValue gives a phone number as +digits, assuming the US for ten digits.
func phoneValue(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	if len(d) == 10 {
		return "+1" + d
	}
	return "+" + d
}

// NewFollowUpCode returns a fresh follow-up code: 16 Crockford base32
// characters (80 random bits) in four groups, e.g. "7K3Q-9D2M-X4TB-0PHN".
func NewFollowUpCode() string {
	b := randomToken(16)
	var sb strings.Builder
	for i := 0; i < 16; i++ {
		if i > 0 && i%4 == 0 {
			sb.WriteByte('-')
		}
		sb.WriteByte(refAlphabet[b[i]&31])
	}
	return sb.String()
}

// NormalizeFollowUpCode reads a code as a person may type it: any case,
// spaces or hyphens anywhere, O for 0 and I or L for 1. It returns the 16
// characters, or "" if the input cannot be a code.
func NormalizeFollowUpCode(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch r {
		case ' ', '-', '\t':
			continue
		case 'O':
			r = '0'
		case 'I', 'L':
			r = '1'
		}
		if !strings.ContainsRune(refAlphabet, r) {
			return ""
		}
		b.WriteRune(r)
	}
	if b.Len() != 16 {
		return ""
	}
	return b.String()
}

// NormalizeRef reads a reference number as a person may type it.
func NormalizeRef(s string) string {
	s = strings.ToUpper(strings.Join(strings.Fields(s), ""))
	s = strings.ReplaceAll(s, "-", "")
	// The "HV" prefix is optional; a reference's own characters may begin
	// with HV too ("HV-HVK3-9D2M"), so it is taken off only from ten.
	if len(s) == 10 && strings.HasPrefix(s, "HV") {
		s = s[2:]
	}
	s = strings.NewReplacer("O", "0", "I", "1", "L", "1").Replace(s)
	if len(s) != 8 {
		return ""
	}
	for _, r := range s {
		if !strings.ContainsRune(refAlphabet, r) {
			return ""
		}
	}
	return "HV-" + s[:4] + "-" + s[4:]
}

// followUpHash is the stored form of a code: a MAC under the key file's key,
// bound to the reference so that a hash cannot be moved to another report.
func (s *Service) followUpHash(ref, code string) ([]byte, error) {
	h, err := s.Sealer.Seal(followUpData(ref, code))
	if err != nil {
		return nil, fmt.Errorf("follow-up code hash: %w", err)
	}
	return h, nil
}

func followUpData(ref, code string) []byte {
	return []byte("haven-tip-follow-up-v1\x00" + ref + "\x00" + NormalizeFollowUpCode(code))
}

// AddSupplement adds information to a tip, for whoever holds its reference
// and follow-up code. Unknown reference, wrong code and a reference paused
// after FollowUpMaxFailures wrong codes all answer with the same EUNAUTHORIZED
// error (ErrFollowUpRefused), and every wrong code is counted and audited.
// The original report is never changed and nothing of it is returned; its
// ingest job (JobIngestReport) is enqueued again with the supplement, so
// that identifiers the supplement gives link the report to others. The
// public may call it, and a partner's intake system through the JSON API
// (see relaysTips).
func (s *Service) AddSupplement(ctx context.Context, a Actor, in SupplementInput) error {
	_, _, err := s.AddSupplementOnce(ctx, a, Once{}, in)
	return err
}

// AddSupplementOnce is AddSupplement for a request that may be retried
// (see Once). It returns the new supplement's id; a retry returns the first
// one's, with replayed true, and adds nothing.
func (s *Service) AddSupplementOnce(ctx context.Context, a Actor, o Once, in SupplementInput) (id int64, replayed bool, err error) {
	if !a.IsPublic() && !relaysTips(a) {
		return 0, false, s.deny(ctx, a, "report.supplement", KindReport, 0, forbidden("use the public follow-up form while signed in"))
	}
	now := s.now()
	sup := &Supplement{Text: strings.TrimSpace(in.Text), Language: in.Language, IP: a.IP,
		Identifiers: OnlineIdentifiers(in.Online, "follow_up")}
	if err := validateSupplement(sup, in); err != nil {
		return 0, false, err
	}
	id, replayed, err = s.once(ctx, a, o, func() (int64, error) {
		err := s.addSupplement(ctx, a, o, in, sup, now)
		return sup.ID, err
	})
	return id, replayed, err
}

// addSupplement checks the reference and code and stores the supplement.
func (s *Service) addSupplement(ctx context.Context, a Actor, o Once, in SupplementInput, sup *Supplement, now time.Time) error {
	ref, code := NormalizeRef(in.Ref), NormalizeFollowUpCode(in.Code)
	var f *TipFollowUp
	err := s.Store.View(ctx, func(tx Tx) (err error) {
		if ref == "" {
			return Errorf(ENOTFOUND, "no such reference")
		}
		f, err = tx.TipFollowUpByRef(ctx, ref)
		return err
	})
	if ErrorCode(err) == ENOTFOUND {
		_, _ = s.Sealer.Seal(followUpData(ref, code)) // the same work as a real check
		return s.refuseFollowUp(ctx, a, 0, "unknown reference")
	} else if err != nil {
		return err
	}
	if f.LockedUntil != nil && now.Before(*f.LockedUntil) {
		_ = s.Sealer.Verify(f.CodeHash, followUpData(ref, code))
		return s.refuseFollowUp(ctx, a, f.ReportID, "reference paused")
	}
	if code == "" || s.Sealer.Verify(f.CodeHash, followUpData(ref, code)) != nil {
		return s.refuseFollowUp(ctx, a, f.ReportID, "wrong code")
	}
	var cleanups []func()
	err = s.Store.Update(ctx, func(tx Tx) error {
		sup.ReportID = f.ReportID
		var err error
		sup.AttachmentIDs, cleanups, err = s.storeTipFiles(ctx, tx, a, f.ReportID, in.Files, "public_tip_follow_up")
		if err != nil {
			return err
		}
		if err := tx.CreateSupplement(ctx, sup); err != nil {
			return err
		}
		// The report is ingested again, so that what the supplement adds
		// (a new phone number, a handle) links it to other reports. The
		// steps are safe to run again: linking adds only what is new, and
		// person matching keeps the decisions taken.
		if err := tx.EnqueueJob(ctx, &Job{Kind: JobIngestReport, RecordID: f.ReportID, RunAt: now}); err != nil {
			return err
		}
		if f.Failures != 0 || f.LockedUntil != nil {
			if err := tx.SetTipFollowUpLock(ctx, f.ReportID, 0, nil); err != nil {
				return err
			}
		}
		if err := s.audit(ctx, tx, a, "report.supplement", OutcomeOK, KindReport, f.ReportID, "",
			fmt.Sprintf("supplement %d, %d identifiers, %d files", sup.ID, len(sup.Identifiers), len(sup.AttachmentIDs))); err != nil {
			return err
		}
		return s.remember(ctx, tx, a, o, sup.ID)
	})
	if err != nil {
		for _, c := range cleanups {
			c()
		}
		return err
	}
	return nil
}

func validateSupplement(sup *Supplement, in SupplementInput) error {
	if in.Language != "" && !oneOf(in.Language, CallLanguages) {
		return FieldError("language", "the language is en (English) or es (Spanish)")
	}
	if sup.Text == "" && len(sup.Identifiers) == 0 && len(in.Files) == 0 {
		return FieldError("text", "write what you want to add, add an online detail, or attach a file")
	}
	if utf8.RuneCountInString(sup.Text) > MaxNarrative {
		return FieldError("text", "write at most %d characters", MaxNarrative)
	}
	if len(in.Online) > MaxOnlineDetails {
		return FieldError("online", "at most %d lines of online details", MaxOnlineDetails)
	}
	for i := range sup.Identifiers {
		if err := sup.Identifiers[i].Validate(); err != nil {
			return FieldError("online", "%s", ErrorMessage(err))
		}
	}
	if len(in.Files) > MaxTipFiles {
		return FieldError("files", "send at most %d files at a time", MaxTipFiles)
	}
	return nil
}

// refuseFollowUp counts a wrong code against the report (pausing it at the
// threshold), audits the refusal, and returns the one refusal error.
func (s *Service) refuseFollowUp(ctx context.Context, a Actor, reportID int64, why string) error {
	err := s.Store.Update(ctx, func(tx Tx) error {
		if reportID != 0 && why == "wrong code" {
			n, err := tx.AddTipFollowUpFailure(ctx, reportID)
			if err != nil {
				return err
			}
			if n >= FollowUpMaxFailures {
				until := s.now().Add(FollowUpLockout)
				if err := tx.SetTipFollowUpLock(ctx, reportID, 0, &until); err != nil {
					return err
				}
				why += "; reference paused for an hour"
			}
		}
		return s.audit(ctx, tx, a, "report.follow_up", OutcomeFailed, KindReport, reportID, "", why)
	})
	if err != nil {
		return err
	}
	return errFollowUp
}
