package engine

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/keeltrade/keel/risk"
	"github.com/keeltrade/keel/strategy"
	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/venuetest"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	mesID venue.ContractID = 101
	mnqID venue.ContractID = 102
)

var t0 = time.Date(2026, 3, 2, 14, 30, 0, 0, time.UTC).UnixNano()

func instruments(t testing.TB) *venue.InstrumentSet {
	s, err := venue.NewInstrumentSet(
		venue.Instrument{ID: mesID, Symbol: "MESM6", Root: "MES", TickSize: venue.MustParsePrice("0.25"), PointValue: decimal.NewFromInt(5), Currency: "USD"},
		venue.Instrument{ID: mnqID, Symbol: "MNQM6", Root: "MNQ", TickSize: venue.MustParsePrice("0.25"), PointValue: decimal.NewFromInt(2), Currency: "USD"},
	)
	require.NoError(t, err)
	return s
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newEngine(t testing.TB, v venue.Venue, gate risk.Gate) *Engine {
	e, err := New(Config{Instruments: instruments(t), Venue: v, Gate: gate, Logger: quietLog(), Session: "T"})
	require.NoError(t, err)
	return e
}

func trade(c venue.ContractID, at int64, price string, size int32) *venue.Tick {
	return &venue.Tick{Time: at, Contract: c, Price: venue.MustParsePrice(price), Size: size, Flags: venue.HasTrade}
}

// recorder is a strategy that writes down every callback.
type recorder struct {
	log    []string
	init   func(ctx strategy.Context) error
	onTick func(ctx strategy.Context, t venue.Tick)
	onBar  func(ctx strategy.Context, b venue.Bar)
	events []venue.Event
	fills  []venue.Fill
	// onFillH, if set, runs at each fill.
	onFillH func(ctx strategy.Context, f venue.Fill)
}

func (r *recorder) Init(ctx strategy.Context) error {
	if r.init != nil {
		return r.init(ctx)
	}
	return ctx.Subscribe("MESM6")
}
func (r *recorder) OnTick(ctx strategy.Context, t venue.Tick) {
	r.log = append(r.log, fmt.Sprintf("tick %s %s", ctx.Now().Format("15:04:05"), t.Price))
	if r.onTick != nil {
		r.onTick(ctx, t)
	}
}
func (r *recorder) OnBar(ctx strategy.Context, b venue.Bar) {
	r.log = append(r.log, fmt.Sprintf("bar %s %s-%s O%s H%s L%s C%s V%d N%d @%s", b.Spec,
		time.Unix(0, b.Start).UTC().Format("15:04:05"), time.Unix(0, b.End).UTC().Format("15:04:05"),
		b.Open, b.High, b.Low, b.Close, b.Volume, b.Trades, ctx.Now().Format("15:04:05")))
	if r.onBar != nil {
		r.onBar(ctx, b)
	}
}
func (r *recorder) OnTimer(ctx strategy.Context, tm strategy.Timer) {
	r.log = append(r.log, fmt.Sprintf("timer %s due %s @%s", tm.Tag, tm.At.Format("15:04:05"), ctx.Now().Format("15:04:05")))
}
func (r *recorder) OnOrder(ctx strategy.Context, e venue.Event) {
	r.events = append(r.events, e)
	r.log = append(r.log, "order "+e.Kind.String()+" "+e.ClientID)
}
func (r *recorder) OnFill(ctx strategy.Context, f venue.Fill) {
	r.fills = append(r.fills, f)
	if r.onFillH != nil {
		r.onFillH(ctx, f)
	}
}

func sec(s float64) int64 { return t0 + int64(s*1e9) }

func TestBarsTimersAndOrder(t *testing.T) {
	rec := &recorder{init: func(ctx strategy.Context) error {
		if err := ctx.Subscribe("MESM6"); err != nil {
			return err
		}
		if err := ctx.Bars("MESM6", venue.Every(time.Minute)); err != nil {
			return err
		}
		if err := ctx.Bars("MESM6", venue.EveryTrades(3)); err != nil {
			return err
		}
		ctx.SetTimer(time.Unix(0, sec(90)), "t90")
		ctx.SetTimer(time.Unix(0, sec(60)), "t60") // same instant as the first bar's end: bar first
		return nil
	}}
	e := newEngine(t, &venuetest.Recorder{}, nil)
	require.NoError(t, e.Add("rec", rec, nil))
	require.NoError(t, e.Start())
	for _, tk := range []*venue.Tick{
		trade(mesID, sec(1), "5000", 2),
		trade(mesID, sec(20), "5001.25", 1),
		trade(mesID, sec(59.5), "4999.75", 3),
		trade(mesID, sec(61), "5000.5", 1),
		trade(mnqID, sec(62), "20000", 1), // not subscribed: no callback
		trade(mesID, sec(200), "5002", 4), // skips two minutes: one bar closes, timer 90 fires between
	} {
		e.OnTick(tk)
	}
	assert.Equal(t, []string{
		"tick 14:30:01 5000",
		"tick 14:30:20 5001.25",
		"bar 3t 14:30:01-14:30:59 O5000 H5001.25 L4999.75 C4999.75 V6 N3 @14:30:59",
		"tick 14:30:59 4999.75",
		"bar 1m0s 14:30:00-14:31:00 O5000 H5001.25 L4999.75 C4999.75 V6 N3 @14:31:00",
		"timer t60 due 14:31:00 @14:31:00",
		"tick 14:31:01 5000.5",
		"timer t90 due 14:31:30 @14:31:30",
		"bar 1m0s 14:31:00-14:32:00 O5000.5 H5000.5 L5000.5 C5000.5 V1 N1 @14:32:00",
		"tick 14:33:20 5002",
	}, rec.log)
	st := e.Stats()
	assert.Equal(t, int64(6), st.Ticks)
	assert.Equal(t, int64(3), st.Bars)
	assert.Equal(t, int64(2), st.Timers)
}

func TestSubmitAndAccounting(t *testing.T) {
	v := &venuetest.Recorder{}
	var ids []string
	rec := &recorder{}
	rec.onTick = func(ctx strategy.Context, tk venue.Tick) {
		switch tk.Time {
		case sec(1):
			id, err := ctx.Submit(venue.OrderIntent{Symbol: "MESM6", Side: venue.Buy, Qty: 2, Type: venue.Market})
			require.NoError(t, err)
			ids = append(ids, id)
		case sec(3):
			id, err := ctx.Submit(venue.OrderIntent{Symbol: "MESM6", Side: venue.Sell, Qty: 3, Type: venue.Market})
			require.NoError(t, err)
			ids = append(ids, id)
		case sec(5):
			id, err := ctx.Submit(venue.OrderIntent{Symbol: "MESM6", Side: venue.Buy, Qty: 1, Type: venue.Limit, Limit: venue.MustParsePrice("4990")})
			require.NoError(t, err)
			ids = append(ids, id)
			assert.Len(t, ctx.OpenOrders("MESM6"), 1)
			require.NoError(t, ctx.CancelAll(""))
		}
	}
	e := newEngine(t, v, nil)
	require.NoError(t, e.Add("rec", rec, nil))
	require.NoError(t, e.Start())
	e.OnTick(trade(mesID, sec(1), "5000", 1))
	e.OnTick(trade(mesID, sec(2), "5001", 1))    // buy 2 fills @5001
	e.OnTick(trade(mesID, sec(3), "5002", 1))    // sell 3 sent
	e.OnTick(trade(mesID, sec(4), "5003.5", 1))  // sell 3 fills @5003.5: +2×2.5 realized, short 1
	e.OnTick(trade(mesID, sec(5), "5000.25", 1)) // mark: short 1 from 5003.5 → +3.25

	assert.Equal(t, []string{"rec-T-1", "rec-T-2", "rec-T-3"}, ids, "client ids are deterministic")
	require.Len(t, v.Orders, 3)
	assert.Equal(t, []string{"rec-T-3"}, v.Cancels)

	r := e.byName["rec"]
	pos := r.Position("MESM6")
	assert.Equal(t, int64(-1), pos.Net)
	assert.Equal(t, "25", pos.Realized.String(), "2 contracts × 2.5 points × $5")
	assert.Equal(t, "16.25", pos.Unrealized.String(), "1 × 3.25 points × $5")
	assert.Equal(t, "5003.5", pos.AvgPrice.String())
	assert.Equal(t, "41.25", r.PnL().Net().String())
	assert.Len(t, rec.fills, 2)
	assert.Empty(t, r.OpenOrders(""))

	orders := e.Orders()
	require.Len(t, orders, 3)
	assert.Equal(t, venue.Filled, orders[0].Status)
	assert.Equal(t, venue.MustParsePrice("5001"), orders[0].AvgPrice)
	assert.Equal(t, venue.Cancelled, orders[2].Status)
}

func TestIntentsRejectedBeforeVenue(t *testing.T) {
	v := &venuetest.Recorder{}
	var errs []error
	rec := &recorder{onTick: func(ctx strategy.Context, _ venue.Tick) {
		for _, in := range []venue.OrderIntent{
			{Symbol: "MESM6", Side: venue.Buy, Qty: 0, Type: venue.Market},
			{Symbol: "MESM6", Side: venue.Buy, Qty: -1, Type: venue.Market},
			{Symbol: "MESM6", Side: venue.Buy, Qty: 1, Type: venue.Limit},
			{Symbol: "MESM6", Side: venue.Buy, Qty: 1, Type: venue.Stop},
			{Symbol: "MESM6", Side: venue.Buy, Qty: 1, Type: venue.Limit, Limit: venue.MustParsePrice("5000.1")},
			{Symbol: "NOPE", Side: venue.Buy, Qty: 1, Type: venue.Market},
		} {
			_, err := ctx.Submit(in)
			errs = append(errs, err)
		}
	}}
	e := newEngine(t, v, nil)
	require.NoError(t, e.Add("rec", rec, nil))
	require.NoError(t, e.Start())
	e.OnTick(trade(mesID, sec(1), "5000", 1))
	assert.Empty(t, v.Orders, "nothing invalid reaches the venue")
	require.Len(t, errs, 6)
	want := []string{"qty", "qty", "limit", "stop", "limit", "symbol"}
	for i, err := range errs {
		var ie *venue.IntentError
		require.ErrorAs(t, err, &ie, "case %d", i)
		assert.Equal(t, want[i], ie.Field)
	}
	assert.Contains(t, errs[5].Error(), "NOPE")
	assert.Equal(t, int64(6), e.Stats().Invalid)
}

type denyAll struct{}

func (denyAll) Check(req *risk.Request) *risk.Denied {
	return &risk.Denied{Rule: "max-qty", Limit: "0", Observed: fmt.Sprint(req.Intent.Qty), Text: "order quantity above the limit"}
}

func TestRiskDenial(t *testing.T) {
	v := &venuetest.Recorder{}
	var err error
	rec := &recorder{onTick: func(ctx strategy.Context, _ venue.Tick) {
		_, err = ctx.Submit(venue.OrderIntent{Symbol: "MESM6", Side: venue.Buy, Qty: 1, Type: venue.Market})
	}}
	e := newEngine(t, v, denyAll{})
	require.NoError(t, e.Add("rec", rec, nil))
	require.NoError(t, e.Start())
	e.OnTick(trade(mesID, sec(1), "5000", 1))
	var d *risk.Denied
	require.ErrorAs(t, err, &d)
	assert.Equal(t, "max-qty", d.Rule)
	assert.Empty(t, v.Orders)
	assert.Empty(t, rec.events, "one way to learn of a denial: Submit's error")
	assert.Equal(t, venue.Rejected, e.Orders()[0].Status)
	assert.Equal(t, int64(1), e.Stats().Denied)
}

func TestVenueSubmitErrorIsLocalReject(t *testing.T) {
	v := &venuetest.Recorder{FailSubmit: errors.New("not connected")}
	var err error
	rec := &recorder{onTick: func(ctx strategy.Context, _ venue.Tick) {
		_, err = ctx.Submit(venue.OrderIntent{Symbol: "MESM6", Side: venue.Buy, Qty: 1, Type: venue.Market})
	}}
	e := newEngine(t, v, nil)
	require.NoError(t, e.Add("rec", rec, nil))
	require.NoError(t, e.Start())
	e.OnTick(trade(mesID, sec(1), "5000", 1))
	assert.ErrorContains(t, err, "not connected")
	assert.Empty(t, rec.events, "the error is the one notice")
	assert.Equal(t, venue.Rejected, e.Orders()[0].Status, "certainly not sent: rejected, not unknown")
}

// Observers (reports, journals) still see keel's refusals.
func TestObserveSeesLocalRefusals(t *testing.T) {
	var seen []venue.Event
	e, err := New(Config{Instruments: instruments(t), Venue: &venuetest.Recorder{}, Gate: denyAll{}, Logger: quietLog(), Session: "T",
		Observe: func(ev *venue.Event) { seen = append(seen, *ev) }})
	require.NoError(t, err)
	rec := &recorder{onTick: func(ctx strategy.Context, _ venue.Tick) {
		_, _ = ctx.Submit(venue.OrderIntent{Symbol: "MESM6", Side: venue.Buy, Qty: 1, Type: venue.Market})
	}}
	require.NoError(t, e.Add("rec", rec, nil))
	require.NoError(t, e.Start())
	e.OnTick(trade(mesID, sec(1), "5000", 1))
	require.Len(t, seen, 1)
	assert.Equal(t, venue.EventDenied, seen[0].Kind)
	assert.True(t, seen[0].Local)
}

func TestPanickingStrategyIsStopped(t *testing.T) {
	v := &venuetest.Recorder{}
	bad := &recorder{onTick: func(ctx strategy.Context, tk venue.Tick) {
		if tk.Time == sec(1) {
			_, err := ctx.Submit(venue.OrderIntent{Symbol: "MESM6", Side: venue.Buy, Qty: 1, Type: venue.Limit, Limit: venue.MustParsePrice("4900")})
			require.NoError(t, err)
			return
		}
		var levels []int
		_ = levels[tk.Size] // index out of range
	}}
	good := &recorder{}
	failing := &recorder{init: func(strategy.Context) error { return errors.New("no data") }}
	e := newEngine(t, v, nil)
	require.NoError(t, e.Add("bad", bad, nil))
	require.NoError(t, e.Add("good", good, nil))
	require.NoError(t, e.Add("failing", failing, nil))
	require.NoError(t, e.Start())
	for i := 1; i <= 3; i++ {
		e.OnTick(trade(mesID, sec(float64(i)), "5000", 1))
	}
	assert.Equal(t, []string{"tick 14:30:01 5000", "order Accepted bad-T-1", "tick 14:30:02 5000"}, bad.log, "no callbacks after the panic")
	assert.Len(t, good.log, 3, "the other strategy goes on")
	f := e.Failures()
	require.Len(t, f, 2)
	assert.Equal(t, "failing", f[0].Strategy)
	assert.ErrorContains(t, f[0].Err, "init: no data")
	assert.Equal(t, "bad", f[1].Strategy)
	assert.ErrorContains(t, f[1].Err, "index out of range")
	assert.Contains(t, f[1].Stack, "engine_test.go")
	assert.Equal(t, []string{"bad-T-1"}, v.Cancels, "working orders of the stopped strategy are cancelled")
	_, err := e.byName["bad"].Submit(venue.OrderIntent{Symbol: "MESM6", Side: venue.Buy, Qty: 1, Type: venue.Market})
	assert.ErrorIs(t, err, ErrStrategyStopped)
}

func TestBracketChildEventsBelongToParent(t *testing.T) {
	v := &venuetest.Recorder{}
	rec := &recorder{}
	e := newEngine(t, v, nil)
	require.NoError(t, e.Add("rec", rec, nil))
	require.NoError(t, e.Start())
	r := e.byName["rec"]
	_, err := r.Submit(venue.OrderIntent{Symbol: "MESM6", Side: venue.Buy, Qty: 1, Type: venue.Market, TIF: venue.IOC,
		Brackets: []venue.Leg{{Type: venue.Limit, Limit: venue.MustParsePrice("5010")}}})
	require.NoError(t, err)
	e.drain()
	e.OnEvent(venue.Event{Kind: venue.EventAccepted, ClientID: "rec-T-1/tp", Contract: mesID})
	e.OnEvent(venue.Event{Kind: venue.EventAccepted, ClientID: "other-T-1/tp", Contract: mesID})
	orders := e.Orders()
	require.Len(t, orders, 2)
	assert.Equal(t, "rec-T-1", orders[1].ParentID)
	assert.Equal(t, venue.Sell, orders[1].Intent.Side)
	assert.Equal(t, venue.Limit, orders[1].Intent.Type)
	assert.Equal(t, venue.MustParsePrice("5010"), orders[1].Intent.Limit)
	assert.Equal(t, venue.GTC, orders[1].Intent.TIF, "exits protect the position until it is closed")
	assert.Equal(t, int64(1), e.Stats().UnknownEvents)
}

func TestDuplicateFillIgnored(t *testing.T) {
	v := &venuetest.Recorder{}
	rec := &recorder{}
	e := newEngine(t, v, nil)
	require.NoError(t, e.Add("rec", rec, nil))
	require.NoError(t, e.Start())
	r := e.byName["rec"]
	id, err := r.Submit(venue.OrderIntent{Symbol: "MESM6", Side: venue.Buy, Qty: 2, Type: venue.Limit, Limit: venue.MustParsePrice("5000")})
	require.NoError(t, err)
	fill := venue.Event{Kind: venue.EventFilled, ClientID: id, Contract: mesID, Fill: venue.Fill{ID: 7, Side: venue.Buy, Qty: 1, Price: venue.MustParsePrice("5000"), Contract: mesID}}
	e.OnEvent(fill)
	e.OnEvent(fill)
	assert.Equal(t, int64(1), r.Position("MESM6").Net)
	assert.Equal(t, int64(1), e.Stats().DuplicateFill)
	assert.Equal(t, venue.Working, e.Orders()[0].Status)
}

func TestConfigErrors(t *testing.T) {
	_, err := New(Config{Venue: &venuetest.Recorder{}})
	assert.ErrorContains(t, err, "Instruments")
	_, err = New(Config{Instruments: instruments(t)})
	assert.ErrorContains(t, err, "Venue")
	_, err = New(Config{Instruments: instruments(t), Venue: &venuetest.Recorder{}, Session: "a-b"})
	assert.ErrorContains(t, err, "Session")
	e := newEngine(t, &venuetest.Recorder{}, nil)
	assert.Error(t, e.Add("", &recorder{}, nil))
	assert.Error(t, e.Add("a b", &recorder{}, nil))
	require.NoError(t, e.Add("a", &recorder{}, nil))
	assert.ErrorContains(t, e.Add("a", &recorder{}, nil), "twice")
	rec := &recorder{init: func(ctx strategy.Context) error { return ctx.Bars("MESM6", venue.Every(0)) }}
	require.NoError(t, e.Add("b", rec, nil))
	require.NoError(t, e.Start())
	require.Len(t, e.Failures(), 1)
	assert.ErrorContains(t, e.Failures()[0].Err, "invalid bar spec")
	assert.Error(t, e.Add("c", &recorder{}, nil))
	assert.Error(t, e.Start())
}

type noop struct{}

func (noop) Init(ctx strategy.Context) error {
	if err := ctx.Subscribe("MESM6"); err != nil {
		return err
	}
	return ctx.Bars("MESM6", venue.Every(time.Minute))
}
func (noop) OnTick(strategy.Context, venue.Tick) {}
func (noop) OnBar(strategy.Context, venue.Bar)   {}

func TestTickPathDoesNotAllocate(t *testing.T) {
	e := newEngine(t, &venuetest.Recorder{}, nil)
	require.NoError(t, e.Add("noop", noop{}, nil))
	require.NoError(t, e.Start())
	tk := *trade(mesID, t0, "5000", 1)
	allocs := testing.AllocsPerRun(10000, func() {
		tk.Time += int64(time.Second) // crosses a bar boundary every 60 ticks
		e.OnTick(&tk)
	})
	assert.Zero(t, allocs)
}

func BenchmarkEngineTick(b *testing.B) {
	e := newEngine(b, &venuetest.Recorder{}, nil)
	require.NoError(b, e.Add("noop", noop{}, nil))
	require.NoError(b, e.Start())
	tk := *trade(mesID, t0, "5000", 1)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		tk.Time += int64(250 * time.Millisecond)
		e.OnTick(&tk)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/tick")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ticks/s")
}

