package tradovate

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/tradovate/sandbox"
	"github.com/keeltrade/keel/venue/tradovate/wire"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// sandboxConfig points a Config at a local sandbox, as `runner sim -env`
// prints it.
func sandboxConfig(t testing.TB, s *sandbox.Server, env Env) Config {
	t.Helper()
	u := sandbox.DefaultUser()
	svc := sandbox.Demo
	if env == Live {
		svc = sandbox.Live
	}
	vals := map[string]string{
		KeyEnv: string(env), KeyName: u.Name, KeyPassword: u.Password, KeyCID: strconv.FormatInt(u.CID, 10), KeySec: u.Sec,
		KeyURL: s.RESTURL(svc), KeyWSURL: s.WebSocketURL(svc), KeyMDURL: s.WebSocketURL(sandbox.MD), KeyReplayURL: s.WebSocketURL(sandbox.Replay),
	}
	cfg, err := LoadConfig("", func(k string) string { return vals[k] })
	require.NoError(t, err)
	cfg.DeviceFile = filepath.Join(t.TempDir(), "device-id")
	return cfg
}

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

func TestSecretNeverPrints(t *testing.T) {
	s := Secret("hunter2")
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("x", "pw", s, "struct", struct{ P Secret }{s})
	js, err := json.Marshal(struct{ P Secret }{s})
	require.NoError(t, err)
	for _, out := range []string{s.String(), fmt.Sprint(s), fmt.Sprintf("%v %s %q %#v %+v", s, s, s, s, struct{ P Secret }{s}), logs.String(), string(js)} {
		assert.NotContains(t, out, "hunter2", out)
		assert.Contains(t, out, "***", out)
	}
	assert.Equal(t, "hunter2", s.Reveal())
	assert.Equal(t, "", Secret("").String(), "an empty secret shows as empty")
}

func TestConfigFromEnvAndFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "tradovate.yaml")
	require.NoError(t, os.WriteFile(path, []byte("TRADOVATE_ENV: demo\nTRADOVATE_NAME: alice\nTRADOVATE_PASSWORD: pw\nTRADOVATE_CID: 8\nTRADOVATE_SEC: s\n"), 0o600))
	cfg, err := LoadConfig(path, func(k string) string {
		if k == KeyName {
			return "bob" // the environment wins
		}
		return ""
	})
	require.NoError(t, err)
	assert.Equal(t, Demo, cfg.Env)
	assert.Equal(t, "bob", cfg.Name)
	assert.Equal(t, int64(8), cfg.CID)
	assert.Equal(t, "https://demo.tradovateapi.com/v1", cfg.URL)
	assert.Equal(t, "wss://demo.tradovateapi.com/v1/websocket", cfg.WSURL)
	assert.Equal(t, "wss://md.tradovateapi.com/v1/websocket", cfg.MDURL)
	assert.Equal(t, "keel", cfg.AppID)

	live, err := LoadConfig("", mapEnv(KeyEnv, "live", KeyName, "a", KeyPassword, "p", KeyCID, "3", KeySec, "s"))
	require.NoError(t, err)
	assert.Equal(t, "https://live.tradovateapi.com/v1", live.URL)
	assert.Equal(t, "wss://live.tradovateapi.com/v1/websocket", live.TradingURL())
}

