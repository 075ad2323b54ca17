package http

import (
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/haven-oss/haven/internal/geo"
	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/http/i18n"
	"github.com/haven-oss/haven/internal/taxonomy"
)

// The public tip form (GET and POST /tip): no sign-in, English or Spanish,
// works without JavaScript. A valid tip answers with its reference number
// and follow-up code, shown once.

// TipOptions limit the public tip form and its follow-up page, per client
// address and per server process (each node of a cluster counts on its
// own). Zero fields take the defaults.
type TipOptions struct {
	PerHour         int // tips per address per hour, sustained (default 10)
	Burst           int // tips per address at once, before the hourly rate applies (default PerHour)
	FollowUpPerHour int // follow-up attempts per address per hour (default 20)
}

// langCookie keeps the reporter's chosen language. It has no Max-Age, so
// that it dies with the browser: a cookie that outlives the visit would tell
// whoever else uses the device that someone used the tip form.
const langCookie = "haven_lang"

// maxTipText bounds everything but the files of a tip.
const maxTipText = 1 << 20

// tipPages holds the limits of the public pages.
type tipPages struct {
	s        *Server
	tips     *rateLimiter
	followUp *rateLimiter
}

func newTipPages(s *Server, o TipOptions) *tipPages {
	if o.PerHour <= 0 {
		o.PerHour = 10
	}
	if o.Burst <= 0 {
		o.Burst = o.PerHour
	}
	if o.FollowUpPerHour <= 0 {
		o.FollowUpPerHour = 20
	}
	return &tipPages{s: s, tips: newRateLimiter(o.PerHour, o.Burst, time.Hour, time.Now),
		followUp: newRateLimiter(o.FollowUpPerHour, o.FollowUpPerHour, time.Hour, time.Now)}
}

// publicPage is what every public page's template receives as .Data.
type publicPage struct {
	T     i18n.Text
	Path  string     // the page's path, for the language links
	Other []langLink // the languages to switch to
}

type langLink struct{ Code, Name, Href string }

var languageNames = map[string]string{"en": "English", "es": "Español"}

func newPublicPage(lang, path string) publicPage {
	p := publicPage{T: i18n.For(lang), Path: path}
	for _, l := range i18n.Languages {
		if l != p.T.Lang() {
			p.Other = append(p.Other, langLink{Code: l, Name: languageNames[l], Href: path + "?lang=" + l})
		}
	}
	return p
}

// tipLang picks the page's language: a ?lang= link (remembered in a
// cookie), the language of the form being sent, the cookie, or the
// browser's Accept-Language.
func (t *tipPages) tipLang(w http.ResponseWriter, r *http.Request) string {
	if l := i18n.Supported(r.URL.Query().Get("lang")); l != "" {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: l, Path: "/tip", HttpOnly: true,
			Secure: t.s.secure, SameSite: http.SameSiteLaxMode})
		return l
	}
	if r.MultipartForm != nil || r.PostForm != nil {
		if l := i18n.Supported(r.FormValue("lang")); l != "" {
			return l
		}
	}
	if c, err := r.Cookie(langCookie); err == nil {
		if l := i18n.Supported(c.Value); l != "" {
			return l
		}
	}
	return i18n.Match(r.Header.Get("Accept-Language"))
}

// publicForm is a public page with a form: the values typed and the
// problems found.
type publicForm struct {
	publicPage
	V         map[string]string // field id → value as typed
	Err       map[string]string // field id → message
	Problems  []tipProblemView  // the error summary
	FilesLost bool              // files were chosen and must be chosen again
	MaxFiles  int
	MaxFileMB int64
}

// tipFormPage is the tip form's data.
type tipFormPage struct {
	publicForm
	Values     tipValues
	Kinds      []option
	States     []option
	Countries  []option
	Indicators []option
	People     []personBlock
	Child      personBlock
}

// tipProblemView is one line of the error summary.
type tipProblemView struct{ Field, Message string }

// personBlock is one fieldset of person fields.
type personBlock struct {
	Prefix string
	Legend string
	Child  bool
}

// personView is a person block with the page, for the "tip-person" template.
type personView struct {
	D *tipFormPage
	B personBlock
}

