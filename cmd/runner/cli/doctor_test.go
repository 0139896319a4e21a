package cli

import (
	"context"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue/tradovate"
	"github.com/keeltrade/keel/venue/tradovate/sandbox"
)

// doctorSandbox starts a sandbox that quotes every contract and takes
// orders at any hour, and points the TRADOVATE_* variables at env on it.
// The device-id file goes to a temporary config directory.
func doctorSandbox(t *testing.T, env string) *sandbox.Server {
	t.Helper()
	s := sandbox.Start(t, sandbox.WithConfig(func(c *sandbox.Config) {
		c.IgnoreSessions = true
		c.Market.Synthesize = &sandbox.SyntheticMarket{Seed: 1, Interval: 10 * time.Millisecond}
	}))
	svc := sandbox.Demo
	if env == "live" {
		svc = sandbox.Live
	}
	u := sandbox.DefaultUser()
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	t.Setenv("HOME", dir)
	for k, v := range map[string]string{
		tradovate.KeyEnv: env, tradovate.KeyName: u.Name, tradovate.KeyPassword: u.Password,
		tradovate.KeyCID: strconv.FormatInt(u.CID, 10), tradovate.KeySec: u.Sec,
		tradovate.KeyAppID: "", tradovate.KeyAppVersion: "", tradovate.KeyDeviceID: "",
		tradovate.KeyURL: s.RESTURL(svc), tradovate.KeyWSURL: s.WebSocketURL(svc),
		tradovate.KeyMDURL: s.WebSocketURL(sandbox.MD), tradovate.KeyReplayURL: s.WebSocketURL(sandbox.Replay),
	} {
		t.Setenv(k, v)
	}
	return s
}

// assertNoSecrets checks the command's output for the sandbox user's
// password and API secret, and the other values given.
func assertNoSecrets(t *testing.T, out string, more ...string) {
	t.Helper()
	u := sandbox.DefaultUser()
	for _, s := range append([]string{u.Password, u.Sec}, more...) {
		assert.NotContains(t, out, s, "a secret in the output")
	}
}

