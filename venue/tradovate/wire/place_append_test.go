package wire

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue"
)

// AppendPlaceOrder writes what encoding/json writes, over random orders.
func TestAppendPlaceOrderMatchesEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	strs := []string{"", "DEMO1", "s-20261204.3-17", "tag <&> \"q\" \\ \n\t\x01 é \u2028 x", "\xff\xfe bad utf8"}
	px := func() *venue.Price {
		if rng.IntN(3) == 0 {
			return nil
		}
		p := venue.Price(rng.Int64N(1e13)) * 250_000
		return &p
	}
	for i := range 5000 {
		p := PlaceOrder{
			AccountSpec: strs[rng.IntN(len(strs))], AccountID: rng.Int64N(3) * 100001, ClOrdID: strs[rng.IntN(len(strs))],
			Action: []string{"Buy", "Sell"}[rng.IntN(2)], Symbol: "MESZ6", OrderQty: rng.Int64N(10), OrderType: "Limit",
			Price: px(), StopPrice: px(), MaxShow: rng.Int64N(2), PegDifference: px(), TimeInForce: strs[rng.IntN(2)],
			Text: strs[rng.IntN(len(strs))], CustomTag50: strs[rng.IntN(len(strs))], IsAutomated: rng.IntN(2) == 0, PTicket: strs[rng.IntN(2)],
		}
		if rng.IntN(2) == 0 {
			p.ExpireTime = TimeOf(time.Unix(0, rng.Int64N(4e18)).UTC())
		}
		if rng.IntN(3) == 0 {
			p.ActivationTime = TimeOf(time.Unix(rng.Int64N(4e9), 0).UTC())
		}
		want, err := json.Marshal(p)
		require.NoError(t, err)
		require.Equal(t, string(want), string(AppendPlaceOrder(nil, &p)), "order %d", i)
	}
}

func TestAppendPlaceOrderDoesNotAllocate(t *testing.T) {
	limit := venue.MustParsePrice("5000.25")
	p := PlaceOrder{AccountSpec: "DEMO1", AccountID: 100001, ClOrdID: "s-1.1-1", Action: "Buy", Symbol: "MESZ6", OrderQty: 1, OrderType: "Limit", Price: &limit, TimeInForce: "Day", IsAutomated: true}
	buf := make([]byte, 0, 512)
	require.Zero(t, testing.AllocsPerRun(100, func() { buf = AppendPlaceOrder(buf[:0], &p) }))
}
