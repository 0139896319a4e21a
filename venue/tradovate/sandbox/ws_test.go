package sandbox_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue/tradovate/sandbox"
)

// closed reads frames until the socket closes and returns the c[…] frame
// seen on the way ("" if none).
func closed(t *testing.T, c *client) string {
	t.Helper()
	last := ""
	for {
		f, err := c.frameOrClose(3 * time.Second)
		if err != nil {
			var ce *websocket.CloseError
			require.ErrorAs(t, err, &ce, "want a close, got %v", err)
			return last
		}
		if strings.HasPrefix(f, "c[") {
			last = f
		}
	}
}

func TestSocketProtocolErrors(t *testing.T) {
	s, _ := start(t)
	tok := login(t, s, s.Credentials())

	t.Run("requests before authorize", func(t *testing.T) {
		c := dial(t, s.WebSocketURL(sandbox.Demo))
		c.sendRaw("account/list\n1\n\n")
		assert.Equal(t, `a[{"s":401,"i":1,"d":"Access is denied"}]`, c.data())
		c.sendRaw("authorize\n2\n\n")
		assert.Equal(t, `a[{"s":401,"i":2,"d":"Invalid access token"}]`, c.data())
		c.sendRaw("authorize\n3\n\nnot-a-token")
		assert.Equal(t, `a[{"s":401,"i":3,"d":"Invalid access token"}]`, c.data())
		c.sendRaw("AUTHORIZE\n4\n\n" + tok.AccessToken)
		assert.Equal(t, `a[{"s":200,"i":4}]`, c.data())
	})

	c := dial(t, s.WebSocketURL(sandbox.Demo))
	c.authorize(tok.AccessToken)
	tests := []struct{ name, in, want string }{
		{"non-numeric id", "account/list\nabc\n\n", `a[{"s":400,"d":"Bad request: request id \"abc\" is not an integer"}]`},
		{"empty id", "account/list\n\n\n", `a[{"s":400,"d":"Bad request: request id \"\" is not an integer"}]`},
		{"empty endpoint", "\n5\n\n", `a[{"s":400,"d":"Bad request: empty endpoint; want <endpoint>\\n<id>\\n<query>\\n<body>"}]`},
		{"unknown endpoint", "foo/bar\n6\n\n", `a[{"s":404,"i":6,"d":"Not found: foo/bar"}]`},
		{"non-JSON body", "order/placeorder\n7\n\n{not json", ""},
		{"missing body", "order/cancelorder\n8\n\n", `a[{"s":400,"i":8,"d":"Bad request: order/cancelorder needs a JSON body"}]`},
		{"bad query", "order/item\n9\nid=x\n", `a[{"s":400,"i":9,"d":"Bad request: id=\"x\" is not an id"}]`},
		{"not found", "order/item\n10\nid=1\n", `a[{"s":404,"i":10,"d":"order 1 not found"}]`},
		{"second authorize, other session", "authorize\n11\n\n" + login(t, s, s.Credentials()).AccessToken, `a[{"s":400,"i":11,"d":"Already authorized: authorize once per connection"}]`},
		{"second authorize, same session", "authorize\n12\n\n" + tok.AccessToken, `a[{"s":200,"i":12}]`},
		{"heartbeat", "[]", ""},
	}
	for _, tt := range tests {
		c.sendRaw(tt.in)
		if tt.in == "[]" {
			continue
		}
		got := c.data()
		if tt.want == "" {
			assert.True(t, strings.HasPrefix(got, `a[{"s":400,"i":7,"d":"Bad request: invalid JSON body`), "%s: %s", tt.name, got)
			continue
		}
		assert.Equal(t, tt.want, got, tt.name)
	}
	// The connection survived all of it.
	assert.Equal(t, 200, c.call("account/list", "", nil).Status)

	t.Run("not the request protocol", func(t *testing.T) {
		c := dial(t, s.WebSocketURL(sandbox.Demo))
		c.sendRaw(`{"action":"login"}`)
		assert.Equal(t, `c[1000,"Bye"]`, closed(t, c))
	})
	t.Run("binary frame", func(t *testing.T) {
		c := dial(t, s.WebSocketURL(sandbox.Demo))
		require.NoError(t, c.ws.WriteMessage(websocket.BinaryMessage, []byte("account/list\n1\n\n")))
		assert.Equal(t, `c[1003,"Binary frames are not supported: send text requests"]`, closed(t, c))
	})
	t.Run("oversized frame", func(t *testing.T) {
		c := dial(t, s.WebSocketURL(sandbox.Demo))
		c.authorize(tok.AccessToken)
		c.sendRaw("order/placeorder\n1\n\n" + strings.Repeat("x", s.Config().MaxFrameBytes))
		assert.Equal(t, `c[1009,"Message too big"]`, closed(t, c))
	})
}

