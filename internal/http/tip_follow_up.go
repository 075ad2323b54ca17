package http

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/haven-oss/haven/internal/haven"
)

// The follow-up page (GET and POST /tip/follow-up): whoever holds a tip's
// reference number and follow-up code may add information to it. The page
// never shows the tip itself, only a confirmation; wrong codes are counted
// against the reference, and attempts are limited per address.

// followUpForm shows the empty follow-up form.
func (t *tipPages) followUpForm(w http.ResponseWriter, r *http.Request) {
	t.renderFollowUp(w, r, http.StatusOK, t.tipLang(w, r), map[string]string{}, nil, false)
}

// followUpSubmit checks the reference and code and, if they match, adds
// the supplement. Every attempt spends one of the address's tokens.
func (t *tipPages) followUpSubmit(w http.ResponseWriter, r *http.Request) {
	s := t.s
	lang, files, done, ok := t.receive(w, r, "/tip/follow-up", t.followUp.Take)
	if !ok {
		return
	}
	defer done()
	v := map[string]string{"ref": clean(r.FormValue("ref")), "text": clean(r.FormValue("text")), "online": clean(r.FormValue("online"))}
	var problems []tipProblem
	if strings.TrimSpace(v["ref"]) == "" {
		problems = append(problems, tipProblem{"ref", "err.ref_required", nil})
	}
	if strings.TrimSpace(r.FormValue("code")) == "" {
		problems = append(problems, tipProblem{"code", "err.code_required", nil})
	}
	var online []string
	for _, line := range strings.Split(v["online"], "\n") {
		if line = strings.TrimSpace(line); line != "" {
			online = append(online, line)
			if len(line) > maxLine {
				problems = append(problems, tipProblem{"online", "err.line_too_long", []any{maxLine}})
				break
			}
		}
	}
	switch {
	case strings.TrimSpace(v["text"]) == "" && len(online) == 0 && len(files) == 0:
		problems = append(problems, tipProblem{"text", "err.supplement_required", nil})
	case utf8.RuneCountInString(v["text"]) > haven.MaxNarrative:
		problems = append(problems, tipProblem{"text", "err.too_long", []any{haven.MaxNarrative}})
	case len(online) > haven.MaxOnlineDetails:
		problems = append(problems, tipProblem{"online", "err.too_many_lines", []any{haven.MaxOnlineDetails}})
	case len(files) > haven.MaxTipFiles:
		problems = append(problems, tipProblem{"files", "err.too_many_files", []any{haven.MaxTipFiles}})
	}
	if len(problems) > 0 {
		t.renderFollowUp(w, r, http.StatusBadRequest, lang, v, problems, len(files) > 0)
		return
	}
	opened, closeAll, err := openFiles(files)
	defer closeAll()
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	err = s.svc.AddSupplement(r.Context(), haven.PublicActor(clientIP(r)), haven.SupplementInput{
		Ref: v["ref"], Code: r.FormValue("code"), Language: lang, Text: v["text"], Online: online, Files: opened})
	switch {
	case haven.ErrFollowUpRefused(err):
		t.renderFollowUp(w, r, http.StatusBadRequest, lang, v, []tipProblem{{"code", "err.follow_up_refused", nil}}, len(files) > 0)
		return
	case haven.ErrorCode(err) == haven.EINVALID:
		t.renderFollowUp(w, r, http.StatusBadRequest, lang, v, []tipProblem{t.tipServiceProblem(err, files)}, len(files) > 0)
		return
	case err != nil:
		s.pageError(w, r, err)
		return
	}
	t.message(w, r, http.StatusOK, lang, "/tip/follow-up", "followup.done.heading", "followup.done.text")
}

// clean makes a typed value safe to show again (valid UTF-8).
func clean(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }

// renderFollowUp shows the follow-up form; the code is never sent back.
func (t *tipPages) renderFollowUp(w http.ResponseWriter, r *http.Request, status int, lang string, values map[string]string, problems []tipProblem, filesLost bool) {
	d := t.publicForm(lang, "/tip/follow-up", values, problems, filesLost)
	t.s.render(w, r, status, "tip_follow_up", nil, &d)
}
