package sandbox_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue/tradovate/sandbox"
	"github.com/keeltrade/keel/venue/tradovate/wire"
)

// The tests in this file replay the reference's fixtures (F-1 … F-25):
// the documented request goes in, the documented shape must come out.

// F-1: the token response has exactly the fields of Tradovate's example.
func TestConformanceF1TokenResponse(t *testing.T) {
	s, clock := start(t)
	status, body := rest(t, s, sandbox.Demo, "POST", "auth/accesstokenrequest", "", s.Credentials().Request())
	require.Equal(t, 200, status)
	const f1 = `{"accessToken":"<your access token response here>","mdAccessToken":"<your md access token response here>","expirationTime":"2021-06-15T15:40:30.056Z","userStatus":"Active","userId":15460,"name":"alennert02","hasLive":true,"outdatedTaC":false,"hasFunded":true,"hasMarketData":true,"outdatedLiquidationPolicy":false}`
	assert.Equal(t, keys(t, []byte(f1)), keys(t, body))
	var r wire.AccessTokenResponse
	require.NoError(t, wire.Decode(status, body, &r))
	assert.Equal(t, clock.Now().Add(90*time.Minute).UTC(), r.ExpirationTime.UTC())
	assert.Equal(t, "Active", r.UserStatus)
	assert.NotEqual(t, r.AccessToken, r.MdAccessToken)

	// Field order as in F-1, so the bytes line up with the example.
	order := []string{"accessToken", "mdAccessToken", "expirationTime", "userStatus", "userId", "name", "hasLive", "outdatedTaC", "hasFunded", "hasMarketData", "outdatedLiquidationPolicy"}
	last := -1
	for _, k := range order {
		i := strings.Index(string(body), `"`+k+`"`)
		require.Greater(t, i, last, k)
		last = i
	}

	// cid as a number (all official samples) or a numeric string (the
	// generated C# client): both log in.
	for _, body := range []string{
		`{"name":"keeltest","password":"keel-sandbox-password","appId":"keel","appVersion":"1.0","cid":8,"sec":"4a3ae950-193e-5792-ad13-c3cafb6ecc05","deviceId":"d1"}`,
		`{"name":"keeltest","password":"keel-sandbox-password","appId":"keel","appVersion":"1.0","cid":"8","sec":"4a3ae950-193e-5792-ad13-c3cafb6ecc05","deviceId":"d1"}`,
	} {
		status, out := rest(t, s, sandbox.Live, "POST", "auth/accessTokenRequest", "", body)
		require.Equal(t, 200, status)
		assert.NoError(t, wire.Check(out), string(out))
	}
}

// F-2, F-23: account/list.
func TestConformanceF2AccountList(t *testing.T) {
	s, _ := start(t)
	tok := login(t, s, s.Credentials())
	for _, svc := range []sandbox.Service{sandbox.Demo, sandbox.Live} {
		status, body := rest(t, s, svc, "GET", "account/list", tok.AccessToken, nil)
		require.Equal(t, 200, status)
		var raw []json.RawMessage
		require.NoError(t, json.Unmarshal(body, &raw))
		require.Len(t, raw, 1)
		f2 := keys(t, []byte(`{"id":33,"name":"X0314","userId":90,"accountType":"Customer","active":true,"clearingHouseId":1,"riskCategoryId":5,"autoLiqProfileId":1,"marginAccountType":"Speculator","legalStatus":"Individual","timestamp":"2019-08-24T14:15:22Z"}`))
		assert.Equal(t, f2, keys(t, raw[0]))
	}
	// Demo and live are separate back-ends: ids differ.
	_, d := rest(t, s, sandbox.Demo, "GET", "account/list", tok.AccessToken, nil)
	_, l := rest(t, s, sandbox.Live, "GET", "account/list", tok.AccessToken, nil)
	var da, la []wire.Account
	require.NoError(t, json.Unmarshal(d, &da))
	require.NoError(t, json.Unmarshal(l, &la))
	assert.NotEqual(t, da[0].ID, la[0].ID)
	status, _ := rest(t, s, sandbox.Live, "GET", "account/item?id="+itoa(da[0].ID), tok.AccessToken, nil)
	assert.Equal(t, 404, status, "a demo id is unknown on live")
}

