package engine

import (
	"cmp"
	"errors"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/risk"
	"github.com/keeltrade/keel/strategy"
	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/sim"
	"github.com/keeltrade/keel/venue/venuetest"
)

const (
	esID   venue.ContractID = 300 // the continuous contract "ES"
	esH6ID venue.ContractID = 301
	esM6ID venue.ContractID = 302
	esU6ID venue.ContractID = 303
)

// frontSet is an instrument set with ES's continuous contract: ESH6 is
// the front month until rollAt, ESM6 until rollAt2 (when set), then ESU6.
type frontSet struct {
	*venue.InstrumentSet
	rollAt, rollAt2 int64
}

func (f *frontSet) FrontMonth(root string, t int64) (venue.Instrument, int64, error) {
	if root != "ES" {
		return venue.Instrument{}, 0, errors.New("no continuous contract for " + root)
	}
	if t < f.rollAt {
		in, _ := f.ByID(esH6ID)
		return in, f.rollAt, nil
	}
	if f.rollAt2 == 0 || t < f.rollAt2 {
		in, _ := f.ByID(esM6ID)
		return in, cmp.Or(f.rollAt2, maxTime), nil
	}
	in, _ := f.ByID(esU6ID)
	return in, maxTime, nil
}

func esInstruments(t testing.TB, rollAt int64) *frontSet {
	es := func(id venue.ContractID, sym string) venue.Instrument {
		return venue.Instrument{ID: id, Symbol: sym, Root: "ES", TickSize: venue.MustParsePrice("0.25"), PointValue: decimal.NewFromInt(50), Currency: "USD"}
	}
	s, err := venue.NewInstrumentSet(es(esID, "ES"), es(esH6ID, "ESH6"), es(esM6ID, "ESM6"), es(esU6ID, "ESU6"))
	require.NoError(t, err)
	return &frontSet{InstrumentSet: s, rollAt: rollAt}
}

// withES gives the rig ES's months and continuous contract, rolling at
// sec(10), and a fee of 1.25 a contract.
func withES(t *testing.T) rigOpt {
	ins := esInstruments(t, sec(10))
	return func(c *Config, s *sim.Config) {
		c.Instruments, s.Instruments = ins, ins
		s.DefaultFee = sim.FeeSchedule{Broker: decimal.RequireFromString("1.25")}
	}
}

// esTick sends one trade in each month, a second after the last ones.
func (rg *rig) esTick(h6, m6 string) {
	rg.now += int64(time.Second)
	rg.e.OnTick(trade(esH6ID, rg.now, h6, 100))
	rg.e.OnTick(trade(esM6ID, rg.now, m6, 100))
}

// esStrategy trades the continuous contract: it runs steps[n] at its n-th
// tick and writes down the symbol and price of every tick it sees.
func esStrategy(steps map[int]func(ctx strategy.Context)) *recorder {
	n := 0
	rec := &recorder{init: func(ctx strategy.Context) error { return ctx.Subscribe("ES") }}
	rec.onTick = func(ctx strategy.Context, t venue.Tick) {
		n++
		rec.log[len(rec.log)-1] += " " + ctx.Symbol(t.Contract)
		if f := steps[n]; f != nil {
			f(ctx)
		}
	}
	return rec
}

