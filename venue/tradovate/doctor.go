package tradovate

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/cme"
	"github.com/keeltrade/keel/venue/tradovate/wire"
)

// Diagnose walks the chain a Tradovate session depends on — settings,
// device id, token, user, accounts, market data, the calendar, limits and
// clocks, and optionally an order — and says, step by step, what works
// and what to do about what does not. It is `runner doctor`.

// CheckStatus is a check's verdict.
type CheckStatus string

// Verdicts. Only StatusFail makes a report fail.
const (
	StatusPass CheckStatus = "PASS"
	StatusWarn CheckStatus = "WARN" // works, but something deserves attention
	StatusFail CheckStatus = "FAIL"
	StatusSkip CheckStatus = "SKIP" // not run: an earlier step failed, or not asked for
)

// Check names, in the order Diagnose reports them.
const (
	CheckURLs        = "urls"
	CheckCredentials = "credentials"
	CheckDeviceID    = "device-id"
	CheckToken       = "token"
	CheckUser        = "user"
	CheckAccounts    = "accounts"
	CheckQuote       = "quote"
	CheckMarketHours = "market-hours"
	CheckRateLimits  = "rate-limits"
	CheckTokenExpiry = "token-expiry"
	CheckClockSkew   = "clock-skew"
	CheckTestOrder   = "test-order"
)

// CheckNames lists the checks in report order.
var CheckNames = []string{CheckURLs, CheckCredentials, CheckDeviceID, CheckToken, CheckUser, CheckAccounts,
	CheckQuote, CheckMarketHours, CheckRateLimits, CheckTokenExpiry, CheckClockSkew, CheckTestOrder}

// Check is one step's result. Detail says what was found; Fix, set for
// every verdict but StatusPass, says what to do. Neither ever holds a password,
// secret or token.
type Check struct {
	Name   string      `json:"name"`
	Status CheckStatus `json:"status"`
	Detail string      `json:"detail"`
	Fix    string      `json:"fix,omitempty"`
}

// Report is what Diagnose found: every check of CheckNames, in that order.
type Report struct {
	Env      Env       `json:"env,omitempty"`
	DeviceID string    `json:"deviceId,omitempty"` // the id sent, to match Tradovate's approval e-mail
	At       time.Time `json:"at"`
	Checks   []Check   `json:"checks"`
}

// Failed reports whether any check failed.
func (r *Report) Failed() bool { return len(r.Failures()) > 0 }

// Failures names the checks that failed.
func (r *Report) Failures() []string {
	var out []string
	for _, c := range r.Checks {
		if c.Status == StatusFail {
			out = append(out, c.Name)
		}
	}
	return out
}

// Check returns the check of that name.
func (r *Report) Check(name string) (Check, bool) {
	for _, c := range r.Checks {
		if c.Name == name {
			return c, true
		}
	}
	return Check{}, false
}

// DiagnoseOptions configure Diagnose; zero fields take the defaults.
type DiagnoseOptions struct {
	// Symbol is the contract of the quote and the test order; a root
	// resolves to its front month. Default "MES": the smallest contract.
	Symbol string
	// QuoteWait bounds the wait for the first quote (10s).
	QuoteWait time.Duration
	// OrderWait bounds each wait of the test order, for Accepted and for
	// Cancelled (15s).
	OrderWait time.Duration
	// TestOrder places a 1-lot buy limit far below the market and cancels
	// it, proving order permissions end to end.
	TestOrder bool
	// YesLive allows the test order on live; without it, it is refused
	// there and nothing is placed.
	YesLive bool
	// KeySources says where each settings key was set (SettingsSources),
	// for the credentials check; nil shows only which keys are set.
	KeySources map[string]string
	// MarketTime is the instant the market-hours check asks the CME
	// calendar about (default time.Now).
	MarketTime func() time.Time
	// Adapter configures the adapter the checks run through (timings,
	// account, logger). Its Auth.Sleep and OnState are wrapped to see
	// penalties and quota shutdowns.
	Adapter Options
}

// testOrderDiscount is how far below the reference price, in percent, the
// test order's limit goes: far enough not to fill in the second it works,
// and well inside CME's daily price limits, beyond which Globex rejects an
// order instead of accepting it (equity index futures: 7% overnight).
const testOrderDiscount = 5

// SettingsSources says where each settings key that is set comes from, as
// LoadConfig reads them: "environment" (which wins), or the YAML file and
// line ("tradovate.yaml:3"). Values are never returned. A file that does
// not read contributes what it can; LoadConfig reports its errors.
func SettingsSources(path string, getenv func(string) string) map[string]string {
	if getenv == nil {
		getenv = os.Getenv
	}
	src := map[string]string{}
	if path != "" {
		if data, err := os.ReadFile(path); err == nil {
			vals, lines := map[string]string{}, map[string]int{}
			_ = parseSettings(data, vals, lines)
			for k, v := range vals {
				if v != "" {
					src[k] = fmt.Sprintf("%s:%d", path, lines[k])
				}
			}
		}
	}
	for _, k := range Keys {
		if getenv(k) != "" {
			src[k] = "environment"
		}
	}
	return src
}