func mapEnv(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func TestConfigErrors(t *testing.T) {
	base := []string{KeyEnv, "demo", KeyName, "a", KeyPassword, "p", KeyCID, "3", KeySec, "s"}
	for _, tc := range []struct {
		name string
		kv   []string
		want []string
	}{
		{"nothing", nil, []string{KeyEnv + ": required", KeyName, KeyPassword, KeyCID, KeySec}},
		{"bad env", append(base, KeyEnv, "paper"), []string{`"paper": want demo, live or replay`}},
		{"cid not a number", append(base, KeyCID, "eight"), []string{KeyCID, "numeric client id"}},
		{"deprecated host", append(base, KeyURL, "https://demo-api-d.tradovate.com/v1"), []string{KeyURL, "deprecated host; use demo.tradovateapi.com"}},
		{"devel host", append(base, KeyMDURL, "wss://md-d.tradovateapi.com/v1/websocket"), []string{KeyMDURL, "use md.tradovateapi.com"}},
		{"old production host", append(base, KeyURL, "https://live-api.tradovate.com/v1"), []string{"use live.tradovateapi.com"}},
		{"live host in demo", append(base, KeyWSURL, "wss://live.tradovateapi.com/v1/websocket"), []string{KeyWSURL, "a live host in a demo session"}},
		{"plain ws to a remote host", append(base, KeyMDURL, "ws://md.tradovateapi.com/v1/websocket"), []string{"must use wss://"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadConfig("", mapEnv(tc.kv...))
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
	// The local sandbox may use plain ws and any layout.
	_, err := LoadConfig("", mapEnv(append(base, KeyURL, "http://127.0.0.1:9/live/v1", KeyWSURL, "ws://127.0.0.1:9/live/v1/websocket")...))
	assert.NoError(t, err)

	path := filepath.Join(t.TempDir(), "bad.yaml")
	require.NoError(t, os.WriteFile(path, []byte("TRADOVATE_ENV: demo\nTRADOVATE_NAEM: a\n"), 0o600))
	_, err = LoadConfig(path, mapEnv())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "TRADOVATE_NAEM (line 2): unknown key")
}

func TestDeviceIDPersists(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keel", "device")
	id, created, err := LoadDeviceID(path)
	require.NoError(t, err)
	assert.True(t, created)
	assert.Regexp(t, uuidRE, id)
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	again, created, err := LoadDeviceID(path)
	require.NoError(t, err)
	assert.False(t, created)
	assert.Equal(t, id, again, "reused forever")

	require.NoError(t, os.WriteFile(path, []byte("12345\n"), 0o600))
	_, _, err = LoadDeviceID(path)
	assert.ErrorContains(t, err, "does not hold a UUID", "never silently replaced")
}

func TestAuthAgainstSandbox(t *testing.T) {
	s := sandbox.Start(t)
	cfg := sandboxConfig(t, s, Demo)
	now := time.Now()
	a := NewAuth(cfg, "3f8c1a9e-0000-4000-8000-000000000001", AuthOptions{Logger: quiet(), Now: func() time.Time { return now }})
	tok, err := a.Token(context.Background())
	require.NoError(t, err)
	assert.False(t, tok.Access.IsZero())
	assert.Equal(t, sandbox.DefaultUser().Name, tok.Name)
	assert.WithinDuration(t, now.Add(90*time.Minute), tok.Expires, 2*time.Minute)

	// Concurrent callers share the one token.
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t2, err := a.Token(context.Background())
			assert.NoError(t, err)
			assert.Equal(t, tok.Access, t2.Access)
		}()
	}
	wg.Wait()
	assert.Equal(t, 1, a.Stats().Requests)

	// Within 15 minutes of expiry it renews (one renewal for many callers).
	now = tok.Expires.Add(-10 * time.Minute)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := a.Token(context.Background())
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	assert.Equal(t, 1, a.Stats().Renewals)
	assert.Equal(t, 1, a.Stats().Requests, "renewed, not requested again")

	var accounts []wire.Account
	require.NoError(t, a.REST(context.Background(), "GET", "account/list", "", nil, &accounts))
	assert.NotEmpty(t, accounts)
}

func TestAuthErrors(t *testing.T) {
	s := sandbox.Start(t)
	cfg := sandboxConfig(t, s, Demo)
	cfg.Password = "wrong"
	a := NewAuth(cfg, "d", AuthOptions{Logger: quiet()})
	_, err := a.Token(context.Background())
	var ae *AuthError
	require.ErrorAs(t, err, &ae)
	var api *wire.APIError
	assert.ErrorAs(t, err, &api, "errorText in a 200 is a typed error")
	assert.Contains(t, err.Error(), "TRADOVATE_PASSWORD")
	assert.NotContains(t, err.Error(), "wrong")
}

// A time penalty is waited out and retried once with the ticket; a
// captcha stops.
func TestAuthPenaltyFlow(t *testing.T) {
	clock := sandbox.NewManualClock(time.Date(2026, 12, 3, 15, 0, 0, 0, time.UTC))
	s := sandbox.Start(t, sandbox.WithClock(clock), sandbox.WithConfig(func(c *sandbox.Config) {
		c.Penalty.Burst, c.Penalty.Wait = 1, 5*time.Second
	}))
	cfg := sandboxConfig(t, s, Demo)
	first := NewAuth(cfg, "d", AuthOptions{Logger: quiet()})
	_, err := first.Token(context.Background())
	require.NoError(t, err)

	var slept []time.Duration
	a := NewAuth(cfg, "d", AuthOptions{Logger: quiet(), Sleep: func(ctx context.Context, d time.Duration) error {
		slept = append(slept, d)
		clock.Advance(d)
		return nil
	}})
	tok, err := a.Token(context.Background())
	require.NoError(t, err, "the burst penalty is waited out")
	assert.False(t, tok.Access.IsZero())
	assert.Equal(t, []time.Duration{5 * time.Second}, slept)
	assert.Equal(t, 2, a.Stats().Requests, "one retry, with the ticket")
	assert.Equal(t, 1, a.Stats().Penalties)

	// Three failed logins lock the user behind a captcha.
	bad := cfg
	bad.Password = "wrong"
	for range 3 {
		_, err := NewAuth(bad, "d", AuthOptions{Logger: quiet(), Sleep: func(_ context.Context, d time.Duration) error { clock.Advance(d); return nil }}).Token(context.Background())
		require.Error(t, err)
	}
	clock.Advance(time.Minute)
	a2 := NewAuth(cfg, "d", AuthOptions{Logger: quiet(), Sleep: func(context.Context, time.Duration) error { t.Fatal("must not wait for a captcha"); return nil }})
	_, err = a2.Token(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "one hour")
	assert.Equal(t, 1, a2.Stats().Requests, "never loops")
}

func TestTokenCacheReusesALiveToken(t *testing.T) {
	s := sandbox.Start(t)
	cfg := sandboxConfig(t, s, Demo)
	cache := filepath.Join(t.TempDir(), "token.json")
	a := NewAuth(cfg, "d", AuthOptions{Logger: quiet(), TokenCache: cache})
	tok, err := a.Token(context.Background())
	require.NoError(t, err)
	info, err := os.Stat(cache)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())

	b := NewAuth(cfg, "d", AuthOptions{Logger: quiet(), TokenCache: cache})
	tok2, err := b.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, tok.Access, tok2.Access, "a restart reuses the live token")
	assert.Equal(t, 0, b.Stats().Requests)
	assert.Len(t, s.Sessions(cfg.Name), 1, "no second session opened")

	other := cfg
	other.Name = "someone-else"
	c := NewAuth(other, "d", AuthOptions{Logger: quiet(), TokenCache: cache})
	assert.Nil(t, c.loadCache(time.Now()), "only this user's token")
	data, _ := os.ReadFile(cache)
	assert.True(t, strings.Contains(string(data), tok.Access.Reveal()), "the cache holds the token (0600)")
}

