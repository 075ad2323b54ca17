package haven

import "context"

// MaxSearchPage is the most results one search returns at a time.
const MaxSearchPage = 100

// SearchReports searches the reports the actor may see (f.Scope is set here
// from the rules, whatever the caller put there): the filters written in
// f.Query are merged into f, and a filter given both ways with different
// values is EINVALID. It returns one page of results and how many match in
// all. Snippets show what reports say, so every search is audited
// ("report.search", with the query and the number found); an actor who may
// see no report at all is refused (and that is audited too).
func (s *Service) SearchReports(ctx context.Context, a Actor, f SearchFilter) (hits []*ReportHit, total int, err error) {
	if !CanKind(a, ActionView, KindReport) {
		return nil, 0, s.deny(ctx, a, "report.search", KindReport, 0, forbidden("search reports"))
	}
	if err := f.prepare(false); err != nil {
		return nil, 0, err
	}
	f.Scope = ScopeFor(a, ActionView, KindReport)
	err = s.Store.View(ctx, func(tx Tx) error {
		hits, total, err = tx.SearchReports(ctx, f)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	err = s.Store.Update(ctx, func(tx Tx) error {
		return s.audit(ctx, tx, a, "report.search", OutcomeOK, KindReport, 0, "", f.describe(total))
	})
	return hits, total, err
}

// SearchCases searches the cases the actor may see, as SearchReports does
// reports (audited as "case.search"). Channel, incident type and priority
// filter reports only: given for cases they are EINVALID.
func (s *Service) SearchCases(ctx context.Context, a Actor, f SearchFilter) (hits []*CaseHit, total int, err error) {
	if !CanKind(a, ActionView, KindCase) {
		return nil, 0, s.deny(ctx, a, "case.search", KindCase, 0, forbidden("search cases"))
	}
	if err := f.prepare(true); err != nil {
		return nil, 0, err
	}
	f.Scope = ScopeFor(a, ActionView, KindCase)
	err = s.Store.View(ctx, func(tx Tx) error {
		hits, total, err = tx.SearchCases(ctx, f)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	err = s.Store.Update(ctx, func(tx Tx) error {
		return s.audit(ctx, tx, a, "case.search", OutcomeOK, KindCase, 0, "", f.describe(total))
	})
	return hits, total, err
}

// prepare merges the query's filters into f, checks them and bounds the page.
func (f *SearchFilter) prepare(cases bool) error {
	if err := f.merge(); err != nil {
		return err
	}
	if err := f.validate(cases); err != nil {
		return err
	}
	if f.Limit == 0 || f.Limit > MaxSearchPage {
		f.Limit = MaxSearchPage
	}
	f.RankLimit = MaxSearchRanked
	return nil
}