// F-3, F-4: a response frame carrying an entity.
func TestConformanceF3F4ResponseFrame(t *testing.T) {
	s, clock := start(t)
	clock.Set(time.Date(2016, 11, 3, 15, 0, 0, 0, time.UTC))
	tok := login(t, s, s.Credentials())
	c := dial(t, s.WebSocketURL(sandbox.Demo))
	c.authorize(tok.AccessToken)
	c.nextID = 23
	c.send("contract/find", "name=CLZ6", nil)
	f := c.data()
	assert.True(t, strings.HasPrefix(f, `a[{"s":200,"i":23,"d":{"id":`), f)
	msgs := parseFrame(t, f)
	con := decode[wire.Contract](t, msgs[0])
	assert.Equal(t, "CLZ6", con.Name)
	assert.NotZero(t, con.ContractMaturityID)
	c.nextID = 26
	m := c.call("contract/item", "id="+itoa(con.ID), nil)
	assert.Equal(t, con, decode[wire.Contract](t, m))
}

// F-5: the documented request texts, sent verbatim.
func TestConformanceF5RequestTexts(t *testing.T) {
	s, clock := start(t)
	clock.Set(time.Date(2016, 10, 3, 15, 0, 0, 0, time.UTC))
	tok := login(t, s, s.Credentials())
	c := dial(t, s.WebSocketURL(sandbox.Demo))

	c.sendRaw("authorize\n2\n\n" + tok.AccessToken)
	assert.Equal(t, `a[{"s":200,"i":2}]`, c.data())

	c.sendRaw("executionReport/list\n4\n\n")
	assert.Equal(t, `a[{"s":200,"i":4,"d":[]}]`, c.data())

	c.sendRaw("tradingPermission/ldeps\n8\nmasterids=1\n")
	assert.Equal(t, `a[{"s":404,"i":8,"d":"Not found: tradingPermission/ldeps"}]`, c.data(), "not implemented: the documented 404 shape")

	c.sendRaw("contract/rollcontract\n33\n\n{\"name\":\"YMZ6\",\"forward\":true,\"ifExpired\":true}")
	msgs := parseFrame(t, c.data())
	r := decode[wire.RollContractResponse](t, msgs[0])
	require.NotNil(t, r.Contract)
	assert.Equal(t, "YMZ6", r.Contract.Name, "not expired yet: ifExpired keeps it")
	c.sendRaw("contract/rollcontract\n34\n\n{\"name\":\"YMZ6\",\"forward\":true}")
	r = decode[wire.RollContractResponse](t, parseFrame(t, c.data())[0])
	assert.Equal(t, "YMH7", r.Contract.Name)

	// JS / STRAT leniency: "undefined" query and body, mixed-case endpoints.
	c.sendRaw("account/list\n35\n\nundefined")
	assert.Equal(t, 200, parseFrame(t, c.data())[0].Status)
	c.sendRaw("user/syncRequest\n36\nundefined\n{\"users\":[" + itoa(tok.UserID) + "]}")
	snap := decode[wire.SyncMessage](t, parseFrame(t, c.data())[0])
	assert.Len(t, snap.Users, 1)
}

// F-9, F-13, F-16: md and replay endpoints are added by other helpers; until
// then the sockets answer with the documented 404.
func TestConformanceF16NotFound(t *testing.T) {
	s, _ := start(t)
	tok := login(t, s, s.Credentials())
	c := dial(t, s.WebSocketURL(sandbox.MD))
	c.sendRaw("authorize\n0\n\n" + tok.MdAccessToken)
	assert.Equal(t, `a[{"s":200,"i":0}]`, c.data(), "md sockets take the mdAccessToken")
	// md/getChart is served on md and replay sockets (chart.go); a
	// trading socket answers it with F-16's 404.
	td := dial(t, s.WebSocketURL(sandbox.Demo))
	td.authorize(tok.AccessToken)
	td.sendRaw("md/getChart\n60\n\n{}")
	assert.Equal(t, `a[{"s":404,"i":60,"d":"Not found: md/getChart"}]`, td.data())

	r := dial(t, s.WebSocketURL(sandbox.Replay))
	r.sendRaw("authorize\n1\n\n" + tok.AccessToken)
	assert.Equal(t, `a[{"s":200,"i":1}]`, r.data(), "replay sockets take the accessToken too")
	r.sendRaw("account/list\n2\n\n")
	accts := decode[[]wire.Account](t, parseFrame(t, r.data())[0])
	require.Len(t, accts, 1, "the replay socket serves trading requests")
	assert.True(t, strings.HasPrefix(accts[0].Name, "REPLAY"))

	// The trading socket refuses the md token.
	d := dial(t, s.WebSocketURL(sandbox.Demo))
	d.sendRaw("authorize\n0\n\n" + tok.MdAccessToken)
	m := parseFrame(t, d.data())[0]
	assert.Equal(t, 401, m.Status)
}

