package tradovate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/keeltrade/keel/venue/tradovate/wire"
)

// Token is an access token and what came with it.
type Token struct {
	Access  Secret    // authorizes REST calls and the trading socket
	MD      Secret    // authorizes the md and replay sockets (Access also works)
	Expires time.Time // Tradovate's expirationTime: 90 minutes after issue
	UserID  int64
	Name    string
	// What the user may do, as the token response says.
	UserStatus                string
	HasLive                   bool
	HasMarketData             bool
	OutdatedTaC               bool
	OutdatedLiquidationPolicy bool
}

// Valid reports whether the token is set and lives past at.
func (t *Token) Valid(at time.Time) bool {
	return t != nil && !t.Access.IsZero() && at.Before(t.Expires)
}

func tokenOf(r *wire.AccessTokenResponse) *Token {
	t := &Token{
		Access: Secret(r.AccessToken), MD: Secret(r.MdAccessToken), Expires: r.ExpirationTime.Time,
		UserID: r.UserID, Name: r.Name, UserStatus: r.UserStatus, HasLive: r.HasLive, HasMarketData: r.HasMarketData,
		OutdatedTaC: r.OutdatedTaC, OutdatedLiquidationPolicy: r.OutdatedLiquidationPolicy,
	}
	if t.MD.IsZero() {
		t.MD = t.Access
	}
	return t
}

// AuthOptions tune authentication; zero fields take the defaults.
type AuthOptions struct {
	// RenewBefore is how long before expiry the token is renewed (15 min).
	RenewBefore time.Duration
	// TokenCache, when set, keeps the token in a 0600 file so a restart
	// reuses a live token instead of opening a new session: Tradovate
	// allows two, and a third evicts the oldest (a running session's
	// sockets then fail).
	TokenCache string
	// HTTP is the client for REST calls; default a client with a 15s timeout.
	HTTP *http.Client
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Sleep waits d or until ctx ends (default a timer); tests replace it.
	Sleep  func(ctx context.Context, d time.Duration) error
	Logger *slog.Logger
}

// Auth gets and keeps an access token. Token is safe from any goroutine:
// concurrent callers share one request (single flight).
type Auth struct {
	cfg      Config
	deviceID string
	opt      AuthOptions
	log      *slog.Logger

	mu      sync.Mutex
	tok     *Token
	flight  chan struct{} // closed when the request in flight ends
	lastErr error
	stats   AuthStats
	srvDate time.Time // Date header of the last REST response
	locDate time.Time // local clock when it arrived
}

// AuthStats counts what authentication did.
type AuthStats struct {
	Requests  int // access token requests
	Renewals  int // successful renewals
	Penalties int // time penalties waited out
	CacheHits int // tokens reused from the cache
}