// ConfigReport is the report for settings that did not load or validate
// (LoadConfig's or Validate's error): each problem under the check it
// belongs to, and every other check skipped — nothing is sent with
// settings that are wrong.
func ConfigReport(err error, sources map[string]string) Report {
	probs := map[string][]string{}
	configProblems(err, "", probs)
	r := Report{At: time.Now()}
	const fix = "set the key in the environment or the -config file (the environment wins)"
	for _, name := range CheckNames {
		c := Check{Name: name, Status: StatusSkip, Detail: "not checked: the settings did not load, so nothing was sent", Fix: "fix the settings first"}
		p := probs[name]
		switch {
		case len(p) > 0:
			c.Status, c.Detail, c.Fix = StatusFail, strings.Join(p, "\n"), fix
			if name == CheckURLs {
				var fixes []string
				if strings.Contains(c.Detail, KeyEnv+":") {
					fixes = append(fixes, "set "+KeyEnv+" to demo, live or replay")
				}
				if strings.Contains(c.Detail, "_URL:") {
					fixes = append(fixes, "remove the URL overrides to use the documented hosts of "+KeyEnv+", or use the host named above")
				}
				if len(fixes) == 0 {
					fixes = append(fixes, "check that the -config file exists and is a YAML mapping of TRADOVATE_* keys")
				}
				c.Fix = strings.Join(fixes, "\n")
			}
			if name == CheckCredentials && sources != nil {
				c.Detail += "\n" + keysSet(sources, nil)
			}
		case name == CheckCredentials && sources != nil:
			// Not a pass: a file that does not load stops validation early.
			c.Detail += "\n" + keysSet(sources, nil)
		}
		r.Checks = append(r.Checks, c)
	}
	return r
}

// configProblems sorts the settings errors in err by the check they
// concern, keeping the context (a file name) that wraps them.
func configProblems(err error, prefix string, out map[string][]string) {
	var ce *ConfigError
	switch e := err.(type) {
	case nil:
	case interface{ Unwrap() []error }:
		for _, in := range e.Unwrap() {
			configProblems(in, prefix, out)
		}
	case *ConfigError:
		out[checkOfKey(e.Key)] = append(out[checkOfKey(e.Key)], prefix+e.Error())
	default:
		inner := errors.Unwrap(err)
		if inner != nil && errors.As(inner, &ce) && strings.HasSuffix(err.Error(), inner.Error()) {
			configProblems(inner, prefix+strings.TrimSuffix(err.Error(), inner.Error()), out)
			return
		}
		out[CheckURLs] = append(out[CheckURLs], prefix+"the settings could not be read: "+err.Error())
	}
}

func checkOfKey(key string) string {
	switch key {
	case KeyEnv, KeyURL, KeyWSURL, KeyMDURL, KeyReplayURL:
		return CheckURLs
	case KeyDeviceID:
		return CheckDeviceID
	}
	return CheckCredentials // including unknown keys: usually a misspelt credential
}

// keysSet lists the keys set and where, or, without sources, those cfg
// holds. Values are never shown.
func keysSet(sources map[string]string, cfg *Config) string {
	var set, unset []string
	for _, k := range Keys {
		switch {
		case sources != nil && sources[k] != "":
			set = append(set, k+" ("+sources[k]+")")
		case sources == nil && cfg != nil && configHas(cfg, k):
			set = append(set, k)
		case sources == nil && slices.Contains([]string{KeyURL, KeyWSURL, KeyMDURL, KeyReplayURL}, k):
			// Validate fills the URLs: without sources, set or not is unknown.
		default:
			unset = append(unset, k)
		}
	}
	if len(set) == 0 {
		set = append(set, "none")
	}
	s := "set: " + strings.Join(set, ", ")
	if len(unset) > 0 {
		s += "\nnot set: " + strings.Join(unset, ", ")
	}
	return s
}

// configHas reports whether the key holds a value the user gave (not a
// default).
func configHas(c *Config, k string) bool {
	switch k {
	case KeyEnv:
		return c.Env != ""
	case KeyName:
		return c.Name != ""
	case KeyPassword:
		return !c.Password.IsZero()
	case KeyCID:
		return c.CID != 0
	case KeySec:
		return !c.Sec.IsZero()
	case KeyDeviceID:
		return c.DeviceID != ""
	case KeyAppID:
		return c.AppID != "" && c.AppID != defaultApp
	case KeyAppVersion:
		return c.AppVersion != "" && c.AppVersion != defaultVer
	}
	return false
}

// Diagnose runs every check against cfg and returns the report; it never
// fails itself. It goes on past a failure wherever a later step does not
// depend on it (the calendar, the clock), and skips the steps that do.
// It logs in once — one of the two sessions Tradovate allows a user — and
// places an order only with TestOrder (on live only with YesLive too).
func Diagnose(ctx context.Context, cfg Config, opt DiagnoseOptions) Report {
	if err := cfg.Validate(); err != nil {
		r := ConfigReport(err, opt.KeySources)
		r.Env = cfg.Env
		return r
	}
	d := newDoctor(cfg, opt)
	d.run(ctx)
	r := Report{Env: cfg.Env, DeviceID: d.deviceID, At: d.started}
	for _, name := range CheckNames {
		c, ok := d.checks[name]
		if !ok {
			c = Check{Name: name, Status: StatusSkip, Detail: "not run: " + d.stopped, Fix: "fix the failed step above first"}
		}
		c.Name = name
		if c.Status != StatusPass && c.Fix == "" {
			c.Fix = "see the detail"
		}
		r.Checks = append(r.Checks, c)
	}
	return r
}

// doctor is one Diagnose run.
type doctor struct {
	cfg     Config
	opt     DiagnoseOptions
	now     func() time.Time
	started time.Time
	checks  map[string]Check
	stopped string // why the checks not run were not run

	deviceID string
	a        *Adapter
	tok      *Token
	inst     venue.Instrument
	ref      venue.Price // the reference price of the test order (0: none)
	refWhat  string
	status   *cme.Status

	mu        sync.Mutex
	penalties []time.Duration
	limited   []string // operations that answered 429
	quota     []string // quota shutdowns
	connErr   map[string]error
}