func TestContinuousContractTradesTheFrontMonth(t *testing.T) {
	rg := newRig(t, `account: {market_hours: {enabled: false}}`, withES(t))
	var id string
	s := esStrategy(map[int]func(strategy.Context){
		1: func(ctx strategy.Context) {
			var err error
			id, err = ctx.Submit(venue.OrderIntent{Symbol: "ES", Side: venue.Buy, Qty: 1, Type: venue.Market})
			require.NoError(t, err)
		},
		3: func(ctx strategy.Context) {
			_, err := ctx.Submit(venue.OrderIntent{Symbol: "ES", Side: venue.Sell, Qty: 1, Type: venue.Limit, Limit: venue.MustParsePrice("5050")})
			require.NoError(t, err)
			p := ctx.Position("ES")
			assert.Equal(t, "ES", p.Symbol)
			assert.Equal(t, int64(1), p.Net)
			assert.Equal(t, "5000.25", p.AvgPrice.String())
			assert.Len(t, ctx.OpenOrders("ES"), 1, "the month's orders are the root's")
			assert.Len(t, ctx.OpenOrders("ESH6"), 1)
			assert.Empty(t, ctx.OpenOrders("ESM6"))
			_, err = ctx.Submit(venue.OrderIntent{Symbol: "ES", Side: venue.Sell, Qty: 2, Type: venue.Market, ReduceOnly: true})
			assert.ErrorContains(t, err, "reduce_only", "reduce-only is checked against the month's position")
		},
		4: func(ctx strategy.Context) {
			require.NoError(t, ctx.Flatten("ES"))
		},
	})
	require.NoError(t, rg.e.Add("a", s, nil))
	require.NoError(t, rg.e.Start())
	rg.esTick("5000", "5010")
	rg.esTick("5000.25", "5010.25")
	rg.esTick("5000.5", "5010.5")
	rg.esTick("5000.5", "5010.5")
	rg.esTick("5000", "5010")

	o, ok := s.orderOf(rg, id)
	require.True(t, ok)
	assert.Equal(t, esH6ID, o.Contract, "ES goes to the front month")
	assert.Equal(t, "ESH6", o.Intent.Symbol, "and the order names it")
	require.NotEmpty(t, s.fills)
	assert.Equal(t, esH6ID, s.fills[0].Contract, "fills name the month")
	assert.Equal(t, []string{
		"tick 14:30:01 5000 ES", "tick 14:30:02 5000.25 ES", "tick 14:30:03 5000.5 ES", "tick 14:30:04 5000.5 ES", "tick 14:30:05 5000 ES",
	}, ticksOf(s.log), "the strategy sees the front month's ticks only, as ES")
	assert.Equal(t, int64(0), rg.x.Position(esH6ID).Net, "Flatten(ES) closed the month")
	assert.Empty(t, rg.x.WorkingOrders(), "and cancelled its orders there")
	assert.Equal(t, int64(0), rg.e.byName["a"].Position("ES").Net)
	assert.Zero(t, rg.e.Stats().Rolls)
}

func ticksOf(log []string) []string {
	var out []string
	for _, l := range log {
		if len(l) > 4 && l[:4] == "tick" {
			out = append(out, l)
		}
	}
	return out
}

func (r *recorder) orderOf(rg *rig, id string) (venue.Order, bool) {
	for _, o := range rg.e.Orders() {
		if o.ClientID == id {
			return o, true
		}
	}
	return venue.Order{}, false
}

