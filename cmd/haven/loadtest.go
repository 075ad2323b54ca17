package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/loadgen"
)

const loadtestSynopsis = `haven loadtest --url URL --esp-user NAME [flags]

Sends a constant rate of synthetic ESP reports (over /ispws) and public
tip-form submissions to a running Haven server and reports, each
--interval and at the end, the latency percentiles of every operation, the
failures by kind and the server's memory (from its /metrics page).
Latency is measured from each request's scheduled start (open loop: no
coordinated omission). With --find-max it ramps the rate up instead, and
reports the highest rate that held.

The ESP account comes from "haven esp add NAME" (its password in
--esp-password or HAVEN_LOADTEST_ESP_PASSWORD). The server limits tips per
client address: start it with, e.g., --tip-rate 1000000 --tip-burst 1000000
for a load test from one address. The method is in docs/benchmarks.md (8).`

func cmdLoadtest(ctx context.Context, e env, args []string) error {
	fs := newFlagSet("loadtest", loadtestSynopsis)
	var (
		c                       loadgen.Config
		rate, jsonFile          string
		maxErrorRate, maxGrowth float64
		findMax                 bool
		fm                      loadgen.FindMaxConfig
		maxRate                 float64
	)
	fs.StringVar(&c.BaseURL, "url", envOr(e, "HAVEN_LOADTEST_URL", "http://127.0.0.1:8080/"), "the server's base URL (env HAVEN_LOADTEST_URL)")
	fs.StringVar(&c.ESPUser, "esp-user", e.getenv("HAVEN_LOADTEST_ESP_USER"), "ESP account name, from `haven esp add` (env HAVEN_LOADTEST_ESP_USER)")
	fs.StringVar(&c.ESPPassword, "esp-password", e.getenv("HAVEN_LOADTEST_ESP_PASSWORD"), "the ESP account's password (env HAVEN_LOADTEST_ESP_PASSWORD)")
	fs.StringVar(&rate, "rate", "10/s", "arrival rate, requests per second (`N/s`; an ESP report or a tip each); with --find-max, the first step's rate")
	fs.Float64Var(&c.ESPShare, "esp-share", 0.8, "share of requests that are ESP reports (0–1); the rest are tip-form submissions")
	fs.Float64Var(&c.FileShare, "files", 0.2, "share of ESP reports that upload and describe a small generated file (PNG square or text note)")
	fs.DurationVar(&c.Duration, "duration", time.Minute, "how long to send requests")
	fs.DurationVar(&c.Interval, "interval", 10*time.Second, "report every this long (and sample the server's memory)")
	fs.IntVar(&c.MaxInflight, "max-inflight", 256, "requests in flight at most; a request waiting for a slot keeps its scheduled start")
	fs.DurationVar(&c.Timeout, "timeout", 30*time.Second, "limit for each HTTP call")
	fs.Float64Var(&maxErrorRate, "max-error-rate", 0.01, "fail (exit 1) when more than this share of requests fail; with --find-max, a rate with more does not hold")
	fs.Float64Var(&maxGrowth, "max-growth", 0, "fail (exit 1) when p50, p99, RSS or heap in use grows by more than this many percent from the first interval to the last (0: report only)")
	fs.StringVar(&jsonFile, "json", "", "also write the results as JSON to `FILE`")
	fs.BoolVar(&findMax, "find-max", false, "ramp the rate up (doubling each --step from --rate, then bisecting) until p99 > --slo, errors > --max-error-rate or requests cannot be sent; report the highest rate that held")
	fs.DurationVar(&fm.Step, "step", 20*time.Second, "--find-max: how long each rate is held")
	fs.DurationVar(&fm.SLO, "slo", 500*time.Millisecond, "--find-max: the p99 latency of a whole ESP report or tip a rate must stay within")
	fs.Float64Var(&maxRate, "max-rate", 0, "--find-max: stop doubling above this rate (0: no limit)")
	fs.DurationVar(&fm.Budget, "budget", 0, "--find-max: stop when the next step would end after this long (0: no limit)")
	fs.DurationVar(&fm.MaxLag, "max-lag", 50*time.Millisecond, "--find-max: a rate does not hold when the generator itself sends its requests this late (p99) with a free slot at hand: it, not the server, is short of CPU")
	fs.DurationVar(&fm.MaxBacklog, "max-backlog", 2*time.Second, "a rate does not hold (--find-max), and a run fails (exit 1), when at its end more reports wait for the server's ingest (linking, triage) than arrive in this long (haven_jobs on /metrics)")
	fs.IntVar(&fm.Refine, "refine", 2, "--find-max: bisection steps between the last rate that held and the first that did not")
	if err := parse(fs, e, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return haven.Errorf(haven.EINVALID, "haven loadtest takes no arguments (got %q)", fs.Arg(0))
	}
	r, err := parseRate(rate)
	if err != nil {
		return err
	}
	c.Rate = r
	if c.ESPShare < 0 || c.ESPShare > 1 {
		return haven.FieldError("esp-share", "--esp-share is a share from 0 to 1, such as 0.8")
	}
	if c.FileShare < 0 || c.FileShare > 1 {
		return haven.FieldError("files", "--files is a share from 0 to 1, such as 0.2")
	}
	if maxErrorRate < 0 || maxErrorRate > 1 {
		return haven.FieldError("max-error-rate", "--max-error-rate is a share from 0 to 1, such as 0.01")
	}
	if c.MaxInflight < 1 {
		return haven.FieldError("max-inflight", "--max-inflight is the number of requests in flight at most: 1 or more")
	}
	if c.Duration <= 0 || c.Interval <= 0 || c.Timeout <= 0 {
		return haven.Errorf(haven.EINVALID, "--duration, --interval and --timeout are positive durations such as 10m, 1m, 30s")
	}
	if !strings.HasSuffix(c.BaseURL, "/") {
		c.BaseURL += "/"
	}
	// One client for the whole run (and every step of a ramp): its
	// connections are kept open between requests, as an ESP's would be.
	c.HTTP = loadgen.NewHTTPClient(c.MaxInflight, c.Timeout)
	if err := loadgen.Check(ctx, c); err != nil {
		return err
	}
	writeJSON := func(v any) error {
		if jsonFile == "" {
			return nil
		}
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return err
		}
		return os.WriteFile(jsonFile, append(b, '\n'), 0o644)
	}

	if findMax {
		fm.Base, fm.MaxRate, fm.MaxErrorRate = c, maxRate, maxErrorRate
		if fm.MaxErrorRate == 0 {
			fm.MaxErrorRate = 1e-9 // no failure allowed
		}
		fm.OnStep = func(s loadgen.Step) { loadgen.WriteStep(e.stdout, s) }
		res, err := loadgen.FindMax(ctx, fm)
		if res != nil {
			loadgen.WriteFindMax(e.stdout, res)
			if jerr := writeJSON(res); jerr != nil && err == nil {
				err = jerr
			}
		}
		return err
	}

	c.OnInterval = func(iv loadgen.Interval) { loadgen.WriteInterval(e.stdout, iv) }
	res, err := loadgen.Run(ctx, c)
	if res != nil {
		loadgen.WriteSummary(e.stdout, res)
		if jerr := writeJSON(res); jerr != nil && err == nil {
			err = jerr
		}
	}
	if err != nil {
		return err
	}
	if er := res.Total.ErrorRate(); er > maxErrorRate {
		return fmt.Errorf("load test failed: %.2f%% of requests failed, more than --max-error-rate %g%% (failures by kind above)", er*100, maxErrorRate*100)
	}
	if b, ok := loadgen.BacklogAtEnd(res); ok && fm.MaxBacklog > 0 && b > c.Rate*fm.MaxBacklog.Seconds() {
		return fmt.Errorf("load test failed: %.0f reports were waiting for ingest (linking, triage) at the end, more than --max-backlog %s of arrivals (%.0f): the server acknowledges reports faster than it processes them",
			b, fm.MaxBacklog, c.Rate*fm.MaxBacklog.Seconds())
	}
	if maxGrowth > 0 {
		if name, v, ok := loadgen.MaxGrowth(res); ok && v > maxGrowth {
			return fmt.Errorf("load test failed: %s grew by %.1f%% from the first interval to the last, more than --max-growth %g%%", name, v, maxGrowth)
		}
	}
	return nil
}

// parseRate reads "N/s" or "N" as requests per second.
func parseRate(s string) (float64, error) {
	v := strings.TrimSuffix(strings.TrimSpace(s), "/s")
	r, err := strconv.ParseFloat(v, 64)
	if err != nil || r <= 0 || r > 1e6 {
		return 0, haven.FieldError("rate", "--rate is a number of requests per second such as 20/s; it is %q", s)
	}
	return r, nil
}
