package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is standard error shared with the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestServeTipLimitFlagsAndEnvironment(t *testing.T) {
	parseServe := func(env map[string]string, args ...string) (serverFlags, error) {
		e := env2(env)
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		var sv serverFlags
		sv.register(fs, e, ":8080")
		if err := fs.Parse(args); err != nil {
			return sv, err
		}
		return sv, sv.validate()
	}
	sv, err := parseServe(nil)
	if err != nil || sv.tipRate != 10 || sv.tipBurst != 0 {
		t.Errorf("defaults: rate %d burst %d, %v; want 10 and 0 (the rate)", sv.tipRate, sv.tipBurst, err)
	}
	sv, err = parseServe(nil, "--tip-rate", "30", "--tip-burst", "5")
	if err != nil || sv.tipRate != 30 || sv.tipBurst != 5 {
		t.Errorf("flags: rate %d burst %d, %v", sv.tipRate, sv.tipBurst, err)
	}
	sv, err = parseServe(map[string]string{"HAVEN_TIP_RATE": "40", "HAVEN_TIP_BURST": "4"})
	if err != nil || sv.tipRate != 40 || sv.tipBurst != 4 {
		t.Errorf("environment: rate %d burst %d, %v", sv.tipRate, sv.tipBurst, err)
	}
	sv, err = parseServe(map[string]string{"HAVEN_TIP_RATE": "40"}, "--tip-rate", "7")
	if err != nil || sv.tipRate != 7 {
		t.Errorf("a flag does not win over the environment: rate %d, %v", sv.tipRate, err)
	}
	for _, bad := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{nil, []string{"--tip-rate", "0"}, "--tip-rate"},
		{nil, []string{"--tip-burst", "-1"}, "--tip-burst"},
		{map[string]string{"HAVEN_TIP_RATE": "ten"}, nil, "HAVEN_TIP_RATE"},
	} {
		if _, err := parseServe(bad.env, bad.args...); err == nil || !strings.Contains(describe(err), bad.want) {
			t.Errorf("%v %v: error %v, want one naming %s", bad.env, bad.args, err, bad.want)
		}
	}
	// The command refuses a bad value before it opens anything.
	if r := runHaven(t, dataEnv(t), "", "serve", "--tip-rate", "0"); r.code == nil || !strings.Contains(describe(r.code), "--tip-rate") {
		t.Errorf("haven serve --tip-rate 0: %v", r.code)
	}
	if r := runHaven(t, dataEnv(t), "", "serve", "--help"); !strings.Contains(r.out, "-tip-rate") || !strings.Contains(r.out, "HAVEN_TIP_BURST") {
		t.Errorf("serve --help does not describe the tip limit flags:\n%s", r.out)
	}
}

func env2(m map[string]string) env {
	return env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, getenv: func(k string) string { return m[k] }}
}

// TestServeAppliesTheTipLimitFlags runs `haven serve --tip-rate 1
// --tip-burst 2` and sends the public tip form three times from one
// address: two tips are taken, the third is refused with 429.
func TestServeAppliesTheTipLimitFlags(t *testing.T) {
	ev := dataEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs := &lockedBuffer{}
	e := env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: logs, getenv: func(k string) string { return ev[k] }}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, e, []string{"serve", "--addr", "127.0.0.1:0", "--tip-rate", "1", "--tip-burst", "2", "--log-format", "json"})
	}()
	urlRE := regexp.MustCompile(`"msg":"listening","url":"(http://[^"]+)"`)
	var base string
	deadline := time.Now().Add(20 * time.Second)
	for base == "" {
		if m := urlRE.FindStringSubmatch(logs.String()); m != nil {
			base = m[1]
			break
		}
		select {
		case err := <-done:
			t.Fatalf("serve ended: %v\n%s", err, logs.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not start:\n%s", logs.String())
		}
	}
	tip := url.Values{"lang": {"en"}, "contact_choice": {"anonymous"}, "narrative": {"A short synthetic tip (test data)."}}
	var codes []int
	for i := 0; i < 3; i++ {
		resp, err := http.PostForm(base+"tip", tip)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		codes = append(codes, resp.StatusCode)
	}
	if codes[0] != 200 || codes[1] != 200 || codes[2] != http.StatusTooManyRequests {
		t.Errorf("three tips from one address with --tip-burst 2: statuses %v, want [200 200 429]", codes)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("shutdown: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("server did not shut down")
	}
}
