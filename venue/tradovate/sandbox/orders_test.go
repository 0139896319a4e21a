package sandbox_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/tradovate/sandbox"
	"github.com/keeltrade/keel/venue/tradovate/wire"
)

// synced returns an authorized, synced demo client and its account.
func synced(t *testing.T, s *sandbox.Server, body any) (*client, wire.Account, wire.SyncMessage) {
	t.Helper()
	tok := login(t, s, s.Credentials())
	c := dial(t, s.WebSocketURL(sandbox.Demo))
	c.authorize(tok.AccessToken)
	if body == nil {
		body = map[string]any{"users": []int64{tok.UserID}}
	}
	snap := decode[wire.SyncMessage](t, c.call("user/syncrequest", "", body))
	var acct wire.Account
	if len(snap.Accounts) > 0 {
		acct = snap.Accounts[0]
	}
	return c, acct, snap
}

// Outside the Globex session an order is accepted as a request and then
// rejected with a commandReport: RiskRejected, SessionClosed.
func TestSessionClosedReject(t *testing.T) {
	s, clock := start(t)
	clock.Set(time.Date(2026, 3, 4, 16, 30, 0, 0, time.UTC).Add(6 * time.Hour)) // 16:30 CT: daily break
	c, acct, _ := synced(t, s, nil)
	res := decode[wire.PlaceOrderResult](t, c.call("order/placeorder", "", marketOrder(acct.ID)))
	require.NotZero(t, res.OrderID)
	c.data() // order Created
	c.data() // command, orderVersion
	names, evs := props(t, c.data())
	assert.Equal(t, []string{"commandReport Created", "command Updated", "executionReport Created", "order Updated"}, names)
	rep := entity[wire.CommandReport](t, evs[0])
	assert.Equal(t, wire.CommandStatusRiskRejected, rep.CommandStatus)
	assert.Equal(t, wire.RejectSessionClosed, rep.RejectReason)
	assert.Contains(t, rep.Text, "opens")
	assert.Equal(t, wire.OrdStatusRejected, rep.OrdStatus)
	assert.Equal(t, wire.ExecRejected, entity[wire.ExecutionReport](t, evs[2]).ExecType)
	assert.Equal(t, wire.OrdStatusRejected, entity[wire.Order](t, evs[3]).OrdStatus)

	// IgnoreSessions lets it through.
	s2, clock2 := start(t, sandbox.WithConfig(func(c *sandbox.Config) { c.IgnoreSessions = true }))
	clock2.Set(clock.Now())
	c2, acct2, _ := synced(t, s2, nil)
	decode[wire.PlaceOrderResult](t, c2.call("order/placeorder", "", marketOrder(acct2.ID)))
	c2.data()
	c2.data()
	names, _ = props(t, c2.data())
	assert.Equal(t, "commandReport Created", names[0])
	assert.Equal(t, "executionReport Created", names[2])

	// So does Start without WithSessions: a test on the wall clock passes on
	// a weekend.
	s3 := sandbox.Start(t, sandbox.WithClock(sandbox.NewManualClock(clock.Now())), sandbox.WithHeartbeat(time.Hour), sandbox.WithClientTimeout(time.Hour))
	c3, acct3, _ := synced(t, s3, nil)
	decode[wire.PlaceOrderResult](t, c3.call("order/placeorder", "", marketOrder(acct3.ID)))
	c3.data()
	c3.data()
	_, evs = props(t, c3.data())
	assert.NotEqual(t, wire.CommandStatusRiskRejected, entity[wire.CommandReport](t, evs[0]).CommandStatus)
}

