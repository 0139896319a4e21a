package sandbox

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/gorilla/websocket"

	"github.com/keeltrade/keel/venue/tradovate/wire"
)

// serveHTTP routes /{service}/v1/websocket to the socket handler,
// /{service}/v1/{endpoint} to REST and /admin/… to the admin endpoints,
// once the request passes the browser-safety checks (guard.go). Paths are
// matched case-insensitively.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/")
	svcName, rest, _ := strings.Cut(path, "/")
	if lower(svcName) == "admin" {
		if s.guard(w, r, true, false) {
			s.serveAdmin(w, r, rest)
		}
		return
	}
	svc := Service(lower(svcName))
	version, endpoint, _ := strings.Cut(rest, "/")
	socket := validService(svc) && lower(version) == "v1" && lower(endpoint) == "websocket"
	if !s.guard(w, r, false, socket) {
		return
	}
	if !validService(svc) || lower(version) != "v1" || endpoint == "" {
		writeError(w, 404, "Not found: /"+path)
		return
	}
	if socket {
		s.serveWebSocket(w, r, svc)
		return
	}
	s.serveREST(w, r, svc, endpoint)
}

// logHTTP wraps the HTTP handler to log each request that is not a
// websocket (sockets log their own opening and closing) at debug level:
// method, path and status. Never the query, the headers or the body,
// where tokens and passwords travel.
func (s *Server) logHTTP(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.log.Enabled(r.Context(), slog.LevelDebug) || websocket.IsWebSocketUpgrade(r) {
			next(w, r)
			return
		}
		rec := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next(rec, r)
		s.log.Debug("sandbox: http", "method", r.Method, "path", r.URL.Path, "status", rec.status)
	}
}

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	w.status = status
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func validService(svc Service) bool {
	return svc == Demo || svc == Live || svc == MD || svc == Replay
}

// serveREST serves one REST call. GET and POST are both accepted for every
// endpoint ("relaxed REST"); the token is the Bearer Authorization header.
func (s *Server) serveREST(w http.ResponseWriter, r *http.Request, svc Service, endpoint string) {
	body, err := io.ReadAll(io.LimitReader(r.Body, int64(s.cfg.MaxFrameBytes)+1))
	if err != nil {
		writeError(w, 400, "Bad request: "+err.Error())
		return
	}
	if len(body) > s.cfg.MaxFrameBytes {
		writeError(w, 413, "Request body too large")
		return
	}
	req := wire.Request{Endpoint: endpoint, Query: r.URL.RawQuery}
	if b := trimSpace(body); len(b) > 0 && string(b) != "undefined" && string(b) != "null" {
		req.Body = b
	}
	c := &Call{Server: s, Service: svc, Env: s.envs[svc], Request: req, Key: lower(endpoint)}
	route, ok := s.routes.get(svc, c.Key)
	if token := bearer(r); token != "" {
		sess, text := s.auth.session(token, svc)
		if sess == nil && c.Key == "auth/renewaccesstoken" {
			sess = s.faults.renewExpired(token) // FaultExpireTokens with RenewSucceeds
		}
		if sess == nil && !(ok && route.Public) {
			writeError(w, 401, text)
			return
		}
		c.Session = sess
	}
	if !ok {
		writeError(w, 404, "Not found: "+endpoint)
		return
	}
	s.dispatch(c, route)
	if c.status >= 200 && c.status < 300 {
		w.Header().Set("Content-Type", "application/json")
		if c.body == nil {
			w.Header().Set("Content-Length", "0")
			w.WriteHeader(c.status)
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(c.body)))
		w.WriteHeader(c.status)
		_, _ = w.Write(c.body)
		return
	}
	writeError(w, c.status, c.text)
}

// writeError writes a non-2xx answer: the error text as a JSON string, or
// an empty body for 429.
func writeError(w http.ResponseWriter, status int, text string) {
	if status == 429 || text == "" {
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(status)
		return
	}
	b, _ := json.Marshal(text)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

func trimSpace(b []byte) []byte {
	i, j := 0, len(b)
	for i < j && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t') {
		i++
	}
	for j > i && (b[j-1] == ' ' || b[j-1] == '\n' || b[j-1] == '\r' || b[j-1] == '\t') {
		j--
	}
	return b[i:j]
}