// F-14: the modify exchange, request text verbatim.
func TestConformanceF14Modify(t *testing.T) {
	s, _ := start(t)
	tok := login(t, s, s.Credentials())
	c := dial(t, s.WebSocketURL(sandbox.Demo))
	c.authorize(tok.AccessToken)
	snap := decode[wire.SyncMessage](t, c.call("user/syncrequest", "", `{"accounts":[`+itoa(accountID(t, s, tok, sandbox.Demo))+`]}`))
	acct := snap.Accounts[0]
	trade(t, s, "ESM6", "2640")

	res := decode[wire.PlaceOrderResult](t, c.call("order/placeorder", "", wire.PlaceOrder{
		AccountID: acct.ID, Action: "Sell", Symbol: "ESM6", OrderQty: 1, OrderType: "Stop", StopPrice: pricePtr("2630"), TimeInForce: "Day", IsAutomated: true,
	}))
	for range 3 {
		c.data() // order, command+version, accepted
	}

	c.sendRaw("order/modifyorder\n132\n\n" + `{"orderId":` + itoa(res.OrderID) + `,"orderQty":1,"orderType":"Stop","stopPrice":2633.00,"timeInForce":"Day","text":"DOM"}`)
	resp := c.data()
	msgs := parseFrame(t, resp)
	cr := decode[wire.CommandResult](t, msgs[0])
	assert.Equal(t, `a[{"s":200,"i":132,"d":{"commandId":`+itoa(cr.CommandID)+`}}]`, resp)

	names, evs := props(t, c.data())
	assert.Equal(t, []string{"command Created", "orderVersion Created"}, names)
	cmd := entity[wire.Command](t, evs[0])
	assert.Equal(t, cr.CommandID, cmd.ID)
	assert.Equal(t, res.OrderID, cmd.OrderID)
	assert.Equal(t, "Modify", cmd.CommandType)
	assert.Equal(t, "Pending", cmd.CommandStatus)
	f14cmd := keys(t, []byte(`{"id":62539,"orderId":62496,"timestamp":"2018-05-02T15:35:00.495Z","commandType":"Modify","commandStatus":"Pending","senderId":18899,"userSessionId":0}`))
	assert.Equal(t, f14cmd, keys(t, evs[0].Entity))
	ver := entity[wire.OrderVersion](t, evs[1])
	assert.Equal(t, cmd.ID, ver.ID)
	assert.Equal(t, `{"id":`+itoa(cmd.ID)+`,"orderId":`+itoa(res.OrderID)+`,"orderQty":1,"orderType":"Stop","stopPrice":2633,"timeInForce":"Day","text":"DOM"}`, string(evs[1].Entity))

	names, evs = props(t, c.data())
	require.Equal(t, "commandReport Created", names[0])
	assert.Equal(t, cmd.ID, entity[wire.CommandReport](t, evs[0]).CommandID)
	assert.Greater(t, entity[wire.CommandReport](t, evs[0]).ID, cmd.ID)
}