func newDoctor(cfg Config, opt DiagnoseOptions) *doctor {
	if opt.Symbol == "" {
		opt.Symbol = "MES"
	}
	if opt.QuoteWait <= 0 {
		opt.QuoteWait = 10 * time.Second
	}
	if opt.OrderWait <= 0 {
		opt.OrderWait = 15 * time.Second
	}
	if opt.MarketTime == nil {
		opt.MarketTime = time.Now
	}
	now := opt.Adapter.Auth.Now
	if now == nil {
		now = time.Now
	}
	return &doctor{cfg: cfg, opt: opt, now: now, started: now(), checks: map[string]Check{}, connErr: map[string]error{}}
}

func (d *doctor) set(name string, st CheckStatus, detail, fix string) {
	d.checks[name] = Check{Name: name, Status: st, Detail: detail, Fix: fix}
}

func (d *doctor) run(ctx context.Context) {
	d.urls()
	d.credentials()
	d.stopped = "needs the device id (the device-id step failed)"
	if d.device() {
		d.stopped = "needs a token (the token step failed)"
		if err := d.newAdapter(); err != nil {
			d.set(CheckToken, StatusFail, err.Error(), "fix the settings named")
		} else {
			defer d.a.Close()
			d.token(ctx)
		}
	}
	if d.tok != nil {
		d.user()
		d.accounts(ctx)
		d.quote(ctx)
	}
	d.marketHours()
	if d.a == nil {
		return
	}
	d.testOrder(ctx)
	d.rateLimits()
	d.tokenExpiry()
	d.clockSkew()
}

// --- 1, 2, 3: settings and device id ---

