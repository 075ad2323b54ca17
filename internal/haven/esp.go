package haven

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/haven-oss/haven/internal/password"
)

// This file is the domain side of reports from online service providers
// (ESPs). internal/ispws speaks the CyberTipline-compatible protocol and
// calls these methods; here live the accounts, the unfinished submissions
// and their files, their lifecycle (open → finished or retracted, or deleted
// when they expire) and the one place where a finished submission becomes a
// haven Report.

// EspAccount is an online service provider's account on the ESP reporting
// API. Only an argon2id hash of its password is kept.
type EspAccount struct {
	ID           int64
	Name         string // the HTTP Basic username
	PasswordHash string // argon2id PHC string
	Disabled     bool
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// EspState is where a submission is in its lifecycle.
type EspState string

// Submission states.
const (
	EspOpen      EspState = "open"      // submitted, taking files
	EspFinished  EspState = "finished"  // closed for good: it is a haven Report now
	EspRetracted EspState = "retracted" // cancelled by the ESP before finishing
)

// EspSubmission is one ESP report from submit to finish. Its ID is the
// reportId the protocol speaks of.
type EspSubmission struct {
	ID        int64
	AccountID int64
	// BodyHash is the SHA-256 of the submitted document: a retried submit
	// with the same bytes finds the submission it already opened.
	BodyHash []byte
	// XML is the original document, verbatim, encrypted with Service.Secrets
	// bound to the account and the document's hash (espXMLAD), so that it
	// can be sealed before the row exists and read back only as this
	// submission's document.
	XML        []byte
	State      EspState
	ReportID   int64 // the haven Report, once finished
	OpenedAt   time.Time
	ChangedAt  time.Time
	FinishedAt *time.Time
}

// ExpiresAt is when an unfinished submission is deleted: 24 hours after it
// was opened or 1 hour after its last change, whichever is later.
func (s *EspSubmission) ExpiresAt() time.Time {
	a, b := s.OpenedAt.Add(EspOpenTTL), s.ChangedAt.Add(EspIdleTTL)
	if b.After(a) {
		return b
	}
	return a
}

// Lifetimes of unfinished submissions.
const (
	EspOpenTTL = 24 * time.Hour
	EspIdleTTL = time.Hour
)

// EspFile is a file uploaded to a submission. Its bytes are encrypted in
// Blobs from the moment they arrive (bound to FileID); at finish they become
// an Attachment of the new report.
type EspFile struct {
	ID           int64
	SubmissionID int64
	FileID       string // 32 hex characters, the protocol's fileId
	BlobID       string // "" once moved to an attachment
	FileName     string
	DeclaredType string
	ContentType  string
	Size         int64
	MD5, SHA256  string
	// Details is the file's <fileDetails> document, verbatim, encrypted
	// bound to the file (nil until given).
	Details      []byte
	AttachmentID int64 // the attachment made at finish
	CreatedAt    time.Time
}

// EspTx is the part of a transaction that keeps ESP accounts, submissions
// and files.
type EspTx interface {
	// CreateEspAccount sets ID and timestamps; a name in use is ECONFLICT.
	CreateEspAccount(ctx context.Context, a *EspAccount) error
	EspAccountByName(ctx context.Context, name string) (*EspAccount, error)
	// UpdateEspAccount writes PasswordHash and Disabled and sets UpdatedAt.
	UpdateEspAccount(ctx context.Context, a *EspAccount) error
	ListEspAccounts(ctx context.Context) ([]*EspAccount, error)

	// CreateEspSubmission sets ID; an open submission of the same account
	// with the same BodyHash is ECONFLICT.
	CreateEspSubmission(ctx context.Context, s *EspSubmission) error
	EspSubmissionByID(ctx context.Context, id int64) (*EspSubmission, error)
	// EspSubmissionByBody finds the newest submission of the account with
	// that body hash opened at or after since that is not retracted.
	EspSubmissionByBody(ctx context.Context, accountID int64, bodyHash []byte, since time.Time) (*EspSubmission, error)
	// UpdateEspSubmission writes XML, State, ReportID, ChangedAt and FinishedAt.
	UpdateEspSubmission(ctx context.Context, s *EspSubmission) error
	// DeleteEspSubmission deletes a submission and its files' records.
	DeleteEspSubmission(ctx context.Context, id int64) error
	CountEspSubmissions(ctx context.Context) (int, error)

	// CreateEspFile sets ID and CreatedAt; a file with the same SHA256 in
	// the submission is ECONFLICT.
	CreateEspFile(ctx context.Context, f *EspFile) error
	// ListEspFiles lists a submission's files in upload order.
	ListEspFiles(ctx context.Context, submissionID int64) ([]*EspFile, error)
	// UpdateEspFile writes BlobID, Details and AttachmentID.
	UpdateEspFile(ctx context.Context, f *EspFile) error
	// DeleteEspFiles deletes a submission's files' records.
	DeleteEspFiles(ctx context.Context, submissionID int64) error
	// UnfinishedEspSubmissions returns the ids of up to limit submissions
	// not finished, opened at or before openedBefore and last changed at
	// or before changedBefore, oldest first.
	UnfinishedEspSubmissions(ctx context.Context, openedBefore, changedBefore time.Time, limit int) ([]int64, error)
}

// Protocol errors the ESP API answers with codes of their own. They are
// returned wrapped: test them with errors.Is.
var (
	ErrEspNoReport  = &Error{Code: ENOTFOUND, Message: "Report does not exist"}
	ErrEspNoFile    = &Error{Code: ENOTFOUND, Message: "File does not exist"}
	ErrEspRetracted = &Error{Code: ECONFLICT, Message: "Report already retracted"}
	ErrEspFinished  = &Error{Code: ECONFLICT, Message: "Report already finished"}
)

// espAuthTTL is how long a verified ESP credential is trusted without
// hashing the password again.
const espAuthTTL = 5 * time.Minute

// espVerified caches verified ESP credentials. ESP clients send HTTP Basic
// credentials with every request, and an argon2id check costs ~20 ms and
// 19 MiB: paid on every request it would cap a node at a few dozen requests
// per second. The key is SHA-256 over the username, the password and the
// stored PHC string (which carries a random salt): an entry can only ever
// vouch for that exact password against that exact stored hash, so changing
// the password, or the account being disabled (checked on every request
// from the row, which is read anyway), makes the entry useless without any
// invalidation message — which also holds across several app nodes. Being
// keyed on a fast hash of the password, the cache holds no password and
// nothing an attacker who reads memory could replay more cheaply than the
// password itself. Entries expire after espAuthTTL; the map is emptied when
// it grows past espAuthMax.
var espVerified = &credCache{m: map[[32]byte]time.Time{}, verify: password.Verify, now: time.Now}

// credCache is espVerified's type. Requests that find the same credentials
// unverified at the same moment share one check (singleflight): when an
// entry expired under load, every request in flight from that ESP used to
// run its own argon2id at once — 256 of them took 1.5 GB and stalled the
// server for seconds every five minutes in the load test.
type credCache struct {
	mu     sync.Mutex
	m      map[[32]byte]time.Time
	flight singleflight.Group
	verify func(phc, pw string) (bool, error)
	now    func() time.Time
}

// check reports whether pw is the password of the stored hash phc, key
// being espCredKey of them, from the cache when it vouches for them.
func (c *credCache) check(key [32]byte, phc, pw string) (bool, error) {
	fresh := func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		until, ok := c.m[key]
		return ok && c.now().Before(until)
	}
	if fresh() {
		return true, nil
	}
	v, err, _ := c.flight.Do(string(key[:]), func() (any, error) {
		if fresh() { // verified by a check that ended as this one began
			return true, nil
		}
		good, err := c.verify(phc, pw)
		if err == nil && good {
			c.mu.Lock()
			if len(c.m) >= espAuthMax {
				clear(c.m)
			}
			c.m[key] = c.now().Add(espAuthTTL)
			c.mu.Unlock()
		}
		return good, err
	})
	if err != nil {
		return false, err
	}
	return v.(bool), nil
}

