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

// TestScriptedSession walks a client through a whole session on demo and
// on live, asserting every frame: open, authorize, sync, a market order
// and its props sequence, a closing order with its fill pair, and idle
// heartbeats.
func TestScriptedSession(t *testing.T) {
	for _, svc := range []sandbox.Service{sandbox.Demo, sandbox.Live} {
		t.Run(string(svc), func(t *testing.T) {
			s, _ := start(t, sandbox.WithHeartbeat(150*time.Millisecond))
			tok := login(t, s, s.Credentials())
			c := dial(t, s.WebSocketURL(svc))

			// authorize\n0\n\n<token> → a[{"s":200,"i":1}]
			c.authorize(tok.AccessToken)

			// Sync: the snapshot, recognised by d.users.
			m := c.call("user/syncrequest", "", map[string]any{"users": []int64{tok.UserID}})
			snap := decode[wire.SyncMessage](t, m)
			require.Len(t, snap.Users, 1)
			assert.Equal(t, tok.UserID, snap.Users[0].ID)
			require.Len(t, snap.Accounts, 1)
			acct := snap.Accounts[0]
			require.Len(t, snap.CashBalances, 1)
			assert.Equal(t, "50000", snap.CashBalances[0].Amount.String())
			assert.Empty(t, snap.Orders)
			assert.NotNil(t, snap.ContractGroups)

			quote(t, s, "ESM6", "4800", "4800.25")

			// Buy 1 at market.
			id := c.send("order/placeorder", "", wire.PlaceOrder{
				AccountSpec: acct.Name, AccountID: acct.ID, Action: "Buy", Symbol: "ESM6", OrderQty: 1,
				OrderType: "Market", IsAutomated: true, ClOrdID: "keel-1",
			})
			resp := parseFrame(t, c.data())
			require.Len(t, resp, 1)
			assert.Equal(t, id, resp[0].ID)
			res := decode[wire.PlaceOrderResult](t, resp[0])
			require.NotZero(t, res.OrderID)

			names, evs := props(t, c.data())
			assert.Equal(t, []string{"order Created"}, names)
			o := entity[wire.Order](t, evs[0])
			assert.Equal(t, res.OrderID, o.ID)
			assert.Equal(t, wire.OrdStatusPendingNew, o.OrdStatus)
			assert.Equal(t, acct.ID, o.AccountID)

			names, evs = props(t, c.data())
			assert.Equal(t, []string{"command Created", "orderVersion Created"}, names)
			cmd := entity[wire.Command](t, evs[0])
			ver := entity[wire.OrderVersion](t, evs[1])
			assert.Equal(t, cmd.ID, ver.ID, "an orderVersion's id is its command's id")
			assert.Equal(t, wire.CommandNew, cmd.CommandType)
			assert.Equal(t, wire.CommandStatusPending, cmd.CommandStatus)
			assert.Equal(t, "keel-1", cmd.ClOrdID)
			assert.True(t, cmd.IsAutomated)

			names, evs = props(t, c.data())
			assert.Equal(t, []string{"commandReport Created", "command Updated", "executionReport Created", "order Updated"}, names)
			assert.Equal(t, cmd.ID, entity[wire.CommandReport](t, evs[0]).CommandID)
			assert.Equal(t, wire.CommandStatusAtExecution, entity[wire.Command](t, evs[1]).CommandStatus)
			er := entity[wire.ExecutionReport](t, evs[2])
			assert.Equal(t, wire.ExecNew, er.ExecType)
			assert.Equal(t, "ESM6", er.Name)
			assert.Equal(t, wire.OrdStatusWorking, entity[wire.Order](t, evs[3]).OrdStatus)

			names, evs = props(t, c.data())
			assert.Equal(t, []string{"executionReport Created", "fill Created", "position Created", "cashBalance Updated", "order Updated"}, names)
			er = entity[wire.ExecutionReport](t, evs[0])
			assert.Equal(t, wire.ExecTrade, er.ExecType)
			assert.Equal(t, wire.OrdStatusFilled, er.OrdStatus)
			assert.Equal(t, "4800.25", er.LastPx.String())
			assert.Equal(t, int64(1), er.CumQty)
			fill := entity[wire.Fill](t, evs[1])
			assert.Equal(t, "4800.25", fill.Price.String())
			assert.Equal(t, res.OrderID, fill.OrderID)
			pos := entity[wire.Position](t, evs[2])
			assert.Equal(t, int64(1), pos.NetPos)
			assert.Equal(t, "4800.25", pos.NetPrice.String())
			assert.Equal(t, wire.OrdStatusFilled, entity[wire.Order](t, evs[4]).OrdStatus)

			// Sell 1 at market closes it: the fill pair and the realized P&L.
			quote(t, s, "ESM6", "4801", "4801.25")
			c.send("order/placeorder", "", wire.PlaceOrder{AccountID: acct.ID, Action: "Sell", Symbol: "ESM6", OrderQty: 1, OrderType: "Market", IsAutomated: true})
			require.Len(t, parseFrame(t, c.data()), 1) // response
			for range 3 {
				c.data() // order, command+version, accepted
			}
			names, evs = props(t, c.data())
			assert.Equal(t, []string{"executionReport Created", "fill Created", "position Updated", "fillPair Created", "cashBalance Updated", "order Updated"}, names)
			pair := entity[wire.FillPair](t, evs[3])
			assert.Equal(t, fill.ID, pair.BuyFillID)
			assert.Equal(t, "4801", pair.SellPrice.String())
			assert.Equal(t, int64(0), entity[wire.Position](t, evs[2]).NetPos)
			cb := entity[wire.CashBalance](t, evs[4])
			assert.Equal(t, "37.5", cb.RealizedPnL.String(), "0.75 points × $50")
			assert.Equal(t, "50037.5", cb.Amount.String())

			// Idle: heartbeats.
			for range 2 {
				assert.Equal(t, "h", c.frame())
			}
			c.sendRaw("[]")
			assert.Equal(t, "h", c.frame())

			// The REST view agrees with the events.
			status, body := rest(t, s, svc, "GET", "fillPair/list", tok.AccessToken, nil)
			require.Equal(t, 200, status)
			var pairs []wire.FillPair
			require.NoError(t, json.Unmarshal(body, &pairs))
			require.Len(t, pairs, 1)
			assert.Equal(t, pair, pairs[0])
		})
	}
}
