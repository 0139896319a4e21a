package cli

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/engine/journal"
	"github.com/keeltrade/keel/venue/cme"
	"github.com/keeltrade/keel/venue/tradovate"
	"github.com/keeltrade/keel/venue/tradovate/sandbox"
)

// sandboxEnv points the TRADOVATE_* variables at a fresh sandbox with a
// synthetic market for any contract subscribed, and the state directory at
// a temporary one; it returns the sandbox and the front ES month.
func sandboxEnv(t *testing.T, env string, opts ...sandbox.Option) (*sandbox.Server, string) {
	t.Helper()
	s := sandbox.Start(t, append([]sandbox.Option{sandbox.WithConfig(func(c *sandbox.Config) {
		c.Market.Synthesize = &sandbox.SyntheticMarket{Seed: 1}
	})}, opts...)...)
	u := sandbox.DefaultUser()
	svc := sandbox.Demo
	if env == "live" {
		svc = sandbox.Live
	}
	for k, v := range map[string]string{
		"TRADOVATE_ENV": env, "TRADOVATE_NAME": u.Name, "TRADOVATE_PASSWORD": u.Password, "TRADOVATE_CID": strconv.FormatInt(u.CID, 10),
		"TRADOVATE_SEC": u.Sec, "TRADOVATE_URL": s.RESTURL(svc), "TRADOVATE_WS_URL": s.WebSocketURL(svc), "TRADOVATE_MD_URL": s.WebSocketURL(sandbox.MD),
		"TRADOVATE_DEVICE_ID": "11111111-2222-4333-8444-555555555555", "XDG_STATE_HOME": t.TempDir(),
	} {
		t.Setenv(k, v)
	}
	sym, err := cme.FrontMonth("ES", time.Now())
	require.NoError(t, err)
	return s, sym.String()
}

// runner run -strategy: a demo session through the adapter, the risk gate
// and the journal; at the stop the position is flattened and the journal
// holds every order before its acknowledgement.
func TestRunSessionOnTheSandbox(t *testing.T) {
	_, sym := sandboxEnv(t, "demo")
	jpath := filepath.Join(t.TempDir(), "j.db")
	risk := filepath.Join(t.TempDir(), "risk.yaml")
	require.NoError(t, os.WriteFile(risk, []byte("account: {market_hours: {enabled: false}, max_position: 2}\n"), 0o600))
	code, stdout, stderr := runCLI("run", "-strategy", "buyhold", "-p", "symbol="+sym, "-risk", risk, "-journal", jpath, "-duration", "2s")
	require.Equal(t, 0, code, "stdout: %s\nstderr: %s", stdout, stderr)
	t.Log(stdout)
	assert.Contains(t, stdout, "live path: adapter, risk gate, journal")
	assert.Contains(t, stdout, "stop: complete")
	assert.Contains(t, stdout, "2 fills", "the entry, and the flatten at the stop")
	assert.NotContains(t, stdout+stderr, sandbox.DefaultUser().Password)

	r, err := journal.OpenReader(jpath)
	require.NoError(t, err)
	defer r.Close()
	assert.Equal(t, "demo", r.Env)
	ss, err := r.Sessions()
	require.NoError(t, err)
	require.Len(t, ss, 1)
	assert.True(t, ss[0].Ended, "a clean stop records its end")
	es, err := r.Entries(ss[0].ID)
	require.NoError(t, err)
	submitted := map[string]bool{}
	var fills int
	for _, e := range es {
		switch {
		case e.Kind == journal.KindSubmit:
			submitted[e.ClientID] = true
		case e.Kind == journal.KindEvent && e.ClientID != "":
			assert.True(t, submitted[e.ClientID], "%s %s for an order journaled before it was sent", e.Event, e.ClientID)
			if e.Event == "Filled" {
				fills++
			}
		}
	}
	assert.Len(t, submitted, 2)
	assert.Equal(t, 2, fills)

	code, stdout, stderr = runCLI("journal", "show", jpath)
	require.Equal(t, 0, code, stderr)
	t.Log(stdout)
	assert.Contains(t, stdout, "submit")
	assert.Contains(t, stdout, "Buy 1 "+sym+" Market")
	assert.Contains(t, stdout, "(protective)")
}

func TestRunRefusesBadInput(t *testing.T) {
	sandboxEnv(t, "demo")
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
		return p
	}
	for _, tc := range []struct {
		name, yaml, want string
	}{
		{"unknown key", "env: demo\nstrategies:\n  - strategy: buyhold\n    params: {symbol: ESM6}\nstop_timout: 5s\n", "line 5: field stop_timout not found"},
		{"wrong type", "env: demo\nstop_timeout: soon\nstrategies:\n  - strategy: buyhold\n    params: {symbol: ESM6}\n", "line 2"},
		{"no env", "strategies:\n  - strategy: buyhold\n    params: {symbol: ESM6}\n", "env: required"},
		{"bad on_stop", "env: demo\non_stop: panic\nstrategies:\n  - strategy: buyhold\n    params: {symbol: ESM6}\n", "line 2: on_stop"},
		{"unknown strategy", "env: demo\nstrategies:\n  - strategy: nope\n", "line 3: strategies.0: unknown strategy"},
		{"missing parameter", "env: demo\nstrategies:\n  - strategy: buyhold\n", "symbol"},
		{"duplicate names", "env: demo\nstrategies:\n  - {strategy: buyhold, params: {symbol: ESM6}}\n  - {strategy: buyhold, params: {symbol: ESM6}}\n", "line 4: strategies.1.name"},
		{"env disagrees", "env: live\nconfirm_live: true\nrisk: r.yaml\nstrategies:\n  - {strategy: buyhold, params: {symbol: ESM6}}\n", "TRADOVATE_ENV is demo"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI("run", "-config", write("keel.yaml", tc.yaml))
			assert.NotEqual(t, 0, code)
			assert.Contains(t, stderr, tc.want)
		})
	}
	t.Setenv("TRADOVATE_PASSWORD", "")
	code, _, stderr := runCLI("run", "-strategy", "buyhold", "-p", "symbol=ESM6")
	assert.NotEqual(t, 0, code)
	assert.Contains(t, stderr, tradovate.KeyPassword, "a missing credential names its key")
}

func TestRunLiveNeedsConfirmation(t *testing.T) {
	sandboxEnv(t, "live")
	code, _, stderr := runCLI("run", "-strategy", "buyhold", "-p", "symbol=ESM6")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "-yes-live")
	t.Setenv("TRADOVATE_ENV", "")
	code, _, stderr = runCLI("run", "-strategy", "buyhold", "-p", "symbol=ESM6")
	assert.NotEqual(t, 0, code)
	assert.Contains(t, stderr, "env")
}

func TestExampleConfigParses(t *testing.T) {
	cfg, err := loadRunConfig(filepath.Join("..", "keel.example.yaml"))
	require.NoError(t, err)
	assert.Equal(t, "demo", cfg.Env)
	assert.Len(t, cfg.Strategies, 2)
	assert.Equal(t, "es_trend", cfg.Strategies[0].Name)
}