// A bracketed long 2 in ESH6 rolls to ESM6 at the roll: a close and an
// open, both tagged as a roll, the exits in ESH6 cancelled without being
// reported lost, and the cost in the roll's record.
func TestContinuousContractRollsAnOpenPosition(t *testing.T) {
	rg := newRig(t, `account: {market_hours: {enabled: false}}`, withES(t))
	entry := venue.OrderIntent{Symbol: "ES", Side: venue.Buy, Qty: 2, Type: venue.Market,
		Brackets: []venue.Leg{{Type: venue.Limit, Limit: venue.MustParsePrice("5100")}, {Type: venue.Stop, Stop: venue.MustParsePrice("4900")}}}
	s := esStrategy(map[int]func(strategy.Context){1: submit(entry)})
	require.NoError(t, rg.e.Add("a", s, nil))
	require.NoError(t, rg.e.Start())
	for range 9 { // to sec(9)
		rg.esTick("5000", "5010")
	}
	require.Equal(t, int64(2), rg.x.Position(esH6ID).Net)
	require.Len(t, rg.x.WorkingOrders(), 2, "the bracket's exits")

	rg.esTick("5000", "5010")       // sec(10): the roll begins; ESH6's close is sent at mark 5000
	rg.esTick("4999.75", "5010.25") // the close fills at 4999.75; the open, sent at mark 5010, fills at 5010.25
	rg.esTick("4999.75", "5010.5")
	rg.esTick("4999.75", "5010.5")

	assert.Equal(t, int64(0), rg.x.Position(esH6ID).Net, "closed in the old month")
	assert.Equal(t, int64(2), rg.x.Position(esM6ID).Net, "opened in the new one")
	assert.Empty(t, rg.x.WorkingOrders(), "the old month's exits are cancelled")
	a := rg.e.byName["a"]
	assert.Equal(t, int64(2), a.Position("ES").Net)
	assert.Equal(t, "5010.25", a.Position("ES").AvgPrice.String(), "the position is the new month's")
	assert.Equal(t, int64(0), a.Position("ESH6").Net)
	assert.Equal(t, int64(2), a.Position("ESM6").Net)

	var rolls []venue.Order
	for _, o := range rg.e.Orders() {
		if o.Intent.Tag == RollTag {
			rolls = append(rolls, o)
		}
	}
	require.Len(t, rolls, 2)
	assert.Equal(t, "ESH6", rolls[0].Intent.Symbol)
	assert.Equal(t, venue.Sell, rolls[0].Intent.Side)
	assert.Equal(t, "ESM6", rolls[1].Intent.Symbol)
	assert.Equal(t, venue.Buy, rolls[1].Intent.Side)
	assert.Equal(t, venue.Filled, rolls[1].Status)

	st := rg.e.Stats()
	assert.Equal(t, int64(1), st.Rolls)
	// The exits did not come along: the strategy hears so once, when the
	// new month's position opens.
	assert.Equal(t, int64(1), st.ExitsLost)
	var unprotected []venue.Event
	for _, ev := range s.events {
		if ev.Kind == venue.EventUnprotected {
			unprotected = append(unprotected, ev)
		}
	}
	require.Len(t, unprotected, 1)
	assert.Equal(t, venue.ReasonExitsRolled, unprotected[0].Reason)
	assert.Equal(t, esM6ID, unprotected[0].Contract)
	got := rg.e.Rolls()
	require.Len(t, got, 1)
	r := got[0]
	assert.Equal(t, Roll{Strategy: "a", Root: "ES", From: "ESH6", To: "ESM6", Qty: 2, Closed: 2, Opened: 2, At: sec(10)},
		Roll{Strategy: r.Strategy, Root: r.Root, From: r.From, To: r.To, Qty: r.Qty, Closed: r.Closed, Opened: r.Opened, At: r.At})
	// Fees 4 × 1.25 = 5; slippage: sold 2 at 4999.75 against 5000 (0.25 ×
	// 2 × 50 = 25), bought 2 at 5010.25 against 5010 (25).
	assert.Equal(t, "55", r.Cost.String())
	assert.Empty(t, r.Note)

	// The strategy's ticks: ESH6 up to the roll, ESM6 from it.
	ticks := ticksOf(s.log)
	assert.Equal(t, "tick 14:30:09 5000 ES", ticks[8])
	assert.Equal(t, "tick 14:30:10 5010 ES", ticks[9])
	assert.Equal(t, "tick 14:30:11 5010.25 ES", ticks[10])
	assert.Len(t, ticks, 13)
}

// A strategy flat in the old month with an entry working there has it
// cancelled at the roll, and nothing is opened.
func TestRollCancelsWorkingEntries(t *testing.T) {
	rg := newRig(t, `account: {market_hours: {enabled: false}}`, withES(t))
	s := esStrategy(map[int]func(strategy.Context){1: submit(venue.OrderIntent{Symbol: "ES", Side: venue.Buy, Qty: 1, Type: venue.Limit, Limit: venue.MustParsePrice("4900")})})
	require.NoError(t, rg.e.Add("a", s, nil))
	require.NoError(t, rg.e.Start())
	for range 12 {
		rg.esTick("5000", "5010")
	}
	assert.Empty(t, rg.x.WorkingOrders())
	assert.Zero(t, rg.e.Stats().Rolls)
	assert.Empty(t, rg.e.Rolls())
}

// A strategy that trades the month itself, not the root, is not rolled.
func TestMonthTradedDirectlyDoesNotRoll(t *testing.T) {
	rg := newRig(t, `account: {market_hours: {enabled: false}}`, withES(t))
	s := &recorder{init: func(ctx strategy.Context) error { return ctx.Subscribe("ESH6") }}
	n := 0
	s.onTick = func(ctx strategy.Context, t venue.Tick) {
		if n++; n == 1 {
			submit(venue.OrderIntent{Symbol: "ESH6", Side: venue.Buy, Qty: 1, Type: venue.Market})(ctx)
		}
	}
	require.NoError(t, rg.e.Add("a", s, nil))
	// Something must map ES for a roll to happen at all.
	require.NoError(t, rg.e.Add("b", esStrategy(nil), nil))
	require.NoError(t, rg.e.Start())
	for range 12 {
		rg.esTick("5000", "5010")
	}
	assert.Equal(t, int64(1), rg.x.Position(esH6ID).Net)
	assert.Zero(t, rg.e.Stats().Rolls)
}

