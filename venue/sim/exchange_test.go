package sim

import (
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/keeltrade/keel/venue"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestConfigValidate(t *testing.T) {
	good := func() Config { return Config{Instruments: instruments()} }
	tests := []struct {
		name string
		edit func(*Config)
		want string // empty: valid
	}{
		{"defaults", func(*Config) {}, ""},
		{"no instruments", func(c *Config) { c.Instruments = nil }, "Config.Instruments"},
		{"negative latency", func(c *Config) { c.Latency = -1 }, "Config.Latency"},
		{"negative slippage", func(c *Config) { c.SlippageTicks = -2 }, "Config.SlippageTicks"},
		{"unknown queue model", func(c *Config) { c.QueueModel = 9 }, "Config.QueueModel"},
		{"empty fee key", func(c *Config) { c.Fees = map[string]FeeSchedule{"": {}} }, "empty key"},
		{"negative fee", func(c *Config) { c.Fees = map[string]FeeSchedule{"MES": {Broker: dec("-0.1")}} }, `Config.Fees["MES"].Broker`},
		{"negative default fee", func(c *Config) { c.DefaultFee.Clearing = dec("-1") }, "Config.DefaultFee.Clearing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := good()
			tt.edit(&cfg)
			x, err := New(cfg)
			if tt.want == "" {
				require.NoError(t, err)
				assert.NotNil(t, x)
				return
			}
			assert.ErrorContains(t, err, tt.want)
		})
	}
	assert.Equal(t, "TouchWithQueue", TouchWithQueue.String())
	assert.Equal(t, "0.79", mesFee().PerContract().String())
}

func TestLifecycle(t *testing.T) {
	x, err := New(Config{Instruments: instruments()})
	require.NoError(t, err)
	assert.ErrorContains(t, x.Submit(venue.Order{ClientID: "A", Intent: buy(1)}), "Start")
	assert.ErrorContains(t, x.Cancel("A"), "Start")
	assert.Error(t, x.Start(nil))
	var n int
	require.NoError(t, x.Start(func(venue.Event) { n++ }))
	assert.ErrorContains(t, x.Start(func(venue.Event) {}), "already")
	assert.ErrorContains(t, x.Submit(venue.Order{Intent: buy(1)}), "client id")
	x.OnTick(nil)
	x.OnBar(nil)
	require.NoError(t, x.Close())
	require.NoError(t, x.Close())
	assert.ErrorContains(t, x.Submit(venue.Order{ClientID: "A", Intent: buy(1)}), "closed")
	assert.ErrorContains(t, x.Modify("A", venue.Modify{}), "closed")
	tick := trade(5, "4800", 1)
	x.OnTick(&tick)
	x.ExpireDay()
	assert.Zero(t, n)
	assert.Zero(t, x.Time())
}

func TestRejectTexts(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		c.SessionCheck = func(venue.ContractID, int64) error { return errClosed }
	})
	for _, s := range []step{
		sub("A", lit(buy(1), func(i *venue.OrderIntent) { i.Symbol = "E6H9" })),
		sub("B", lit(buy(1), limit("4800.1"))),
		sub("C", buy(1)),
	} {
		s(h)
	}
	require.Len(t, h.ev, 3)
	assert.Equal(t, venue.Event{Kind: venue.EventRejected, ClientID: "A", Reason: "UnknownReason", Text: "Access is denied"}, h.ev[0])
	assert.Equal(t, "InvalidPrice", h.ev[1].Reason)
	assert.Contains(t, h.ev[1].Text, "not on the 0.25 tick grid")
	assert.Equal(t, venue.ContractID(1), h.ev[1].Contract)
	assert.Equal(t, "SessionClosed", h.ev[2].Reason)
	assert.Equal(t, errClosed.Error(), h.ev[2].Text)
	o, ok := h.x.Order("C")
	require.True(t, ok)
	assert.Equal(t, venue.Rejected, o.Status)
	assert.Empty(t, h.x.WorkingOrders())
}

