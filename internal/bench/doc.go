// Package bench holds Haven's cross-package benchmarks: the ones that measure
// the same operation on both stores (SQLite and PostgreSQL) with one shared
// function, each figure next to a baseline measured in the same process.
// Machines are shared and noisy, so docs/benchmarks.md reports ratios to the
// baseline rather than absolute times; no pass/fail test ever depends on
// timing.
//
// Run them with
//
//	HAVEN_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test?sslmode=disable \
//	  go test -run '^$' -bench . -benchtime 3s -count 5 ./internal/bench/
//
// The PostgreSQL benchmarks skip, loudly, when HAVEN_TEST_POSTGRES is unset.
package bench