// An engine rejection (price off the tick grid) arrives as a commandReport
// with ExecutionRejected.
func TestEngineReject(t *testing.T) {
	s, _ := start(t)
	c, acct, _ := synced(t, s, nil)
	o := marketOrder(acct.ID)
	o.OrderType, o.Price = "Limit", pricePtr("4800.1")
	c.call("order/placeorder", "", o)
	c.data()
	c.data()
	names, evs := props(t, c.data())
	assert.Equal(t, "commandReport Created", names[0])
	rep := entity[wire.CommandReport](t, evs[0])
	assert.Equal(t, wire.CommandStatusExecutionRejected, rep.CommandStatus)
	assert.Equal(t, wire.RejectInvalidPrice, rep.RejectReason)

	// Synchronous failures: unsupported types and bad actions.
	o = marketOrder(acct.ID)
	o.OrderType = "TrailingStop"
	assert.Equal(t, `{"failureReason":"Unsupported","failureText":"TrailingStop orders are not supported by the sandbox"}`, string(c.call("order/placeorder", "", o).Data))
	o = marketOrder(acct.ID)
	o.Action = "Hold"
	var ve *wire.ViolationError
	assert.ErrorAs(t, wire.Check(c.call("order/placeorder", "", o).Data), &ve)
	o = marketOrder(acct.ID)
	o.Symbol = "ESH5" // expired in March 2025
	var fe *wire.FailureError
	require.ErrorAs(t, wire.Check(c.call("order/placeorder", "", o).Data), &fe)
	assert.Equal(t, wire.RejectInvalidContract, fe.Reason)
}

// A resting limit order is modified, then cancelled; a cancel of a done
// order is rejected TooLate.
func TestModifyCancel(t *testing.T) {
	s, _ := start(t)
	c, acct, _ := synced(t, s, nil)
	quote(t, s, "ESM6", "4800", "4800.25")
	o := marketOrder(acct.ID)
	o.OrderType, o.Price = "Limit", pricePtr("4790")
	res := decode[wire.PlaceOrderResult](t, c.call("order/placeorder", "", o))
	for range 3 {
		c.data()
	}
	cr := decode[wire.CommandResult](t, c.call("order/modifyorder", "", wire.ModifyOrder{OrderID: res.OrderID, OrderQty: 2, OrderType: "Limit", Price: pricePtr("4795")}))
	names, _ := props(t, c.data())
	assert.Equal(t, []string{"command Created", "orderVersion Created"}, names)
	names, evs := props(t, c.data())
	assert.Equal(t, []string{"commandReport Created", "command Updated", "executionReport Created"}, names)
	assert.Equal(t, cr.CommandID, entity[wire.CommandReport](t, evs[0]).CommandID)
	assert.Equal(t, wire.ExecReplaced, entity[wire.ExecutionReport](t, evs[2]).ExecType)

	// Changing the type is refused synchronously.
	var fe *wire.FailureError
	require.ErrorAs(t, wire.Check(c.call("order/modifyorder", "", wire.ModifyOrder{OrderID: res.OrderID, OrderQty: 2, OrderType: "Stop", StopPrice: pricePtr("4700")}).Data), &fe)
	assert.Equal(t, wire.RejectUnsupported, fe.Reason)

	cc := decode[wire.CommandResult](t, c.call("order/cancelorder", "", wire.CancelOrder{OrderID: res.OrderID}))
	names, _ = props(t, c.data())
	assert.Equal(t, []string{"command Created"}, names)
	names, evs = props(t, c.data())
	assert.Equal(t, []string{"commandReport Created", "command Updated", "executionReport Created", "executionReport Created", "order Updated"}, names)
	assert.Equal(t, cc.CommandID, entity[wire.CommandReport](t, evs[0]).CommandID)
	assert.Equal(t, wire.ExecPendingCancel, entity[wire.ExecutionReport](t, evs[2]).ExecType)
	assert.Equal(t, wire.ExecCanceled, entity[wire.ExecutionReport](t, evs[3]).ExecType)
	assert.Equal(t, wire.OrdStatusCanceled, entity[wire.Order](t, evs[4]).OrdStatus)

	c.call("order/cancelorder", "", wire.CancelOrder{OrderID: res.OrderID})
	c.data()
	_, evs = props(t, c.data())
	rep := entity[wire.CommandReport](t, evs[0])
	assert.Equal(t, wire.CommandStatusExecutionRejected, rep.CommandStatus)
	assert.Equal(t, wire.RejectTooLate, rep.RejectReason)

	// Someone else's or an unknown order: Access is denied.
	assert.Equal(t, `{"failureReason":"UnknownReason","failureText":"Access is denied"}`, string(c.call("order/cancelorder", "", wire.CancelOrder{OrderID: 42}).Data))

	// Lists and deps agree.
	tok := login(t, s, s.Credentials())
	status, body := rest(t, s, sandbox.Demo, "GET", "command/deps?masterid="+itoa(res.OrderID), tok.AccessToken, nil)
	require.Equal(t, 200, status)
	var cmds []wire.Command
	require.NoError(t, json.Unmarshal(body, &cmds))
	assert.Len(t, cmds, 4, "New, Modify, Cancel, Cancel")
	status, body = rest(t, s, sandbox.Demo, "GET", "orderVersion/deps?masterid="+itoa(res.OrderID), tok.AccessToken, nil)
	require.Equal(t, 200, status)
	var vers []wire.OrderVersion
	require.NoError(t, json.Unmarshal(body, &vers))
	require.Len(t, vers, 2)
	assert.Equal(t, cr.CommandID, vers[1].ID)
	assert.Equal(t, int64(2), vers[1].OrderQty)
}

