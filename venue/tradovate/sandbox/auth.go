package sandbox

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"sync"
	"time"

	"github.com/keeltrade/keel/venue/tradovate/wire"
)

// Session is one successful login: its tokens (renewals included) and the
// sockets authorized with them. A user holds at most Config.MaxSessions;
// the next login evicts the oldest, whose sockets get a shutdown event.
type Session struct {
	id            int64
	user          *user
	deviceID      string
	numericDevice bool // deviceId was sent as a JSON number: never approvable
	created       time.Time
	conns         map[*Conn]struct{} // guarded by authState.mu
	evicted       bool               // guarded by authState.mu
}

// ID returns the session id (commands report it as userSessionId).
func (s *Session) ID() int64 { return s.id }

// UserID returns the user's id.
func (s *Session) UserID() int64 { return s.user.cfg.UserID }

// UserName returns the user's name.
func (s *Session) UserName() string { return s.user.cfg.Name }

// DeviceID returns the deviceId the session logged in with.
func (s *Session) DeviceID() string { return s.deviceID }

// HasMarketData reports whether the user has a market-data subscription.
func (s *Session) HasMarketData() bool { return s.user.cfg.HasMarketData }

// user is a configured user and its device approvals.
type user struct {
	cfg      UserConfig
	approved map[string]bool
	pending  map[string]time.Time // unapproved devices seen at login
	sessions []*Session           // live sessions, oldest first
	rate     rateWindows
}

type token struct {
	sess    *Session
	expires time.Time
	md      bool // an mdAccessToken: md and replay sockets only
}

// loginState tracks token requests for one user name (known or not).
type loginState struct {
	fails       int
	lockedUntil time.Time
	burst       []time.Time
}

type ticket struct {
	user      string
	notBefore time.Time
	captcha   bool
}

type authState struct {
	s           *Server
	mu          sync.Mutex
	byName      map[string]*user
	byID        map[int64]*user
	tokens      map[string]*token
	logins      map[string]*loginState
	tickets     map[string]*ticket
	nextSession int64
}

func newAuthState(s *Server) *authState {
	a := &authState{
		s: s, byName: map[string]*user{}, byID: map[int64]*user{},
		tokens: map[string]*token{}, logins: map[string]*loginState{}, tickets: map[string]*ticket{},
	}
	for _, cfg := range s.cfg.Users {
		u := &user{cfg: cfg, approved: map[string]bool{}, pending: map[string]time.Time{}}
		if cfg.DeviceID != "" {
			u.approved[cfg.DeviceID] = true
		}
		for _, d := range cfg.ApprovedDevices {
			u.approved[d] = true
		}
		a.byName[lower(cfg.Name)] = u
		a.byID[cfg.UserID] = u
	}
	return a
}

func newToken() string {
	var b [33]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// session resolves a token for a service; on failure the text says why.
func (a *authState) session(tok string, svc Service) (*Session, string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	t := a.tokens[tok]
	switch {
	case t == nil:
		return nil, textInvalidToken
	case t.sess.evicted:
		return nil, textEvicted
	case !a.s.clock.Now().Before(t.expires):
		return nil, textExpiredToken
	case t.md && (svc == Demo || svc == Live):
		return nil, textInvalidToken + ": the mdAccessToken only authorizes md and replay sockets"
	}
	return t.sess, ""
}

func (a *authState) attach(sess *Session, c *Conn) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if sess.evicted {
		return false
	}
	sess.conns[c] = struct{}{}
	return true
}

func (a *authState) detach(sess *Session, c *Conn) {
	a.mu.Lock()
	delete(sess.conns, c)
	a.mu.Unlock()
}

// deviceApproved reports whether the session's device may trade live.
func (s *Server) deviceApproved(sess *Session) bool {
	a := s.auth
	a.mu.Lock()
	defer a.mu.Unlock()
	return sess.deviceID != "" && !sess.numericDevice && sess.user.approved[sess.deviceID]
}

// ApproveDevice approves a user's device for live trading, standing in for
// the e-mail link Tradovate sends; sessions already logged in from it may
// trade at once.
func (s *Server) ApproveDevice(userName, deviceID string) error {
	a := s.auth
	a.mu.Lock()
	defer a.mu.Unlock()
	u := a.byName[lower(userName)]
	if u == nil {
		return fmt.Errorf("sandbox: approve device: unknown user %q", userName)
	}
	if deviceID == "" {
		return fmt.Errorf("sandbox: approve device: empty device id for %s", userName)
	}
	u.approved[deviceID] = true
	delete(u.pending, deviceID)
	return nil
}

// DeviceRequest is a device seen at login that is not approved yet.
type DeviceRequest struct {
	User      string    `json:"name"`
	DeviceID  string    `json:"deviceId"`
	FirstSeen time.Time `json:"firstSeen"`
}