const espAuthMax = 10000

func espCredKey(name, pw, phc string) [32]byte {
	h := sha256.New()
	for _, s := range []string{name, pw, phc} {
		fmt.Fprintf(h, "%d:%s", len(s), s)
	}
	var k [32]byte
	h.Sum(k[:0])
	return k
}

// espPasswordEncoding writes generated passwords (unambiguous, no padding).
var espPasswordEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// CreateEspAccount creates an ESP account with a generated password, which
// it returns for the administrator to hand over: it is never shown again.
func (s *Service) CreateEspAccount(ctx context.Context, a Actor, name string) (*EspAccount, string, error) {
	if !CanKind(a, ActionCreate, KindESP) {
		return nil, "", s.deny(ctx, a, "esp.create", KindESP, 0, forbidden("create ESP accounts"))
	}
	acct := &EspAccount{Name: NormalizeUsername(name)}
	if err := ValidateUsername(acct.Name); err != nil {
		return nil, "", err
	}
	pw := strings.ToLower(espPasswordEncoding.EncodeToString(randomToken(20)))
	hash, err := password.Hash(pw, password.OWASP)
	if err != nil {
		return nil, "", err
	}
	acct.PasswordHash = hash
	err = s.Store.Update(ctx, func(tx Tx) error {
		if err := tx.CreateEspAccount(ctx, acct); err != nil {
			if ErrorCode(err) == ECONFLICT {
				return FieldError("name", "an ESP account named %q exists already", acct.Name)
			}
			return err
		}
		return s.audit(ctx, tx, a, "esp.create", OutcomeOK, KindESP, acct.ID, "", acct.Name)
	})
	if err != nil {
		return nil, "", err
	}
	return acct, pw, nil
}