// The risk gate refuses the roll's opening leg: the strategy is left flat
// (never doubled, never left in the old month), and the roll says why.
func TestRollWhoseOpenIsDenied(t *testing.T) {
	rg := newRig(t, `account: {market_hours: {enabled: false}}`, withES(t), func(c *Config, _ *sim.Config) { c.Gate = denyEntriesIn{esM6ID} })
	s := esStrategy(map[int]func(strategy.Context){1: submit(venue.OrderIntent{Symbol: "ES", Side: venue.Sell, Qty: 2, Type: venue.Market})})
	require.NoError(t, rg.e.Add("a", s, nil))
	require.NoError(t, rg.e.Start())
	for range 14 {
		rg.esTick("5000", "5010")
	}
	assert.Equal(t, int64(0), rg.x.Position(esH6ID).Net)
	assert.Equal(t, int64(0), rg.x.Position(esM6ID).Net)
	got := rg.e.Rolls()
	require.Len(t, got, 1)
	assert.Equal(t, int64(-2), got[0].Qty)
	assert.Equal(t, int64(2), got[0].Closed)
	assert.Equal(t, int64(0), got[0].Opened)
	assert.Contains(t, got[0].Note, "opening leg refused")
	assert.Contains(t, rg.logs.String(), "could not open the new one")
}

// denyEntriesIn is a risk gate that refuses every order in one contract
// but protective ones.
type denyEntriesIn struct{ id venue.ContractID }

func (d denyEntriesIn) Check(req *risk.Request) *risk.Denied {
	if req.Instrument.ID == d.id && req.Protect == risk.NotProtective {
		return &risk.Denied{Rule: "test", Text: "no entries in " + req.Instrument.Symbol}
	}
	return nil
}

// A roll's close the venue refuses is sent again, as any flatten is, and
// the position is opened in the new month once it fills.
func TestRefusedRollCloseIsRetried(t *testing.T) {
	rg := newRig(t, `account: {market_hours: {enabled: false}}`, withES(t))
	s := esStrategy(map[int]func(strategy.Context){1: submit(venue.OrderIntent{Symbol: "ES", Side: venue.Buy, Qty: 1, Type: venue.Market})})
	require.NoError(t, rg.e.Add("a", s, nil))
	require.NoError(t, rg.e.Start())
	for range 9 {
		rg.esTick("5000", "5010")
	}
	rg.closed = true
	for range 3 {
		rg.esTick("5000", "5010")
	}
	assert.Equal(t, int64(1), rg.x.Position(esH6ID).Net, "refused while closed")
	rg.closed = false
	for range 40 {
		rg.esTick("5000", "5010")
	}
	assert.Equal(t, int64(0), rg.x.Position(esH6ID).Net)
	assert.Equal(t, int64(1), rg.x.Position(esM6ID).Net)
	assert.Positive(t, rg.e.Stats().FlattenRetries)
	got := rg.e.Rolls()
	require.Len(t, got, 1)
	assert.Equal(t, int64(1), got[0].Opened)
	for _, o := range rg.e.Orders() {
		if o.Contract == esH6ID && o.Protective {
			assert.Equal(t, RollTag, o.Intent.Tag, "every close the roll sends is tagged as a roll")
		}
	}
}

// A flatten during the roll takes it over: nothing is opened in the new
// month.
func TestFlattenInterruptsARoll(t *testing.T) {
	rg := newRig(t, `account: {market_hours: {enabled: false}}`, withES(t))
	s := esStrategy(map[int]func(strategy.Context){1: submit(venue.OrderIntent{Symbol: "ES", Side: venue.Buy, Qty: 1, Type: venue.Market})})
	require.NoError(t, rg.e.Add("a", s, nil))
	require.NoError(t, rg.e.Start())
	for range 10 { // the roll's close is on its way
		rg.esTick("5000", "5010")
	}
	require.NoError(t, rg.e.Flatten("ES", "operator"))
	for range 5 {
		rg.esTick("5000", "5010")
	}
	assert.Equal(t, int64(0), rg.x.Position(esH6ID).Net)
	assert.Equal(t, int64(0), rg.x.Position(esM6ID).Net)
	got := rg.e.Rolls()
	require.Len(t, got, 1)
	assert.Zero(t, got[0].Opened)
	assert.Contains(t, got[0].Note, "interrupted by a flatten")
}