// placeoso: the entry fills, its brackets start working, the target fills
// and cancels the stop.
func TestOSOBracket(t *testing.T) {
	s, _ := start(t)
	c, acct, _ := synced(t, s, nil)
	quote(t, s, "ESM6", "4800", "4800.25")
	res := decode[wire.PlaceOSOResult](t, c.call("order/placeoso", "", wire.PlaceOSO{
		PlaceOrder: wire.PlaceOrder{AccountID: acct.ID, Action: "Buy", Symbol: "ESM6", OrderQty: 1, OrderType: "Market", IsAutomated: true},
		Bracket1:   &wire.RestrainedOrderVersion{Action: "Sell", OrderType: "Limit", Price: pricePtr("4810")},
		Bracket2:   &wire.RestrainedOrderVersion{Action: "Sell", OrderType: "Stop", StopPrice: pricePtr("4790")},
	}))
	require.NotZero(t, res.OSO1ID)
	require.NotZero(t, res.OSO2ID)
	var seen []string
	working := map[int64]bool{}
	statuses := map[int64]string{}
	drain := func(n int) {
		for range n {
			names, evs := props(t, c.data())
			seen = append(seen, names...)
			for i, name := range names {
				if name == "order Updated" || name == "order Created" {
					o := entity[wire.Order](t, evs[i])
					statuses[o.ID] = o.OrdStatus
					if o.OrdStatus == wire.OrdStatusWorking {
						working[o.ID] = true
					}
				}
			}
		}
	}
	// 3 × (order, command+version), entry accepted, entry filled, two brackets accepted.
	drain(6 + 1 + 1 + 2)
	assert.True(t, working[res.OSO1ID] && working[res.OSO2ID], "brackets work once the entry filled: %v", seen)
	assert.Equal(t, wire.OrdStatusFilled, statuses[res.OrderID])

	trade(t, s, "ESM6", "4811")
	drain(2) // target filled, stop cancelled
	assert.Equal(t, wire.OrdStatusFilled, statuses[res.OSO1ID])
	assert.Equal(t, wire.OrdStatusCanceled, statuses[res.OSO2ID])
}

// placeoco: two orders, one fills, the other is cancelled.
func TestOCO(t *testing.T) {
	s, _ := start(t)
	c, acct, _ := synced(t, s, nil)
	trade(t, s, "ESM6", "4800")
	res := decode[wire.PlaceOCOResult](t, c.call("order/placeoco", "", wire.PlaceOCO{
		PlaceOrder: wire.PlaceOrder{AccountID: acct.ID, Action: "Sell", Symbol: "ESM6", OrderQty: 1, OrderType: "Limit", Price: pricePtr("4810")},
		Other:      &wire.RestrainedOrderVersion{Action: "Sell", OrderType: "Stop", StopPrice: pricePtr("4790")},
	}))
	require.NotZero(t, res.OcoID)
	names, evs := props(t, c.data())
	require.Equal(t, []string{"order Created"}, names)
	assert.Equal(t, res.OcoID, entity[wire.Order](t, evs[0]).LinkedID)
	for range 5 {
		c.data() // entry command+version, partner order, command+version, both accepted
	}
	trade(t, s, "ESM6", "4789")
	statuses := map[int64]string{}
	for range 2 {
		names, evs := props(t, c.data())
		for i, n := range names {
			if n == "order Updated" {
				o := entity[wire.Order](t, evs[i])
				statuses[o.ID] = o.OrdStatus
			}
		}
	}
	assert.Equal(t, map[int64]string{res.OcoID: wire.OrdStatusFilled, res.OrderID: wire.OrdStatusCanceled}, statuses)
}