// Block pairs a person block with the page.
func (d *tipFormPage) Block(b personBlock) personView { return personView{d, b} }

// autocomplete values of the fields that have one.
var autocomplete = map[string]string{"contact_name": "name", "contact_phone": "tel", "contact_email": "email"}

// F returns what the "public-field" template needs to draw one field: kind
// is text, textarea, date, time, email, tel or numeric.
func (d *publicForm) F(id, kind, labelKey, hintKey string) tipField {
	f := tipField{ID: id, Kind: kind, Label: d.T.Get(labelKey), Value: d.V[id], Error: d.Err[id],
		ErrorPrefix: d.T.Get("common.error"), InputType: kind, Autocomplete: "off", Rows: 6}
	if hintKey != "" {
		f.Hint = d.T.Get(hintKey)
	}
	if a := autocomplete[id]; a != "" {
		f.Autocomplete = a
	}
	if strings.HasSuffix(id, "description") {
		f.Rows = 3
	}
	switch kind {
	case "numeric":
		f.InputType, f.Narrow = "text", true
	case "date", "time":
		f.Narrow = true
	}
	if strings.HasSuffix(id, "zip") {
		f.Narrow = true
	}
	var ids []string
	if f.Hint != "" {
		ids = append(ids, id+"-hint")
	}
	if f.Error != "" {
		ids = append(ids, id+"-error")
	}
	f.DescribedBy = strings.Join(ids, " ")
	return f
}

// tipField is one field of a public form, for the "public-field" template.
type tipField struct {
	ID, Kind, Label, Hint, Value, Error, ErrorPrefix string
	InputType, Autocomplete, DescribedBy             string
	Rows                                             int
	Narrow                                           bool
}

// Opt returns the options of a select for a person field.
func (d *tipFormPage) Opt(id string) []option {
	var values []string
	prefix := "tip.sex."
	switch {
	case strings.HasSuffix(id, "_sex"):
		values = []string{"", "female", "male", "other"}
	case strings.HasSuffix(id, "_role"):
		values, prefix = []string{"", "suspect", "buyer", "other"}, "tip.role."
	}
	cur := d.V[id]
	opts := make([]option, len(values))
	for i, v := range values {
		key := prefix + v
		if v == "" {
			key = prefix + "unknown"
		}
		opts[i] = option{Value: v, Label: d.T.Get(key), Selected: v == cur}
	}
	return opts
}

// tipForm shows the empty tip form, with a fresh one-time submission token.
func (t *tipPages) tipForm(w http.ResponseWriter, r *http.Request) {
	lang := t.tipLang(w, r)
	v := tipValues{V: map[string]string{"contact_choice": "anonymous", "people_count": strconv.Itoa(defaultPeople),
		"submission": newSubmissionKey()}, Indicators: map[string]bool{}, People: defaultPeople}
	t.renderTipForm(w, r, http.StatusOK, lang, v, nil, false)
}