// Without venue.FrontMonths a continuous symbol is refused with a reason.
func TestContinuousWithoutFrontMonths(t *testing.T) {
	rg := newRig(t, `account: {market_hours: {enabled: false}}`, func(c *Config, s *sim.Config) {
		ins := esInstruments(t, sec(10)).InstrumentSet // no FrontMonth
		c.Instruments, s.Instruments = ins, ins
	})
	var err error
	s := esStrategy(map[int]func(strategy.Context){1: func(ctx strategy.Context) {
		_, err = ctx.Submit(venue.OrderIntent{Symbol: "ES", Side: venue.Buy, Qty: 1, Type: venue.Market})
	}})
	require.NoError(t, rg.e.Add("a", s, nil))
	require.NoError(t, rg.e.Start())
	rg.e.OnTick(trade(esID, sec(1), "5000", 1)) // a tick for the root itself reaches its subscribers
	var ie *venue.IntentError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "symbol", ie.Field)
	assert.Contains(t, rg.logs.String(), "FrontMonths")
}

func continuousEngine(tb testing.TB) *Engine {
	ins := esInstruments(tb, maxTime)
	e, err := New(Config{Instruments: ins, Venue: &venuetest.Recorder{}, Logger: quietLog(), Session: "T"})
	require.NoError(tb, err)
	require.NoError(tb, e.Add("n", esNoop{}, nil))
	require.NoError(tb, e.Start())
	return e
}

type esNoop struct{}

func (esNoop) Init(ctx strategy.Context) error {
	if err := ctx.Bars("ES", venue.Every(time.Minute)); err != nil {
		return err
	}
	return ctx.Subscribe("ES")
}
func (esNoop) OnTick(strategy.Context, venue.Tick) {}
func (esNoop) OnBar(strategy.Context, venue.Bar)   {}

// The front month's ticks reach the continuous contract without allocating.
func TestContinuousTickPathDoesNotAllocate(t *testing.T) {
	e := continuousEngine(t)
	tk := trade(esH6ID, sec(1), "5000", 1)
	e.OnTick(tk)
	allocs := testing.AllocsPerRun(1000, func() {
		tk.Time += 1e6
		e.OnTick(tk)
	})
	assert.Zero(t, allocs)
}