// ListEspAccounts lists the ESP accounts, for administrators.
func (s *Service) ListEspAccounts(ctx context.Context, a Actor) (as []*EspAccount, err error) {
	if !CanKind(a, ActionView, KindESP) {
		return nil, s.deny(ctx, a, "esp.list", KindESP, 0, forbidden("see ESP accounts"))
	}
	err = s.Store.View(ctx, func(tx Tx) error {
		as, err = tx.ListEspAccounts(ctx)
		return err
	})
	return as, err
}

// SetEspAccountDisabled disables or re-enables an ESP account by name. A
// disabled account is refused at once, on every node.
func (s *Service) SetEspAccountDisabled(ctx context.Context, a Actor, name string, disabled bool) error {
	action := "esp.enable"
	if disabled {
		action = "esp.disable"
	}
	if !CanKind(a, ActionUpdate, KindESP) {
		return s.deny(ctx, a, action, KindESP, 0, forbidden("change ESP accounts"))
	}
	return s.Store.Update(ctx, func(tx Tx) error {
		acct, err := tx.EspAccountByName(ctx, NormalizeUsername(name))
		if ErrorCode(err) == ENOTFOUND {
			return Errorf(ENOTFOUND, "No ESP account named %q.", name)
		} else if err != nil {
			return err
		}
		acct.Disabled = disabled
		if err := tx.UpdateEspAccount(ctx, acct); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, action, OutcomeOK, KindESP, acct.ID, "", acct.Name)
	})
}

// AuthenticateEsp checks an ESP's HTTP Basic credentials, sent from ip,
// and returns its account. Wrong credentials, an unknown name and a
// disabled account all answer EUNAUTHORIZED alike, and are audited and
// counted (esp_limit.go); a name or address with too many failures is
// refused with ELOCKED (see EspRetryAfter) without checking the password.
func (s *Service) AuthenticateEsp(ctx context.Context, name, pw, ip string) (*EspAccount, error) {
	refused := Errorf(EUNAUTHORIZED, "Authentication required")
	at := espAttempt{name: name, ip: ip, addr: espAddrKey(ip)}
	if len(at.name) > espMaxName {
		at.name = at.name[:espMaxName]
	}
	now := s.Now()
	if err := s.espCheckLocked(ctx, at, now); err != nil {
		return nil, err
	}
	if name == "" || pw == "" || len(name) > espMaxName || len(pw) > espMaxName {
		at.why = espWhyMalformed
		s.espFail(ctx, at, now)
		return nil, refused
	}
	var acct *EspAccount
	err := s.Store.View(ctx, func(tx Tx) (err error) {
		acct, err = tx.EspAccountByName(ctx, name)
		return err
	})
	if ErrorCode(err) == ENOTFOUND {
		at.why = espWhyUnknown
		s.espFail(ctx, at, now)
		return nil, refused
	} else if err != nil {
		return nil, err
	}
	at.acctID = acct.ID
	if acct.Disabled {
		at.why = espWhyDisabled
		s.espFail(ctx, at, now)
		return nil, refused
	}
	good, err := espVerified.check(espCredKey(name, pw, acct.PasswordHash), acct.PasswordHash, pw)
	if err != nil {
		return nil, fmt.Errorf("esp account %d: %w", acct.ID, err)
	}
	if !good {
		at.why = espWhyPassword
		s.espFail(ctx, at, now)
		return nil, refused
	}
	return acct, nil
}