// F-15: an unknown symbol is HTTP 200 with failureReason/failureText.
func TestConformanceF15UnknownSymbol(t *testing.T) {
	s, _ := start(t)
	tok := login(t, s, s.Credentials())
	id := accountID(t, s, tok, sandbox.Demo)
	status, body := rest(t, s, sandbox.Demo, "POST", "order/placeorder", tok.AccessToken,
		wire.PlaceOrder{AccountID: id, Action: "Buy", Symbol: "E6H9", OrderQty: 1, OrderType: "Market", IsAutomated: true})
	assert.Equal(t, 200, status)
	assert.Equal(t, `{"failureReason":"UnknownReason","failureText":"Access is denied"}`, string(body))
	var fe *wire.FailureError
	assert.ErrorAs(t, wire.Decode(status, body, nil), &fe)

	// accountId holding a user id (issue #34's cause) is the same answer.
	_, body = rest(t, s, sandbox.Demo, "POST", "order/placeorder", tok.AccessToken,
		wire.PlaceOrder{AccountID: tok.UserID, Action: "Buy", Symbol: "ESM6", OrderQty: 1, OrderType: "Market"})
	assert.Equal(t, `{"failureReason":"UnknownReason","failureText":"Access is denied"}`, string(body))

	// No account at all: a violation (EX-4a).
	_, body = rest(t, s, sandbox.Demo, "POST", "order/placeorder", tok.AccessToken,
		wire.PlaceOrder{Action: "Buy", Symbol: "ESM6", OrderQty: 1, OrderType: "Market"})
	var ve *wire.ViolationError
	assert.ErrorAs(t, wire.Check(body), &ve)
}

// F-20, F-21, F-22: the contract library reproduces Tradovate's payloads.
func TestConformanceContractLibrary(t *testing.T) {
	s, clock := start(t)
	tok := login(t, s, s.Credentials())
	get := func(path string) []byte {
		t.Helper()
		status, body := rest(t, s, sandbox.Demo, "GET", path, tok.AccessToken, nil)
		require.Equal(t, 200, status, "%s: %s", path, body)
		return body
	}
	assert.Equal(t, `{"id":814,"name":"NQ","currencyId":1,"productType":"Futures","description":"E-Mini NASDAQ 100","exchangeId":2,"exchangeChannelId":4,"contractGroupId":20,"riskDiscountContractGroupId":1,"status":"Verified","months":"HMUZ","valuePerPoint":20,"priceFormatType":"Decimal","priceFormat":-2,"tickSize":0.25,"allowProviderContractInfo":false,"isMicro":false,"marketDataSource":"Auto","lookupWeight":64,"hasReplay":true}`,
		string(get("product/find?name=NQ")))
	assert.Equal(t, `{"id":799,"name":"ES","currencyId":1,"productType":"Futures","description":"E-Mini S&P 500","exchangeId":2,"exchangeChannelId":4,"contractGroupId":2,"riskDiscountContractGroupId":1,"status":"Verified","months":"HMUZ","valuePerPoint":50,"priceFormatType":"Decimal","priceFormat":-2,"tickSize":0.25,"allowProviderContractInfo":false,"isMicro":false,"marketDataSource":"Auto","lookupWeight":0,"hasReplay":true,"rolloverMonths":"HMUZ"}`,
		string(get("Product/Item?id=799")))

	clock.Set(time.Date(2022, 4, 21, 15, 0, 0, 0, time.UTC))
	esm2 := get("contract/find?name=ESM2")
	assert.Equal(t, keys(t, []byte(`{"id":2710963,"name":"ESM2","contractMaturityId":46104,"status":"DefinitionChecked","providerTickSize":0.25}`)), keys(t, esm2))
	var con wire.Contract
	require.NoError(t, json.Unmarshal(esm2, &con))
	assert.Equal(t, "0.25", con.ProviderTickSize.String())
	var sugg []wire.Contract
	require.NoError(t, json.Unmarshal(get("contract/suggest?t=ES&l=3"), &sugg))
	require.Len(t, sugg, 3)
	assert.Equal(t, []string{"ESM2", "ESU2", "ESZ2"}, []string{sugg[0].Name, sugg[1].Name, sugg[2].Name}, "F-22's suggest list")

	var mats []json.RawMessage
	require.NoError(t, json.Unmarshal(get("contractMaturity/deps?masterid=814"), &mats))
	require.NotEmpty(t, mats)
	assert.Equal(t, keys(t, []byte(`{"id":37215,"productId":814,"expirationMonth":201712,"expirationDate":"2017-12-15T22:29Z","archived":false,"seqNo":10,"isFront":false}`)), keys(t, mats[0]))
	var item wire.ContractMaturity
	require.NoError(t, json.Unmarshal(get("contractMaturity/item?id="+itoa(con.ContractMaturityID)), &item))
	assert.Equal(t, 202206, item.ExpirationMonth)
	assert.True(t, item.IsFront)
	var deps []wire.Contract
	require.NoError(t, json.Unmarshal(get("contract/deps?masterid="+itoa(con.ContractMaturityID)), &deps))
	assert.Equal(t, []wire.Contract{con}, deps)

	var sess []wire.ProductSession
	require.NoError(t, json.Unmarshal(get("productSession/deps?masterid=799"), &sess))
	require.Len(t, sess, 1)
	assert.Equal(t, wire.TradeTime{Hour: 17}, sess[0].OpenTime)
	assert.Equal(t, wire.TradeTime{Hour: 16}, sess[0].CloseTime)

	var ldeps []json.RawMessage
	require.NoError(t, json.Unmarshal(get("productSession/ldeps?masterids=814,799"), &ldeps))
	assert.Len(t, ldeps, 2)
	var items []wire.Product
	require.NoError(t, json.Unmarshal(get("product/items?ids=814,799,1"), &items))
	assert.Len(t, items, 2)

	status, _ := rest(t, s, sandbox.Demo, "GET", "contract/find?name=ES", tok.AccessToken, nil)
	assert.Equal(t, 404, status, "a root is not a contract")
	status, _ = rest(t, s, sandbox.Demo, "GET", "contract/item?id=abc", tok.AccessToken, nil)
	assert.Equal(t, 400, status)
}