func (d *doctor) urls() {
	c := &d.cfg
	rest, ws := demoREST, demoWS
	if c.Env == Live {
		rest, ws = liveREST, liveWS
	}
	rows := []struct{ label, key, url, def string }{
		{"REST", KeyURL, c.URL, rest},
		{"trading", KeyWSURL, c.WSURL, ws},
		{"md", KeyMDURL, c.MDURL, mdWS},
		{"replay", KeyReplayURL, c.ReplayURL, replayWS},
	}
	st, fix := StatusPass, ""
	var lines []string
	loop, remote := 0, 0
	for _, r := range rows {
		// The replay socket serves a replay session alone; the others, the rest.
		used := r.key == KeyURL || (c.Env == Replay) == (r.key == KeyReplayURL)
		host, note := hostOf(r.url), ""
		switch {
		case isLoopback(host):
			note = " (local sandbox)"
		case r.url == r.def:
			note = " (documented host)"
		case !strings.HasSuffix(host, ".tradovateapi.com"):
			note = " (not a Tradovate host: a proxy of your own?)"
			if used {
				st, fix = StatusWarn, "check the "+r.key+" override: Tradovate's hosts are *.tradovateapi.com"
			}
		}
		switch {
		case !used:
			note += fmt.Sprintf(" (unused in a %s session)", c.Env)
		case isLoopback(host):
			loop++
		default:
			remote++
		}
		lines = append(lines, fmt.Sprintf("%-7s %s%s", r.label, r.url, note))
	}
	if loop > 0 && remote > 0 {
		st, fix = StatusWarn, "some URLs are the local sandbox and some remote: set all four TRADOVATE_*URL overrides, or none"
	}
	d.set(CheckURLs, st, fmt.Sprintf("%s session\n%s", c.Env, strings.Join(lines, "\n")), fix)
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

func (d *doctor) credentials() {
	c := &d.cfg
	detail := keysSet(d.opt.KeySources, c)
	detail += fmt.Sprintf("\nappId %q, appVersion %q; the cid is a number (sent as a JSON number)", c.AppID, c.AppVersion)
	var ws []string
	for _, v := range []struct {
		key string
		val string
	}{{KeyName, c.Name}, {KeyPassword, c.Password.Reveal()}, {KeySec, c.Sec.Reveal()}} {
		if strings.TrimSpace(v.val) != v.val {
			ws = append(ws, v.key)
		}
	}
	if len(ws) > 0 {
		d.set(CheckCredentials, StatusWarn, detail+"\n"+strings.Join(ws, ", ")+" starts or ends with white space",
			"white space is sent as typed and is usually a copy-paste slip: remove it unless it really is part of the value")
		return
	}
	d.set(CheckCredentials, StatusPass, detail, "")
}

func (d *doctor) device() bool {
	c := &d.cfg
	live := c.Env == Live
	if c.DeviceID != "" {
		d.deviceID = c.DeviceID
		d.set(CheckDeviceID, StatusPass, fmt.Sprintf("%s, from %s (the device-id file is not used)", c.DeviceID, KeyDeviceID), "")
		return true
	}
	path := c.DeviceFile
	if path == "" {
		p, err := DefaultDeviceFile()
		if err != nil {
			d.set(CheckDeviceID, StatusFail, err.Error(), "set "+KeyDeviceID+" to a stable id of this machine (live trading needs it approved)")
			return false
		}
		path = p
	}
	id, created, err := LoadDeviceID(path)
	if err != nil {
		d.set(CheckDeviceID, StatusFail, err.Error(), "fix the file, or set "+KeyDeviceID+"; a new id needs a new approval for live trading")
		return false
	}
	again, _, err := LoadDeviceID(path)
	if err != nil || again != id {
		d.set(CheckDeviceID, StatusFail, fmt.Sprintf("%s in %s, but reading it again gave %q (%v)", id, path, again, err),
			"something rewrites the file: keep it, or set "+KeyDeviceID+" — a changing id means a live 401 until each new one is approved")
		return false
	}
	d.deviceID = id
	detail := fmt.Sprintf("%s, kept in %s (stable: read twice, same id)", id, path)
	if inContainer() {
		detail += "\nthis looks like a container: keep that file on a volume (or set " + KeyDeviceID + "), or every new container is a new device"
	}
	switch {
	case created && live:
		d.set(CheckDeviceID, StatusWarn, detail+"\ncreated now: Tradovate has never seen it",
			"the first login from it makes Tradovate e-mail an approval link: approve it before trading live (orders answer 401 until then)")
	case created:
		d.set(CheckDeviceID, StatusPass, detail+"\ncreated now (demo does not require approval; live will)", "")
	case live:
		d.set(CheckDeviceID, StatusPass, detail+"\nlive trading needs this id approved (Tradovate's e-mail names it); -test-order proves it", "")
	default:
		d.set(CheckDeviceID, StatusPass, detail, "")
	}
	return true
}

func inContainer() bool {
	for _, p := range []string{"/.dockerenv", "/run/.containerenv"} {
		if _, err := os.Stat(p); err == nil {
			return true
		}
	}
	return false
}

// newAdapter builds the adapter the checks share, watching what it sees.
func (d *doctor) newAdapter() error {
	o := d.opt.Adapter
	sleep := o.Auth.Sleep
	if sleep == nil {
		sleep = sleepCtx
	}
	o.Auth.Sleep = func(ctx context.Context, wait time.Duration) error {
		d.mu.Lock()
		d.penalties = append(d.penalties, wait)
		d.mu.Unlock()
		return sleep(ctx, wait)
	}
	onState := o.OnState
	o.OnState = func(ev ConnEvent) {
		if ev.Err != nil {
			d.mu.Lock()
			d.connErr[ev.Conn] = ev.Err
			var qe *QuotaError
			if errors.As(ev.Err, &qe) {
				d.quota = append(d.quota, ev.Conn+": "+qe.Reason)
			}
			d.mu.Unlock()
		}
		if onState != nil {
			onState(ev)
		}
	}
	a, err := New(d.cfg, o)
	if err != nil {
		return err
	}
	d.a = a
	return nil
}

// seen notes the rate limits an error shows.
func (d *doctor) seen(op string, err error) {
	var rl *RateLimitError
	if errors.As(err, &rl) {
		d.mu.Lock()
		d.limited = append(d.limited, op)
		d.mu.Unlock()
	}
}

// --- 4, 5, 6: token, user, accounts ---

func (d *doctor) token(ctx context.Context) {
	// Long enough to wait out one time penalty, as Tradovate asks.
	tctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	tok, err := d.a.Auth().Token(tctx)
	if err != nil {
		d.seen("auth/accesstokenrequest", err)
		detail, fix := tokenFailure(err, d.cfg.URL)
		d.set(CheckToken, StatusFail, detail, fix)
		return
	}
	d.tok = tok
	detail := "access token issued"
	if tok.MD != tok.Access {
		detail += ", with an mdAccessToken for the md socket"
	}
	detail += "\nthis is one of the two sessions Tradovate allows the user: a third login evicts the oldest"
	d.set(CheckToken, StatusPass, detail, "")
}

// tokenFailure explains a failed token request.
func tokenFailure(err error, restURL string) (detail, fix string) {
	var ae *AuthError
	var pe *wire.PenaltyError
	var api *wire.APIError
	var rl *RateLimitError
	var ne *NetError
	detail = err.Error()
	if errors.As(err, &ae) {
		detail, fix = "the token request failed: "+ae.Err.Error(), ae.Advice
	}
	switch {
	case errors.As(err, &pe) && pe.Captcha:
		fix = "Tradovate wants a captcha (p-captcha: usually after failed logins), which an API client cannot pass: stop every login for this user, check the credentials, and retry in one hour"
	case errors.As(err, &pe):
		fix = "a time penalty (p-ticket) again after waiting it out once: stop, and retry later; each retry extends it"
	case errors.As(err, &api) && strings.Contains(strings.ToLower(api.Text), "api key"):
		fix = "check " + KeyCID + " (the API key's numeric client id) and " + KeySec + " (its secret): Trader → Application Settings → API Access"
	case errors.As(err, &api):
		if fix == "" {
			fix = "check every TRADOVATE_* credential"
		}
		fix += " (runner doctor tries once per run)"
	case errors.As(err, &rl):
		fix = "429 Too Many Requests on the login: wait before trying again — retrying at once extends the lockout, which can last an hour; another client on this user or IP may be logging in in a loop"
	case errors.As(err, &ne):
		fix = "Tradovate was not reached at " + restURL + ": check the URL, DNS, proxy and firewall"
	case errors.Is(err, context.DeadlineExceeded):
		fix = "no answer in time (or a time penalty longer than the wait): retry later"
	}
	return detail, fix
}

func (d *doctor) user() {
	t := d.tok
	live := d.cfg.Env == Live
	st := StatusPass
	var fixes []string
	worse := func(s CheckStatus, fix string) {
		if s == StatusFail || st == StatusPass {
			st = s
		}
		fixes = append(fixes, fix)
	}
	switch t.UserStatus {
	case wire.UserActive, "":
	case "UnconfirmedEmail":
		worse(StatusFail, "userStatus UnconfirmedEmail: confirm the e-mail address with the link Tradovate sent")
	case "TemporaryLocked":
		worse(StatusFail, "userStatus TemporaryLocked: wait for the lock to lift (usually an hour) or contact Tradovate support")
	default:
		worse(StatusFail, "userStatus "+t.UserStatus+": the user cannot trade; contact Tradovate support")
	}
	terms := StatusWarn
	if live {
		terms = StatusFail // live order entry answers "Access is denied" until accepted
	}
	if t.OutdatedTaC {
		worse(terms, "outdatedTaC: log in to the Trader app and accept the updated terms and conditions (until then orders are denied)")
	}
	if t.OutdatedLiquidationPolicy {
		worse(terms, "outdatedLiquidationPolicy: log in to the Trader app and accept the liquidation policy (until then orders are denied)")
	}
	if live && !t.HasLive {
		worse(StatusFail, "hasLive false: the user has no live access — live API trading needs a funded live account and an API Access subscription; or use TRADOVATE_ENV=demo")
	}
	if !t.HasMarketData {
		worse(StatusWarn, "hasMarketData false: md subscriptions answer 401 — subscribe to CME market data for API use in the Trader app")
	}
	status := t.UserStatus
	if status == "" {
		status = "(not reported)"
	}
	detail := fmt.Sprintf("%s (user id %d): userStatus %s, outdatedTaC %t, outdatedLiquidationPolicy %t, hasLive %t, hasMarketData %t",
		t.Name, t.UserID, status, t.OutdatedTaC, t.OutdatedLiquidationPolicy, t.HasLive, t.HasMarketData)
	d.set(CheckUser, st, detail, strings.Join(fixes, "\n"))
}

func (d *doctor) accounts(ctx context.Context) {
	actx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var accts []wire.Account
	if err := d.a.Auth().REST(actx, "GET", "account/list", "", nil, &accts); err != nil {
		d.seen("account/list", err)
		d.set(CheckAccounts, StatusFail, "account/list: "+err.Error(), readFix(err, "Accounting"))
		return
	}
	var active, pick []wire.Account
	for _, ac := range accts {
		if ac.Active {
			active = append(active, ac)
		}
		if d.opt.Adapter.Account != "" && ac.Name == d.opt.Adapter.Account {
			pick = append(pick, ac)
		}
	}
	if d.opt.Adapter.Account == "" {
		pick = active
	}
	list := func(as []wire.Account) string {
		s := make([]string, len(as))
		for i, a := range as {
			s[i] = fmt.Sprintf("%s (accountId %d)", a.Name, a.ID)
		}
		return strings.Join(s, ", ")
	}
	summary := fmt.Sprintf("%d of %d accounts active: %s", len(active), len(accts), list(active))
	switch {
	case d.opt.Adapter.Account != "" && len(pick) == 0:
		d.set(CheckAccounts, StatusFail, summary+fmt.Sprintf("\nno account named %q", d.opt.Adapter.Account), "name one of the accounts listed (accountSpec)")
	case len(pick) == 1:
		d.set(CheckAccounts, StatusPass, fmt.Sprintf("orders go to accountSpec %s, accountId %d\n%s", pick[0].Name, pick[0].ID, summary), "")
	case len(pick) == 0:
		d.set(CheckAccounts, StatusFail, summary, "the user has no active account in this environment: open or reactivate one in the Trader app (demo and live accounts are separate)")
	default:
		d.set(CheckAccounts, StatusWarn, summary+"\nkeel cannot choose among several active accounts", "name the account to trade (Options.Account, its accountSpec)")
	}
}

// readFix explains a failed read: 401 is the API key's permissions (reads
// work on live without an approved device).
func readFix(err error, domain string) string {
	var st *wire.StatusError
	var rl *RateLimitError
	switch {
	case errors.As(err, &st) && st.Status == 401:
		return "the API key has no access to " + domain + ": in Trader → Application Settings → API Access give the key read access there (each permission defaults to none); an expired or evicted session answers 401 too"
	case errors.As(err, &rl):
		return "429: back off before trying again; another client on this user or IP may be busy"
	}
	return "see the error; a network error means Tradovate was not reached"
}

// --- 7, 8: quote and market hours ---

func (d *doctor) quote(ctx context.Context) {
	qctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	in, err := d.a.Contract(qctx, d.opt.Symbol)
	if err != nil {
		d.seen("contract/find", err)
		d.set(CheckQuote, StatusFail, err.Error(), "check the symbol (a contract name such as MESZ6, or a root); contract/find needs the API key's Contract Library read access")
		return
	}
	d.inst = in
	var (
		mu    sync.Mutex
		first time.Time
		last  venue.Tick // the latest tick
		trade venue.Price
		got   = make(chan struct{}, 1)
	)
	md, err := d.a.OpenMarketData(qctx, MarketDataOptions{Publish: func(ts []venue.Tick) {
		mu.Lock()
		defer mu.Unlock()
		for _, t := range ts {
			if t.Contract != in.ID {
				continue
			}
			if first.IsZero() {
				first = time.Now()
			}
			last = t
			if t.IsTrade() {
				trade = t.Price
			}
			select {
			case got <- struct{}{}:
			default:
			}
		}
	}})
	if err != nil {
		d.seen("md", err)
		d.set(CheckQuote, StatusFail, "the md socket did not connect: "+d.connError("md", err), "check "+KeyMDURL+"; a refused authorize means the token expired or the session was evicted by newer logins")
		return
	}
	defer md.Close()
	start := time.Now()
	if err := md.SubscribeQuotes(qctx, in.Symbol); err != nil {
		d.seen("md/subscribeQuote", err)
		d.set(CheckQuote, StatusFail, err.Error(),
			"a 401 here is market data: the user needs a CME market-data subscription for API use (hasMarketData) and the API key read access to Market Data")
		return
	}
	// The first tick, then a moment more for a trade to price the test order.
	deadline := time.NewTimer(d.opt.QuoteWait)
	defer deadline.Stop()
	var grace <-chan time.Time // nil (never) until the first tick
wait:
	for {
		mu.Lock()
		seen, traded := !first.IsZero(), trade != 0
		mu.Unlock()
		if traded {
			break
		}
		if seen && grace == nil {
			g := time.NewTimer(2 * time.Second)
			defer g.Stop()
			grace = g.C
		}
		select {
		case <-got:
		case <-deadline.C:
			break wait
		case <-grace:
			break wait
		case <-ctx.Done():
			break wait
		}
	}
	mu.Lock()
	defer mu.Unlock()
	name := fmt.Sprintf("%s (contract id %d)", in.Symbol, in.ID)
	if first.IsZero() {
		d.set(CheckQuote, d.silentStatus(), fmt.Sprintf("%s: subscribed, no quote in %s", name, d.opt.QuoteWait), d.silentFix())
		return
	}
	book := fmt.Sprintf("bid %s ask %s", last.Bid, last.Ask)
	if !last.IsQuote() {
		book = "no book"
	}
	lastTrade := "no trade yet"
	if trade != 0 {
		lastTrade = "last trade " + trade.String()
		d.ref, d.refWhat = trade, "the last trade"
	} else if last.IsQuote() && last.Bid > 0 {
		d.ref, d.refWhat = last.Bid, "the bid"
	}
	d.set(CheckQuote, StatusPass, fmt.Sprintf("%s: first quote after %s: %s, %s", name, since(start, first), book, lastTrade), "")
}

// silentStatus is the verdict on a market that sent nothing: news only
// when the calendar says it is open.
func (d *doctor) silentStatus() CheckStatus {
	st := d.marketStatus()
	if st != nil && st.Open {
		return StatusFail
	}
	return StatusWarn
}

func (d *doctor) silentFix() string {
	st := d.marketStatus()
	switch {
	case st == nil:
		return "the calendar does not know whether the market is open; retry when it is"
	case st.Open:
		return "the market is open but sent nothing: check the user's CME market-data subscription for API use (and the sub-vendor agreement in the Trader app), and " + KeyMDURL
	}
	return "the market is closed (" + st.Reason + "): expected; run again after it opens, " + ctTime(st.NextOpen)
}

func (d *doctor) connError(conn string, err error) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	if e := d.connErr[conn]; e != nil && errors.Is(err, context.DeadlineExceeded) {
		return e.Error()
	}
	return err.Error()
}