// EspActor is the audit actor for an ESP account's request from ip.
func EspActor(acct *EspAccount, ip string) Actor {
	return Actor{Username: "esp:" + acct.Name, Via: "esp", IP: ip}
}

func espXMLAD(sub *EspSubmission) []byte {
	return fmt.Appendf(nil, "esp-submission:%d:%x:xml", sub.AccountID, sub.BodyHash)
}
func espFileAD(fileID string) []byte    { return []byte("esp-file:" + fileID + ":blob") }
func espDetailsAD(fileID string) []byte { return []byte("esp-file:" + fileID + ":details") }

// ownSubmission loads the account's submission id inside tx. Another
// account's submission answers exactly like a missing one.
func ownSubmission(ctx context.Context, tx Tx, acct *EspAccount, id int64) (*EspSubmission, error) {
	sub, err := tx.EspSubmissionByID(ctx, id)
	if ErrorCode(err) == ENOTFOUND || (err == nil && sub.AccountID != acct.ID) {
		return nil, fmt.Errorf("esp submission %d: %w", id, ErrEspNoReport)
	} else if err != nil {
		return nil, err
	}
	return sub, nil
}

// openSubmission is ownSubmission for a submission that must still be open.
func openSubmission(ctx context.Context, tx Tx, acct *EspAccount, id int64) (*EspSubmission, error) {
	sub, err := ownSubmission(ctx, tx, acct, id)
	if err != nil {
		return nil, err
	}
	switch sub.State {
	case EspFinished:
		return nil, fmt.Errorf("esp submission %d: %w", id, ErrEspFinished)
	case EspRetracted:
		return nil, fmt.Errorf("esp submission %d: %w", id, ErrEspRetracted)
	}
	return sub, nil
}

// openWithFiles is openSubmission with the submission's files.
func openWithFiles(ctx context.Context, tx Tx, acct *EspAccount, id int64) (*EspSubmission, []*EspFile, error) {
	sub, err := openSubmission(ctx, tx, acct, id)
	if err != nil {
		return nil, nil, err
	}
	files, err := tx.ListEspFiles(ctx, id)
	return sub, files, err
}

// touchSubmission records a change to an open submission, which puts off
// its expiry (ExpireEspSubmissions).
func (s *Service) touchSubmission(ctx context.Context, tx Tx, sub *EspSubmission) error {
	sub.ChangedAt = s.now()
	return tx.UpdateEspSubmission(ctx, sub)
}

// OpenEspSubmission opens a submission for a document the caller has
// decoded and validated. A retry — the same bytes from the same account
// while the first submission is not retracted and was opened less than
// EspOpenTTL ago — returns the first submission's id and opens nothing.
func (s *Service) OpenEspSubmission(ctx context.Context, acct *EspAccount, ip string, doc []byte) (int64, error) {
	sum := sha256.Sum256(doc)
	a := EspActor(acct, ip)
	sub := &EspSubmission{AccountID: acct.ID, BodyHash: sum[:], State: EspOpen}
	// Sealed before the write: the single writer does no more than it must.
	sealed, err := s.Secrets.Encrypt(doc, espXMLAD(sub))
	if err != nil {
		return 0, fmt.Errorf("encrypt esp report: %w", err)
	}
	var id int64
	err = s.Store.Update(ctx, func(tx Tx) error {
		now := s.now()
		prev, err := tx.EspSubmissionByBody(ctx, acct.ID, sum[:], now.Add(-EspOpenTTL))
		if err == nil {
			id = prev.ID
			return nil
		} else if ErrorCode(err) != ENOTFOUND {
			return err
		}
		sub.ID, sub.XML, sub.OpenedAt, sub.ChangedAt = 0, sealed, now, now
		if err := tx.CreateEspSubmission(ctx, sub); err != nil {
			return err
		}
		id = sub.ID
		return s.audit(ctx, tx, a, "esp.submit", OutcomeOK, KindESP, acct.ID, "", fmt.Sprintf("submission %d", sub.ID))
	})
	if ErrorCode(err) == ECONFLICT {
		// A concurrent identical submit won the race: answer with its id.
		err = s.Store.View(ctx, func(tx Tx) error {
			prev, err := tx.EspSubmissionByBody(ctx, acct.ID, sum[:], s.now().Add(-EspOpenTTL))
			if err == nil {
				id = prev.ID
			}
			return err
		})
	}
	if err != nil {
		return 0, err
	}
	s.wake()
	return id, nil
}