// PendingDevices lists devices waiting for approval, oldest first.
func (s *Server) PendingDevices() []DeviceRequest {
	a := s.auth
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []DeviceRequest
	for _, u := range a.byName {
		for d, t := range u.pending {
			out = append(out, DeviceRequest{User: u.cfg.Name, DeviceID: d, FirstSeen: t})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].FirstSeen.Equal(out[j].FirstSeen) {
			return out[i].FirstSeen.Before(out[j].FirstSeen)
		}
		return out[i].DeviceID < out[j].DeviceID
	})
	return out
}

// Sessions returns the live sessions of a user, oldest first.
func (s *Server) Sessions(userName string) []*Session {
	a := s.auth
	a.mu.Lock()
	defer a.mu.Unlock()
	u := a.byName[lower(userName)]
	if u == nil {
		return nil
	}
	return append([]*Session(nil), u.sessions...)
}

// penalty is the body of a time penalty.
type penalty struct {
	Ticket  string `json:"p-ticket"`
	Time    int64  `json:"p-time"`
	Captcha bool   `json:"p-captcha,omitempty"`
}

func (a *authState) issue(key string, until, now time.Time, captcha bool) penalty {
	id := newToken()
	a.tickets[id] = &ticket{user: key, notBefore: until, captcha: captcha}
	return penalty{Ticket: id, Time: ceilSeconds(until.Sub(now)), Captcha: captcha}
}

func ceilSeconds(d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	return int64(math.Ceil(d.Seconds()))
}

// Texts of failed token requests.
const (
	textBadCredentials = "Incorrect username or password. Please try again, noting that passwords are case-sensitive."
	textBadAPIKey      = "Incorrect API key: cid and sec must be those of an API key of this user (Trader: Application Settings, API Access)"
)

// accessTokenRequest serves auth/accesstokenrequest: penalties first
// (captcha lockout after repeated failures, a ticket for bursts, honoured
// on retry once p-time has passed), then the credentials, then a new
// session (evicting the oldest beyond the cap).
func (s *Server) accessTokenRequest(c *Call) {
	req, numeric, err := decodeTokenRequest(c.Request.Body)
	if err != nil {
		c.Fail(400, "Bad request: "+err.Error())
		return
	}
	a := s.auth
	pc := s.cfg.Penalty
	now := s.clock.Now()
	key := lower(req.Name)

	a.mu.Lock()
	ls := a.logins[key]
	if ls == nil {
		ls = &loginState{}
		a.logins[key] = ls
	}
	if now.Before(ls.lockedUntil) {
		p := a.issue(key, ls.lockedUntil, now, true)
		a.mu.Unlock()
		c.Reply(200, p)
		return
	}
	ticketed := false
	if req.PTicket != "" {
		if t := a.tickets[req.PTicket]; t != nil && t.user == key && !t.captcha {
			if now.Before(t.notBefore) {
				p := penalty{Ticket: req.PTicket, Time: ceilSeconds(t.notBefore.Sub(now))}
				a.mu.Unlock()
				c.Reply(200, p)
				return
			}
			delete(a.tickets, req.PTicket)
			ticketed = true
		}
	}
	if !ticketed && pc.Burst > 0 {
		cut := now.Add(-pc.BurstWindow)
		kept := ls.burst[:0]
		for _, t := range ls.burst {
			if t.After(cut) {
				kept = append(kept, t)
			}
		}
		ls.burst = kept
		if len(ls.burst) >= pc.Burst {
			p := a.issue(key, now.Add(pc.Wait), now, false)
			a.mu.Unlock()
			c.Reply(200, p)
			return
		}
		ls.burst = append(ls.burst, now)
	}
	u := a.byName[key]
	failure := ""
	switch {
	case u == nil || req.Password != u.cfg.Password:
		failure = textBadCredentials
	case (u.cfg.CID != 0 || u.cfg.Sec != "") && (int64(req.CID) != u.cfg.CID || req.Sec != u.cfg.Sec):
		failure = textBadAPIKey
	}
	if failure != "" {
		ls.fails++
		if pc.FailedLogins > 0 && ls.fails >= pc.FailedLogins {
			ls.fails = 0
			ls.lockedUntil = now.Add(pc.Lockout)
			p := a.issue(key, ls.lockedUntil, now, true)
			a.mu.Unlock()
			s.log.Info("sandbox: login locked out after repeated failures", "name", req.Name)
			c.Reply(200, p)
			return
		}
		a.mu.Unlock()
		c.Reply(200, struct {
			ErrorText string `json:"errorText"`
		}{failure})
		return
	}
	ls.fails = 0

	a.nextSession++
	sess := &Session{id: a.nextSession, user: u, deviceID: req.DeviceID, numericDevice: numeric, created: now, conns: map[*Conn]struct{}{}}
	u.sessions = append(u.sessions, sess)
	var evicted []*Conn
	for s.cfg.MaxSessions > 0 && len(u.sessions) > s.cfg.MaxSessions {
		old := u.sessions[0]
		u.sessions = u.sessions[1:]
		old.evicted = true
		for cn := range old.conns {
			evicted = append(evicted, cn)
		}
	}
	if req.DeviceID != "" && !u.approved[req.DeviceID] {
		if _, seen := u.pending[req.DeviceID]; !seen {
			u.pending[req.DeviceID] = now
		}
	}
	a.prune(now)
	resp := a.tokenResponse(sess, now, true)
	a.mu.Unlock()

	for _, cn := range evicted {
		cn.Shutdown(wire.ShutdownConnectionQuotaReached, "")
	}
	s.log.Info("sandbox: login", "user", u.cfg.Name, "session", sess.id, "evictedSockets", len(evicted))
	c.Reply(200, resp)
}