// marketStatus is the calendar's answer for the symbol's root (nil when
// the calendar does not know).
func (d *doctor) marketStatus() *cme.Status {
	if d.status != nil {
		return d.status
	}
	at := d.opt.MarketTime()
	sym, err := cme.ParseSymbol(d.opt.Symbol, at)
	if err != nil {
		return nil
	}
	st, err := cme.DefaultCalendar().Status(sym.Root, at)
	if err != nil {
		return nil
	}
	d.status = &st
	return d.status
}

func (d *doctor) marketHours() {
	at := d.opt.MarketTime()
	sym, err := cme.ParseSymbol(d.opt.Symbol, at)
	if err != nil {
		d.set(CheckMarketHours, StatusFail, err.Error(), "use a CME contract or root keel knows (e.g. MES)")
		return
	}
	cal := cme.DefaultCalendar()
	st, err := cal.Status(sym.Root, at)
	if err != nil {
		first, last := cal.Range()
		d.set(CheckMarketHours, StatusWarn, fmt.Sprintf("%s at %s: %v", sym.Root, ctTime(at), err),
			fmt.Sprintf("keel's CME calendar covers %s to %s: update keel", first.Format(time.DateOnly), last.Format(time.DateOnly)))
		return
	}
	d.status = &st
	var detail string
	if st.Open {
		detail = fmt.Sprintf("%s is open now (%s), trade date %s; trading stops %s (%s)", sym.Root, ctTime(at), st.TradeDate.Format(time.DateOnly), ctTime(st.SessionClose), st.CloseReason)
		if !st.NextOpen.IsZero() {
			detail += ", reopens " + ctTime(st.NextOpen)
		}
	} else {
		detail = fmt.Sprintf("%s is closed now (%s: %s); it opens %s (in %s)", sym.Root, ctTime(at), st.Reason, ctTime(st.NextOpen), st.NextOpen.Sub(at).Round(time.Minute))
	}
	if cal.Projected(at) {
		detail += "\n(calendar dates projected from CME's usual pattern, not yet checked against its published hours)"
	}
	d.set(CheckMarketHours, StatusPass, detail, "")
}