// F-24: the documented order bodies work as sent.
func TestConformanceF24OrderBodies(t *testing.T) {
	s, _ := start(t)
	tok := login(t, s, s.Credentials())
	acct := accountID(t, s, tok, sandbox.Demo)
	quote(t, s, "MESM6", "4150", "4150.25")
	quote(t, s, "MYMM6", "39000", "39001")
	bodies := []string{
		`{"accountSpec":"DEMO15460","accountId":ACCT,"action":"Buy","symbol":"MYMM6","orderQty":1,"orderType":"Market","isAutomated":true}`,
		`{"accountSpec":"keeltest","action":"Buy","symbol":"MYMM6","orderQty":1,"orderType":"Market","isAutomated":true}`,
	}
	for _, b := range bodies {
		status, out := rest(t, s, sandbox.Demo, "POST", "order/placeorder", tok.AccessToken, strings.ReplaceAll(b, "ACCT", itoa(acct)))
		require.Equal(t, 200, status)
		var r wire.PlaceOrderResult
		require.NoError(t, wire.Decode(status, out, &r), string(out))
		assert.NotZero(t, r.OrderID)
	}
	status, out := rest(t, s, sandbox.Demo, "POST", "order/placeOSO", tok.AccessToken, strings.ReplaceAll(
		`{"accountSpec":"DEMO15460","accountId":ACCT,"action":"Buy","symbol":"MESM6","orderQty":1,"orderType":"Limit","price":4150.00,"isAutomated":true,"bracket1":{"action":"Sell","orderType":"Limit","price":4200.00}}`, "ACCT", itoa(acct)))
	require.Equal(t, 200, status)
	var oso wire.PlaceOSOResult
	require.NoError(t, wire.Decode(status, out, &oso), string(out))
	assert.NotZero(t, oso.OrderID)
	assert.NotZero(t, oso.OSO1ID)
	assert.Zero(t, oso.OSO2ID)
}

// F-25 (risk parameters) and order strategies are not implemented: 404.
func TestConformanceNotImplemented(t *testing.T) {
	s, _ := start(t)
	tok := login(t, s, s.Credentials())
	for _, p := range []string{"userAccountRiskParameter/list", "orderStrategy/startorderstrategy", "productMargin/ldeps?masterids=814,799"} {
		status, body := rest(t, s, sandbox.Demo, "POST", p, tok.AccessToken, nil)
		assert.Equal(t, 404, status, p)
		assert.Contains(t, string(body), "Not found")
	}
}

func accountID(t testing.TB, s *sandbox.Server, tok wire.AccessTokenResponse, svc sandbox.Service) int64 {
	t.Helper()
	status, body := rest(t, s, svc, "GET", "account/list", tok.AccessToken, nil)
	require.Equal(t, 200, status)
	var as []wire.Account
	require.NoError(t, json.Unmarshal(body, &as))
	require.NotEmpty(t, as)
	return as[0].ID
}