// NewAuth returns an Auth for cfg (validated) and the device id.
func NewAuth(cfg Config, deviceID string, opt AuthOptions) *Auth {
	if opt.RenewBefore <= 0 {
		opt.RenewBefore = 15 * time.Minute
	}
	if opt.HTTP == nil {
		opt.HTTP = &http.Client{Timeout: 15 * time.Second}
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Sleep == nil {
		opt.Sleep = sleepCtx
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	return &Auth{cfg: cfg, deviceID: deviceID, opt: opt, log: opt.Logger.With("component", "tradovate-auth")}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Stats returns counters.
func (a *Auth) Stats() AuthStats {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.stats
}

// Current returns the token held now (nil before the first success)
// without any request.
func (a *Auth) Current() *Token {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.tok
}

// Token returns a token valid for at least RenewBefore: the one held, a
// renewed one once it is within RenewBefore of expiry (falling back to a
// new token request if renewal fails), or a new one. Concurrent callers
// wait for one request.
func (a *Auth) Token(ctx context.Context) (*Token, error) {
	for {
		a.mu.Lock()
		now := a.opt.Now()
		if t := a.tok; t.Valid(now.Add(a.opt.RenewBefore)) {
			a.mu.Unlock()
			return t, nil
		}
		if f := a.flight; f != nil {
			a.mu.Unlock()
			select {
			case <-f:
				a.mu.Lock()
				t, err := a.tok, a.lastErr
				a.mu.Unlock()
				if err != nil {
					return nil, err
				}
				if t.Valid(a.opt.Now()) {
					return t, nil
				}
				continue
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		f := make(chan struct{})
		a.flight = f
		old := a.tok
		a.mu.Unlock()

		t, err := a.refresh(ctx, old)
		a.mu.Lock()
		if err == nil {
			a.tok = t
		}
		a.lastErr = err
		a.flight = nil
		close(f)
		a.mu.Unlock()
		if err != nil {
			return nil, err
		}
		return t, nil
	}
}

// refresh gets a new token: from the cache, by renewing old, or by asking.
func (a *Auth) refresh(ctx context.Context, old *Token) (*Token, error) {
	now := a.opt.Now()
	if old == nil {
		if t := a.loadCache(now); t != nil {
			a.mu.Lock()
			a.stats.CacheHits++
			a.mu.Unlock()
			a.log.Info("reusing a cached access token", "user", t.Name, "expires", t.Expires)
			if t.Valid(now.Add(a.opt.RenewBefore)) {
				return t, nil
			}
			old = t // near its expiry: renew it, same session
		}
	}
	if old.Valid(now) {
		t, err := a.renew(ctx, old)
		if err == nil {
			a.saveCache(t)
			return t, nil
		}
		a.log.Warn("token renewal failed; requesting a new token", "err", err)
	}
	t, err := a.request(ctx)
	if err != nil {
		return nil, err
	}
	a.saveCache(t)
	return t, nil
}

// request runs auth/accesstokenrequest with the penalty flow: on a time
// penalty wait p-time and retry once with the p-ticket; on p-captcha stop.
func (a *Auth) request(ctx context.Context) (*Token, error) {
	body := wire.AccessTokenRequest{
		Name: a.cfg.Name, Password: a.cfg.Password.Reveal(), AppID: a.cfg.AppID, AppVersion: a.cfg.AppVersion,
		DeviceID: a.deviceID, CID: wire.CID(a.cfg.CID), Sec: a.cfg.Sec.Reveal(),
	}
	for attempt := 0; ; attempt++ {
		a.mu.Lock()
		a.stats.Requests++
		a.mu.Unlock()
		var r wire.AccessTokenResponse
		err := a.do(ctx, http.MethodPost, "auth/accesstokenrequest", "", body, &r)
		var pe *wire.PenaltyError
		switch {
		case errors.As(err, &pe) && pe.Captcha:
			return nil, &AuthError{Op: "token request", Err: err, Advice: "Tradovate wants a captcha (too many failed logins): a third-party app cannot pass it. Stop all logins, check the credentials, and try again in one hour."}
		case errors.As(err, &pe) && attempt == 0:
			a.mu.Lock()
			a.stats.Penalties++
			a.mu.Unlock()
			a.log.Warn("time penalty on the token request; waiting as Tradovate asks, then retrying once", "wait", pe.Wait)
			if err := a.opt.Sleep(ctx, pe.Wait); err != nil {
				return nil, err
			}
			body.PTicket = pe.Ticket
			continue
		case errors.As(err, &pe):
			return nil, &AuthError{Op: "token request", Err: err, Advice: "a second time penalty after waiting: stop, and retry later; repeating the request only extends the lockout"}
		case err != nil:
			return nil, &AuthError{Op: "token request", Err: err, Advice: authAdvice(err)}
		}
		if r.AccessToken == "" {
			return nil, &AuthError{Op: "token request", Err: errors.New("no access token in the response"), Advice: "check the credentials"}
		}
		t := tokenOf(&r)
		a.log.Info("access token issued", "user", t.Name, "user_id", t.UserID, "expires", t.Expires, "device_id", a.deviceID)
		return t, nil
	}
}

// renew runs auth/renewaccesstoken: same session, later expiry.
func (a *Auth) renew(ctx context.Context, old *Token) (*Token, error) {
	var r wire.AccessTokenResponse
	if err := a.doToken(ctx, old.Access, http.MethodGet, "auth/renewaccesstoken", "", nil, &r); err != nil {
		return nil, err
	}
	if r.AccessToken == "" {
		return nil, errors.New("tradovate: renewal returned no token")
	}
	t := tokenOf(&r)
	if r.MdAccessToken == "" {
		t.MD = old.MD // not said to come with a renewal
	}
	if t.Name == "" {
		t.Name, t.UserID = old.Name, old.UserID
		t.UserStatus, t.HasLive, t.HasMarketData = old.UserStatus, old.HasLive, old.HasMarketData
		t.OutdatedTaC, t.OutdatedLiquidationPolicy = old.OutdatedTaC, old.OutdatedLiquidationPolicy
	}
	a.mu.Lock()
	a.stats.Renewals++
	a.mu.Unlock()
	a.log.Info("access token renewed", "expires", t.Expires)
	return t, nil
}

// KeepRenewed renews the token RenewBefore ahead of its expiry, every
// time, until ctx ends, so that no reconnect has to log in again (a new
// login is a new session: two are allowed, a third evicts the oldest —
// which could be this process's own market-data socket). A failed renewal
// is retried every 30s.
func (a *Auth) KeepRenewed(ctx context.Context) {
	for {
		// Real time, whatever AuthOptions.Now and Sleep say (tests move
		// those): the expiry is the server's, on the wall clock.
		wait := 30 * time.Second
		if t := a.Current(); t != nil {
			wait = max(time.Until(t.Expires)-a.opt.RenewBefore+time.Second, time.Second)
		}
		if err := sleepCtx(ctx, wait); err != nil {
			return
		}
		if _, err := a.Token(ctx); err != nil && ctx.Err() == nil {
			a.log.Warn("token renewal failed; retrying", "err", err)
		}
	}
}

// Forget drops the held (and cached) token, after the server refused it.
func (a *Auth) Forget() {
	a.mu.Lock()
	a.tok = nil
	a.mu.Unlock()
	if a.opt.TokenCache != "" {
		os.Remove(a.opt.TokenCache)
	}
}

// REST runs a call with the current token: method, path relative to the
// REST base ("account/list"), an optional query and a JSON body, decoded
// into out through wire.Decode (HTTP 200 is not success).
//
// A 401 that says the token expired (the server can end a session before
// the expiry it announced) drops the token and retries once with a new one.
func (a *Auth) REST(ctx context.Context, method, path, query string, body, out any) error {
	t, err := a.Token(ctx)
	if err != nil {
		return err
	}
	err = a.doToken(ctx, t.Access, method, path, query, body, out)
	var se *wire.StatusError
	if errors.As(err, &se) && se.Status == 401 && strings.Contains(strings.ToLower(se.Text), "expired") {
		a.log.Warn("the server says the access token expired; getting a new one", "call", path)
		a.forgetToken(t)
		if t, err = a.Token(ctx); err != nil {
			return err
		}
		return a.doToken(ctx, t.Access, method, path, query, body, out)
	}
	return err
}

// forgetToken drops t if it is still the one held (another caller may
// have replaced it already).
func (a *Auth) forgetToken(t *Token) {
	a.mu.Lock()
	if a.tok == t {
		a.tok = nil
	}
	a.mu.Unlock()
	if a.opt.TokenCache != "" {
		os.Remove(a.opt.TokenCache)
	}
}

func (a *Auth) do(ctx context.Context, method, path, query string, body, out any) error {
	return a.doToken(ctx, "", method, path, query, body, out)
}

// ServerDate is the Date header of the last REST response, for clock-skew
// checks (zero before any).
func (a *Auth) ServerDate() (server, local time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.srvDate, a.locDate
}

func (a *Auth) doToken(ctx context.Context, token Secret, method, path, query string, body, out any) error {
	u := strings.TrimRight(a.cfg.URL, "/") + "/" + path
	if query != "" {
		u += "?" + query
	}
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("tradovate: %s: %w", path, err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return fmt.Errorf("tradovate: %s: %w", path, err)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if !token.IsZero() {
		req.Header.Set("Authorization", "Bearer "+token.Reveal())
	}
	resp, err := a.opt.HTTP.Do(req)
	if err != nil {
		return &NetError{Op: path, Err: err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return &NetError{Op: path, Err: err}
	}
	if d, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		a.mu.Lock()
		a.srvDate, a.locDate = d, a.opt.Now()
		a.mu.Unlock()
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		return &RateLimitError{Op: path}
	}
	if err := wire.Decode(resp.StatusCode, data, out); err != nil {
		return fmt.Errorf("tradovate: %s: %w", path, err)
	}
	return nil
}

// --- token cache ---

type cachedToken struct {
	Env     Env       `json:"env"`
	URL     string    `json:"url"`
	Name    string    `json:"name"`
	Access  string    `json:"accessToken"`
	MD      string    `json:"mdAccessToken"`
	Expires time.Time `json:"expirationTime"`
	UserID  int64     `json:"userId"`
	HasLive bool      `json:"hasLive"`
	HasMD   bool      `json:"hasMarketData"`
}

func (a *Auth) loadCache(now time.Time) *Token {
	if a.opt.TokenCache == "" {
		return nil
	}
	data, err := os.ReadFile(a.opt.TokenCache)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			a.log.Warn("token cache unreadable; ignoring it", "path", a.opt.TokenCache, "err", err)
		}
		return nil
	}
	var c cachedToken
	if err := json.Unmarshal(data, &c); err != nil {
		a.log.Warn("token cache is corrupt; ignoring it", "path", a.opt.TokenCache)
		return nil
	}
	// Only this user's token for this environment and host.
	if c.Env != a.cfg.Env || c.URL != a.cfg.URL || c.Name != a.cfg.Name {
		return nil
	}
	t := &Token{Access: Secret(c.Access), MD: Secret(c.MD), Expires: c.Expires, UserID: c.UserID, Name: c.Name, HasLive: c.HasLive, HasMarketData: c.HasMD}
	if !t.Valid(now.Add(time.Minute)) {
		return nil // too close to its end to be worth renewing
	}
	return t
}

func (a *Auth) saveCache(t *Token) {
	if a.opt.TokenCache == "" {
		return
	}
	c := cachedToken{Env: a.cfg.Env, URL: a.cfg.URL, Name: a.cfg.Name, Access: t.Access.Reveal(), MD: t.MD.Reveal(), Expires: t.Expires, UserID: t.UserID, HasLive: t.HasLive, HasMD: t.HasMarketData}
	data, err := json.Marshal(c)
	if err == nil {
		err = writeFile0600(a.opt.TokenCache, data)
	}
	if err != nil {
		a.log.Warn("token not cached", "path", a.opt.TokenCache, "err", err)
	}
}

// writeFile0600 writes data atomically with mode 0600.
func writeFile0600(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