func TestAuthAdviceNamesTheRightCredentials(t *testing.T) {
	assert.Contains(t, authAdvice(&wire.APIError{Text: "Incorrect API key: cid and sec do not match"}), "TRADOVATE_CID")
	assert.Contains(t, authAdvice(&wire.APIError{Text: "Incorrect username or password. Please try again"}), "TRADOVATE_PASSWORD")
}

// Review H2: the adapter renews its token ahead of expiry by itself, so a
// reconnect after the expiry needs no new login (no new session).
func TestAdapterKeepsItsTokenRenewed(t *testing.T) {
	s := sandbox.Start(t, sandbox.WithConfig(func(c *sandbox.Config) { c.TokenLifetime = 3 * time.Second }))
	cfg := sandboxConfig(t, s, Demo)
	a, err := New(cfg, Options{Logger: quiet(), Auth: AuthOptions{RenewBefore: 1500 * time.Millisecond}, Conn: ConnOptions{ReconnectMin: 10 * time.Millisecond, ReconnectMax: 50 * time.Millisecond}})
	require.NoError(t, err)
	require.NoError(t, a.Start(func(venue.Event) {}))
	defer a.Close()
	md, err := a.OpenMarketData(context.Background(), MarketDataOptions{})
	require.NoError(t, err)
	defer md.Close()
	time.Sleep(4 * time.Second) // past the first token's expiry
	assert.GreaterOrEqual(t, a.Auth().Stats().Renewals, 1, "renewed with no caller asking")
	_, err = s.Inject(sandbox.Fault{Kind: sandbox.FaultDrop, Target: sandbox.Target{Service: sandbox.Demo}})
	require.NoError(t, err)
	require.Eventually(t, func() bool { return a.trade.Stats().Connects >= 2 }, 5*time.Second, 10*time.Millisecond)
	assert.Equal(t, 1, a.Auth().Stats().Requests, "one login for the whole run")
	st, _ := md.Conn().State()
	assert.Equal(t, StateConnected, st, "the md socket was not evicted")
}
