package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue/cme"
)

// The tests in this file run `runner sim` the way clients that are not
// keel's use it: only URLs and credentials taken from its output.

// syncBuffer is an io.Writer safe to read while the command writes.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// simRun is a `runner sim` running in the background.
type simRun struct {
	info   simInfo
	stderr *syncBuffer
	cancel context.CancelFunc
	done   chan int
}

// startSim runs `runner sim -json args...` and reads its first line.
func startSim(t *testing.T, args ...string) *simRun {
	t.Helper()
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	r := &simRun{stderr: &syncBuffer{}, cancel: cancel, done: make(chan int, 1)}
	go func() {
		r.done <- run(ctx, append([]string{"sim", "-json"}, args...), pw, r.stderr)
		pw.Close()
	}()
	t.Cleanup(func() { r.stop(t) })
	line, err := bufio.NewReader(pr).ReadString('\n')
	require.NoError(t, err, r.stderr.String())
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	require.NoError(t, json.Unmarshal([]byte(line), &r.info), line)
	return r
}

// stop cancels the command (as Ctrl-C does) and returns its exit code.
func (r *simRun) stop(t *testing.T) int {
	t.Helper()
	r.cancel()
	select {
	case code := <-r.done:
		r.done <- code
		return code
	case <-time.After(10 * time.Second):
		t.Fatal("runner sim did not stop")
		return -1
	}
}