// attachmentPolicy is the policy in force.
func (s *Service) attachmentPolicy() AttachmentPolicy {
	if s.AttachmentPolicy.MaxSize == 0 {
		return DefaultAttachmentPolicy
	}
	return s.AttachmentPolicy
}

// AddEspFile stores a file's bytes, encrypted, for an open submission of
// the account. Uploading the same bytes again returns the file already
// stored. A file the attachment policy refuses is EINVALID naming "file".
func (s *Service) AddEspFile(ctx context.Context, acct *EspAccount, ip string, id int64, name, declared string, r io.Reader) (*EspFile, error) {
	if s.Blobs == nil {
		return nil, Errorf(EINTERNAL, "attachments are not configured")
	}
	// Fail fast, before reading the bytes, on a report that cannot take them.
	if err := s.Store.View(ctx, func(tx Tx) error {
		_, err := openSubmission(ctx, tx, acct, id)
		return err
	}); err != nil {
		return nil, err
	}
	fileID := hex.EncodeToString(randomToken(16))
	pol := s.attachmentPolicy()
	info, err := s.Blobs.Put(ctx, r, pol.MaxSize, espFileAD(fileID))
	if err != nil {
		return nil, err
	}
	keep := false
	defer func() {
		if !keep {
			_ = s.Blobs.Delete(context.WithoutCancel(ctx), info.ID)
		}
	}()
	if info.Size == 0 {
		return nil, FieldError("file", "the file is empty")
	}
	if !pol.Allows(info.ContentType) {
		return nil, FieldError("file", "files of type %s are not accepted; send an image, a PDF, a text file, audio or video", info.ContentType)
	}
	f := &EspFile{SubmissionID: id, FileID: fileID, BlobID: info.ID, FileName: SanitizeFileName(name), DeclaredType: truncate(declared, 200),
		ContentType: info.ContentType, Size: info.Size, MD5: info.MD5, SHA256: info.SHA256}
	err = s.Store.Update(ctx, func(tx Tx) error {
		sub, files, err := openWithFiles(ctx, tx, acct, id)
		if err != nil {
			return err
		}
		for _, old := range files {
			if old.SHA256 == f.SHA256 { // a retried upload
				f = old
				return nil
			}
		}
		if err := tx.CreateEspFile(ctx, f); err != nil {
			return err
		}
		keep = true
		if err := s.touchSubmission(ctx, tx, sub); err != nil {
			return err
		}
		return s.audit(ctx, tx, EspActor(acct, ip), "esp.upload", OutcomeOK, KindESP, acct.ID, "",
			fmt.Sprintf("submission %d file %s %s %d bytes sha256 %s", id, f.FileID, f.ContentType, f.Size, f.SHA256))
	})
	if err != nil {
		keep = false
		return nil, err
	}
	s.wake()
	return f, nil
}