// since says how long from a to b, to the millisecond ("<1ms" below).
func since(a, b time.Time) string {
	if d := b.Sub(a); d >= time.Millisecond {
		return d.Round(time.Millisecond).String()
	}
	return "<1ms"
}

// count says "1 thing" or "n things".
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func ctTime(t time.Time) string {
	if t.IsZero() {
		return "(unknown)"
	}
	return t.In(cme.Chicago()).Format("Mon Jan 2 15:04 MST")
}

// --- 9: limits and clocks ---

func (d *doctor) rateLimits() {
	d.mu.Lock()
	defer d.mu.Unlock()
	var found, fixes []string
	if n := len(d.penalties); n > 0 {
		found = append(found, fmt.Sprintf("%s on the token request, waited out as asked (p-time %s)", count(n, "time penalty", "time penalties"), d.penalties[n-1]))
		fixes = append(fixes, "a penalty on login means many logins in a short time: reuse one session (AuthOptions.TokenCache) instead of logging in per run")
	}
	if len(d.limited) > 0 {
		found = append(found, "429 Too Many Requests on "+strings.Join(d.limited, ", "))
		fixes = append(fixes, "back off: keel keeps under the published limits, so another client on this user or IP is busy; a lockout lasts up to an hour")
	}
	if len(d.quota) > 0 {
		found = append(found, "sockets closed for a session quota: "+strings.Join(d.quota, ", "))
		fixes = append(fixes, "another session of this user or IP took the place (Tradovate allows two): close it, or share one token")
	}
	if len(found) == 0 {
		d.set(CheckRateLimits, StatusPass, fmt.Sprintf("no time penalty, no 429 and no session-quota shutdown during the run (%s)", count(d.a.Auth().Stats().Requests, "token request", "token requests")), "")
		return
	}
	d.set(CheckRateLimits, StatusWarn, strings.Join(found, "\n"), strings.Join(fixes, "\n"))
}

