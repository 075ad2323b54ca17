package main

import (
	"flag"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

// --debug-addr serves Go's profiler on a loopback address only, never on
// the server's own address.
func TestDebugAddrServesTheProfilerOnLoopbackOnly(t *testing.T) {
	validate := func(addr string) error {
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		var sv serverFlags
		sv.register(fs, env2(nil), ":8080")
		if err := fs.Parse([]string{"--debug-addr", addr}); err != nil {
			return err
		}
		return sv.validate()
	}
	for _, ok := range []string{"127.0.0.1:6060", "[::1]:6060", "localhost:6060", "127.0.0.2:0"} {
		if err := validate(ok); err != nil {
			t.Errorf("--debug-addr %s: %v", ok, err)
		}
	}
	for _, bad := range []string{"0.0.0.0:6060", ":6060", "192.0.2.10:6060", "[::]:6060", "example.com:6060", "6060"} {
		if err := validate(bad); err == nil || !strings.Contains(describe(err), "--debug-addr") {
			t.Errorf("--debug-addr %s: %v, want it refused naming the flag", bad, err)
		}
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	base := startServeEnv(t, dataEnv(t), "--debug-addr", addr)
	get := func(url string) (int, string) {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("http://" + addr + "/debug/pprof/"); code != http.StatusOK || !strings.Contains(body, "goroutine") {
		t.Errorf("the profiler on %s: %d\n%.300s", addr, code, body)
	}
	if code, _ := get(base + "debug/pprof/"); code == http.StatusOK {
		t.Errorf("the server's own address serves the profiler (%d)", code)
	}
}