// SetEspFileDetails records a file's <fileDetails> document (validated by
// the caller). A file has at most one: sending the same document again is
// accepted and changes nothing; a different one is EINVALID.
func (s *Service) SetEspFileDetails(ctx context.Context, acct *EspAccount, ip string, id int64, fileID string, doc []byte) error {
	err := s.Store.Update(ctx, func(tx Tx) error {
		sub, files, err := openWithFiles(ctx, tx, acct, id)
		if err != nil {
			return err
		}
		var f *EspFile
		for _, x := range files {
			if x.FileID == fileID {
				f = x
			}
		}
		if f == nil {
			return fmt.Errorf("esp file %q: %w", fileID, ErrEspNoFile)
		}
		if f.Details != nil {
			old, err := s.Secrets.Decrypt(f.Details, espDetailsAD(f.FileID))
			if err != nil {
				return fmt.Errorf("decrypt file details: %w", err)
			}
			if bytes.Equal(old, doc) {
				return nil
			}
			return FieldError("fileDetails", "the details of file %s were given already (at most one fileDetails per file)", fileID)
		}
		if f.Details, err = s.Secrets.Encrypt(doc, espDetailsAD(f.FileID)); err != nil {
			return fmt.Errorf("encrypt file details: %w", err)
		}
		if err := tx.UpdateEspFile(ctx, f); err != nil {
			return err
		}
		if err := s.touchSubmission(ctx, tx, sub); err != nil {
			return err
		}
		return s.audit(ctx, tx, EspActor(acct, ip), "esp.fileinfo", OutcomeOK, KindESP, acct.ID, "", fmt.Sprintf("submission %d file %s", id, fileID))
	})
	if err == nil {
		s.wake()
	}
	return err
}

// EspContent is what a finishing submission holds, decrypted, for the
// protocol layer to turn into a Report.
type EspContent struct {
	Submission *EspSubmission
	XML        []byte
	Files      []EspFileContent
}

// EspFileContent is one file of a finishing submission with its details
// document (nil if none was given).
type EspFileContent struct {
	File    *EspFile
	Details []byte
}

// FinishEspSubmission closes an open submission for good: build turns its
// content into a Report (it may refuse with an EINVALID error, and nothing
// changes), which is stored through insertReport — so it enters the ingest
// pipeline — with every file as an Attachment, in one transaction. It
// returns the file ids. Finishing twice is ErrEspFinished; the first
// finish stands.
func (s *Service) FinishEspSubmission(ctx context.Context, acct *EspAccount, ip string, id int64, build func(EspContent) (*Report, error)) ([]string, error) {
	a := EspActor(acct, ip)
	var fileIDs, oldBlobs []string
	var cleanups []func()
	err := s.Store.Update(ctx, func(tx Tx) error {
		fileIDs, oldBlobs, cleanups = nil, nil, nil
		sub, files, err := openWithFiles(ctx, tx, acct, id)
		if err != nil {
			return err
		}
		c := EspContent{Submission: sub}
		if c.XML, err = s.Secrets.Decrypt(sub.XML, espXMLAD(sub)); err != nil {
			return fmt.Errorf("decrypt esp report %d: %w", sub.ID, err)
		}
		for _, f := range files {
			fc := EspFileContent{File: f}
			if f.Details != nil {
				if fc.Details, err = s.Secrets.Decrypt(f.Details, espDetailsAD(f.FileID)); err != nil {
					return fmt.Errorf("decrypt file details: %w", err)
				}
			}
			c.Files = append(c.Files, fc)
		}
		r, err := build(c)
		if err != nil {
			return err
		}
		now := s.now()
		r.Channel, r.Status, r.ReceivedAt, r.CreatedBy = ChannelESP, ReportNew, now, 0
		r.Normalize()
		if err := r.Validate(now); err != nil {
			return err
		}
		if err := s.insertReport(ctx, tx, a, r); err != nil {
			return err
		}
		for _, f := range files {
			// moveEspFile clears f.BlobID: keep the upload's blob for
			// deletion once the transaction commits.
			upload := f.BlobID
			att, err := s.moveEspFile(ctx, tx, a, r.ID, f)
			if err != nil {
				return err
			}
			cleanups = append(cleanups, att)
			fileIDs = append(fileIDs, f.FileID)
			oldBlobs = append(oldBlobs, upload)
		}
		// insertReport's audit event (report.create by esp:NAME via esp) is
		// the record of the finish; esp_submissions.report_id links the two.
		sub.State, sub.ReportID, sub.FinishedAt, sub.ChangedAt = EspFinished, r.ID, &now, now
		return tx.UpdateEspSubmission(ctx, sub)
	})
	if err != nil {
		for _, c := range cleanups {
			c()
		}
		return nil, err
	}
	for _, b := range oldBlobs {
		_ = s.Blobs.Delete(context.WithoutCancel(ctx), b)
	}
	s.wake()
	return fileIDs, nil
}