func (d *doctor) tokenExpiry() {
	t := d.tok
	if t == nil {
		d.set(CheckTokenExpiry, StatusSkip, "no token", "fix the token step first")
		return
	}
	now := d.now()
	left := t.Expires.Sub(now)
	renew := d.opt.Adapter.Auth.RenewBefore
	if renew <= 0 {
		renew = 15 * time.Minute
	}
	switch {
	case t.Expires.IsZero():
		d.set(CheckTokenExpiry, StatusWarn, "the token response carried no expirationTime", "keel cannot renew in time without it: report it")
	case left <= 0:
		d.set(CheckTokenExpiry, StatusFail, fmt.Sprintf("the token expired %s, before it arrived (expirationTime %s)", ctTime(t.Expires), t.Expires.UTC().Format(time.RFC3339)),
			"check this machine's clock (see clock-skew)")
	case left < renew:
		d.set(CheckTokenExpiry, StatusWarn, fmt.Sprintf("expires %s, in %s: less than the %s keel renews before", ctTime(t.Expires), left.Round(time.Second), renew),
			"tokens last 90 minutes: check this machine's clock (see clock-skew)")
	default:
		d.set(CheckTokenExpiry, StatusPass, fmt.Sprintf("expires %s, in %s; keel renews it %s before", ctTime(t.Expires), left.Round(time.Second), renew), "")
	}
}

func (d *doctor) clockSkew() {
	srv, loc := d.a.Auth().ServerDate()
	if srv.IsZero() {
		d.set(CheckClockSkew, StatusSkip, "no REST response carried a Date header", "nothing to compare with")
		return
	}
	// Date has whole seconds: a correct clock reads 0 to 1s ahead of it.
	skew := loc.Sub(srv)
	dir := "ahead of"
	if skew < 0 {
		dir = "behind"
	}
	detail := fmt.Sprintf("this machine's clock is %s %s the server's Date header (whole seconds, so 0–1s is exact)", skew.Abs().Round(time.Millisecond), dir)
	if skew > 2*time.Second || skew < -2*time.Second {
		d.set(CheckClockSkew, StatusWarn, detail, "sync the clock (NTP: timedatectl set-ntp true, or chrony): token renewal, session times and latency figures read it")
		return
	}
	d.set(CheckClockSkew, StatusPass, detail, "")
}

// --- 10: the test order ---

func (d *doctor) testOrder(ctx context.Context) {
	what := fmt.Sprintf("a 1-lot %s buy limit %d%% below the market, cancelled at once", d.opt.Symbol, testOrderDiscount)
	switch {
	case !d.opt.TestOrder:
		d.set(CheckTestOrder, StatusSkip, "not asked: -test-order places "+what+", proving order permissions end to end",
			"run with -test-order (on live also -yes-live)")
		return
	case d.cfg.Env == Live && !d.opt.YesLive:
		// A FAIL, not a SKIP: a script that asked for proof of order
		// permissions must not read success.
		d.set(CheckTestOrder, StatusFail, "refused on live without -yes-live: it would place a real order ("+what+"); nothing was placed",
			"add -yes-live to place it, or check on demo first")
		return
	case d.tok == nil:
		return // skipped: no token
	case d.inst.ID == 0 || d.ref <= 0:
		d.set(CheckTestOrder, StatusSkip, "no price of "+d.opt.Symbol+" seen in the quote step: a limit far from the market needs one, so nothing was placed",
			"run again while the market is open and quoting")
		return
	}
	in := d.inst
	px := (d.ref / 100 * (100 - testOrderDiscount)).RoundToTick(in.TickSize, venue.RoundDown)
	if px <= 0 {
		d.set(CheckTestOrder, StatusSkip, fmt.Sprintf("no positive limit below %s %s", d.refWhat, d.ref), "nothing was placed")
		return
	}
	evs := newEventWatch()
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := d.a.StartContext(sctx, evs.add); err != nil {
		d.seen("account", err)
		d.set(CheckTestOrder, StatusFail, "the trading socket did not start: "+d.connError("trading", err), "see the accounts step; a refused authorize means the session was evicted by newer logins")
		return
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	id := "doctor-" + hex.EncodeToString(b[:])
	o := venue.Order{ClientID: id, Strategy: "doctor", Contract: in.ID, Intent: venue.OrderIntent{
		Symbol: in.Symbol, Side: venue.Buy, Qty: 1, Type: venue.Limit, Limit: px, TIF: venue.Day, Tag: "keel doctor test order"}}
	desc := fmt.Sprintf("Buy 1 %s Limit %s (%d%% below %s %s) on account %d, client id %s", in.Symbol, px, testOrderDiscount, d.refWhat, d.ref, d.a.AccountID(), id)
	// Once sent, the order is seen through to Cancelled even if ctx ends
	// (Ctrl-C): each wait is bounded, and leaving it working is worse.
	wctx := context.WithoutCancel(ctx)
	start := time.Now()
	if err := d.a.Submit(o); err != nil {
		d.set(CheckTestOrder, StatusFail, "not sent: "+err.Error(), "see the detail; nothing was placed")
		return
	}
	// An unknown outcome is reconciled within ReconcileWait: wait for that too.
	ev, ok := evs.wait(wctx, id, d.opt.OrderWait+d.a.opt.ReconcileWait, venue.EventAccepted, venue.EventRejected, venue.EventFilled)
	working := fmt.Sprintf("an order may be working: look for client id %s (text %q) in the Trader app and cancel it", id, o.Intent.Tag)
	switch {
	case !ok:
		d.set(CheckTestOrder, StatusFail, desc+fmt.Sprintf("\nno answer in %s", d.opt.OrderWait), working)
		return
	case ev.Kind == venue.EventRejected:
		d.seenReject(ev)
		st, detail, fix := d.orderRejected(ev)
		d.set(CheckTestOrder, st, desc+"\n"+detail, fix)
		return
	case ev.Kind == venue.EventFilled:
		d.set(CheckTestOrder, StatusFail, desc+"\nthe test order FILLED: you now hold 1 "+in.Symbol+" long", "flatten it in the Trader app now")
		return
	}
	accepted := time.Since(start)
	if err := d.a.Cancel(id); err != nil {
		d.set(CheckTestOrder, StatusFail, desc+"\naccepted, but the cancel was not sent: "+err.Error(), working)
		return
	}
	ev, ok = evs.wait(wctx, id, d.opt.OrderWait, venue.EventCancelled, venue.EventCancelRejected, venue.EventFilled, venue.EventExpired)
	switch {
	case !ok:
		d.set(CheckTestOrder, StatusFail, desc+fmt.Sprintf("\naccepted in %s, then no Cancelled in %s", since(start, start.Add(accepted)), d.opt.OrderWait), working)
	case ev.Kind == venue.EventCancelRejected:
		d.set(CheckTestOrder, StatusFail, desc+"\naccepted, but the cancel was refused: "+ev.Reason+": "+ev.Text, working)
	case ev.Kind == venue.EventFilled:
		d.set(CheckTestOrder, StatusFail, desc+"\nthe test order FILLED before the cancel: you now hold 1 "+in.Symbol+" long", "flatten it in the Trader app now")
	default:
		d.set(CheckTestOrder, StatusPass, fmt.Sprintf("%s\nAccepted in %s, %s in %s: order entry works end to end", desc, since(start, start.Add(accepted)), ev.Kind, since(start.Add(accepted), time.Now())), "")
	}
}

func (d *doctor) seenReject(ev venue.Event) {
	if ev.Reason == "RateLimited" {
		d.mu.Lock()
		d.limited = append(d.limited, "order/placeorder")
		d.mu.Unlock()
	}
}

// orderRejected explains the test order's rejection. A 401 — or "Access
// is denied" in the answer — lists the causes most likely first: on live,
// the device id.
func (d *doctor) orderRejected(ev venue.Event) (CheckStatus, string, string) {
	text, _, _ := strings.Cut(ev.Text, " Probable causes")
	denied := ev.Reason == "AccessDenied" || strings.Contains(strings.ToLower(ev.Text), "access is denied")
	switch {
	case denied:
		detail := "refused: " + strings.TrimSuffix(text, ".")
		if ev.Reason == "AccessDenied" {
			detail = "order/placeorder was refused: 401 Access is denied"
		}
		if d.cfg.Env == Live {
			detail += fmt.Sprintf("\non live this is almost always the device id: this machine's is %s", d.deviceID)
		}
		causes := AccessDeniedCauses(d.cfg.Env, d.deviceID)
		for i := range causes {
			causes[i] = strings.TrimSpace(causes[i])
		}
		return StatusFail, detail, "probable causes, most likely first:\n" + strings.Join(causes, "\n")
	case ev.Reason == wire.RejectSessionClosed:
		st := d.marketStatus()
		when := ""
		if st != nil && !st.Open {
			when = ", " + ctTime(st.NextOpen)
		}
		return StatusWarn, "rejected SessionClosed: " + ev.Text + "\nthe order got past login, device and permission checks (a 401 comes first), but acceptance is not proven",
			"run -test-order again while the market is open" + when
	case ev.Reason == "RateLimited":
		return StatusFail, "rejected: " + ev.Text, "back off before trying again; a lockout lasts up to an hour"
	}
	fix := rejectHint(ev.Reason, ev.Text)
	if fix == "" {
		fix = "Tradovate refused the order for the reason given: check the account's risk settings and the contract in the Trader app"
	}
	return StatusFail, "rejected " + ev.Reason + ": " + ev.Text, fix
}

// eventWatch collects an adapter's events for waiting on.
type eventWatch struct {
	mu   sync.Mutex
	evs  []venue.Event
	wake chan struct{}
}

func newEventWatch() *eventWatch { return &eventWatch{wake: make(chan struct{}, 1)} }

func (w *eventWatch) add(ev venue.Event) {
	w.mu.Lock()
	w.evs = append(w.evs, ev)
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// wait returns the first event of the order of one of the kinds, taking it
// out of the list, or false when the time runs out.
func (w *eventWatch) wait(ctx context.Context, client string, d time.Duration, kinds ...venue.EventKind) (venue.Event, bool) {
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		w.mu.Lock()
		for i, ev := range w.evs {
			if ev.ClientID == client && slices.Contains(kinds, ev.Kind) {
				w.evs = slices.Delete(w.evs, i, i+1)
				w.mu.Unlock()
				return ev, true
			}
		}
		w.mu.Unlock()
		select {
		case <-w.wake:
		case <-t.C:
			return venue.Event{}, false
		case <-ctx.Done():
			return venue.Event{}, false
		}
	}
}
