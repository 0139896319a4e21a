package sandbox_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue/tradovate/sandbox"
	"github.com/keeltrade/keel/venue/tradovate/wire"
)

// The tests in this file pin behaviour that clients written against the
// real Tradovate (not keel's adapter) rely on.

// authorize takes the token raw (the documented form) or JSON-quoted, as
// Tradovate's own JS tutorial (JSON.stringify(token)) and a public Go
// client (a JSON encoder) send it, on every socket.
func TestAuthorizeQuotedToken(t *testing.T) {
	s, _ := start(t)
	tok := login(t, s, s.Credentials())
	quoted := func(s string) string {
		b, err := json.Marshal(s)
		require.NoError(t, err)
		return string(b)
	}
	for _, tc := range []struct {
		name  string
		svc   sandbox.Service
		token string
	}{
		{"demo", sandbox.Demo, tok.AccessToken},
		{"live", sandbox.Live, tok.AccessToken},
		{"md access token", sandbox.MD, tok.AccessToken},
		{"md token", sandbox.MD, tok.MdAccessToken},
		{"replay", sandbox.Replay, tok.MdAccessToken},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, body := range []string{tc.token, quoted(tc.token), quoted(tc.token) + "\n", " " + quoted(tc.token)} {
				c := dial(t, s.WebSocketURL(tc.svc))
				m := c.call("authorize", "", body)
				assert.Equal(t, 200, m.Status, "body %q: %s", body, m.Data)
				assert.Nil(t, m.Data)
				if m.Status == 200 && tc.svc != sandbox.MD {
					assert.Equal(t, 200, c.call("account/list", "", nil).Status, "authorized for real")
				}
			}
		})
	}
	// Quoting does not make a bad token good, and a broken quote is no token.
	c := dial(t, s.WebSocketURL(sandbox.Demo))
	for _, body := range []string{`"not-a-token"`, `"` + tok.AccessToken, `""`, `"\u0000"`} {
		m := c.call("authorize", "", body)
		assert.Equal(t, 401, m.Status, body)
		assert.JSONEq(t, `"Invalid access token"`, string(m.Data), body)
	}
	// The md token stays off the trading sockets, quoted or not.
	m := c.call("authorize", "", quoted(tok.MdAccessToken))
	assert.Equal(t, 401, m.Status)
}

var uuidShape = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// The ready-made credentials' sec and deviceId are UUIDs (clients type
// them so), the same on every run, and they log in.
func TestDefaultCredentialsAreUUIDs(t *testing.T) {
	u := sandbox.DefaultUser()
	assert.Regexp(t, uuidShape, u.Sec)
	assert.Regexp(t, uuidShape, u.DeviceID)
	assert.NotEqual(t, u.Sec, u.DeviceID)
	assert.Equal(t, u, sandbox.DefaultUser(), "deterministic")

	s, _ := start(t)
	creds := s.Credentials()
	assert.Equal(t, u.Sec, creds.Sec)
	assert.Equal(t, u.DeviceID, creds.DeviceID)
	assert.NotContains(t, creds.String(), u.Sec, "sec stays redacted")
	login(t, s, creds)
	assert.Empty(t, s.PendingDevices(), "the default device is approved")
}

// lockedBuffer is a log destination safe for the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// At debug level the server logs every socket and request — and no
// token, password or secret, whatever the client sends where.
func TestDebugLogsNoSecrets(t *testing.T) {
	var out lockedBuffer
	s, _ := start(t, sandbox.WithLogger(slog.New(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	creds := s.Credentials()
	tok := login(t, s, creds)
	bad := creds
	bad.Password = "wrong-" + creds.Password
	status, _ := rest(t, s, sandbox.Demo, "POST", "auth/accesstokenrequest", "", bad.Request())
	require.Equal(t, 200, status)

	c := dial(t, s.WebSocketURL(sandbox.Demo))
	c.authorize(`"` + tok.AccessToken + `"`)
	renewed := decode[wire.AccessTokenResponse](t, c.call("auth/renewaccesstoken", "", nil))
	require.NotEmpty(t, renewed.AccessToken)
	assert.Equal(t, 404, c.call("nope/nothing", "", nil).Status)
	c.sendRaw("account/list\nx\n\n")
	c.data()
	m := dial(t, s.WebSocketURL(sandbox.MD))
	m.authorize(tok.MdAccessToken)
	status, _ = rest(t, s, sandbox.Demo, "GET", "account/list?token="+tok.AccessToken, renewed.AccessToken, nil)
	require.Equal(t, 200, status)
	status, _ = rest(t, s, sandbox.Demo, "GET", "account/list", "not-"+tok.AccessToken, nil)
	require.Equal(t, 401, status)
	_ = c.ws.Close()
	_ = m.ws.Close()

	require.Eventually(t, func() bool { return strings.Count(out.String(), "sandbox: socket closed") == 2 }, 5*time.Second, 5*time.Millisecond, out.String())
	log := out.String()
	for _, want := range []string{
		`msg="sandbox: socket open" service=demo`, `msg="sandbox: socket open" service=md`,
		`endpoint=authorize id=1 status=200`, `endpoint=auth/renewaccesstoken id=2 status=200`, `endpoint=nope/nothing id=3 status=404`,
		`msg="sandbox: request" service=demo`, `status=400`,
		`method=POST path=/demo/v1/auth/accesstokenrequest status=200`, `method=GET path=/demo/v1/account/list status=401`,
		`msg="sandbox: socket closed" service=demo`, `user=keeltest`,
	} {
		assert.Contains(t, log, want)
	}
	for name, secret := range map[string]string{
		"password": creds.Password, "sec": creds.Sec, "accessToken": tok.AccessToken,
		"mdAccessToken": tok.MdAccessToken, "renewed token": renewed.AccessToken,
	} {
		assert.NotContains(t, log, secret, "the log shows the %s", name)
	}
}