// tipSubmit receives the tip form: "add another person" shows the form
// again with one more person block; otherwise a valid tip is stored with its
// files and answered with its reference and follow-up code. The form's
// one-time submission token makes a second submission of the same form (a
// double click, the browser sending it again) answer with the first tip's
// reference instead of storing another.
func (t *tipPages) tipSubmit(w http.ResponseWriter, r *http.Request) {
	s := t.s
	ip := clientIP(r)
	lang, files, done, ok := t.receive(w, r, "/tip", t.tips.Ready)
	if !ok {
		return
	}
	defer done()
	p := parseTipForm(r.Form, s.svc.Now())
	p.Input.Language = lang
	token := submissionToken(r.FormValue("submission"))
	if token == "" {
		token = newSubmissionKey() // the form comes back protected
	}
	p.Values.V["submission"] = token
	if p.Honeypot {
		// A robot filled in the field people never see: it gets a page
		// like the real one, and nothing is kept.
		t.tips.Take(ip)
		s.logger(r).Info("tip form honeypot filled; nothing stored", "ip", ip)
		t.renderReceipt(w, r, lang, &haven.Receipt{Ref: haven.NewRef(), Code: haven.NewFollowUpCode()})
		return
	}
	if r.FormValue("action") == "add_person" {
		p.Values.People = min(p.Values.People+1, maxPeopleBlocks)
		p.Values.V["people_count"] = strconv.Itoa(p.Values.People)
		t.renderTipForm(w, r, http.StatusOK, lang, p.Values, nil, len(files) > 0)
		return
	}
	if len(files) > haven.MaxTipFiles {
		p.Problems = append(p.Problems, tipProblem{"files", "err.too_many_files", []any{haven.MaxTipFiles}})
	}
	if len(p.Problems) > 0 {
		t.renderTipForm(w, r, http.StatusBadRequest, lang, p.Values, p.Problems, len(files) > 0)
		return
	}
	opened, closeAll, err := openFiles(files)
	defer closeAll()
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	p.Input.Files = opened
	once := haven.Once{}
	if sent := submissionToken(r.FormValue("submission")); sent != "" {
		once = haven.Once{Key: tipFormKeyPrefix + sent, RequestHash: tipFormKeyPrefix}
	}
	// The token is spent before the tip is stored, so that tips sent at
	// once from one address cannot all pass the check above, and given
	// back if nothing new is stored.
	if !t.tips.Take(ip) {
		t.tooMany(w, r, lang, "/tip")
		return
	}
	receipt, replayed, err := s.svc.SubmitTipOnce(r.Context(), haven.PublicActor(ip), once, p.Input)
	if err != nil || replayed {
		t.tips.Give(ip)
	}
	if haven.ErrorCode(err) == haven.EINVALID {
		t.renderTipForm(w, r, http.StatusBadRequest, lang, p.Values, []tipProblem{t.tipServiceProblem(err, files)}, len(files) > 0)
		return
	} else if err != nil {
		s.pageError(w, r, err)
		return
	}
	if replayed {
		// Nothing new was stored: no token spent, and the code, shown
		// once with the first answer, is not shown again.
		t.renderReceipt(w, r, lang, &haven.Receipt{Ref: receipt.Ref})
		return
	}
	t.renderReceipt(w, r, lang, receipt)
}

// tipFormKeyPrefix marks the tip form's one-time tokens among the
// idempotency keys of the public (whose actor id is 0).
const tipFormKeyPrefix = "tip-form:"

// submissionToken returns the form's one-time token if it is one the form
// could have been given (32 hexadecimal digits), else "".
func submissionToken(s string) string {
	if len(s) != 32 {
		return ""
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return ""
		}
	}
	return s
}

// receive admits a public form: the address must be allowed (else 429),
// and the form must parse within the size limit (else 413 or 400). It
// reports false after answering itself; otherwise done removes the
// uploads' temporary files.
func (t *tipPages) receive(w http.ResponseWriter, r *http.Request, path string, allowed func(ip string) bool) (lang string, files []*multipart.FileHeader, done func(), ok bool) {
	if !allowed(clientIP(r)) {
		t.tooMany(w, r, t.tipLang(w, r), path)
		return "", nil, nil, false
	}
	if !t.readPublicForm(w, r, path) {
		return "", nil, nil, false
	}
	done = func() {
		if r.MultipartForm != nil {
			_ = r.MultipartForm.RemoveAll()
		}
	}
	return t.tipLang(w, r), formFiles(r), done, true
}

