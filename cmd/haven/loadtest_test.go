package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/loadgen"
	"github.com/haven-oss/haven/internal/sqlite"
)

// TestLoadtestEveryRequestLandsOnce runs `haven serve` with the tip limit
// raised, then `haven loadtest` against it for a few seconds at a low rate:
// every ESP report and tip succeeds, the store holds exactly the reports
// the server acknowledged, and the output and the JSON file carry the
// percentiles of every operation and the server's memory.
func TestLoadtestEveryRequestLandsOnce(t *testing.T) {
	ev := dataEnv(t)
	add := runHaven(t, ev, "", "esp", "add", "loadchat")
	m := regexp.MustCompile(`(?m)^password: (\S+)$`).FindStringSubmatch(add.out)
	if add.code != nil || m == nil {
		t.Fatalf("esp add: %v\n%s", add.code, add.out)
	}
	base := startServeEnv(t, ev, "--tip-rate", "1000000", "--tip-burst", "1000000")
	jsonFile := filepath.Join(t.TempDir(), "load.json")
	r := runHaven(t, nil, "", "loadtest", "--url", base, "--esp-user", "loadchat", "--esp-password", m[1],
		"--rate", "8/s", "--esp-share", "0.75", "--files", "0.5", "--duration", "3s", "--interval", "1500ms", "--json", jsonFile,
		"--max-backlog", "30s") // the server's ingest may lag on a busy machine; the backlog must be reported

	if r.code != nil {
		t.Fatalf("loadtest: %v\n%s\n%s", r.code, r.out, r.err)
	}

	var res loadgen.Result
	b, err := os.ReadFile(jsonFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatalf("--json: %v\n%s", err, b)
	}
	// 8/s for 3 s: 24 requests, 18 ESP reports (9 with a file) and 6 tips.
	if res.Scheduled != 24 || res.Total.Requests != 24 || res.Total.Errors != 0 || res.Total.Unsent != 0 {
		t.Fatalf("scheduled %d, completed %d, failed %d, unsent %d; want 24, 24, 0, 0 (%v)\n%s",
			res.Scheduled, res.Total.Requests, res.Total.Errors, res.Total.Unsent, res.Total.ErrorKinds, r.out)
	}
	if res.ESPReportsAcknowledged != 18 || res.TipsAcknowledged != 6 {
		t.Errorf("acknowledged %d ESP reports and %d tips, want 18 and 6", res.ESPReportsAcknowledged, res.TipsAcknowledged)
	}
	for op, want := range map[string]int{loadgen.OpReport: 18, loadgen.OpESPSubmit: 18, loadgen.OpESPUpload: 9,
		loadgen.OpESPFileInfo: 9, loadgen.OpESPFinish: 18, loadgen.OpTip: 6, loadgen.OpTipForm: 6, loadgen.OpTipPost: 6} {
		l := res.Total.Ops[op]
		if l.Count != want || l.Errors != 0 || l.P50ms <= 0 || l.P99ms < l.P50ms || l.MaxMs < l.P99ms {
			t.Errorf("%s: %+v, want %d calls with ordered percentiles", op, l, want)
		}
	}
	if len(res.Intervals) != 2 || res.Intervals[1].Memory.Err != "" || res.Intervals[1].Memory.RSSBytes <= 0 || res.Intervals[1].Memory.HeapBytes <= 0 ||
		res.Intervals[1].Memory.Backlog == nil || *res.Intervals[1].Memory.Backlog < 0 || *res.Intervals[1].Memory.Backlog > 24 {
		t.Errorf("intervals (memory and ingest backlog read from /metrics): %+v", res.Intervals)
	}
	for _, want := range []string{"interval 1 ", "interval 2 ", "summary: 8 requests/s for 3s", "p50 ms", "p99 ms",
		"report", "tip_post", "server memory: RSS", "; ingest backlog ", "growth first→last interval", "18 ESP reports finished, 6 tips answered"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("output lacks %q:\n%s", want, r.out)
		}
	}

	// The store holds what was acknowledged, once each.
	db, err := sqlite.Open(context.Background(), filepath.Join(ev["HAVEN_DATA_DIR"], "haven.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	count := func(ch haven.Channel) (n int) {
		err := db.View(context.Background(), func(tx haven.Tx) (err error) {
			n, err = tx.CountReports(context.Background(), haven.ReportFilter{Scope: haven.Scope{All: true}, Channel: ch})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if esp, tips := count(haven.ChannelESP), count(haven.ChannelPublicTip); esp != res.ESPReportsAcknowledged || tips != res.TipsAcknowledged {
		t.Errorf("store holds %d ESP reports and %d tips; the server acknowledged %d and %d", esp, tips, res.ESPReportsAcknowledged, res.TipsAcknowledged)
	}
}

// TestLoadtestFailsClearlyWhenTheTipLimitRefusesTips runs the load test
// against a server that takes one tip per address: the refused tip is
// counted by kind and the command fails, saying which server flags to
// raise. (One request in flight at a time: the server checks the limit
// before storing a tip and spends it after, so tips sent at the same moment
// can all pass.)
func TestLoadtestFailsClearlyWhenTheTipLimitRefusesTips(t *testing.T) {
	base := startServe(t, "--tip-rate", "1", "--tip-burst", "1")
	r := runHaven(t, nil, "", "loadtest", "--url", base, "--esp-share", "0", "--rate", "1/s", "--duration", "2s", "--max-inflight", "1")
	if r.code == nil || !strings.Contains(r.code.Error(), "50.00% of requests failed, more than --max-error-rate 1%") {
		t.Fatalf("2 tips from one address against a limit of 1: err %v\n%s", r.code, r.out)
	}
	if !strings.Contains(r.out, "error tip_post: HTTP 429: the tip form's limit per address (raise haven serve --tip-rate and --tip-burst): 1") ||
		!strings.Contains(r.out, "0 ESP reports finished, 1 tips answered") {
		t.Errorf("output does not count the refused tip by kind:\n%s", r.out)
	}
}

func TestLoadtestRefusesBadFlagsAndMissingCredentials(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--rate", "fast"}, "--rate is a number of requests per second"},
		{[]string{"--esp-share", "1.5"}, "--esp-share is a share from 0 to 1"},
		{[]string{"--url", "http://127.0.0.1:1/", "--esp-share", "0"}, "does not answer"},
	} {
		r := runHaven(t, nil, "", append([]string{"loadtest"}, c.args...)...)
		if r.code == nil || !strings.Contains(describe(r.code), c.want) {
			t.Errorf("loadtest %v: %v, want an error containing %q", c.args, r.code, c.want)
		}
	}
	base := startServe(t)
	if r := runHaven(t, nil, "", "loadtest", "--url", base, "--esp-user", "nobody", "--esp-password", "wrong"); r.code == nil ||
		!strings.Contains(r.code.Error(), `the ESP account "nobody" is refused`) {
		t.Errorf("unknown ESP account: %v", r.code)
	}
}