// checkRow finds a check's row in the table: its status.
func checkRow(t *testing.T, out, name string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^\d+\s+(PASS|WARN|FAIL|SKIP)\s+` + regexp.QuoteMeta(name) + `\s`).FindStringSubmatch(out)
	require.NotNil(t, m, "no row for %s in\n%s", name, out)
	return m[1]
}

func sandboxOrders(t *testing.T) int {
	t.Helper()
	cfg, err := tradovate.LoadConfig("", nil)
	require.NoError(t, err)
	var orders []struct {
		ID int64 `json:"id"`
	}
	a := tradovate.NewAuth(cfg, sandbox.DefaultDeviceID, tradovate.AuthOptions{})
	require.NoError(t, a.REST(context.Background(), "GET", "order/list", "", nil, &orders))
	return len(orders)
}

func TestDoctorDemo(t *testing.T) {
	doctorSandbox(t, "demo")
	code, out, errOut := runCLI("doctor", "-test-order")
	require.Equal(t, 0, code, "%s\n%s", out, errOut)
	for _, name := range tradovate.CheckNames {
		assert.Equal(t, "PASS", checkRow(t, out, name), name)
	}
	assert.Contains(t, out, "OK: 12 passed, 0 warned, 0 failed, 0 skipped")
	assert.Contains(t, out, "Accepted in")
	assert.Contains(t, out, "TRADOVATE_PASSWORD (environment)", "which keys are set, and where")
	assert.Empty(t, errOut)
	assertNoSecrets(t, out+errOut)
	assert.Equal(t, 1, sandboxOrders(t), "the test order, cancelled")
}

func TestDoctorJSON(t *testing.T) {
	doctorSandbox(t, "demo")
	code, out, errOut := runCLI("doctor", "-json")
	require.Equal(t, 0, code, "%s\n%s", out, errOut)
	var rep tradovate.Report
	dec := json.NewDecoder(strings.NewReader(out))
	require.NoError(t, dec.Decode(&rep), out)
	assert.False(t, dec.More(), "one JSON object and nothing else")
	require.Len(t, rep.Checks, len(tradovate.CheckNames))
	assert.Equal(t, tradovate.Demo, rep.Env)
	assert.NotEmpty(t, rep.DeviceID)
	test, _ := rep.Check(tradovate.CheckTestOrder)
	assert.Equal(t, tradovate.StatusSkip, test.Status, "not asked")
	assert.Equal(t, 0, sandboxOrders(t))
	assertNoSecrets(t, out+errOut)
}

// The live 401 of an unapproved device: the report names the device id
// and how to approve it; approved, the same command passes.
func TestDoctorLiveUnapprovedDevice(t *testing.T) {
	s := doctorSandbox(t, "live")
	code, out, errOut := runCLI("doctor", "-test-order", "-yes-live")
	require.Equal(t, 1, code, "%s\n%s", out, errOut)
	assert.Equal(t, "FAIL", checkRow(t, out, tradovate.CheckTestOrder))
	assert.Contains(t, errOut, "checks failed: test-order")
	pending := s.PendingDevices()
	require.Len(t, pending, 1)
	dev := pending[0].DeviceID
	assert.Contains(t, out, "device id "+dev)
	assert.Regexp(t, `(?s)test-order.*401 Access is denied.*`+regexp.QuoteMeta(dev)+`.*approve it`, out)
	assertNoSecrets(t, out+errOut)

	require.NoError(t, s.ApproveDevice(pending[0].User, dev))
	code, out, errOut = runCLI("doctor", "-test-order", "-yes-live")
	require.Equal(t, 0, code, "%s\n%s", out, errOut)
	assert.Equal(t, "PASS", checkRow(t, out, tradovate.CheckTestOrder))
	assert.Contains(t, out, "device id "+dev, "the same id")
}

func TestDoctorLiveOrderNeedsYesLive(t *testing.T) {
	doctorSandbox(t, "live")
	code, out, errOut := runCLI("doctor", "-test-order")
	require.Equal(t, 1, code, "a refused test order is a failure: nothing was proven\n%s\n%s", out, errOut)
	assert.Equal(t, "FAIL", checkRow(t, out, tradovate.CheckTestOrder))
	assert.Contains(t, out, "refused on live without -yes-live")
	assert.Contains(t, out, "nothing was placed")
	assert.Equal(t, 0, sandboxOrders(t), "no order reached the venue")
}

func TestDoctorWrongPassword(t *testing.T) {
	doctorSandbox(t, "demo")
	t.Setenv(tradovate.KeyPassword, "wrong-password-123")
	code, out, errOut := runCLI("doctor", "-test-order")
	require.Equal(t, 1, code, "%s\n%s", out, errOut)
	assert.Equal(t, "FAIL", checkRow(t, out, tradovate.CheckToken))
	assert.Contains(t, out, "Incorrect username or password")
	assert.Contains(t, out, "fix: check TRADOVATE_NAME and TRADOVATE_PASSWORD")
	for _, name := range []string{tradovate.CheckUser, tradovate.CheckAccounts, tradovate.CheckQuote, tradovate.CheckTokenExpiry, tradovate.CheckTestOrder} {
		assert.Equal(t, "SKIP", checkRow(t, out, name), name)
	}
	assert.Contains(t, errOut, "checks failed: token")
	assertNoSecrets(t, out+errOut, "wrong-password-123")
}

func TestDoctorBadSettings(t *testing.T) {
	doctorSandbox(t, "demo")
	t.Setenv(tradovate.KeyURL, "https://demo-api-d.tradovate.com/v1")
	code, out, errOut := runCLI("doctor")
	assert.Equal(t, 2, code, "%s\n%s", out, errOut)
	assert.Equal(t, "FAIL", checkRow(t, out, tradovate.CheckURLs))
	assert.Contains(t, out, "TRADOVATE_URL: https://demo-api-d.tradovate.com/v1: deprecated host; use demo.tradovateapi.com")
	assert.Equal(t, "SKIP", checkRow(t, out, tradovate.CheckToken))
	assert.Contains(t, errOut, "the settings are wrong")

	code, out, _ = runCLI("doctor", "-json")
	assert.Equal(t, 2, code)
	var rep tradovate.Report
	require.NoError(t, json.Unmarshal([]byte(out), &rep), out)
	c, _ := rep.Check(tradovate.CheckURLs)
	assert.Equal(t, tradovate.StatusFail, c.Status)
	assertNoSecrets(t, out)

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"doctor", "-nope"}, "-nope"},
		{[]string{"doctor", "-yes-live"}, "-yes-live confirms -test-order"},
		{[]string{"doctor", "extra"}, `unexpected argument "extra"`},
		{[]string{"doctor", "-config", filepath.Join(t.TempDir(), "missing.yaml")}, "the settings are wrong"},
	} {
		code, _, errOut := runCLI(tt.args...)
		assert.Equal(t, 2, code, "%v: %s", tt.args, errOut)
		assert.Contains(t, errOut, tt.want, tt.args)
	}
	code, out, _ = runCLI("help")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "doctor")
}