// tokenResponse issues a new access token (and, on login, an md token)
// for sess. Called with a.mu held.
func (a *authState) tokenResponse(sess *Session, now time.Time, withMD bool) wire.AccessTokenResponse {
	exp := now.Add(a.s.cfg.TokenLifetime)
	tok := newToken()
	a.tokens[tok] = &token{sess: sess, expires: exp}
	u := sess.user.cfg
	r := wire.AccessTokenResponse{
		AccessToken:               tok,
		ExpirationTime:            wire.TimeOf(exp),
		UserStatus:                u.Status,
		UserID:                    u.UserID,
		Name:                      u.Name,
		HasLive:                   u.HasLive,
		OutdatedTaC:               u.OutdatedTaC,
		HasFunded:                 u.HasFunded,
		HasMarketData:             u.HasMarketData,
		OutdatedLiquidationPolicy: u.OutdatedLiquidationPolicy,
	}
	if withMD {
		md := newToken()
		a.tokens[md] = &token{sess: sess, expires: exp, md: true}
		r.MdAccessToken = md
	}
	return r
}

// prune forgets tokens expired for over an hour and stale tickets.
func (a *authState) prune(now time.Time) {
	cut := now.Add(-time.Hour)
	for k, t := range a.tokens {
		if t.expires.Before(cut) {
			delete(a.tokens, k)
		}
	}
	for k, t := range a.tickets {
		if t.notBefore.Before(cut) {
			delete(a.tickets, k)
		}
	}
}

// decodeTokenRequest decodes a token request; a numeric deviceId is
// accepted (and remembered: such a device is never approved, as the live
// 401 of community thread 4210 shows).
func decodeTokenRequest(body []byte) (wire.AccessTokenRequest, bool, error) {
	var req wire.AccessTokenRequest
	if len(body) == 0 {
		return req, false, fmt.Errorf("auth/accesstokenrequest needs a JSON body with name and password")
	}
	err := json.Unmarshal(body, &req)
	if err == nil {
		return req, false, nil
	}
	var alt struct {
		wire.AccessTokenRequest
		DeviceID json.Number `json:"deviceId"`
	}
	if json.Unmarshal(body, &alt) != nil {
		return req, false, fmt.Errorf("invalid JSON body: %v", err)
	}
	req = alt.AccessTokenRequest
	req.DeviceID = alt.DeviceID.String()
	return req, true, nil
}

// renewAccessToken serves auth/renewaccesstoken: a new token with a new
// expiry for the same session. No new mdAccessToken is issued (whether
// Tradovate returns one is not documented; clients must not rely on it).
func (s *Server) renewAccessToken(c *Call) {
	a := s.auth
	now := s.clock.Now()
	a.mu.Lock()
	if c.Session.evicted {
		a.mu.Unlock()
		c.Fail(401, textEvicted)
		return
	}
	resp := a.tokenResponse(c.Session, now, false)
	a.mu.Unlock()
	c.Reply(200, resp)
}

// me serves auth/me.
func (s *Server) me(c *Call) {
	u := c.Session.user.cfg
	c.Reply(200, wire.MeResponse{UserID: u.UserID, Name: u.Name, FullName: u.Name, Email: u.Email, EmailVerified: true})
}

// rateWindows counts a user's requests in the current second, minute and hour.
type rateWindows struct {
	sec, min, hour    int64
	secN, minN, hourN int
}

// allow counts one request of u and reports whether it is within rl.
func (s *Server) allow(u *user, rl RateLimit, now time.Time) bool {
	if rl == (RateLimit{}) {
		return true
	}
	a := s.auth
	a.mu.Lock()
	defer a.mu.Unlock()
	w := &u.rate
	sec := now.Unix()
	if w.sec != sec {
		w.sec, w.secN = sec, 0
	}
	if m := sec / 60; w.min != m {
		w.min, w.minN = m, 0
	}
	if h := sec / 3600; w.hour != h {
		w.hour, w.hourN = h, 0
	}
	if (rl.PerSecond > 0 && w.secN >= rl.PerSecond) || (rl.PerMinute > 0 && w.minN >= rl.PerMinute) || (rl.PerHour > 0 && w.hourN >= rl.PerHour) {
		return false
	}
	w.secN++
	w.minN++
	w.hourN++
	return true
}
