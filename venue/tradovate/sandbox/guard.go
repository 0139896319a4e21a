package sandbox

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// Browser safety. The admin endpoints take no token and the ready-made
// credentials are public, so a web page the user happens to visit must
// not be able to drive the sandbox. The browser's same-origin rules keep
// it from reading answers; two checks keep it from acting:
//
//   - Host. Every request must be for a loopback host: 127.0.0.0/8,
//     localhost or [::1], any port. A page that rebinds its own domain to
//     127.0.0.1 (DNS rebinding) reaches the sandbox with its domain in
//     Host and is refused, whatever the route.
//   - Origin. A request that may change state (any method but GET, HEAD
//     and OPTIONS: an admin action, a login — which a foreign page could
//     otherwise repeat into the failed-login lockout —, an order) and
//     every websocket upgrade is refused when it carries an Origin that is
//     not a loopback page: cross-site request forgery and cross-site
//     websocket hijacking. Clients outside browsers
//     send no Origin and are served, and so are pages served from loopback
//     (a dashboard on another local port).
//
// A page's plain GET (an <img>) carries no Origin, so the admin endpoints
// that change state answer GET with 405.

// loopbackHost reports whether a Host header ("127.0.0.1:8080",
// "localhost", "[::1]:80") names this machine's loopback interface. An
// empty Host (HTTP/1.0) names nothing foreign and passes.
func loopbackHost(hostport string) bool {
	if hostport == "" {
		return true
	}
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	} else if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
		host = host[1 : len(host)-1]
	}
	return strings.EqualFold(host, "localhost") || isLoopback(host)
}

// loopbackOrigin reports whether an Origin header is a page served from
// loopback ("http://localhost:3000"). "null" (sandboxed frames, file:
// pages) is not.
func loopbackOrigin(origin string) bool {
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return false
	}
	return loopbackHost(u.Host)
}

// crossOrigin reports whether r comes from a page that is not served from
// loopback.
func crossOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	return origin != "" && !loopbackOrigin(origin)
}

// changesState reports whether a method may change the server's state.
func changesState(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// guard applies the Host and Origin checks to r (admin and socket say
// which route it is for) and answers 403 when they fail.
func (s *Server) guard(w http.ResponseWriter, r *http.Request, admin, socket bool) bool {
	text := ""
	switch {
	case !loopbackHost(r.Host):
		text = fmt.Sprintf("Forbidden: Host %q is not a loopback host; the sandbox serves only requests for 127.0.0.1, localhost or [::1] (DNS rebinding protection)", r.Host)
	case (socket || changesState(r)) && crossOrigin(r):
		text = fmt.Sprintf("Forbidden: cross-origin request from %q; only pages served from loopback (or clients that send no Origin) may change the sandbox or open its websockets", r.Header.Get("Origin"))
	default:
		return true
	}
	s.log.Warn("sandbox: refused", "method", r.Method, "path", r.URL.Path, "host", r.Host, "origin", r.Header.Get("Origin"))
	if admin {
		adminError(w, http.StatusForbidden, text, nil)
	} else {
		writeError(w, http.StatusForbidden, text)
	}
	return false
}
