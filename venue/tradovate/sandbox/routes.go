package sandbox

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/keeltrade/keel/venue/tradovate/wire"
)

// Service is one of the sandbox's Tradovate services, each with its own
// REST base and websocket: the two trading environments, market data and
// market replay.
type Service string

// Services.
const (
	Demo   Service = "demo"
	Live   Service = "live"
	MD     Service = "md"
	Replay Service = "replay"
)

// Services lists every service.
func Services() []Service { return []Service{Demo, Live, MD, Replay} }

// Handler serves one endpoint, over REST or a websocket alike. It must
// answer with exactly one Call.Reply or Call.Fail.
type Handler func(*Call)

// Middleware wraps every handler (see Server.Use); fault injection
// plugs in here.
type Middleware func(next Handler) Handler

// Route is an endpoint's handler and the checks the server runs before it.
type Route struct {
	Handler Handler
	// Public routes need no token (auth/accesstokenrequest).
	Public bool
	// Domain is the API-key permission domain the route belongs to.
	Domain Domain
	// Write marks order entry: it needs Full access to Domain, an approved
	// device and current terms where the environment's rules say so.
	Write bool
}

// routeTable maps service → lower-case endpoint → route.
type routeTable struct {
	mu sync.RWMutex
	m  map[Service]map[string]Route
}

func (t *routeTable) set(svc Service, endpoint string, r Route) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m == nil {
		t.m = map[Service]map[string]Route{}
	}
	if t.m[svc] == nil {
		t.m[svc] = map[string]Route{}
	}
	t.m[svc][lower(strings.TrimPrefix(endpoint, "/"))] = r
}

func (t *routeTable) get(svc Service, key string) (Route, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	r, ok := t.m[svc][key]
	return r, ok
}

// Handle registers (or replaces) the route for endpoint on the given
// services; endpoint matching is case-insensitive. It may be called at any
// time, also while serving; the md, replay and fault helpers add their
// endpoints this way.
func (s *Server) Handle(endpoint string, r Route, services ...Service) {
	for _, svc := range services {
		s.routes.set(svc, endpoint, r)
	}
}

// Use adds a middleware around every handler, innermost last.
func (s *Server) Use(mw Middleware) {
	s.mwMu.Lock()
	s.mw = append(s.mw, mw)
	s.mwMu.Unlock()
}

// Call is one request being served, from REST or a websocket.
type Call struct {
	Server  *Server
	Service Service
	// Env is the trading environment of a demo, live or replay call; nil
	// for market data.
	Env *Env
	// Session is the caller's session; nil on public routes called
	// without a token.
	Session *Session
	// Conn is the websocket the request came on; nil over REST.
	Conn *Conn
	// Request is the request; over REST ID is 0 and Endpoint is the path
	// after the service base.
	Request wire.Request
	// Key is the lower-case endpoint.
	Key string

	query   url.Values
	replied bool
	status  int
	body    []byte // JSON (2xx) or nil
	text    string // error text (non-2xx)
}

// Query returns the parsed query string.
func (c *Call) Query() url.Values {
	if c.query == nil {
		q, err := url.ParseQuery(c.Request.Query)
		if err != nil && q == nil {
			q = url.Values{}
		}
		c.query = q
	}
	return c.query
}

// Now returns the time of the call's environment (the server clock for md).
func (c *Call) Now() time.Time {
	if c.Env != nil {
		return c.Env.Now()
	}
	return c.Server.clock.Now()
}

// Decode unmarshals the body into v. A missing or malformed body answers
// 400 and returns false. An absent body decodes as {} when emptyOK.
func (c *Call) Decode(v any, emptyOK bool) bool {
	body := c.Request.Body
	if len(body) == 0 {
		if emptyOK {
			return true
		}
		c.Fail(400, fmt.Sprintf("Bad request: %s needs a JSON body", c.Request.Endpoint))
		return false
	}
	if err := json.Unmarshal(body, v); err != nil {
		c.Fail(400, fmt.Sprintf("Bad request: invalid JSON body for %s: %v", c.Request.Endpoint, err))
		return false
	}
	return true
}

// Reply answers with status and v as the JSON body (nil: no body). Over a
// websocket the response is queued at once, ahead of any events the
// handler publishes after it.
func (c *Call) Reply(status int, v any) {
	var b []byte
	if v != nil {
		var err error
		if b, err = wire.Marshal(v); err != nil {
			c.Fail(500, "Internal error: "+err.Error())
			return
		}
	}
	c.ReplyRaw(status, b)
}