// readPublicForm parses a public form, multipart or not, within the size
// limit. It reports false after answering itself (413 for too large).
func (t *tipPages) readPublicForm(w http.ResponseWriter, r *http.Request, path string) bool {
	limit := t.maxTipBytes()
	if r.ContentLength > limit {
		t.tooLarge(w, r, t.tipLang(w, r), path, limit)
		return false
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	err := r.ParseMultipartForm(1 << 20)
	if errors.Is(err, http.ErrNotMultipart) {
		err = r.ParseForm()
	}
	if err == nil {
		return true
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		t.tooLarge(w, r, t.tipLang(w, r), path, limit)
		return false
	}
	t.s.renderError(w, r, http.StatusBadRequest, errorHeading[http.StatusBadRequest], "The form could not be read. Please try again.")
	return false
}

// problemViews translates problems into the per-field messages and the
// error summary (one message per field, the first found).
func problemViews(tr i18n.Text, problems []tipProblem) (map[string]string, []tipProblemView) {
	byField := map[string]string{}
	var views []tipProblemView
	for _, p := range problems {
		msg := tr.Get(p.Key, p.Args...)
		if _, seen := byField[p.Field]; !seen {
			byField[p.Field] = msg
			views = append(views, tipProblemView{Field: p.Field, Message: msg})
		}
	}
	return byField, views
}

// tipServiceProblem turns a refusal by the service (a refused file, most
// likely: the form checks everything else first) into a problem on the page.
func (t *tipPages) tipServiceProblem(err error, files []*multipart.FileHeader) tipProblem {
	field := haven.ErrorField(err)
	if strings.HasPrefix(field, "files") {
		name := ""
		if i, ok := fileIndex(field); ok && i < len(files) {
			name = haven.SanitizeFileName(files[i].Filename)
		}
		return tipProblem{"files", "err.file", []any{name, t.maxFileMB()}}
	}
	// Anything else the form should have caught: say it in the service's words.
	return tipProblem{"narrative", "err.other", []any{sentence(haven.ErrorMessage(err))}}
}

func fileIndex(field string) (int, bool) {
	s, ok := strings.CutPrefix(field, "files[")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimSuffix(s, "]"))
	return n, err == nil
}

// formFiles returns the files of the "files" field that have a name or bytes
// (an empty file input sends one nameless, empty part).
func formFiles(r *http.Request) []*multipart.FileHeader {
	if r.MultipartForm == nil {
		return nil
	}
	var out []*multipart.FileHeader
	for _, fh := range r.MultipartForm.File["files"] {
		if fh.Filename != "" || fh.Size > 0 {
			out = append(out, fh)
		}
	}
	return out
}

// openFiles opens the uploaded files for the service; closeAll closes them.
func openFiles(fhs []*multipart.FileHeader) ([]haven.TipFile, func(), error) {
	var files []haven.TipFile
	var closers []multipart.File
	closeAll := func() {
		for _, c := range closers {
			_ = c.Close()
		}
	}
	for _, fh := range fhs {
		f, err := fh.Open()
		if err != nil {
			return nil, closeAll, fmt.Errorf("open upload: %w", err)
		}
		closers = append(closers, f)
		files = append(files, haven.TipFile{Name: fh.Filename, DeclaredType: fh.Header.Get("Content-Type"), Body: f})
	}
	return files, closeAll, nil
}

// maxFileMB is the largest file accepted, in MB (rounded down, at least 1).
func (t *tipPages) maxFileMB() int64 {
	return max(1, t.fileLimit()>>20)
}

func (t *tipPages) fileLimit() int64 {
	if n := t.s.svc.AttachmentPolicy.MaxSize; n > 0 {
		return n
	}
	return haven.DefaultAttachmentPolicy.MaxSize
}

// maxTipBytes bounds a whole tip request: its text and at most MaxTipFiles
// files (but never more than 100 MB of files in one request).
func (t *tipPages) maxTipBytes() int64 {
	return min(int64(haven.MaxTipFiles)*t.fileLimit(), 100<<20) + maxTipText
}

// renderTipForm shows the form with the values typed and the problems found.
func (t *tipPages) renderTipForm(w http.ResponseWriter, r *http.Request, status int, lang string, v tipValues, problems []tipProblem, filesLost bool) {
	d := &tipFormPage{publicForm: t.publicForm(lang, "/tip", v.V, problems, filesLost), Values: v}
	for _, k := range tipKinds {
		d.Kinds = append(d.Kinds, option{Value: string(k), Label: d.T.Get("tip.kind." + string(k)), Selected: v.V["kind"] == string(k)})
	}
	for _, st := range geo.States {
		d.States = append(d.States, option{Value: st.Code, Label: st.Name, Selected: strings.EqualFold(v.V["state"], st.Code)})
	}
	d.Countries = countryOptions(lang, v.V["country"])
	if tax, err := taxonomy.Load(); err == nil {
		for _, ind := range tax.Indicators {
			d.Indicators = append(d.Indicators, option{Value: ind.ID, Label: ind.In(lang), Selected: v.Indicators[ind.ID]})
		}
	}
	d.Child = personBlock{Prefix: "child_", Legend: d.T.Get("tip.child.legend"), Child: true}
	for i := 0; i < v.People; i++ {
		d.People = append(d.People, personBlock{Prefix: personPrefix(i), Legend: d.T.Get("tip.person.legend", i+1)})
	}
	t.s.render(w, r, status, "tip", nil, d)
}