// moveEspFile re-encrypts an uploaded file as an attachment of report
// reportID (attachments are bound to their report) and records the link. It
// returns the cleanup that removes the new blob should the transaction fail.
func (s *Service) moveEspFile(ctx context.Context, tx Tx, a Actor, reportID int64, f *EspFile) (func(), error) {
	rc, err := s.Blobs.Open(ctx, f.BlobID, espFileAD(f.FileID))
	if err != nil {
		return nil, fmt.Errorf("open esp file %s: %w", f.FileID, err)
	}
	defer rc.Close()
	att, cleanup, err := s.StoreAttachment(ctx, tx, a, reportID, f.FileName, f.DeclaredType, string(ChannelESP), rc)
	if err != nil {
		return nil, fmt.Errorf("esp file %s: %w", f.FileID, err)
	}
	f.AttachmentID, f.BlobID = att.ID, ""
	if err := tx.UpdateEspFile(ctx, f); err != nil {
		cleanup()
		return nil, err
	}
	return cleanup, nil
}

// RetractEspSubmission cancels an open submission: its document and files
// are deleted; its id answers "already retracted" until it expires.
func (s *Service) RetractEspSubmission(ctx context.Context, acct *EspAccount, ip string, id int64) error {
	var blobs []string
	err := s.Store.Update(ctx, func(tx Tx) error {
		blobs = nil
		sub, err := openSubmission(ctx, tx, acct, id)
		if err != nil {
			return err
		}
		if blobs, err = s.dropEspFiles(ctx, tx, id); err != nil {
			return err
		}
		sub.State, sub.XML = EspRetracted, nil
		if err := s.touchSubmission(ctx, tx, sub); err != nil {
			return err
		}
		return s.audit(ctx, tx, EspActor(acct, ip), "esp.retract", OutcomeOK, KindESP, acct.ID, "", fmt.Sprintf("submission %d", id))
	})
	if err != nil {
		return err
	}
	s.deleteBlobs(ctx, blobs)
	return nil
}

// dropEspFiles deletes a submission's file records and returns their blobs,
// for deletion once the transaction commits.
func (s *Service) dropEspFiles(ctx context.Context, tx Tx, id int64) ([]string, error) {
	files, err := tx.ListEspFiles(ctx, id)
	if err != nil {
		return nil, err
	}
	var blobs []string
	for _, f := range files {
		if f.BlobID != "" {
			blobs = append(blobs, f.BlobID)
		}
	}
	return blobs, tx.DeleteEspFiles(ctx, id)
}

func (s *Service) deleteBlobs(ctx context.Context, ids []string) {
	if s.Blobs == nil {
		return
	}
	for _, b := range ids {
		_ = s.Blobs.Delete(context.WithoutCancel(ctx), b)
	}
}

// ExpireEspSubmission deletes an unfinished submission and its files if it
// is due; otherwise, and for a submission already gone or finished, it does
// nothing. It is safe to run twice, and on several nodes at once.
func (s *Service) ExpireEspSubmission(ctx context.Context, id int64) error {
	var blobs []string
	err := s.Store.Update(ctx, func(tx Tx) error {
		blobs = nil
		sub, err := tx.EspSubmissionByID(ctx, id)
		if ErrorCode(err) == ENOTFOUND {
			return nil
		} else if err != nil {
			return err
		}
		if sub.State == EspFinished || s.now().Before(sub.ExpiresAt()) {
			return nil
		}
		if blobs, err = s.dropEspFiles(ctx, tx, id); err != nil {
			return err
		}
		if err := tx.DeleteEspSubmission(ctx, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, System("expiry"), "esp.expire", OutcomeOK, KindESP, sub.AccountID, "", fmt.Sprintf("submission %d", id))
	})
	if err != nil {
		return err
	}
	s.deleteBlobs(ctx, blobs)
	return nil
}

// EspSubmission returns the account's own submission (for tests and
// tools); another account's answers like a missing one.
func (s *Service) EspSubmission(ctx context.Context, acct *EspAccount, id int64) (sub *EspSubmission, err error) {
	err = s.Store.View(ctx, func(tx Tx) error {
		sub, err = ownSubmission(ctx, tx, acct, id)
		return err
	})
	return sub, err
}
