package sandbox_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue/tradovate/sandbox"
	"github.com/keeltrade/keel/venue/tradovate/wire"
)

func marketOrder(acct int64) wire.PlaceOrder {
	return wire.PlaceOrder{AccountID: acct, Action: "Buy", Symbol: "ESM6", OrderQty: 1, OrderType: "Market", IsAutomated: true}
}

// On live, an unapproved device logs in and reads, but order entry is 401
// "Access is denied" until the device is approved. Demo does not care.
func TestLiveDeviceApproval(t *testing.T) {
	s, _ := start(t)
	creds := s.Credentials()
	creds.DeviceID = "new-laptop-0001"
	tok := login(t, s, creds)
	quote(t, s, "ESM6", "4800", "4800.25")

	// Demo: fine.
	status, body := rest(t, s, sandbox.Demo, "POST", "order/placeorder", tok.AccessToken, marketOrder(accountID(t, s, tok, sandbox.Demo)))
	require.Equal(t, 200, status)
	require.NoError(t, wire.Check(body))

	// Live: reads work, orders do not, over REST and the socket alike.
	live := accountID(t, s, tok, sandbox.Live)
	status, body = rest(t, s, sandbox.Live, "POST", "order/placeorder", tok.AccessToken, marketOrder(live))
	assert.Equal(t, 401, status)
	var se *wire.StatusError
	require.ErrorAs(t, wire.Decode(status, body, nil), &se)
	assert.Equal(t, "Access is denied", se.Text)

	c := dial(t, s.WebSocketURL(sandbox.Live))
	c.authorize(tok.AccessToken)
	c.nextID = 2
	c.send("order/placeorder", "", marketOrder(live))
	assert.Equal(t, `a[{"s":401,"i":2,"d":"Access is denied"}]`, c.data(), "the capture of community thread 4210")
	c.send("order/cancelorder", "", wire.CancelOrder{OrderID: 1})
	assert.Equal(t, 401, parseFrame(t, c.data())[0].Status)

	// The device waits for approval (the e-mail link); the admin endpoint approves it.
	pending := s.PendingDevices()
	require.Len(t, pending, 1)
	assert.Equal(t, "new-laptop-0001", pending[0].DeviceID)
	status, body = adminPost(t, s, "devices/approve", `{"name":"keeltest","deviceId":"new-laptop-0001"}`)
	require.Equal(t, 200, status, string(body))
	assert.Empty(t, s.PendingDevices())

	// The same session may trade now.
	m := c.call("order/placeorder", "", marketOrder(live))
	assert.Equal(t, 200, m.Status)
	assert.NotZero(t, decode[wire.PlaceOrderResult](t, m).OrderID)

	// A numeric deviceId (community thread 4210) logs in but can never trade live.
	status, body = rest(t, s, sandbox.Live, "POST", "auth/accesstokenrequest", "",
		`{"name":"keeltest","password":"keel-sandbox-password","cid":8,"sec":"4a3ae950-193e-5792-ad13-c3cafb6ecc05","deviceId":12345}`)
	require.Equal(t, 200, status)
	var nt wire.AccessTokenResponse
	require.NoError(t, wire.Decode(status, body, &nt))
	require.NoError(t, s.ApproveDevice("keeltest", "12345"))
	status, _ = rest(t, s, sandbox.Live, "POST", "order/placeorder", nt.AccessToken, marketOrder(live))
	assert.Equal(t, 401, status)
}

