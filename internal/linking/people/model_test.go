package people

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/keys"
	"github.com/haven-oss/haven/internal/linking/personmatch"
	"github.com/haven-oss/haven/internal/sqlite"
)

// population makes n synthetic children on file (fictional names, a tenth
// with a sister: same surname and state, another first name) and about
// n*2/3 child mentions in reports: most of a child on file (by nickname, a
// typing slip in a name, an age instead of the date of birth, no state),
// the rest of children not on file.
func population(n int, seed uint64) ([]*haven.Child, []haven.PersonMention) {
	rng := rand.New(rand.NewPCG(seed, 11))
	firsts := []string{"Alexis", "Brianna", "Camila", "Dasia", "Elena", "Fiona", "Gianna", "Harper", "Imani", "Jasmine",
		"Kiara", "Layla", "Maya", "Nadia", "Olivia", "Paige", "Quinn", "Rosa", "Sofia", "Tatiana", "Uma", "Valeria",
		"Willa", "Ximena", "Yara", "Zoe", "Aiden", "Bryce", "Caleb", "Dante", "Elijah", "Felix", "Gavin", "Hector",
		"Isaac", "Jaylen", "Kevin", "Liam", "Mateo", "Nolan"}
	nicks := map[string]string{"Alexis": "Lexi", "Elena": "Ellie", "Olivia": "Liv", "Sofia": "Sofi", "Valeria": "Val",
		"Elijah": "Eli", "Isaac": "Ike", "Mateo": "Teo", "Kevin": "Kev", "Gianna": "Gia"}
	lasts := []string{"Abernathy", "Brightwater", "Castellano", "Delacroix", "Everhart", "Fairbanks", "Galloway",
		"Holloway", "Ingersoll", "Jablonski", "Kowalczyk", "Lindqvist", "Marchetti", "Nakamura", "Okonkwo", "Pemberton",
		"Quintanilla", "Rasmussen", "Santangelo", "Thorvaldsen", "Underhill", "Vasquez", "Whitcombe", "Yarborough",
		"Zelinski", "Ashcroft", "Blackwood", "Crestfield", "Dunmore", "Ellsworth", "Fenwick", "Greyson", "Hartwell",
		"Ivanova", "Jorgensen", "Kingsley", "Lockhart", "Montague", "Northcott", "Oakridge"}
	states := []string{"OH", "TX", "CA", "NY", "FL", "GA", "IL", "PA", "MI", "WA"}
	slip := func(s string) string {
		b := []byte(s)
		i := 1 + rng.IntN(len(b)-2)
		b[i], b[i+1] = b[i+1], b[i]
		return string(b)
	}
	var children []*haven.Child
	for len(children) < n {
		first := firsts[rng.IntN(len(firsts))]
		sex := haven.SexFemale
		if slicesIndex(firsts, first) >= 26 {
			sex = haven.SexMale
		}
		dob := time.Date(2008+rng.IntN(9), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
		c := &haven.Child{FirstName: first, LastName: lasts[rng.IntN(len(lasts))], DateOfBirth: &dob, Sex: sex,
			State: states[rng.IntN(len(states))]}
		if nk, ok := nicks[first]; ok && rng.IntN(2) == 0 {
			c.Nicknames = []string{nk}
		}
		children = append(children, c)
		if rng.IntN(10) == 0 && len(children) < n {
			sdob := time.Date(2008+rng.IntN(9), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
			children = append(children, &haven.Child{FirstName: firsts[rng.IntN(26)], LastName: c.LastName,
				DateOfBirth: &sdob, Sex: haven.SexFemale, State: c.State})
		}
	}
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	var mentions []haven.PersonMention
	for len(mentions) < n*2/3 {
		p := haven.PersonMention{Role: haven.PersonChild}
		if rng.IntN(10) < 7 {
			c := children[rng.IntN(len(children))]
			p.FirstName, p.LastName, p.Sex, p.State = c.FirstName, c.LastName, c.Sex, c.State
			switch rng.IntN(4) {
			case 0:
				if len(c.Nicknames) > 0 {
					p.FirstName = c.Nicknames[0]
				}
			case 1:
				p.LastName = slip(p.LastName)
			case 2:
				p.State = ""
			}
			if rng.IntN(2) == 0 {
				p.DateOfBirth = c.DateOfBirth
			} else {
				age := at.Year() - c.DateOfBirth.Year()
				if at.YearDay() < c.DateOfBirth.YearDay() {
					age--
				}
				p.Age = &age
			}
		} else {
			p.FirstName, p.LastName = firsts[rng.IntN(len(firsts))], lasts[rng.IntN(len(lasts))]
			p.State = states[rng.IntN(len(states))]
			age := 10 + rng.IntN(8)
			p.Age = &age
		}
		mentions = append(mentions, p)
	}
	return children, mentions
}

func slicesIndex(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

// lexi is the tip of TestATipNamingAMissingChildByNicknameFindsAndMatchesHer:
// Alexis "Lexi" Moreno on file, her sister Brianna, and a tip naming Lexi.
func lexi() (alexis, sister *haven.Child, tip *haven.PersonMention) {
	dob := time.Date(2011, 4, 12, 0, 0, 0, 0, time.UTC)
	alexis = &haven.Child{FirstName: "Alexis", LastName: "Moreno", Nicknames: []string{"Lexi"}, DateOfBirth: &dob,
		Sex: haven.SexFemale, State: "OH"}
	sister = &haven.Child{FirstName: "Brianna", LastName: "Moreno", Sex: haven.SexFemale, State: "OH"}
	fifteen := 15
	tip = &haven.PersonMention{Role: haven.PersonChild, FirstName: "Lexi", LastName: "Moreno", Age: &fifteen,
		Sex: haven.SexFemale, State: "OH"}
	return alexis, sister, tip
}

func TestAModelFittedOnThePeopleOnFileHasItsOwnWeightsAndStillTellsTheSisterApart(t *testing.T) {
	children, mentions := population(300, 1)
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	var recs []personmatch.Record
	for _, c := range children {
		recs = append(recs, ChildRecord(c))
	}
	for i := range mentions {
		recs = append(recs, MentionRecord(&mentions[i], at))
	}
	res, err := personmatch.Fit(recs, personmatch.Options{IgnoreID: true})
	if err != nil {
		t.Fatal(err)
	}
	fitted, def := res.Model, personmatch.DefaultModel(true)
	differ := 0
	for f := range fitted.Fields {
		for l := range fitted.Fields[f].Levels {
			if d := fitted.Fields[f].Levels[l].Weight - def.Fields[f].Levels[l].Weight; d > 0.01 || d < -0.01 {
				differ++
			}
		}
	}
	if differ == 0 || fitted.Iterations == 0 {
		t.Fatalf("the fitted weights are the built-in ones (%d iterations)", fitted.Iterations)
	}

	alexis, sister, tip := lexi()
	alexis.ID, sister.ID, tip.ID = 7, 8, 3
	ms := (&Step{Index: plain{}, Model: fitted}).Matches(tip, at, []*haven.Child{alexis, sister})
	if len(ms) != 1 || ms[0].ChildID != alexis.ID {
		t.Fatalf("matches with the fitted model: %+v", ms)
	}
	if d := (&Step{Index: plain{}}).Matches(tip, at, []*haven.Child{alexis})[0].Weight; d == ms[0].Weight {
		t.Errorf("the fitted model weighs the match as the built-in one does (%.2f)", d)
	}
}

type fixture struct {
	svc *haven.Service
	log *bytes.Buffer
	now *time.Time
	ctx context.Context
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "haven.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	k, _, err := keys.LoadOrCreate(filepath.Join(t.TempDir(), "k"))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	svc := haven.NewService(store, k, k, slog.New(slog.NewTextHandler(io.MultiWriter(&buf, io.Discard), nil)))
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	svc.Now = func() time.Time { return now }
	return &fixture{svc: svc, log: &buf, now: &now, ctx: ctx}
}

func (f *fixture) update(t *testing.T, fn func(tx haven.Tx) error) {
	t.Helper()
	if err := f.svc.Store.Update(f.ctx, fn); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) addChildren(t *testing.T, cs []*haven.Child) {
	f.update(t, func(tx haven.Tx) error {
		for _, c := range cs {
			if err := tx.CreateChild(f.ctx, c); err != nil {
				return err
			}
		}
		return nil
	})
}

var reports int

func (f *fixture) addReport(t *testing.T, people ...haven.PersonMention) *haven.Report {
	reports++
	r := &haven.Report{Ref: fmt.Sprintf("HV-PMODEL-%04d", reports), Channel: haven.ChannelHotline,
		IncidentType: haven.IncidentSexTrafficking, ReceivedAt: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC),
		Narrative: "A caller saw a girl of about 15 at a bus station.", Status: haven.ReportNew, People: people}
	f.update(t, func(tx haven.Tx) error { return tx.CreateReport(f.ctx, r) })
	return r
}

func (f *fixture) suggested(t *testing.T, r *haven.Report) []*haven.PersonMatch {
	var ms []*haven.PersonMatch
	if err := f.svc.Store.View(f.ctx, func(tx haven.Tx) (err error) {
		ms, err = tx.ListPersonMatches(f.ctx, haven.PersonMatchFilter{ReportID: r.ID, Limit: 10})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return ms
}

func (f *fixture) latest(t *testing.T) int64 {
	var id int64
	if err := f.svc.Store.View(f.ctx, func(tx haven.Tx) (err error) {
		id, err = tx.LatestPersonModelID(f.ctx)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestThePeriodicFitStoresAModelAndTheStepScoresWithIt(t *testing.T) {
	f := newFixture(t)
	alexis, sister, tip := lexi()
	children, mentions := population(300, 2)
	f.addChildren(t, append([]*haven.Child{alexis, sister}, children...))
	for i := 0; i < len(mentions); i += 20 {
		f.addReport(t, mentions[i:min(i+20, len(mentions))]...)
	}
	st := &Step{Index: plain{}}

	// Before any fit: the built-in weights.
	r1 := f.addReport(t, *tip)
	if err := st.Ingest(f.ctx, f.svc, r1); err != nil {
		t.Fatal(err)
	}
	before := f.suggested(t, r1)
	if len(before) != 1 || before[0].ChildID != alexis.ID {
		t.Fatalf("suggested with the built-in weights: %+v", before)
	}
	if st.ModelID() != 0 {
		t.Fatalf("the step uses model %d before any was fitted", st.ModelID())
	}

	fitter := &Fitter{}
	pm, err := fitter.Refit(f.ctx, f.svc)
	if err != nil || pm == nil {
		t.Fatalf("refit: stored %v, %v", pm != nil, err)
	}
	if pm.Records < MinFitRecords || pm.CandidatePairs == 0 || pm.Iterations == 0 || f.latest(t) != pm.ID {
		t.Fatalf("stored model %d: %d people, %d pairs, %d iterations (latest %d)",
			pm.ID, pm.Records, pm.CandidatePairs, pm.Iterations, f.latest(t))
	}
	var audit []*haven.AuditEvent
	if err := f.svc.Store.View(f.ctx, func(tx haven.Tx) (err error) {
		audit, err = tx.ListAudit(f.ctx, haven.AuditFilter{Limit: 50})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range audit {
		if e.Action == "person_model.fit" {
			found = e.Kind == haven.KindPersonModel && e.RecordID == pm.ID && e.Role == haven.RoleSystem &&
				strings.Contains(e.Detail, fmt.Sprintf("fitted for the %d people on file", pm.Records))
			if !found {
				t.Errorf("audit event: %+v", e)
			}
		}
	}
	if !found {
		t.Error("the fit is not in the audit trail")
	}

	// Nothing changed: no second fit.
	if again, err := fitter.Refit(f.ctx, f.svc); err != nil || again != nil {
		t.Fatalf("refit with nothing changed: stored %v, %v", again != nil, err)
	}

	// A new report is scored with the fitted model.
	r2 := f.addReport(t, *tip)
	if err := st.Ingest(f.ctx, f.svc, r2); err != nil {
		t.Fatal(err)
	}
	after := f.suggested(t, r2)
	if len(after) != 1 || after[0].ChildID != alexis.ID {
		t.Fatalf("suggested with the fitted model: %+v", after)
	}
	if st.ModelID() != pm.ID {
		t.Errorf("the step scores with model %d, not the stored %d", st.ModelID(), pm.ID)
	}
	if after[0].Weight == before[0].Weight {
		t.Errorf("the weight did not change with the fitted model (%.2f)", after[0].Weight)
	}
	if !strings.Contains(f.log.String(), "scoring with a fitted model") {
		t.Errorf("log: %s", f.log)
	}

	// A day later, with more people on file (the second tip and one more
	// child), it is fitted again.
	*f.now = f.now.Add(RefitAfter)
	f.addChildren(t, []*haven.Child{{FirstName: "Rosa", LastName: "Pemberton", Sex: haven.SexFemale, State: "TX"}})
	pm2, err := fitter.Refit(f.ctx, f.svc)
	if err != nil || pm2 == nil {
		t.Fatalf("refit a day later: %v", err)
	}
	if pm2.ID <= pm.ID || pm2.Records != pm.Records+2 || f.latest(t) != pm2.ID {
		t.Errorf("refit a day later: model %d on %d people after model %d on %d (latest %d)",
			pm2.ID, pm2.Records, pm.ID, pm.Records, f.latest(t))
	}
}

// Above MaxRecords the fit compares a random sample of the people on file,
// and the model records the whole population, so that the next check does
// not fit again until the people on file grow.
func TestAFitSamplesALargePopulationAndRecordsItWhole(t *testing.T) {
	f := newFixture(t)
	children, mentions := population(300, 2)
	f.addChildren(t, children)
	for i := 0; i < len(mentions); i += 20 {
		f.addReport(t, mentions[i:min(i+20, len(mentions))]...)
	}
	var onFile int
	if err := f.svc.Store.View(f.ctx, func(tx haven.Tx) (err error) { onFile, err = tx.MatchPopulation(f.ctx); return err }); err != nil {
		t.Fatal(err)
	}
	all, err := (&Fitter{}).Refit(f.ctx, f.svc)
	if err != nil || all == nil {
		t.Fatalf("the fit on everyone: %v", err)
	}
	*f.now = f.now.Add(RefitAfter)
	f.addChildren(t, []*haven.Child{{FirstName: "Rosa", LastName: "Pemberton", Sex: haven.SexFemale, State: "TX"}})
	fitter := &Fitter{MaxRecords: onFile / 2}
	pm, err := fitter.Refit(f.ctx, f.svc)
	if err != nil || pm == nil {
		t.Fatalf("refit on a sample: %v", err)
	}
	if pm.Records != onFile+1 {
		t.Errorf("the sampled model records %d people, want the %d on file", pm.Records, onFile+1)
	}
	if pm.CandidatePairs == 0 || pm.CandidatePairs >= all.CandidatePairs {
		t.Errorf("the fit on half the people compared %d pairs, the fit on all %d: want fewer, and some", pm.CandidatePairs, all.CandidatePairs)
	}
	if !strings.Contains(f.log.String(), fmt.Sprintf(`sampled=%d`, onFile/2)) {
		t.Errorf("the log does not say how many were sampled: %s", f.log)
	}
	if again, err := fitter.Refit(f.ctx, f.svc); err != nil || again != nil {
		t.Errorf("checked again with nothing changed: stored %v, %v", again != nil, err)
	}
}

func TestBelowTheMinimumPopulationNoModelIsStored(t *testing.T) {
	f := newFixture(t)
	children, mentions := population(100, 3)
	f.addChildren(t, children)
	f.addReport(t, mentions[:20]...)
	pm, err := (&Fitter{}).Refit(f.ctx, f.svc)
	if err != nil || pm != nil {
		t.Fatalf("refit: stored %v, %v", pm != nil, err)
	}
	if id := f.latest(t); id != 0 {
		t.Errorf("a model was stored: %d", id)
	}
	if !strings.Contains(f.log.String(), "too few people to fit a model; scoring with the built-in weights") {
		t.Errorf("log: %s", f.log)
	}
	alexis, _, tip := lexi()
	f.addChildren(t, []*haven.Child{alexis})
	r := f.addReport(t, *tip)
	st := &Step{Index: plain{}}
	if err := st.Ingest(f.ctx, f.svc, r); err != nil {
		t.Fatal(err)
	}
	if ms := f.suggested(t, r); len(ms) != 1 || st.ModelID() != 0 {
		t.Errorf("with no model stored: %+v, model %d", ms, st.ModelID())
	}
}
