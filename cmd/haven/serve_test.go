package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
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
		{nil, []string{"--smtp-url", "http://mail.example.org"}, "--smtp-url"},
		{nil, []string{"--smtp-url", "smtp://mail.example.org"}, "from="},
		{map[string]string{"HAVEN_SMTP_URL": "smtp://u:p@mail.example.org?from=a@example.org&security=none"}, nil, "without TLS"},
		{nil, []string{"--public-url", "haven.example.org"}, "--public-url"},
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

func TestServeTrustedProxyFlagAndEnvironment(t *testing.T) {
	parseServe := func(env map[string]string, args ...string) (serverFlags, error) {
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		var sv serverFlags
		sv.register(fs, env2(env), ":8080")
		if err := fs.Parse(args); err != nil {
			return sv, err
		}
		return sv, sv.validate()
	}
	sv, err := parseServe(nil)
	if err != nil || len(sv.trustedProxies) != 0 {
		t.Errorf("default: %v, %v; want no trusted proxy", sv.trustedProxies, err)
	}
	sv, err = parseServe(nil, "--trusted-proxy", "10.0.0.0/8, 2001:db8::/32,192.0.2.10,,10.1.2.3/16")
	if got := fmt.Sprint(sv.trustedProxies); err != nil || got != "[10.0.0.0/8 2001:db8::/32 192.0.2.10/32 10.1.0.0/16]" {
		t.Errorf("--trusted-proxy: %s, %v", got, err)
	}
	sv, err = parseServe(map[string]string{"HAVEN_TRUSTED_PROXIES": "172.16.0.0/12"})
	if got := fmt.Sprint(sv.trustedProxies); err != nil || got != "[172.16.0.0/12]" {
		t.Errorf("HAVEN_TRUSTED_PROXIES: %s, %v", got, err)
	}
	sv, err = parseServe(map[string]string{"HAVEN_TRUSTED_PROXIES": "not a range"}, "--trusted-proxy", "10.0.0.1")
	if got := fmt.Sprint(sv.trustedProxies); err != nil || got != "[10.0.0.1/32]" {
		t.Errorf("the flag does not win over the environment: %s, %v", got, err)
	}
	for _, bad := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{nil, []string{"--trusted-proxy", "10.0.0.0/33"}, "--trusted-proxy"},
		{nil, []string{"--trusted-proxy", "10.0.0.0/8;192.168.0.0/16"}, "--trusted-proxy"},
		{nil, []string{"--trusted-proxy", "proxy.example.com"}, "--trusted-proxy"},
		{map[string]string{"HAVEN_TRUSTED_PROXIES": "10.0.0.0/8,fe80::1%eth0"}, nil, "HAVEN_TRUSTED_PROXIES"},
	} {
		_, err := parseServe(bad.env, bad.args...)
		if err == nil || !strings.Contains(describe(err), bad.want) || !strings.Contains(describe(err), "is not an address range") {
			t.Errorf("%v %v: error %v, want one naming %s", bad.env, bad.args, err, bad.want)
		}
	}
	// serve and demo refuse a bad value before they open anything, and say what the flag does.
	for _, cmd := range []string{"serve", "demo"} {
		if r := runHaven(t, dataEnv(t), "", cmd, "--trusted-proxy", "10.0.0.0/8,lb"); r.code == nil || !strings.Contains(describe(r.code), "--trusted-proxy") {
			t.Errorf("haven %s --trusted-proxy 10.0.0.0/8,lb: %v", cmd, r.code)
		}
		if r := runHaven(t, dataEnv(t), "", cmd, "--help"); !strings.Contains(r.out, "-trusted-proxy CIDR[,CIDR...]") || !strings.Contains(r.out, "HAVEN_TRUSTED_PROXIES") {
			t.Errorf("%s --help does not describe --trusted-proxy:\n%s", cmd, r.out)
		}
	}
}

func env2(m map[string]string) env {
	return env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, getenv: func(k string) string { return m[k] }}
}

// TestServeAppliesTheTipLimitFlags runs `haven serve --tip-rate 1
// --tip-burst 2` and sends the public tip form three times from one
// address: two tips are taken, the third is refused with 429.
func TestServeAppliesTheTipLimitFlags(t *testing.T) {
	base := startServe(t, "--tip-rate", "1", "--tip-burst", "2")
	var codes []int
	for i := 0; i < 3; i++ {
		codes = append(codes, postTip(t, base, ""))
	}
	if codes[0] != 200 || codes[1] != 200 || codes[2] != http.StatusTooManyRequests {
		t.Errorf("three tips from one address with --tip-burst 2: statuses %v, want [200 200 429]", codes)
	}
}

// TestServeTakesTheClientAddressFromTrustedProxies runs `haven serve
// --trusted-proxy 127.0.0.1` (the test's requests come from there, as
// from a load balancer) with one tip per address: each address forwarded
// in X-Forwarded-For has its own limit.
func TestServeTakesTheClientAddressFromTrustedProxies(t *testing.T) {
	base := startServe(t, "--tip-rate", "1", "--tip-burst", "1", "--trusted-proxy", "127.0.0.1, 10.0.0.0/8")
	for _, step := range []struct {
		xff  string
		want int
	}{{"203.0.113.10", 200}, {"203.0.113.10", http.StatusTooManyRequests}, {"203.0.113.11", 200}} {
		if got := postTip(t, base, step.xff); got != step.want {
			t.Errorf("tip forwarded for %s: %d, want %d", step.xff, got, step.want)
		}
	}
}

// startServe runs `haven serve` on a free port with args and returns its
// base URL; the server shuts down at the end of the test.
func startServe(t *testing.T, args ...string) string {
	t.Helper()
	return startServeEnv(t, dataEnv(t), args...)
}

// startServeEnv is startServe with the environment ev (its data folder).
func startServeEnv(t *testing.T, ev map[string]string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs := &lockedBuffer{}
	e := env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: logs, getenv: func(k string) string { return ev[k] }}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, e, append([]string{"serve", "--addr", "127.0.0.1:0", "--log-format", "json"}, args...))
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("shutdown: %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Error("server did not shut down")
		}
	})
	urlRE := regexp.MustCompile(`"msg":"listening","url":"(http://[^"]+)"`)
	deadline := time.Now().Add(20 * time.Second)
	for {
		if m := urlRE.FindStringSubmatch(logs.String()); m != nil {
			return m[1]
		}
		select {
		case err := <-done:
			done <- err
			t.Fatalf("serve ended: %v\n%s", err, logs.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not start:\n%s", logs.String())
		}
	}
}

// postTip sends the public tip form (with X-Forwarded-For xff unless "")
// and returns the status.
func postTip(t *testing.T, base, xff string) int {
	t.Helper()
	tip := url.Values{"lang": {"en"}, "contact_choice": {"anonymous"}, "narrative": {"A short synthetic tip (test data)."}}
	req, _ := http.NewRequest(http.MethodPost, base+"tip", strings.NewReader(tip.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