func TestBarData(t *testing.T) {
	rec := &recorder{init: func(ctx strategy.Context) error {
		if err := ctx.Bars("MESM6", venue.Every(time.Minute)); err != nil {
			return err
		}
		ctx.SetTimer(time.Unix(0, sec(150)), "mid")
		return ctx.Bars("MESM6", venue.Every(3*time.Minute))
	}}
	e := newEngine(t, &venuetest.Recorder{}, nil)
	require.NoError(t, e.Add("rec", rec, nil))
	require.NoError(t, e.Start())
	bar := func(min int, o, h, l, c string) *venue.Bar {
		return &venue.Bar{Contract: mesID, Spec: venue.Every(time.Minute), Start: sec(float64(60 * min)), End: sec(float64(60 * (min + 1))),
			Open: venue.MustParsePrice(o), High: venue.MustParsePrice(h), Low: venue.MustParsePrice(l), Close: venue.MustParsePrice(c), Volume: 10, Trades: 4}
	}
	for _, b := range []*venue.Bar{
		bar(0, "5000", "5002", "4999", "5001"),
		bar(1, "5001", "5003", "5000", "5002.5"),
		bar(2, "5002.5", "5002.5", "4998", "4998.25"),
		bar(3, "4998.25", "4999", "4997", "4997.5"),
	} {
		e.OnBarData(b)
	}
	assert.Equal(t, []string{
		"bar 1m0s 14:30:00-14:31:00 O5000 H5002 L4999 C5001 V10 N4 @14:31:00",
		"bar 1m0s 14:31:00-14:32:00 O5001 H5003 L5000 C5002.5 V10 N4 @14:32:00",
		"timer mid due 14:32:30 @14:32:30",
		"bar 1m0s 14:32:00-14:33:00 O5002.5 H5002.5 L4998 C4998.25 V10 N4 @14:33:00",
		"bar 3m0s 14:30:00-14:33:00 O5000 H5003 L4998 C4998.25 V30 N12 @14:33:00",
		"bar 1m0s 14:33:00-14:34:00 O4998.25 H4999 L4997 C4997.5 V10 N4 @14:34:00",
	}, rec.log)
	assert.Equal(t, "4997.5", e.contractFor(mesID).last.String())
}