// Two buys closed by one sell: one fillPair event whose entity is an array.
// liquidateposition flattens and cancels.
func TestFillPairsAndLiquidation(t *testing.T) {
	s, _ := start(t)
	c, acct, _ := synced(t, s, nil)
	quote(t, s, "ESM6", "4800", "4800.25")
	for range 2 {
		c.call("order/placeorder", "", marketOrder(acct.ID))
		for range 4 {
			c.data()
		}
	}
	o := marketOrder(acct.ID)
	o.Action, o.OrderQty = "Sell", 2
	c.call("order/placeorder", "", o)
	for range 3 {
		c.data()
	}
	names, evs := props(t, c.data())
	require.Equal(t, "fillPair Created", names[3])
	pairs, err := wire.DecodeEntities[wire.FillPair](evs[3])
	require.NoError(t, err)
	assert.Len(t, pairs, 2)
	assert.Equal(t, byte('['), evs[3].Entity[0])

	// Long 1 again with a resting sell limit; liquidate cancels the limit and sells 1.
	c.call("order/placeorder", "", marketOrder(acct.ID))
	for range 4 {
		c.data()
	}
	lim := marketOrder(acct.ID)
	lim.Action, lim.OrderType, lim.Price = "Sell", "Limit", pricePtr("4900")
	limRes := decode[wire.PlaceOrderResult](t, c.call("order/placeorder", "", lim))
	for range 3 {
		c.data()
	}
	con, err := s.ContractID("ESM6")
	require.NoError(t, err)
	lr := decode[wire.PlaceOrderResult](t, c.call("order/liquidateposition", "", wire.LiquidatePosition{AccountID: acct.ID, ContractID: int64(con)}))
	require.NotZero(t, lr.OrderID)
	var all []string
	final := map[int64]string{}
	netPos := int64(-1)
	// cancel command; order; command+version; cancel done; accepted; filled.
	for range 6 {
		names, evs := props(t, c.data())
		all = append(all, names...)
		for i, n := range names {
			switch n {
			case "order Updated":
				o := entity[wire.Order](t, evs[i])
				final[o.ID] = o.OrdStatus
			case "position Updated":
				netPos = entity[wire.Position](t, evs[i]).NetPos
			}
		}
	}
	assert.Equal(t, wire.OrdStatusCanceled, final[limRes.OrderID], "%v", all)
	assert.Equal(t, wire.OrdStatusFilled, final[lr.OrderID], "%v", all)
	assert.Equal(t, int64(0), netPos)

	// Flat: nothing to do.
	assert.Equal(t, `{}`, string(c.call("order/liquidateposition", "", wire.LiquidatePosition{AccountID: acct.ID, ContractID: int64(con)}).Data))
}

// Sync options: accounts, entityTypes filtering snapshot and events,
// splitResponses, and other users' accounts.
func TestSyncOptions(t *testing.T) {
	s, _ := start(t)
	tok := login(t, s, s.Credentials())
	acct := accountID(t, s, tok, sandbox.Demo)
	quote(t, s, "ESM6", "4800", "4800.25")

	c, _, snap := synced(t, s, map[string]any{"accounts": []int64{acct}, "entityTypes": []string{"order", "Positions"}})
	assert.NotNil(t, snap.Orders)
	assert.NotNil(t, snap.Positions)
	assert.Nil(t, snap.Fills)
	assert.Nil(t, snap.Commands)
	c.call("order/placeorder", "", marketOrder(acct))
	var got []string
	for range 3 {
		names, _ := props(t, c.data())
		got = append(got, names...)
	}
	assert.Equal(t, []string{"order Created", "order Updated", "position Created", "order Updated"}, got)

	d := dial(t, s.WebSocketURL(sandbox.Demo))
	d.authorize(tok.AccessToken)
	id := d.send("user/syncrequest", "", map[string]any{"users": []int64{tok.UserID}, "splitResponses": true})
	first := parseFrame(t, d.data())[0]
	assert.Equal(t, id, first.ID)
	head := decode[wire.SyncMessage](t, first)
	assert.Len(t, head.Users, 1)
	assert.Nil(t, head.Orders)
	parts := map[string]bool{}
	for range 8 { // cashBalances, positions, orders, commands, commandReports, executionReports, orderVersions, fills
		m := parseFrame(t, d.data())[0]
		assert.Equal(t, id, m.ID)
		for _, k := range keys(t, m.Data) {
			parts[k] = true
		}
	}
	assert.True(t, parts["orders"] && parts["positions"] && parts["commands"], "%v", parts)

	assert.Equal(t, 401, d.call("user/syncrequest", "", map[string]any{"users": []int64{999}}).Status)
	assert.Equal(t, 401, d.call("user/syncrequest", "", map[string]any{"accounts": []int64{1}}).Status)
	// No body: the caller's own accounts.
	assert.Len(t, decode[wire.SyncMessage](t, d.call("user/syncrequest", "", nil)).Accounts, 1)
}

