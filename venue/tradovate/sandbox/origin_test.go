package sandbox_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue/tradovate/sandbox"
)

// do sends one request with the given Host (or the real one when "") and
// Origin (none when "") headers, and returns the status and body.
func do(t testing.TB, s *sandbox.Server, method, url, host, origin, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	if host != "" {
		req.Host = host
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := s.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// dialWith opens a websocket with extra headers and returns the
// handshake's status (101 on success).
func dialWith(t testing.TB, s *sandbox.Server, svc sandbox.Service, h http.Header) int {
	t.Helper()
	ws, resp, err := websocket.DefaultDialer.Dial(s.WebSocketURL(svc), h)
	if err == nil {
		ws.Close()
	}
	require.NotNil(t, resp, "dial: %v", err)
	resp.Body.Close()
	return resp.StatusCode
}

// A request whose Host is not loopback is refused on every route: a web
// page that rebinds its own domain to 127.0.0.1 reaches the sandbox with
// its domain in Host.
func TestForeignHostRefused(t *testing.T) {
	s, _ := start(t)
	u, err := url.Parse(s.URL())
	require.NoError(t, err)
	port := u.Port()
	routes := []struct{ method, url string }{
		{"GET", s.AdminURL()},
		{"GET", s.AdminURL() + "/conns"},
		{"POST", s.AdminURL() + "/faults"},
		{"POST", s.RESTURL(sandbox.Demo) + "/auth/accesstokenrequest"},
		{"GET", s.RESTURL(sandbox.MD) + "/auth/me"},
		{"GET", s.URL() + "/nothing"},
	}
	for _, host := range []string{
		"evil.example", "evil.example:" + port, "127.0.0.1.evil.example:" + port, "localhost.evil.example",
		"10.0.0.1:" + port, "0.0.0.0:" + port, "[::2]:" + port, "[::ffff:10.0.0.1]", "evil.example:80:80",
	} {
		for _, r := range routes {
			status, body := do(t, s, r.method, r.url, host, "", "")
			assert.Equal(t, 403, status, "%s %s Host %s: %s", r.method, r.url, host, body)
			assert.Contains(t, body, "loopback", host)
		}
		assert.Equal(t, 403, dialWith(t, s, sandbox.Demo, http.Header{"Host": {host}}), host)
	}
	for _, host := range []string{
		"127.0.0.1:" + port, "127.0.0.1", "127.1.2.3:" + port, "localhost:" + port, "LocalHost", "[::1]:" + port, "[::1]",
	} {
		status, body := do(t, s, "GET", s.AdminURL(), host, "", "")
		assert.Equal(t, 200, status, "Host %s: %s", host, body)
		status, _ = do(t, s, "GET", s.RESTURL(sandbox.Demo)+"/auth/me", host, "", "")
		assert.Equal(t, 401, status, "Host %s reaches REST (and wants a token)", host)
		assert.Equal(t, 101, dialWith(t, s, sandbox.Demo, http.Header{"Host": {host}}), host)
	}
}

// Cross-origin requests — an Origin that is not a loopback page — may
// not change the sandbox's state over /admin nor open a websocket:
// without this any web page could post a fault or approve a device.
// Reads, loopback pages and plain clients (no Origin) keep working.
func TestCrossOriginRefused(t *testing.T) {
	s, _ := start(t)
	foreign := []string{"https://evil.example", "http://evil.example:8080", "null", "http://127.0.0.1.evil.example", "file://", "http://10.0.0.1"}
	writes := []struct{ method, path, body string }{
		{"POST", "/faults", `{"fault":"drop"}`},
		{"DELETE", "/faults", ""},
		{"DELETE", "/faults/1", ""},
		{"POST", "/scenario", "steps: [{at: 0s, fault: drop}]"},
		{"DELETE", "/scenario", ""},
		{"POST", "/devices/approve", `{"name":"keeltest","deviceId":"browser"}`},
		{"POST", "/feed", `{"symbol":"ESM6","price":4800}`},
	}
	for _, origin := range foreign {
		for _, w := range writes {
			status, body := do(t, s, w.method, s.AdminURL()+w.path, "", origin, w.body)
			assert.Equal(t, 403, status, "%s %s from %s: %s", w.method, w.path, origin, body)
			assert.Contains(t, body, "cross-origin", origin)
		}
		for _, svc := range sandbox.Services() {
			assert.Equal(t, 403, dialWith(t, s, svc, http.Header{"Origin": {origin}}), "%s socket from %s", svc, origin)
		}
		// Reads are harmless: the browser keeps the answer from the page.
		status, _ := do(t, s, "GET", s.AdminURL()+"/faults", "", origin, "")
		assert.Equal(t, 200, status, origin)
	}
	assert.Empty(t, s.Faults())
	assert.Empty(t, s.PendingDevices())

	// A page's GET carries no Origin (an <img> does not send one), so the
	// admin endpoints that change state take no GET.
	status, _ := do(t, s, "GET", s.AdminURL()+"/devices/approve?name=keeltest&deviceId=img", "", "", "")
	assert.Equal(t, 405, status)
	status, _ = do(t, s, "GET", s.AdminURL()+"/feed", "", "", "")
	assert.Equal(t, 405, status)

	// Loopback pages (a dashboard on another local port) and clients
	// without an Origin are served.
	for _, origin := range []string{"", "http://localhost:3000", "http://127.0.0.1:5173", "https://[::1]:8443", "http://LOCALHOST"} {
		status, body := do(t, s, "POST", s.AdminURL()+"/faults", "", origin, `{"fault":"stop-heartbeats","for":"1m"}`)
		assert.Equal(t, 200, status, "%q: %s", origin, body)
		status, body = do(t, s, "POST", s.AdminURL()+"/devices/approve?name=keeltest&deviceId=local", "", origin, "")
		assert.Equal(t, 200, status, "%q: %s", origin, body)
		h := http.Header{}
		if origin != "" {
			h.Set("Origin", origin)
		}
		assert.Equal(t, 101, dialWith(t, s, sandbox.Demo, h), origin)
	}
	assert.Len(t, s.Faults(), 5)
}

// A foreign page cannot log in (and so cannot burn the failed-login
// lockout) or send orders over REST.
func TestCrossOriginRESTWritesRefused(t *testing.T) {
	s := sandbox.Start(t)
	body := strings.NewReader(`{"name":"keeltest","password":"x","cid":8,"sec":"y"}`)
	req, err := http.NewRequest(http.MethodPost, s.RESTURL(sandbox.Demo)+"/auth/accesstokenrequest", body)
	require.NoError(t, err)
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
}