// simToken logs in with the printed credentials.
func simToken(t *testing.T, info simInfo) (access, md string) {
	t.Helper()
	c := info.Credentials
	body, _ := json.Marshal(map[string]any{
		"name": c.Name, "password": c.Password, "appId": c.AppID, "appVersion": c.AppVersion,
		"cid": c.CID, "sec": c.Sec, "deviceId": c.DeviceID,
	})
	resp, err := http.Post(info.REST["demo"]+"/auth/accesstokenrequest", "application/json", strings.NewReader(string(body)))
	require.NoError(t, err)
	defer resp.Body.Close()
	var tok struct {
		AccessToken   string `json:"accessToken"`
		MdAccessToken string `json:"mdAccessToken"`
		ErrorText     string `json:"errorText"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&tok))
	require.Empty(t, tok.ErrorText)
	require.NotEmpty(t, tok.AccessToken)
	return tok.AccessToken, tok.MdAccessToken
}

// wsClient is a bare Tradovate socket client.
type wsClient struct {
	t  *testing.T
	ws *websocket.Conn
}

func dialSim(t *testing.T, url string) *wsClient {
	t.Helper()
	ws, resp, err := websocket.DefaultDialer.Dial(url, nil)
	require.NoError(t, err)
	resp.Body.Close()
	t.Cleanup(func() { ws.Close() })
	c := &wsClient{t: t, ws: ws}
	require.Equal(t, "o", c.frame())
	return c
}

func (c *wsClient) frame() string {
	c.t.Helper()
	_ = c.ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, b, err := c.ws.ReadMessage()
	require.NoError(c.t, err)
	return string(b)
}

func (c *wsClient) send(endpoint string, id int, body string) {
	c.t.Helper()
	require.NoError(c.t, c.ws.WriteMessage(websocket.TextMessage, fmt.Appendf(nil, "%s\n%d\n\n%s", endpoint, id, body)))
}

// until reads frames until one contains want and returns it.
func (c *wsClient) until(want string) string {
	c.t.Helper()
	for {
		if f := c.frame(); strings.Contains(f, want) {
			return f
		}
	}
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// The printed credentials are typed as a client types them: sec and
// deviceId are UUIDs, the same on every run.
func TestSimCredentialsUUIDs(t *testing.T) {
	r := startSim(t)
	assert.Regexp(t, uuidRE, r.info.Credentials.Sec)
	assert.Regexp(t, uuidRE, r.info.Credentials.DeviceID)
	r2 := startSim(t)
	assert.Equal(t, r.info.Credentials, r2.info.Credentials)
}

// A client subscribing to a contract the data does not cover (the data is
// the ES front month) gets a synthetic market, not silence; it authorizes
// with the token JSON-quoted, as Tradovate's JS tutorial does.
func TestSimSynthesizesSubscribedContracts(t *testing.T) {
	r := startSim(t)
	_, mdTok := simToken(t, r.info)
	nq, err := cme.FrontMonth("NQ", time.Now())
	require.NoError(t, err)
	c := dialSim(t, r.info.WebSocket["md"])
	quoted, _ := json.Marshal(mdTok)
	c.send("authorize", 0, string(quoted))
	assert.Equal(t, `a[{"s":200,"i":0}]`, c.until(`"i":0`))
	c.send("md/subscribeQuote", 1, `{"symbol":"`+nq.String()+`"}`)
	resp := c.until(`"i":1`)
	assert.Contains(t, resp, `"s":200`)
	assert.Contains(t, resp, `"subscriptionId"`)
	var sub []struct {
		D struct {
			ID int64 `json:"subscriptionId"`
		} `json:"d"`
	}
	require.NoError(t, json.Unmarshal([]byte(strings.TrimPrefix(resp, "a")), &sub))
	f := c.until(fmt.Sprintf(`"contractId":%d`, sub[0].D.ID))
	assert.Contains(t, f, `"quotes"`)
	assert.Contains(t, f, `"Bid":{"price":`)
	assert.Equal(t, 0, r.stop(t))
}

// A bad row in a data file stops runner sim with the row's file and line,
// -v or not.
func TestSimBadDataExits(t *testing.T) {
	es, err := cme.FrontMonth("ES", time.Now())
	require.NoError(t, err)
	now := time.Now().UnixNano()
	path := filepath.Join(t.TempDir(), "bad.csv")
	rows := fmt.Sprintf("ts_utc_ns,symbol,bid,bid_size,ask,ask_size,last,last_size,side,action\n"+
		"%d,%s,5000,1,5000.25,1,,,,A\n%d,%s,5000,2,5000.25,1,,,,A\n%d,%s,oops,1,5000.25,1,,,,A\n",
		now, es, now+int64(time.Millisecond), es, now+int64(2*time.Millisecond), es)
	require.NoError(t, os.WriteFile(path, []byte(rows), 0o600))
	for _, args := range [][]string{{"-data", path}, {"-data", path, "-v"}} {
		pr, pw := io.Pipe()
		go func() { _, _ = io.Copy(io.Discard, pr) }()
		errOut := &syncBuffer{}
		done := make(chan int, 1)
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			done <- run(ctx, append([]string{"sim"}, args...), pw, errOut)
			pw.Close()
		}()
		select {
		case code := <-done:
			assert.Equal(t, 1, code, "%v: %s", args, errOut)
			assert.Contains(t, errOut.String(), "bad.csv:4:", args)
		case <-time.After(10 * time.Second):
			t.Errorf("%v: runner sim kept running after a bad row; stderr: %s", args, errOut)
			cancel()
			<-done
		}
		cancel()
	}
}

// -v logs each connection (service, open and close) and each request
// (endpoint, id, status), and never a token, password or secret.
func TestSimVerboseLogs(t *testing.T) {
	r := startSim(t, "-v")
	access, md := simToken(t, r.info)

	c := dialSim(t, r.info.WebSocket["demo"])
	c.send("authorize", 0, access)
	c.until(`"i":0`)
	c.send("account/list", 7, "")
	c.until(`"i":7`)
	c.send("nope/nothing", 8, "")
	c.until(`"i":8`)
	m := dialSim(t, r.info.WebSocket["md"])
	m.send("authorize", 1, md)
	m.until(`"i":1`)
	_ = c.ws.Close()
	_ = m.ws.Close()
	resp, err := http.Get(r.info.REST["demo"] + "/account/list")
	require.NoError(t, err)
	resp.Body.Close()

	has := func(parts ...string) func() bool {
		return func() bool {
			for _, line := range strings.Split(r.stderr.String(), "\n") {
				ok := true
				for _, p := range parts {
					ok = ok && strings.Contains(line, p)
				}
				if ok {
					return true
				}
			}
			return false
		}
	}
	for _, want := range [][]string{
		{"POST", "/demo/v1/auth/accesstokenrequest", "status=200"},
		{"GET", "/demo/v1/account/list", "status=401"},
		{"socket open", "service=demo"},
		{"socket open", "service=md"},
		{"endpoint=authorize", "id=0", "status=200", "service=demo"},
		{"endpoint=account/list", "id=7", "status=200"},
		{"endpoint=nope/nothing", "id=8", "status=404"},
		{"endpoint=authorize", "id=1", "status=200", "service=md"},
		{"socket closed", "service=demo"},
		{"socket closed", "service=md"},
	} {
		assert.Eventually(t, has(want...), 5*time.Second, 10*time.Millisecond, "no log line with %q in:\n%s", want, r.stderr)
	}
	assert.Equal(t, 0, r.stop(t))
	out := r.stderr.String()
	creds := r.info.Credentials
	for name, secret := range map[string]string{"accessToken": access, "mdAccessToken": md, "password": creds.Password, "sec": creds.Sec} {
		assert.NotContains(t, out, secret, "the log shows the %s", name)
	}
}