// Fees come out of the cash balance; a second user sees nothing of the first.
func TestFeesAndIsolation(t *testing.T) {
	other := sandbox.DefaultUser()
	other.Name, other.UserID, other.DeviceID, other.CID, other.Sec = "other", 99, "", 0, ""
	s, _ := start(t, sandbox.WithUsers(sandbox.DefaultUser(), other), sandbox.WithConfig(func(c *sandbox.Config) {
		c.Fees.Broker = decimalOf("1.29")
	}))
	c, acct, _ := synced(t, s, nil)
	quote(t, s, "ESM6", "4800", "4800.25")
	c.call("order/placeorder", "", marketOrder(acct.ID))
	for range 3 {
		c.data()
	}
	_, evs := props(t, c.data())
	assert.Equal(t, "49998.71", entity[wire.CashBalance](t, evs[3]).Amount.String())

	otok := login(t, s, sandbox.Credentials{Name: "other", Password: other.Password})
	status, body := rest(t, s, sandbox.Demo, "GET", "order/list", otok.AccessToken, nil)
	require.Equal(t, 200, status)
	assert.Equal(t, "[]", string(body))
	status, _ = rest(t, s, sandbox.Demo, "POST", "order/placeorder", otok.AccessToken, marketOrder(acct.ID))
	assert.Equal(t, 200, status)
}

// The replay environment has its own clock, names and fresh accounts.
func TestReplayEnvHooks(t *testing.T) {
	s, _ := start(t)
	env := s.Env(sandbox.Replay)
	env.SetClock(sandbox.NewManualClock(time.Date(2019, 8, 26, 16, 43, 0, 0, time.UTC)))
	id, err := env.ContractID("ESU9")
	require.NoError(t, err)
	wall, err := s.ContractID("ESU9")
	require.NoError(t, err)
	assert.NotEqual(t, wall, id, "ESU9 is 2019 in replay, 2029 on the server clock")

	tok := login(t, s, s.Credentials())
	before := env.Accounts(tok.UserID)
	require.NoError(t, env.ResetAccounts(decimalOf("51000")))
	after := env.Accounts(tok.UserID)
	require.Len(t, after, 1)
	assert.NotEqual(t, before[0].ID, after[0].ID)

	c := dial(t, s.WebSocketURL(sandbox.Replay))
	c.authorize(tok.MdAccessToken)
	snap := decode[wire.SyncMessage](t, c.call("user/syncrequest", "", map[string]any{"accounts": []int64{after[0].ID}}))
	assert.Equal(t, "51000", snap.CashBalances[0].Amount.String())

	env.Feed(venue.Tick{Contract: id, Flags: venue.HasQuote, Bid: venue.MustParsePrice("2870"), Ask: venue.MustParsePrice("2870.25")})
	res := decode[wire.PlaceOrderResult](t, c.call("order/placeorder", "", wire.PlaceOrder{AccountID: after[0].ID, Action: "Buy", Symbol: "ESU9", OrderQty: 1, OrderType: "Market"}))
	assert.NotZero(t, res.OrderID)
	for range 3 {
		c.data()
	}
	names, evs := props(t, c.data())
	require.Equal(t, "fill Created", names[1])
	assert.Equal(t, "2870.25", entity[wire.Fill](t, evs[1]).Price.String())
	assert.Equal(t, 2019, entity[wire.Fill](t, evs[1]).Timestamp.Year())
}
