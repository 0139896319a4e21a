package risk

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/keeltrade/keel/venue"
)

func TestPriceBand(t *testing.T) {
	type leg = venue.Leg
	tests := []struct {
		name     string
		band     PriceBand
		strategy Limits
		last     string // "" = no trade seen
		typ      venue.OrderType
		price    string
		brackets []leg
		oco      *leg
		denied   *Denied
	}{
		{name: "market orders have no price", band: PriceBand{Ticks: 8}, last: "5000", typ: venue.Market},
		{name: "limit at the band edge", band: PriceBand{Ticks: 8}, last: "5000", typ: venue.Limit, price: "5002"},
		{name: "limit below the band edge", band: PriceBand{Ticks: 8}, last: "5000", typ: venue.Limit, price: "4998"},
		{
			name: "limit outside the band", band: PriceBand{Ticks: 8}, last: "5000", typ: venue.Limit, price: "5002.25",
			denied: &Denied{Rule: "price-band", Limit: "8 ticks from last 5000", Observed: "9 ticks",
				Text: "limit price 5002.25 is 9 ticks from the last trade 5000 in MESZ6, outside the account band of 8 ticks (4998 to 5002)"},
		},
		{
			name: "stop outside the band", band: PriceBand{Ticks: 8}, last: "5000", typ: venue.Stop, price: "4990",
			denied: &Denied{Rule: "price-band", Limit: "8 ticks from last 5000", Observed: "40 ticks",
				Text: "stop price 4990 is 40 ticks from the last trade 5000 in MESZ6, outside the account band of 8 ticks (4998 to 5002)"},
		},
		{
			name: "OCO partner outside the band", band: PriceBand{Ticks: 8}, last: "5000", typ: venue.Limit, price: "5001",
			oco: &leg{Side: venue.Sell, Type: venue.Stop, Stop: px("4980")},
			denied: &Denied{Rule: "price-band", Limit: "8 ticks from last 5000", Observed: "80 ticks",
				Text: "OCO stop price 4980 is 80 ticks from the last trade 5000 in MESZ6, outside the account band of 8 ticks (4998 to 5002)"},
		},
		{
			name: "bracket legs are placed later: grid only", band: PriceBand{Ticks: 8}, last: "5000", typ: venue.Limit, price: "5000",
			brackets: []leg{{Type: venue.Limit, Limit: px("5100")}, {Type: venue.Stop, Stop: px("4900")}},
		},
		{
			name: "off the tick grid", last: "5000", typ: venue.Limit, price: "5000.1",
			denied: &Denied{Rule: "price-band", Limit: "tick 0.25", Observed: "5000.1",
				Text: "limit price 5000.1 is not on MESZ6's 0.25 tick grid; use 5000 or 5000.25"},
		},
		{
			name: "bracket leg off the grid", last: "5000", typ: venue.Limit, price: "5000",
			brackets: []leg{{Type: venue.Stop, Stop: px("4990.3")}},
			denied: &Denied{Rule: "price-band", Limit: "tick 0.25", Observed: "4990.3",
				Text: "bracket stop price 4990.3 is not on MESZ6's 0.25 tick grid; use 4990.25 or 4990.5"},
		},
		{name: "no last trade: allow", band: PriceBand{Ticks: 8, NoLastTrade: Allow}, typ: venue.Limit, price: "5000"},
		{
			name: "no last trade: refuse", band: PriceBand{Ticks: 8, NoLastTrade: Refuse}, typ: venue.Limit, price: "5000",
			denied: &Denied{Rule: "price-band", Limit: "price_band.no_last_trade: refuse", Observed: "no trade seen",
				Text: "no trade in MESZ6 seen yet, so its 8-tick price band for account cannot be checked; wait for a trade or set price_band.no_last_trade: allow"},
		},
		{
			name: "strategy band", strategy: Limits{PriceBand: PriceBand{Ticks: 2}}, last: "5000", typ: venue.MIT, price: "5000.75",
			denied: &Denied{Rule: "price-band", Limit: "2 ticks from last 5000", Observed: "3 ticks",
				Text: "stop price 5000.75 is 3 ticks from the last trade 5000 in MESZ6, outside the strategy s band of 2 ticks (4999.5 to 5000.5)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := offConfig()
			cfg.Account.PriceBand = tt.band
			cfg.Strategies = map[string]Limits{"s": tt.strategy}
			h := newHarness(t, cfg)
			if tt.last != "" {
				h.trade(mes, tt.last)
			}
			var price venue.Price
			if tt.price != "" {
				price = px(tt.price)
			}
			req := h.request("s", mes, venue.Buy, 1, tt.typ, price)
			req.Intent.Brackets = tt.brackets
			req.Intent.OCO = tt.oco
			assert.Equal(t, tt.denied, h.check(req))
		})
	}
}