// publicForm returns a public form page's common data.
func (t *tipPages) publicForm(lang, path string, values map[string]string, problems []tipProblem, filesLost bool) publicForm {
	f := publicForm{publicPage: newPublicPage(lang, path), V: values, FilesLost: filesLost,
		MaxFiles: haven.MaxTipFiles, MaxFileMB: t.maxFileMB()}
	f.Err, f.Problems = problemViews(f.T, problems)
	return f
}

// renderReceipt shows the reference and follow-up code, once. A receipt
// without a code is the answer to a form sent again: the page says the tip
// was already received and gives its reference only.
func (t *tipPages) renderReceipt(w http.ResponseWriter, r *http.Request, lang string, rc *haven.Receipt) {
	w.Header().Set("Cache-Control", "no-store")
	d := struct {
		publicPage
		Receipt *haven.Receipt
	}{newPublicPage(lang, "/tip"), rc}
	d.Other = nil // switching language here would lose the code
	t.s.render(w, r, http.StatusOK, "tip_done", nil, d)
}

// tooMany answers a client over its limit: 429, kindly.
func (t *tipPages) tooMany(w http.ResponseWriter, r *http.Request, lang, path string) {
	w.Header().Set("Retry-After", "3600")
	t.message(w, r, http.StatusTooManyRequests, lang, path, "limit.heading", "limit.text")
}

// tooLarge answers a request bigger than the form accepts: 413.
func (t *tipPages) tooLarge(w http.ResponseWriter, r *http.Request, lang, path string, limit int64) {
	w.Header().Set("Connection", "close")
	t.message(w, r, http.StatusRequestEntityTooLarge, lang, path, "large.heading", "large.text", limit>>20, t.maxFileMB())
}

// message renders a short public page: a heading and a paragraph.
func (t *tipPages) message(w http.ResponseWriter, r *http.Request, status int, lang, path, heading, text string, args ...any) {
	p := newPublicPage(lang, path)
	d := struct {
		publicPage
		Heading, Text string
	}{p, p.T.Get(heading), p.T.Get(text, args...)}
	t.s.render(w, r, status, "tip_message", nil, d)
}

// tipIndicatorProblem reports whether any id is not an indicator of the
// taxonomy.
func tipIndicatorProblem(ids []string) bool {
	tax, err := taxonomy.Load()
	return err != nil || len(tax.UnknownIndicators(ids)) > 0
}

// countries are the ISO 3166 countries other than the US, with their names
// in each language, sorted by name in that language.
var countries = sync.OnceValue(func() map[string][]option {
	var codes []string
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			code := string([]rune{a, b})
			reg, err := language.ParseRegion(code)
			if err == nil && reg.IsCountry() && reg.String() == code && code != "US" {
				codes = append(codes, code)
			}
		}
	}
	out := map[string][]option{}
	for _, lang := range i18n.Languages {
		tag := language.Make(lang)
		namer := display.Regions(tag)
		var opts []option
		for _, code := range codes {
			name := namer.Name(language.MustParseRegion(code))
			if name == "" {
				continue
			}
			opts = append(opts, option{Value: code, Label: name})
		}
		coll := collate.New(tag)
		sort.SliceStable(opts, func(i, j int) bool { return coll.CompareString(opts[i].Label, opts[j].Label) < 0 })
		out[lang] = opts
	}
	return out
})

// countryOptions lists the countries in lang with selected chosen.
func countryOptions(lang, selected string) []option {
	all := countries()[i18n.For(lang).Lang()]
	opts := make([]option, len(all))
	copy(opts, all)
	for i := range opts {
		opts[i].Selected = strings.EqualFold(opts[i].Value, selected)
	}
	return opts
}

// isCountry reports whether code is a country the form offers.
func isCountry(code string) bool {
	for _, o := range countries()[i18n.Default] {
		if o.Value == code {
			return true
		}
	}
	return false
}
