package http

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strings"
	"time"
)

// ContentSecurityPolicy is sent with every response. No inline scripts or
// styles anywhere: every script and stylesheet is a file under /static/.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

type ctxKey int

const (
	requestIDKey ctxKey = iota
	actorKey
	peerKey
)

// middleware wraps the mux, outermost first: the client's address (behind
// a trusted proxy); request id, logging, metrics and panic recovery;
// security headers; cross-origin (CSRF) protection.
func (s *Server) middleware(mux http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(s.crossOriginRefused))
	return s.clientAddress(s.observe(securityHeaders(cop.Handler(mux))))
}

// clientAddress makes the request's RemoteAddr the client's address when
// the TCP peer is a trusted proxy (Options.TrustedProxies): the right-most
// address in X-Forwarded-For that is not itself a trusted proxy. Every
// consumer reads the address from RemoteAddr through clientIP (the audit
// log, sessions, the tip form's limits, the ESP login limiter of
// internal/ispws, the request log), so all see the same one. The peer's
// address is kept in the request's context for the request log.
func (s *Server) clientAddress(next http.Handler) http.Handler {
	if len(s.trustedProxies) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		peer := peerAddr(r.RemoteAddr)
		if client := forwardedClient(peer, r.Header.Values("X-Forwarded-For"), s.trustedProxies); client != peer {
			r = r.WithContext(context.WithValue(r.Context(), peerKey, r.RemoteAddr))
			r.RemoteAddr = netip.AddrPortFrom(client, 0).String()
		}
		next.ServeHTTP(w, r)
	})
}

// peerAddr is the address of a RemoteAddr ("192.0.2.7:5123"), IPv4 in
// IPv6 unmapped; the zero Addr if it is not one.
func peerAddr(remote string) netip.Addr {
	ap, err := netip.ParseAddrPort(remote)
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap()
}

// forwardedClient is the client's address for a request from peer with
// the X-Forwarded-For header lines xff: peer itself unless peer is in
// trusted; then, reading the addresses right to left (each proxy appends
// the address it was connected from), the first that is not in trusted, or
// the left-most if all are. A header that is absent, or has an entry that
// is not an IP address, gives peer: a proxy of ours never writes one, so
// the header cannot be relied on.
func forwardedClient(peer netip.Addr, xff []string, trusted []netip.Prefix) netip.Addr {
	if !peer.IsValid() || !inPrefixes(peer, trusted) {
		return peer
	}
	var hops []string
	for _, line := range xff {
		hops = append(hops, strings.Split(line, ",")...)
	}
	if len(hops) == 0 || len(hops) == 1 && strings.TrimSpace(hops[0]) == "" {
		return peer
	}
	var addr netip.Addr
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil || a.Zone() != "" {
			return peer
		}
		addr = a.Unmap()
		if !inPrefixes(addr, trusted) {
			return addr
		}
	}
	return addr
}

func inPrefixes(a netip.Addr, ps []netip.Prefix) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// securityHeaders sets the headers every response carries. Pages default to
// Cache-Control: no-store (they show personal data); static assets override it.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Cache-Control", "no-store")
		if r.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

// crossOriginRefused answers a state-changing request that came from another
// site (a possible CSRF attack): 403, and nothing is changed.
func (s *Server) crossOriginRefused(w http.ResponseWriter, r *http.Request) {
	s.logger(r).Warn("cross-origin request refused", "origin", r.Header.Get("Origin"), "sec_fetch_site", r.Header.Get("Sec-Fetch-Site"))
	if isAPI(r) {
		writeJSONError(w, http.StatusForbidden, "forbidden", "Cross-origin requests are not allowed.")
		return
	}
	s.renderError(w, r, http.StatusForbidden, "Request refused",
		"This request came from another website, so Haven refused it and changed nothing. Go back to Haven and try again.")
}

// statusWriter records the status and size of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe gives each request an id (X-Request-Id, and in every log line),
// recovers panics as a 500 page, counts and times the request by route
// pattern and status, and logs one structured line when it ends.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := newRequestID()
		w.Header().Set("X-Request-Id", id)
		r = r.WithContext(context.WithValue(r.Context(), requestIDKey, id))
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.logger(r).Error("panic", "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				if sw.status == 0 {
					s.renderError(sw, r, http.StatusInternalServerError, "Something went wrong on our side",
						"Haven could not complete this request. Nothing you did caused this.")
				}
			}
			if sw.status == 0 {
				sw.status = http.StatusOK
			}
			route := r.Pattern
			if route == "" { // refused before the mux ran (cross-origin): label it with the route it aimed at
				_, route = s.mux.Handler(r)
			}
			elapsed := time.Since(start)
			s.metrics.observe(route, sw.status, elapsed)
			level := slog.LevelInfo
			if route == "GET /healthz" || route == "GET /readyz" || route == "GET /metrics" || strings.HasPrefix(route, "GET /static/") {
				level = slog.LevelDebug
			}
			attrs := []slog.Attr{
				slog.String("request_id", id),
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.String("route", route),
				slog.Int("status", sw.status),
				slog.Int("bytes", sw.bytes),
				slog.Duration("duration", elapsed),
				slog.String("ip", clientIP(r)),
			}
			if peer, ok := r.Context().Value(peerKey).(string); ok {
				attrs = append(attrs, slog.String("peer", peer))
			}
			s.log.LogAttrs(r.Context(), level, "request", attrs...)
		}()
		next.ServeHTTP(sw, r)
	})
}

func newRequestID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// requestID returns the id observe gave the request.
func requestID(r *http.Request) string {
	id, _ := r.Context().Value(requestIDKey).(string)
	return id
}

// logger returns the server's logger with the request id attached.
func (s *Server) logger(r *http.Request) *slog.Logger {
	return s.log.With("request_id", requestID(r))
}

// clientIP is the address the request came from: the TCP peer's, or behind
// a trusted proxy the client's the proxy forwarded (see clientAddress).
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// isAPI reports whether the request is for the JSON API.
func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }
