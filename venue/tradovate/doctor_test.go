package tradovate

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue/cme"
	"github.com/keeltrade/keel/venue/tradovate/sandbox"
)

// doctorSandbox is a sandbox that quotes every contract (a synthetic
// market) and takes orders whatever the hour, so the checks do not depend
// on when the test runs.
func doctorSandbox(t *testing.T, opts ...sandbox.Option) *sandbox.Server {
	t.Helper()
	return sandbox.Start(t, append([]sandbox.Option{
		sandbox.WithHeartbeat(50 * time.Millisecond),
		sandbox.WithConfig(func(c *sandbox.Config) {
			c.IgnoreSessions = true
			c.Market.Synthesize = &sandbox.SyntheticMarket{Seed: 1, Interval: 10 * time.Millisecond}
		}),
	}, opts...)...)
}

// tokenTap records every token the sandbox issues to the client it is
// the transport of, so a test can prove none reaches the report.
type tokenTap struct {
	mu     sync.Mutex
	tokens []string
}

func (tt *tokenTap) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil || !strings.Contains(strings.ToLower(req.URL.Path), "accesstoken") {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	var tok struct{ AccessToken, MdAccessToken string }
	if json.Unmarshal(body, &tok) == nil {
		tt.mu.Lock()
		for _, s := range []string{tok.AccessToken, tok.MdAccessToken} {
			if s != "" {
				tt.tokens = append(tt.tokens, s)
			}
		}
		tt.mu.Unlock()
	}
	return resp, nil
}

func (tt *tokenTap) issued() []string {
	tt.mu.Lock()
	defer tt.mu.Unlock()
	return append([]string(nil), tt.tokens...)
}

func doctorOptions(t *testing.T, tap *tokenTap) DiagnoseOptions {
	return DiagnoseOptions{
		QuoteWait: 5 * time.Second, OrderWait: 5 * time.Second,
		Adapter: Options{
			Logger: testLog(t),
			Auth:   AuthOptions{HTTP: &http.Client{Transport: tap, Timeout: 10 * time.Second}},
			Conn:   ConnOptions{Heartbeat: 50 * time.Millisecond, DeadAfter: 2 * time.Second, RequestTimeout: 2 * time.Second, ReconnectMin: 10 * time.Millisecond, ReconnectMax: 50 * time.Millisecond},
			// A lost answer is not part of these tests: do not wait long for one.
			ReconcileWait: time.Second,
		},
	}
}

func diagnose(t *testing.T, cfg Config, opt DiagnoseOptions) Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rep := Diagnose(ctx, cfg, opt)
	if testing.Verbose() {
		for _, c := range rep.Checks {
			t.Logf("%s %-12s %s | fix: %s", c.Status, c.Name, c.Detail, c.Fix)
		}
	}
	names := make([]string, len(rep.Checks))
	for i, c := range rep.Checks {
		names[i] = c.Name
		if c.Status != StatusPass {
			assert.NotEmpty(t, c.Fix, "%s: every check but a PASS says what to do", c.Name)
		}
	}
	require.Equal(t, CheckNames, names, "every check, in order")
	return rep
}

func check(t *testing.T, rep Report, name string) Check {
	t.Helper()
	c, ok := rep.Check(name)
	require.True(t, ok, name)
	return c
}

func statuses(rep Report) map[string]CheckStatus {
	m := map[string]CheckStatus{}
	for _, c := range rep.Checks {
		m[c.Name] = c.Status
	}
	return m
}

// assertNoSecrets checks the report, as text and as JSON, for the
// password, the API secret and every token issued.
func assertNoSecrets(t *testing.T, rep Report, secrets ...string) {
	t.Helper()
	js, err := json.Marshal(rep)
	require.NoError(t, err)
	text := fmt.Sprintf("%+v %#v", rep, rep)
	for _, s := range secrets {
		require.NotEmpty(t, s)
		assert.NotContains(t, string(js), s, "a secret in the JSON report")
		assert.NotContains(t, text, s, "a secret in the report")
	}
}

// liveOrders is what the sandbox's environment holds, read by a client of
// its own.
func sandboxOrders(t *testing.T, cfg Config) []struct {
	ID        int64  `json:"id"`
	OrdStatus string `json:"ordStatus"`
} {
	t.Helper()
	var orders []struct {
		ID        int64  `json:"id"`
		OrdStatus string `json:"ordStatus"`
	}
	a := NewAuth(cfg, sandbox.DefaultDeviceID, AuthOptions{Logger: quiet()})
	require.NoError(t, a.REST(context.Background(), "GET", "order/list", "", nil, &orders))
	return orders
}

func TestDiagnoseDemoAllPass(t *testing.T) {
	s := doctorSandbox(t)
	cfg := sandboxConfig(t, s, Demo)
	tap := &tokenTap{}
	opt := doctorOptions(t, tap)
	opt.TestOrder = true
	rep := diagnose(t, cfg, opt)
	for _, c := range rep.Checks {
		assert.Equal(t, StatusPass, c.Status, "%s: %s\nfix: %s", c.Name, c.Detail, c.Fix)
	}
	assert.False(t, rep.Failed())
	assert.Equal(t, Demo, rep.Env)
	assert.Contains(t, check(t, rep, CheckDeviceID).Detail, rep.DeviceID)
	assert.Contains(t, check(t, rep, CheckDeviceID).Detail, cfg.DeviceFile)
	assert.Contains(t, check(t, rep, CheckAccounts).Detail, "accountSpec DEMO15460")
	assert.Contains(t, check(t, rep, CheckCredentials).Detail, KeyPassword)
	assert.Contains(t, check(t, rep, CheckTestOrder).Detail, "Cancelled")

	orders := sandboxOrders(t, cfg)
	require.Len(t, orders, 1, "one test order")
	assert.Equal(t, "Canceled", orders[0].OrdStatus, "and it was cancelled")

	// The report travels as JSON, and never with a secret in it.
	js, err := json.Marshal(rep)
	require.NoError(t, err)
	var back Report
	require.NoError(t, json.Unmarshal(js, &back))
	assert.Equal(t, rep.Checks, back.Checks)
	require.NotEmpty(t, tap.issued())
	assertNoSecrets(t, rep, append(tap.issued(), cfg.Password.Reveal(), cfg.Sec.Reveal())...)
}

func TestDiagnoseWrongPassword(t *testing.T) {
	s := doctorSandbox(t)
	cfg := sandboxConfig(t, s, Demo)
	cfg.Password = "not-the-password"
	opt := doctorOptions(t, &tokenTap{})
	opt.TestOrder = true
	rep := diagnose(t, cfg, opt)
	tok := check(t, rep, CheckToken)
	assert.Equal(t, StatusFail, tok.Status)
	assert.Contains(t, tok.Detail, "Incorrect username or password")
	assert.Contains(t, tok.Fix, "check TRADOVATE_NAME and TRADOVATE_PASSWORD")
	assert.Contains(t, tok.Fix, "lock", "says why not to retry blindly")
	assert.Equal(t, map[string]CheckStatus{
		CheckURLs: StatusPass, CheckCredentials: StatusPass, CheckDeviceID: StatusPass, CheckToken: StatusFail,
		CheckUser: StatusSkip, CheckAccounts: StatusSkip, CheckQuote: StatusSkip,
		CheckMarketHours: StatusPass, CheckRateLimits: StatusPass, CheckTokenExpiry: StatusSkip,
		CheckClockSkew: StatusPass, // the refusal carried a Date header too
		CheckTestOrder: StatusSkip,
	}, statuses(rep))
	assert.True(t, rep.Failed())
	assert.Equal(t, []string{CheckToken}, rep.Failures())
	assertNoSecrets(t, rep, "not-the-password", cfg.Sec.Reveal())
}

// On live an unapproved device id logs in and reads, but its orders get a
// 401: the test order names the id and how to approve it; once approved,
// the same run passes.
func TestDiagnoseLiveUnapprovedDevice(t *testing.T) {
	s := doctorSandbox(t)
	cfg := sandboxConfig(t, s, Live)
	opt := doctorOptions(t, &tokenTap{})
	opt.TestOrder, opt.YesLive = true, true

	rep := diagnose(t, cfg, opt)
	require.NotEmpty(t, rep.DeviceID)
	order := check(t, rep, CheckTestOrder)
	require.Equal(t, StatusFail, order.Status, order.Detail)
	text := order.Detail + "\n" + order.Fix
	assert.Contains(t, text, rep.DeviceID, "names the device id")
	assert.Contains(t, text, "approve")
	assert.Contains(t, order.Detail, "401")
	causes := strings.Index(order.Fix, "device id")
	perms := strings.Index(order.Fix, "API key lacks the permission")
	require.True(t, causes >= 0 && perms > causes, "the device first, then the key's permissions:\n%s", order.Fix)
	for _, w := range []string{"terms and conditions", "wrong account", "not tradable"} {
		assert.Contains(t, order.Fix, w)
	}
	assert.Equal(t, StatusWarn, check(t, rep, CheckDeviceID).Status, "a new id on live: approval needed")
	assert.Equal(t, StatusPass, check(t, rep, CheckAccounts).Status, "reads work unapproved")
	var pending []string
	for _, p := range s.PendingDevices() {
		pending = append(pending, p.DeviceID)
	}
	assert.Contains(t, pending, rep.DeviceID, "the id the report names is the one Tradovate saw")

	require.NoError(t, s.ApproveDevice(sandbox.DefaultUser().Name, rep.DeviceID))
	again := diagnose(t, cfg, opt)
	assert.Equal(t, rep.DeviceID, again.DeviceID, "the device id is stable across runs")
	for _, c := range again.Checks {
		assert.Equal(t, StatusPass, c.Status, "%s: %s\nfix: %s", c.Name, c.Detail, c.Fix)
	}
}

func TestDiagnoseLiveOrderNeedsYesLive(t *testing.T) {
	s := doctorSandbox(t)
	cfg := sandboxConfig(t, s, Live)
	require.NoError(t, s.ApproveDevice(sandbox.DefaultUser().Name, mustDeviceID(t, cfg)))
	opt := doctorOptions(t, &tokenTap{})
	opt.TestOrder = true
	rep := diagnose(t, cfg, opt)
	order := check(t, rep, CheckTestOrder)
	assert.Equal(t, StatusFail, order.Status)
	assert.Contains(t, order.Detail, "nothing was placed")
	assert.Contains(t, order.Fix, "-yes-live")
	assert.True(t, rep.Failed(), "asked for proof, got none")
	assert.Empty(t, sandboxOrders(t, cfg), "no order reached the venue")
}

func mustDeviceID(t *testing.T, cfg Config) string {
	t.Helper()
	id, _, err := DeviceIDFor(cfg)
	require.NoError(t, err)
	return id
}

// A market that sends nothing is news when the calendar says it is open,
// and expected when it is closed.
func TestDiagnoseSilentMarket(t *testing.T) {
	ct := cme.Chicago()
	for _, tc := range []struct {
		name string
		at   time.Time
		want CheckStatus
		fix  string
	}{
		{"closed", time.Date(2026, 3, 14, 12, 0, 0, 0, ct), StatusWarn, "the market is closed (weekend)"},
		{"open", time.Date(2026, 3, 10, 10, 0, 0, 0, ct), StatusFail, "market-data subscription"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := sandbox.Start(t, sandbox.WithHeartbeat(50*time.Millisecond)) // no data, nothing synthesized
			cfg := sandboxConfig(t, s, Demo)
			opt := doctorOptions(t, &tokenTap{})
			opt.QuoteWait, opt.TestOrder = 300*time.Millisecond, true
			opt.MarketTime = func() time.Time { return tc.at }
			rep := diagnose(t, cfg, opt)
			q := check(t, rep, CheckQuote)
			assert.Equal(t, tc.want, q.Status, q.Detail)
			assert.Contains(t, q.Detail, "no quote in 300ms")
			assert.Contains(t, q.Fix, tc.fix)
			order := check(t, rep, CheckTestOrder)
			assert.Equal(t, StatusSkip, order.Status, "no price: nothing placed")
			assert.Empty(t, sandboxOrders(t, cfg))
			hours := check(t, rep, CheckMarketHours)
			assert.Equal(t, StatusPass, hours.Status)
			assert.Contains(t, hours.Detail, map[bool]string{true: "is open now", false: "is closed now"}[tc.name == "open"])
			assert.Contains(t, hours.Detail, "CDT", "in Chicago time")
		})
	}
}

func TestDiagnoseUserFlags(t *testing.T) {
	u := sandbox.DefaultUser()
	u.OutdatedTaC, u.HasMarketData = true, false
	s := doctorSandbox(t, sandbox.WithUsers(u))
	cfg := sandboxConfig(t, s, Live)
	cfg.DeviceID = sandbox.DefaultDeviceID // approved
	rep := diagnose(t, cfg, doctorOptions(t, &tokenTap{}))
	user := check(t, rep, CheckUser)
	assert.Equal(t, StatusFail, user.Status, "outdated terms block live orders")
	assert.Contains(t, user.Detail, "outdatedTaC true")
	assert.Contains(t, user.Fix, "log in to the Trader app and accept")
	assert.Contains(t, user.Fix, "hasMarketData false")
	q := check(t, rep, CheckQuote)
	assert.Equal(t, StatusFail, q.Status)
	assert.Contains(t, q.Detail, "401")
	assert.Contains(t, q.Fix, "market-data subscription")
	dev := check(t, rep, CheckDeviceID)
	assert.Equal(t, StatusPass, dev.Status)
	assert.Contains(t, dev.Detail, "from "+KeyDeviceID)
}

// A login penalty is waited out once and reported; a clock 5s ahead of the
// server's Date header is a warning.
func TestDiagnosePenaltyAndClockSkew(t *testing.T) {
	s := doctorSandbox(t, sandbox.WithConfig(func(c *sandbox.Config) {
		c.Penalty.Burst, c.Penalty.Wait = 1, 100*time.Millisecond
	}))
	cfg := sandboxConfig(t, s, Demo)
	_, err := NewAuth(cfg, sandbox.DefaultDeviceID, AuthOptions{Logger: quiet()}).Token(context.Background())
	require.NoError(t, err, "the one login the burst allows")
	opt := doctorOptions(t, &tokenTap{})
	opt.Adapter.Auth.Now = func() time.Time { return time.Now().Add(5 * time.Second) }
	rep := diagnose(t, cfg, opt)
	assert.Equal(t, StatusPass, check(t, rep, CheckToken).Status, "the retry with the p-ticket passed")
	lim := check(t, rep, CheckRateLimits)
	assert.Equal(t, StatusWarn, lim.Status)
	assert.Contains(t, lim.Detail, "time penalty")
	skew := check(t, rep, CheckClockSkew)
	assert.Equal(t, StatusWarn, skew.Status, skew.Detail)
	assert.Contains(t, skew.Detail, "ahead of")
	assert.Contains(t, skew.Fix, "NTP")
	assert.Equal(t, StatusPass, check(t, rep, CheckTokenExpiry).Status)
}

func TestDiagnoseBadSettings(t *testing.T) {
	// A file that does not parse: the file and the key named.
	dir := t.TempDir()
	path := filepath.Join(dir, "tradovate.yaml")
	require.NoError(t, os.WriteFile(path, []byte("TRADOVATE_ENV: demo\nTRADOVATE_NAME: alice\nTRADOVATE_USER: bob\n"), 0o600))
	_, err := LoadConfig(path, mapEnv())
	require.Error(t, err)
	rep := ConfigReport(err, SettingsSources(path, mapEnv()))
	cred := check(t, rep, CheckCredentials)
	assert.Equal(t, StatusFail, cred.Status)
	assert.Contains(t, cred.Detail, path+": tradovate config: TRADOVATE_USER (line 3): unknown key")
	assert.Contains(t, cred.Detail, "TRADOVATE_NAME ("+path+":2)", "where each key was set")

	// Settings that do not validate: each problem under its check.
	env := mapEnv(KeyEnv, "demo", KeyName, "alice", KeyURL, "https://demo-api-d.tradovate.com/v1", KeyCID, "8", KeySec, "s3cr3t-value")
	_, err = LoadConfig("", env)
	require.Error(t, err)
	rep = ConfigReport(err, SettingsSources("", env))
	urls := check(t, rep, CheckURLs)
	assert.Equal(t, StatusFail, urls.Status)
	assert.Contains(t, urls.Detail, "TRADOVATE_URL: https://demo-api-d.tradovate.com/v1: deprecated host; use demo.tradovateapi.com")
	cred = check(t, rep, CheckCredentials)
	assert.Equal(t, StatusFail, cred.Status)
	assert.Contains(t, cred.Detail, KeyPassword+": required")
	assert.Contains(t, cred.Detail, "TRADOVATE_SEC (environment)")
	for _, name := range CheckNames[2:] {
		assert.Equal(t, StatusSkip, check(t, rep, name).Status, name)
	}
	assert.True(t, rep.Failed())
	assertNoSecrets(t, rep, "s3cr3t-value")

	// Settings filled in code go through the same validation.
	rep = Diagnose(context.Background(), Config{Name: "a", Password: "p", CID: 1, Sec: "s"}, DiagnoseOptions{})
	assert.Equal(t, StatusFail, check(t, rep, CheckURLs).Status)
	assert.Contains(t, check(t, rep, CheckURLs).Detail, "TRADOVATE_ENV: required")
}

func TestDiagnoseURLWarnings(t *testing.T) {
	s := doctorSandbox(t)
	cfg := sandboxConfig(t, s, Demo)
	cfg.MDURL = "wss://md.tradovateapi.com/v1/websocket"
	d := newDoctor(cfg, DiagnoseOptions{})
	d.urls()
	c := d.checks[CheckURLs]
	assert.Equal(t, StatusWarn, c.Status)
	assert.Contains(t, c.Fix, "some URLs are the local sandbox and some remote")
	assert.Contains(t, c.Detail, "replay  "+cfg.ReplayURL+" (local sandbox) (unused in a demo session)")
}

func TestSettingsSources(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.yaml")
	require.NoError(t, os.WriteFile(path, []byte("TRADOVATE_NAME: alice\nTRADOVATE_PASSWORD: pw\n"), 0o600))
	src := SettingsSources(path, mapEnv(KeyName, "bob", KeyEnv, "demo"))
	assert.Equal(t, map[string]string{KeyName: "environment", KeyEnv: "environment", KeyPassword: path + ":2"}, src)
	assert.Empty(t, SettingsSources(filepath.Join(t.TempDir(), "missing.yaml"), mapEnv()))
}