func TestSubmitCopiesTheOrder(t *testing.T) {
	h := newHarness(t, nil)
	in := lit(buy(2), limit("4790"), brackets(tp("4810"), sl("4780")))
	in.Symbol = "MESZ6"
	vo := &venue.Order{ClientID: "A", Strategy: "s", Intent: in}
	require.NoError(t, h.x.Submit(*vo))
	// The engine reuses its order value; the exchange must not care.
	vo.Intent.Brackets[0].Limit = px("4900")
	vo.Intent.Limit = px("4700")
	vo.ClientID = "Z"

	got := h.x.WorkingOrders()
	require.Len(t, got, 1)
	assert.Equal(t, "A", got[0].ClientID)
	assert.Equal(t, int64(1), got[0].VenueID)
	assert.Equal(t, venue.Working, got[0].Status)
	assert.Equal(t, px("4790"), got[0].Intent.Limit)
	assert.Equal(t, px("4810"), got[0].Intent.Brackets[0].Limit)
	got[0].Intent.Brackets[0].Limit = 1 // snapshots share nothing either
	again, _ := h.x.Order("A")
	assert.Equal(t, px("4810"), again.Intent.Brackets[0].Limit)

	leg, ok := h.x.Order("A/sl")
	require.True(t, ok)
	assert.Equal(t, venue.PendingNew, leg.Status)

	h.run(tk(trade(1, "4795", 1)), tk(trade(2, "4789", 1)))
	o, _ := h.x.Order("A")
	assert.Equal(t, venue.Filled, o.Status)
	assert.Equal(t, px("4790"), o.AvgPrice)
	assert.Equal(t, []string{"A/tp", "A/sl"}, clientIDs(h.x.WorkingOrders()))
	ps := h.x.Positions()
	require.Len(t, ps, 1)
	assert.Equal(t, int64(2), ps[0].Net)
	assert.Equal(t, "4790", ps[0].AvgPrice.String())
	assert.True(t, ps[0].Realized.IsZero())
	assert.Equal(t, int64(2), h.x.Position(1).Net)
	assert.Equal(t, venue.Position{Contract: 2}, h.x.Position(2))
	assert.Equal(t, int64(2), h.x.Time())
}

func clientIDs(os []venue.Order) []string {
	var ids []string
	for _, o := range os {
		ids = append(ids, o.ClientID)
	}
	return ids
}

func TestPositionFIFO(t *testing.T) {
	p := position{pv: decimal.NewFromInt(50)}
	p.apply(venue.Buy, 1, px("100"))
	p.apply(venue.Buy, 2, px("101"))
	assert.Equal(t, "100.6666666666666667", p.avgPrice().String())
	p.apply(venue.Sell, 2, px("102")) // closes 1@100 and 1@101: +2 +1 points
	assert.Equal(t, int64(1), p.net)
	assert.Equal(t, "150", p.realized.String())
	assert.Equal(t, "101", p.avgPrice().String())
	p.apply(venue.Sell, 3, px("100.25")) // closes 1@101 (−0.75), opens 2 short
	assert.Equal(t, int64(-2), p.net)
	assert.Equal(t, "112.5", p.realized.String())
	assert.Equal(t, "100.25", p.avgPrice().String())
	p.apply(venue.Buy, 2, px("100"))
	assert.Equal(t, int64(0), p.net)
	assert.Equal(t, "137.5", p.realized.String())
	assert.Equal(t, "0", p.avgPrice().String())
}

func TestDeterminism(t *testing.T) {
	script := make([]byte, 4000)
	var s uint64 = 0x9e3779b97f4a7c15
	for i := range script {
		s ^= s << 13
		s ^= s >> 7
		s ^= s << 17
		script[i] = byte(s)
	}
	run := func() string {
		h := newHarness(t, fuzzConfig(script[0]))
		d := &driver{h: h, data: script[1:]}
		d.run(t)
		var sb strings.Builder
		for _, e := range d.all {
			sb.WriteString(render(e))
			sb.WriteString(" ")
			sb.WriteString(e.Text)
			sb.WriteString("\n")
		}
		return sb.String()
	}
	a, b := run(), run()
	require.Equal(t, a, b)
	assert.Greater(t, strings.Count(a, "Filled"), 20, "the script should exercise fills")
}

// The sink may call back into the exchange while it is matching: a strategy
// reacting to a fill. Orders placed then wait for the next event; orders
// cancelled then do not fill.
func TestReentrantSink(t *testing.T) {
	h := newHarness(t, nil)
	record := h.x.sink
	h.x.sink = func(e venue.Event) {
		record(e)
		switch {
		case e.Kind == venue.EventFilled && e.ClientID == "A":
			require.NoError(t, h.x.Submit(venue.Order{ClientID: "B", Intent: lit(sell(1), func(i *venue.OrderIntent) { i.Symbol = "MESZ6" })}))
		case e.Kind == venue.EventAccepted && e.ClientID == "B":
			require.NoError(t, h.x.Cancel("C"))
		}
	}
	got := h.run(
		sub("A", lit(buy(1), limit("4799"))), sub("C", lit(buy(1), limit("4799"))),
		tk(trade(1, "4800", 1), trade(2, "4798.75", 1), trade(3, "4798.5", 1)),
	)
	assert.Equal(t, []string{
		"0 Accepted A#1", "0 Accepted C#2",
		"2 Filled A#1 f1 Buy 1@4799 fee=0.79 final",
		"2 Accepted B#3",
		"2 Cancelled C#2",
		"2 Position c1 net=1 avg=4799 real=0",
		"3 Filled B#3 f2 Sell 1@4798.5 fee=0.79 final",
		"3 Position c1 net=0 avg=0 real=-2.5",
	}, got)
	assert.Empty(t, h.x.WorkingOrders())
}