func adminPost(t testing.TB, s *sandbox.Server, path, body string) (int, []byte) {
	t.Helper()
	resp, err := s.Client().Post(s.AdminURL()+"/"+path, "application/json", stringsReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := readAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, b
}

// API-key permissions, outdated terms and market-data entitlement.
func TestLiveEntitlements(t *testing.T) {
	u := sandbox.DefaultUser()
	u.Permissions = map[sandbox.Domain]sandbox.Access{
		sandbox.DomainAccounting: sandbox.Full, sandbox.DomainOrders: sandbox.ReadOnly, sandbox.DomainUsers: sandbox.Full,
	}
	u.OutdatedTaC = true
	u.HasMarketData = false
	s, _ := start(t, sandbox.WithUsers(u))
	tok := login(t, s, s.Credentials())
	assert.True(t, tok.OutdatedTaC)
	assert.False(t, tok.HasMarketData)
	live := accountID(t, s, tok, sandbox.Live)

	status, _ := rest(t, s, sandbox.Live, "GET", "order/list", tok.AccessToken, nil)
	assert.Equal(t, 200, status, "read-only Orders may list")
	status, _ = rest(t, s, sandbox.Live, "POST", "order/placeorder", tok.AccessToken, marketOrder(live))
	assert.Equal(t, 401, status, "read-only Orders may not place")
	status, _ = rest(t, s, sandbox.Live, "GET", "position/list", tok.AccessToken, nil)
	assert.Equal(t, 401, status, "Positions not granted")
	status, _ = rest(t, s, sandbox.Live, "GET", "contract/find?name=ESM6", tok.AccessToken, nil)
	assert.Equal(t, 401, status, "ContractLibrary not granted")

	// Demo enforces none of it.
	quote(t, s, "ESM6", "4800", "4800.25")
	status, body := rest(t, s, sandbox.Demo, "POST", "order/placeorder", tok.AccessToken, marketOrder(accountID(t, s, tok, sandbox.Demo)))
	assert.Equal(t, 200, status)
	assert.NoError(t, wire.Check(body))

	// hasMarketData false: md subscriptions are denied, whatever serves them.
	c := dial(t, s.WebSocketURL(sandbox.MD))
	c.authorize(tok.MdAccessToken)
	c.nextID = 5
	c.send("md/subscribeQuote", "", `{"symbol":"ESM6"}`)
	assert.Equal(t, `a[{"s":401,"i":5,"d":"Access is denied"}]`, c.data())
	s.Handle("md/subscribeQuote", sandbox.Route{Handler: func(c *sandbox.Call) { c.Reply(200, nil) }}, sandbox.MD)
	c.send("md/subscribeQuote", "", `{"symbol":"ESM6"}`)
	assert.Equal(t, `a[{"s":401,"i":6,"d":"Access is denied"}]`, c.data())
}

// Terms block live orders for a user with full permissions too.
func TestLiveOutdatedTerms(t *testing.T) {
	u := sandbox.DefaultUser()
	u.OutdatedLiquidationPolicy = true
	s, _ := start(t, sandbox.WithUsers(u))
	tok := login(t, s, s.Credentials())
	assert.True(t, tok.OutdatedLiquidationPolicy)
	status, _ := rest(t, s, sandbox.Live, "POST", "order/placeorder", tok.AccessToken, marketOrder(accountID(t, s, tok, sandbox.Live)))
	assert.Equal(t, 401, status)
}

// A third login evicts the oldest session: its sockets get a shutdown
// event with ConnectionQuotaReached and close, its token stops working.
func TestSessionCapEviction(t *testing.T) {
	s, _ := start(t)
	first := login(t, s, s.Credentials())
	c := dial(t, s.WebSocketURL(sandbox.Demo))
	c.authorize(first.AccessToken)
	md := dial(t, s.WebSocketURL(sandbox.MD))
	md.authorize(first.MdAccessToken)

	second := login(t, s, s.Credentials())
	require.Len(t, s.Sessions("keeltest"), 2)
	c2 := dial(t, s.WebSocketURL(sandbox.Demo))
	c2.authorize(second.AccessToken)

	third := login(t, s, s.Credentials())
	require.Len(t, s.Sessions("keeltest"), 2)

	for _, cl := range []*client{c, md} {
		assert.Equal(t, `a[{"e":"shutdown","d":{"reasonCode":"ConnectionQuotaReached"}}]`, cl.data())
		assert.Equal(t, `c[3000,"ConnectionQuotaReached"]`, cl.data())
		_, err := cl.frameOrClose(2 * time.Second)
		assert.Error(t, err, "the socket closes")
	}

	status, body := rest(t, s, sandbox.Demo, "GET", "account/list", first.AccessToken, nil)
	assert.Equal(t, 401, status)
	assert.Contains(t, string(body), "newer login")
	for _, tok := range []string{second.AccessToken, third.AccessToken} {
		status, _ = rest(t, s, sandbox.Demo, "GET", "account/list", tok, nil)
		assert.Equal(t, 200, status)
	}
	// The second session's socket is untouched.
	c2.nextID = 9
	assert.Equal(t, 200, c2.call("account/list", "", nil).Status)
	// An evicted token cannot authorize a new socket.
	c3 := dial(t, s.WebSocketURL(sandbox.Demo))
	c3.sendRaw("authorize\n0\n\n" + first.AccessToken)
	assert.Equal(t, 401, parseFrame(t, c3.data())[0].Status)
}

// Repeated failed logins lock the user out with a captcha penalty; a burst
// of logins gets a ticket, honoured on retry once p-time has passed.
func TestPenaltyFlow(t *testing.T) {
	s, clock := start(t, sandbox.WithConfig(func(c *sandbox.Config) {
		c.Penalty = sandbox.PenaltyConfig{FailedLogins: 3, Lockout: time.Hour, Burst: 4, BurstWindow: time.Minute, Wait: 7 * time.Second}
	}))
	post := func(req wire.AccessTokenRequest) []byte {
		t.Helper()
		status, body := rest(t, s, sandbox.Demo, "POST", "auth/accesstokenrequest", "", req)
		require.Equal(t, 200, status, "failures and penalties are HTTP 200")
		return body
	}

	// Burst: four requests pass, the fifth is penalised without captcha.
	good := s.Credentials().Request()
	for range 4 {
		require.NoError(t, wire.Check(post(good)))
	}
	body := post(good)
	var pe *wire.PenaltyError
	require.ErrorAs(t, wire.Check(body), &pe)
	assert.Equal(t, keys(t, []byte(`{"p-ticket":"x","p-time":7}`)), keys(t, body))
	assert.Equal(t, 7*time.Second, pe.Wait)
	assert.False(t, pe.Captcha)

	// Retrying too early keeps the penalty, with the time left.
	retry := good
	retry.PTicket = pe.Ticket
	clock.Advance(3 * time.Second)
	var again *wire.PenaltyError
	require.ErrorAs(t, wire.Check(post(retry)), &again)
	assert.Equal(t, pe.Ticket, again.Ticket)
	assert.Equal(t, 4*time.Second, again.Wait)

	// After p-time, the same request with the ticket goes through.
	clock.Advance(4 * time.Second)
	var ok wire.AccessTokenResponse
	require.NoError(t, wire.Decode(200, post(retry), &ok))
	assert.NotEmpty(t, ok.AccessToken)
	// A ticket is good once.
	require.ErrorAs(t, wire.Check(post(retry)), &pe)

	// Failed logins: two errorTexts, then the third locks with a captcha.
	clock.Advance(2 * time.Minute)
	bad := good
	bad.Password = "wrong"
	for range 2 {
		var ae *wire.APIError
		body := post(bad)
		require.ErrorAs(t, wire.Check(body), &ae)
		assert.Contains(t, ae.Text, "Incorrect username or password")
		assert.Equal(t, []string{"errorText"}, keys(t, body), "a failed login carries errorText and no token")
	}
	body = post(bad)
	require.ErrorAs(t, wire.Check(body), &pe)
	assert.True(t, pe.Captcha)
	assert.Equal(t, time.Hour, pe.Wait)
	assert.Equal(t, keys(t, []byte(`{"p-ticket":"encrypted_penalty_token_here","p-time":60,"p-captcha":true}`)), keys(t, body), "F-17")

	// Locked: the right password does not help, nor does the captcha ticket.
	require.ErrorAs(t, wire.Check(post(good)), &pe)
	assert.True(t, pe.Captcha)
	retry = good
	retry.PTicket = pe.Ticket
	require.ErrorAs(t, wire.Check(post(retry)), &pe)
	assert.True(t, pe.Captcha)

	// An hour later the lock is gone.
	clock.Advance(time.Hour + time.Second)
	require.NoError(t, wire.Decode(200, post(good), &ok))

	// The API key must match.
	clock.Advance(2 * time.Minute)
	wrongKey := good
	wrongKey.Sec = "nope"
	var ae *wire.APIError
	require.ErrorAs(t, wire.Check(post(wrongKey)), &ae)
}

// Tokens last 90 minutes: REST answers 401 after that, an authorized
// socket stays open, renewal gives a new token with a later expiry.
func TestTokenExpiryAndRenewal(t *testing.T) {
	s, clock := start(t)
	tok := login(t, s, s.Credentials())
	c := dial(t, s.WebSocketURL(sandbox.Demo))
	c.authorize(tok.AccessToken)

	clock.Advance(75 * time.Minute)
	status, body := rest(t, s, sandbox.Demo, "GET", "auth/renewAccessToken", tok.AccessToken, nil)
	require.Equal(t, 200, status)
	var renewed wire.AccessTokenResponse
	require.NoError(t, wire.Decode(status, body, &renewed))
	assert.NotEqual(t, tok.AccessToken, renewed.AccessToken)
	assert.True(t, renewed.ExpirationTime.After(tok.ExpirationTime.Time))
	assert.Equal(t, clock.Now().Add(90*time.Minute).UTC(), renewed.ExpirationTime.UTC())
	assert.Empty(t, renewed.MdAccessToken)
	require.Len(t, s.Sessions("keeltest"), 1, "renewal extends the session, it does not add one")

	clock.Advance(16 * time.Minute) // the first token is 91 minutes old
	status, body = rest(t, s, sandbox.Demo, "GET", "account/list", tok.AccessToken, nil)
	assert.Equal(t, 401, status)
	var se *wire.StatusError
	require.ErrorAs(t, wire.Decode(status, body, nil), &se)
	assert.Equal(t, "Expired access token", se.Text)
	status, _ = rest(t, s, sandbox.Demo, "GET", "account/list", renewed.AccessToken, nil)
	assert.Equal(t, 200, status)

	// The socket authorized with the old token keeps working…
	assert.Equal(t, 200, c.call("account/list", "", nil).Status)
	// …and can renew over the socket.
	m := c.call("auth/renewaccesstoken", "", nil)
	assert.NotEmpty(t, decode[wire.AccessTokenResponse](t, m).AccessToken)
	// A new socket cannot authorize with the expired token.
	c2 := dial(t, s.WebSocketURL(sandbox.Demo))
	c2.sendRaw("authorize\n0\n\n" + tok.AccessToken)
	assert.Equal(t, `a[{"s":401,"i":0,"d":"Expired access token"}]`, c2.data())

	// Unknown tokens and missing headers.
	status, _ = rest(t, s, sandbox.Demo, "GET", "account/list", "garbage", nil)
	assert.Equal(t, 401, status)
	status, _ = rest(t, s, sandbox.Demo, "GET", "account/list", "", nil)
	assert.Equal(t, 401, status)
	status, body = rest(t, s, sandbox.Demo, "GET", "auth/me", renewed.AccessToken, nil)
	require.Equal(t, 200, status)
	var me wire.MeResponse
	require.NoError(t, json.Unmarshal(body, &me))
	assert.Equal(t, "keeltest", me.Name)
}

// Rate limits answer 429 with an empty body over REST and {"s":429,"i":id}
// over the socket.
func TestRateLimit(t *testing.T) {
	s, clock := start(t, sandbox.WithConfig(func(c *sandbox.Config) {
		c.Demo = &sandbox.Rules{RateLimit: sandbox.RateLimit{PerSecond: 3}}
	}))
	tok := login(t, s, s.Credentials())
	for range 3 {
		status, _ := rest(t, s, sandbox.Demo, "GET", "account/list", tok.AccessToken, nil)
		require.Equal(t, 200, status)
	}
	status, body := rest(t, s, sandbox.Demo, "GET", "account/list", tok.AccessToken, nil)
	assert.Equal(t, 429, status)
	assert.Empty(t, body)
	c := dial(t, s.WebSocketURL(sandbox.Demo))
	c.authorize(tok.AccessToken)
	c.nextID = 7
	c.send("account/list", "", nil)
	assert.Equal(t, `a[{"s":429,"i":7}]`, c.data())
	clock.Advance(time.Second)
	assert.Equal(t, 200, c.call("account/list", "", nil).Status)
}