func BenchmarkContinuousTick(b *testing.B) {
	e := continuousEngine(b)
	tk := trade(esH6ID, sec(1), "5000", 1)
	b.ReportAllocs()
	for b.Loop() {
		tk.Time += 1e6
		e.OnTick(tk)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/tick")
}

// A leg sent while its month's last price is older than RollMarkAge (a gap
// in the data) is charged its fees only: the market moved meanwhile, and
// that is not the roll's cost.
func TestRollCostIgnoresAStaleMark(t *testing.T) {
	rg := newRig(t, `account: {market_hours: {enabled: false}}`, withES(t))
	s := esStrategy(map[int]func(strategy.Context){1: submit(venue.OrderIntent{Symbol: "ES", Side: venue.Buy, Qty: 1, Type: venue.Market})})
	require.NoError(t, rg.e.Add("a", s, nil))
	require.NoError(t, rg.e.Start())
	rg.esTick("5000", "5010")
	rg.esTick("5000", "5010")
	require.Equal(t, int64(1), rg.x.Position(esH6ID).Net)
	// A gap in the data: the first trade after it is ESM6's, past the roll
	// at sec(10), when ESH6's last price is older than RollMarkAge.
	rg.now += int64(RollMarkAge)
	for range 3 {
		rg.now += int64(time.Second)
		rg.e.OnTick(trade(esM6ID, rg.now, "5010", 1))
	}
	require.Equal(t, int64(1), rg.e.Stats().Rolls)
	rg.esTick("4990", "5010") // the close fills at 4990, 10 points under ESH6's stale mark
	rg.esTick("4990", "5010") // the open, sent at mark 5010, fills at 5010
	got := rg.e.Rolls()
	require.Len(t, got, 1)
	assert.Equal(t, int64(1), got[0].Opened)
	assert.Equal(t, "2.5", got[0].Cost.String(), "two fees of 1.25, no slippage")
}

// A position held through two rolls is in the third month: what the first
// roll opened is the root's position too.
func TestPositionRollsTwice(t *testing.T) {
	ins := esInstruments(t, sec(10))
	ins.rollAt2 = sec(20)
	rg := newRig(t, `account: {market_hours: {enabled: false}}`, func(c *Config, s *sim.Config) { c.Instruments, s.Instruments = ins, ins })
	s := esStrategy(map[int]func(strategy.Context){1: submit(venue.OrderIntent{Symbol: "ES", Side: venue.Buy, Qty: 1, Type: venue.Market})})
	require.NoError(t, rg.e.Add("a", s, nil))
	require.NoError(t, rg.e.Start())
	for range 30 {
		rg.now += int64(time.Second)
		for _, id := range []venue.ContractID{esH6ID, esM6ID, esU6ID} {
			rg.e.OnTick(trade(id, rg.now, "5000", 100))
		}
	}
	assert.Equal(t, [3]int64{0, 0, 1}, [3]int64{rg.x.Position(esH6ID).Net, rg.x.Position(esM6ID).Net, rg.x.Position(esU6ID).Net})
	assert.Equal(t, int64(2), rg.e.Stats().Rolls)
	assert.Equal(t, int64(1), rg.e.byName["a"].Position("ES").Net)
}

// An exit that fills while the roll's cancel is on its way: the roll's
// close then overshoots, its resend buys it back, and the new month mirrors
// both, so the strategy ends flat in both months (never doubled), and the
// roll says what happened.
func TestExitRacingTheRollEndsFlat(t *testing.T) {
	rg := newRig(t, `account: {market_hours: {enabled: false}}`, withES(t), func(_ *Config, s *sim.Config) { s.Latency = 1500 * time.Millisecond })
	entry := venue.OrderIntent{Symbol: "ES", Side: venue.Buy, Qty: 2, Type: venue.Market,
		Brackets: []venue.Leg{{Type: venue.Limit, Limit: venue.MustParsePrice("5100")}, {Type: venue.Stop, Stop: venue.MustParsePrice("4990")}}}
	s := esStrategy(map[int]func(strategy.Context){1: submit(entry)})
	require.NoError(t, rg.e.Add("a", s, nil))
	require.NoError(t, rg.e.Start())
	for range 9 {
		rg.esTick("5000", "5010")
	}
	require.Equal(t, int64(2), rg.x.Position(esH6ID).Net)
	rg.esTick("5000", "5010") // sec(10): the roll sends its close and the exits' cancels
	rg.esTick("4980", "5010") // the stop triggers before the cancel reaches the book
	for range 40 {
		rg.esTick("4980", "5010")
	}
	assert.Equal(t, int64(0), rg.x.Position(esH6ID).Net)
	assert.Equal(t, int64(0), rg.x.Position(esM6ID).Net, "never doubled in the new month")
	assert.Equal(t, int64(0), rg.e.byName["a"].Position("ES").Net)
	got := rg.e.Rolls()
	require.Len(t, got, 1)
	assert.Contains(t, got[0].Note, "filled during the roll")
}

// Between the close's fill and the open's, the root does not read flat.
func TestRootIsNotFlatMidRoll(t *testing.T) {
	rg := newRig(t, `account: {market_hours: {enabled: false}}`, withES(t))
	var mid []int64
	s := esStrategy(map[int]func(strategy.Context){1: submit(venue.OrderIntent{Symbol: "ES", Side: venue.Buy, Qty: 1, Type: venue.Market})})
	s.onFillH = func(ctx strategy.Context, f venue.Fill) { mid = append(mid, ctx.Position("ES").Net) }
	require.NoError(t, rg.e.Add("a", s, nil))
	require.NoError(t, rg.e.Start())
	for range 14 {
		rg.esTick("5000", "5010")
	}
	assert.Equal(t, []int64{1, 1, 1}, mid, "after the entry, the roll's close and its open")
}