func TestSocketTimers(t *testing.T) {
	t.Run("heartbeats when idle", func(t *testing.T) {
		s, _ := start(t, sandbox.WithHeartbeat(40*time.Millisecond))
		c := dial(t, s.WebSocketURL(sandbox.MD))
		start := time.Now()
		for range 3 {
			assert.Equal(t, "h", c.frame())
		}
		assert.GreaterOrEqual(t, time.Since(start), 110*time.Millisecond)
	})
	t.Run("no heartbeat while data flows", func(t *testing.T) {
		s, _ := start(t, sandbox.WithHeartbeat(200*time.Millisecond))
		tok := login(t, s, s.Credentials())
		c := dial(t, s.WebSocketURL(sandbox.Demo))
		c.authorize(tok.AccessToken)
		for range 6 {
			time.Sleep(60 * time.Millisecond)
			c.send("account/list", "", nil)
			assert.NotEqual(t, "h", c.frame())
		}
	})
	t.Run("authorize timeout", func(t *testing.T) {
		s, _ := start(t, sandbox.WithHeartbeat(20*time.Millisecond), sandbox.WithConfig(func(c *sandbox.Config) { c.AuthorizeTimeout = 100 * time.Millisecond }))
		c := dial(t, s.WebSocketURL(sandbox.Demo))
		assert.Equal(t, `c[3000,"Authorization timeout: send authorize first"]`, closed(t, c))
	})
	t.Run("silent client", func(t *testing.T) {
		s, _ := start(t, sandbox.WithClientTimeout(150*time.Millisecond))
		tok := login(t, s, s.Credentials())
		c := dial(t, s.WebSocketURL(sandbox.Demo))
		c.authorize(tok.AccessToken)
		assert.Equal(t, `c[3000,"Heartbeat timeout: the client sent nothing, send [] every 2.5 s"]`, closed(t, c))
	})
	t.Run("heartbeating client stays", func(t *testing.T) {
		s, _ := start(t, sandbox.WithClientTimeout(150*time.Millisecond))
		tok := login(t, s, s.Credentials())
		c := dial(t, s.WebSocketURL(sandbox.Demo))
		c.authorize(tok.AccessToken)
		for range 8 {
			time.Sleep(50 * time.Millisecond)
			c.sendRaw("[]")
		}
		assert.Equal(t, 200, c.call("account/list", "", nil).Status)
	})
	t.Run("server close", func(t *testing.T) {
		s, _ := start(t)
		tok := login(t, s, s.Credentials())
		c := dial(t, s.WebSocketURL(sandbox.Demo))
		c.authorize(tok.AccessToken)
		require.NoError(t, s.Close())
		assert.Equal(t, `c[1001,"Server shutting down"]`, closed(t, c))
		assert.NoError(t, s.Close(), "Close is idempotent")
	})
}

func TestREST(t *testing.T) {
	s, _ := start(t)
	tok := login(t, s, s.Credentials())
	for _, method := range []string{"GET", "POST"} {
		for _, path := range []string{"account/list", "Account/List", "ACCOUNT/LIST"} {
			status, _ := rest(t, s, sandbox.Demo, method, path, tok.AccessToken, nil)
			assert.Equal(t, 200, status, method+" "+path)
		}
	}
	status, body := rest(t, s, sandbox.Demo, "GET", "nothing/here", tok.AccessToken, nil)
	assert.Equal(t, 404, status)
	assert.Equal(t, `"Not found: nothing/here"`, string(body))
	status, _ = rest(t, s, sandbox.Demo, "POST", "order/placeorder", tok.AccessToken, "{")
	assert.Equal(t, 400, status)
	status, _ = rest(t, s, sandbox.Demo, "POST", "order/placeorder", tok.AccessToken, strings.Repeat(" ", s.Config().MaxFrameBytes+1))
	assert.Equal(t, 413, status)
	status, body = rest(t, s, sandbox.Demo, "POST", "auth/accesstokenrequest", "", "")
	assert.Equal(t, 400, status, string(body))

	// The websocket URL follows Tradovate's rule, and plain HTTP to it is refused.
	assert.Equal(t, "ws"+strings.TrimPrefix(s.RESTURL(sandbox.Live), "http")+"/websocket", s.WebSocketURL(sandbox.Live))
	resp, err := s.Client().Get(s.RESTURL(sandbox.Demo) + "/websocket")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	resp, err = s.Client().Get(s.URL() + "/other/v1/account/list")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 404, resp.StatusCode)
	resp, err = s.Client().Get(s.AdminURL())
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
}

func TestConfigValidation(t *testing.T) {
	_, err := sandbox.New(sandbox.Config{Addr: "0.0.0.0:0"})
	assert.ErrorContains(t, err, "Config.Addr")
	_, err = sandbox.New(sandbox.Config{Users: []sandbox.UserConfig{{Name: "a"}}})
	assert.ErrorContains(t, err, "Config.Users[0].Password")
	_, err = sandbox.New(sandbox.Config{HeartbeatInterval: -time.Second, SendQueue: -1})
	assert.ErrorContains(t, err, "Config.HeartbeatInterval")
	assert.ErrorContains(t, err, "Config.SendQueue")
	u := sandbox.DefaultUser()
	_, err = sandbox.New(sandbox.Config{Users: []sandbox.UserConfig{u, u}})
	assert.ErrorContains(t, err, "duplicate")
	assert.NotContains(t, sandbox.DefaultUser().Password, "***")
	assert.NotContains(t, (sandbox.Credentials{Password: "pw", Sec: "sec"}).String(), "pw")
}

// The non-test constructor: New, ListenAndServe, Close.
func TestListenAndServe(t *testing.T) {
	s, err := sandbox.New(sandbox.Config{})
	require.NoError(t, err)
	done := make(chan error, 1)
	require.NoError(t, s.Listen())
	go func() { done <- s.ListenAndServe() }()
	url := s.URL()
	require.NotEmpty(t, url)
	var resp *http.Response
	require.Eventually(t, func() bool {
		resp, err = s.Client().Get(s.AdminURL())
		return err == nil
	}, 2*time.Second, 10*time.Millisecond)
	resp.Body.Close()
	require.NoError(t, s.Close())
	assert.NoError(t, <-done)
}