// ReplyRaw answers with a body already encoded as JSON.
func (c *Call) ReplyRaw(status int, body []byte) {
	if c.replied {
		return
	}
	c.replied, c.status, c.body = true, status, body
	if c.Conn != nil {
		c.Conn.Send(wire.AppendArrayFrame(nil, wire.AppendResponse(nil, c.Request.ID, status, body)))
	}
}

// Fail answers with a non-2xx status and an error text, the websocket's
// {"s":status,"i":id,"d":"text"}. Status 429 carries no text, as on Tradovate.
func (c *Call) Fail(status int, text string) {
	if c.replied {
		return
	}
	c.replied, c.status, c.text = true, status, text
	if c.Conn != nil {
		var msg []byte
		if status == 429 {
			msg = wire.AppendResponse(nil, c.Request.ID, status, nil)
		} else {
			msg = wire.AppendErrorResponse(nil, c.Request.ID, status, text)
		}
		c.Conn.Send(wire.AppendArrayFrame(nil, msg))
	}
}

// Replied reports whether the call has been answered, and with what status.
func (c *Call) Replied() (int, bool) { return c.status, c.replied }

// Texts of error responses.
const (
	textAccessDenied = "Access is denied"
	textInvalidToken = "Invalid access token"
	textExpiredToken = "Expired access token"
	textEvicted      = "Invalid access token: the session was closed by a newer login (at most 2 sessions per user)"
)

// dispatch runs the checks a route asks for and then its handler.
func (s *Server) dispatch(c *Call, r Route) {
	if !r.Public || c.Session != nil {
		if c.Session == nil {
			c.Fail(401, textAccessDenied)
			return
		}
		if rules := s.rulesFor(c.Service); rules != nil {
			if !s.allow(c.Session.user, rules.RateLimit, c.Server.clock.Now()) {
				c.Fail(429, "")
				return
			}
			if reason := s.denied(c, r, rules); reason != "" {
				s.log.Info("sandbox: access denied", "service", c.Service, "endpoint", c.Request.Endpoint, "user", c.Session.user.cfg.Name, "why", reason)
				c.Fail(401, textAccessDenied)
				return
			}
		}
		if needsMarketData(c.Key) && !c.Session.user.cfg.HasMarketData {
			s.log.Info("sandbox: market data denied", "user", c.Session.user.cfg.Name, "endpoint", c.Request.Endpoint)
			c.Fail(401, textAccessDenied)
			return
		}
	}
	h := r.Handler
	s.mwMu.RLock()
	for i := len(s.mw) - 1; i >= 0; i-- {
		h = s.mw[i](h)
	}
	s.mwMu.RUnlock()
	func() {
		defer func() {
			if p := recover(); p != nil {
				s.log.Error("sandbox: handler panic", "endpoint", c.Request.Endpoint, "panic", p)
				c.Fail(500, "Internal error")
			}
		}()
		h(c)
	}()
	if !c.replied {
		c.Fail(500, "Internal error: no reply")
	}
}

// denied returns why the session may not use the route under rules, or "".
func (s *Server) denied(c *Call, r Route, rules *Rules) string {
	u := c.Session.user
	if rules.EnforcePermissions {
		switch a := u.cfg.access(r.Domain); {
		case a == Denied:
			return fmt.Sprintf("API key has no access to %s", r.Domain)
		case r.Write && a != Full:
			return fmt.Sprintf("API key is read-only for %s", r.Domain)
		}
	}
	if !r.Write {
		return ""
	}
	if c.Service == Live && !u.cfg.HasLive {
		return "the user has no live account (hasLive false)"
	}
	if rules.RequireApprovedDevice && !s.deviceApproved(c.Session) {
		return fmt.Sprintf("device %q is not approved for live trading", c.Session.deviceID)
	}
	if rules.EnforceTerms && (u.cfg.OutdatedTaC || u.cfg.OutdatedLiquidationPolicy) {
		return "terms and conditions or liquidation policy not accepted"
	}
	return ""
}

// needsMarketData reports whether an endpoint streams market data, which a
// user without a market-data subscription may not use.
func needsMarketData(key string) bool {
	return strings.HasPrefix(key, "md/subscribe") || key == "md/getchart"
}

func (s *Server) rulesFor(svc Service) *Rules {
	switch svc {
	case Demo:
		return s.cfg.Demo
	case Live:
		return s.cfg.Live
	case Replay:
		return s.cfg.Replay
	}
	return nil
}
