package sim

import (
	"fmt"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue"
)

var (
	mes = venue.Instrument{ID: 1, Symbol: "MESZ6", Root: "MES", TickSize: px("0.25"), PointValue: decimal.NewFromInt(5), Currency: "USD"}
	es  = venue.Instrument{ID: 2, Symbol: "ESZ6", Root: "ES", TickSize: px("0.25"), PointValue: decimal.NewFromInt(50), Currency: "USD"}
)

func px(s string) venue.Price      { return venue.MustParsePrice(s) }
func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }
func mesFee() FeeSchedule {
	return FeeSchedule{Exchange: dec("0.35"), Clearing: dec("0.19"), Broker: dec("0.25")}
}
func instruments() venue.Instruments { s, _ := venue.NewInstrumentSet(mes, es); return s }

// harness drives an Exchange and records its events.
type harness struct {
	tb testing.TB
	x  *Exchange
	ev []venue.Event
}

func newHarness(tb testing.TB, edit func(*Config)) *harness {
	tb.Helper()
	cfg := Config{Instruments: instruments(), Fees: map[string]FeeSchedule{"MES": mesFee()}}
	if edit != nil {
		edit(&cfg)
	}
	x, err := New(cfg)
	require.NoError(tb, err)
	h := &harness{tb: tb, x: x}
	require.NoError(tb, x.Start(func(e venue.Event) { h.ev = append(h.ev, e) }))
	return h
}

// step is one thing a test does to the exchange.
type step func(h *harness)

// sub submits an order for MESZ6 unless the intent names another symbol.
func sub(id string, in venue.OrderIntent) step {
	return func(h *harness) {
		if in.Symbol == "" {
			in.Symbol = "MESZ6"
		}
		require.NoError(h.tb, h.x.Submit(venue.Order{ClientID: id, Strategy: "test", Intent: in}))
	}
}

func tk(ts ...venue.Tick) step {
	return func(h *harness) {
		for i := range ts {
			h.x.OnTick(&ts[i])
		}
	}
}

func br(bs ...venue.Bar) step {
	return func(h *harness) {
		for i := range bs {
			h.x.OnBar(&bs[i])
		}
	}
}

func cancel(id string) step {
	return func(h *harness) { require.NoError(h.tb, h.x.Cancel(id)) }
}

func modify(id string, m venue.Modify) step {
	return func(h *harness) { require.NoError(h.tb, h.x.Modify(id, m)) }
}

func expireDay() step { return func(h *harness) { h.x.ExpireDay() } }

// trade is a trade-only MES tick.
func trade(t int64, price string, size int32) venue.Tick {
	return venue.Tick{Time: t, Contract: 1, Price: px(price), Size: size, Flags: venue.HasTrade}
}

// quote is a quote-only MES tick; "" is an absent side.
func quote(t int64, bid string, bidSize int32, ask string, askSize int32) venue.Tick {
	q := venue.Tick{Time: t, Contract: 1, BidSize: bidSize, AskSize: askSize, Flags: venue.HasQuote}
	if bid != "" {
		q.Bid = px(bid)
	}
	if ask != "" {
		q.Ask = px(ask)
	}
	return q
}

// both is a trade followed by the quote it left behind.
func both(t int64, price string, size int32, bid string, bidSize int32, ask string, askSize int32) venue.Tick {
	q := quote(t, bid, bidSize, ask, askSize)
	q.Price, q.Size, q.Flags = px(price), size, venue.HasTrade|venue.HasQuote
	return q
}

// bar is a one-minute MES bar starting at minute m (times in minutes).
func bar(m int64, o, h, l, c string) venue.Bar {
	return venue.Bar{Contract: 1, Spec: venue.Every(60e9), Start: m, End: m + 1, Open: px(o), High: px(h), Low: px(l), Close: px(c)}
}

func render(e venue.Event) string {
	head := fmt.Sprintf("%d %s %s", e.Time, e.Kind, e.ClientID)
	if e.VenueID != 0 {
		head += fmt.Sprintf("#%d", e.VenueID)
	}
	switch e.Kind {
	case venue.EventFilled:
		f := e.Fill
		s := fmt.Sprintf("%s f%d %s %d@%s fee=%s", head, f.ID, f.Side, f.Qty, f.Price, f.Fee)
		if e.Final {
			s += " final"
		}
		return s
	case venue.EventPosition:
		p := e.Position
		return fmt.Sprintf("%d Position c%d net=%d avg=%s real=%s", e.Time, p.Contract, p.Net, p.AvgPrice, p.Realized)
	case venue.EventRejected, venue.EventCancelRejected, venue.EventModifyRejected:
		return head + " " + e.Reason
	case venue.EventModified:
		s := head
		if e.Modify.Qty != 0 {
			s += fmt.Sprintf(" qty=%d", e.Modify.Qty)
		}
		if e.Modify.Limit != 0 {
			s += " limit=" + e.Modify.Limit.String()
		}
		if e.Modify.Stop != 0 {
			s += " stop=" + e.Modify.Stop.String()
		}
		return s
	}
	return head
}

func (h *harness) run(steps ...step) []string {
	for _, s := range steps {
		s(h)
	}
	out := make([]string, len(h.ev))
	for i, e := range h.ev {
		out[i] = render(e)
	}
	h.ev = h.ev[:0]
	return out
}

// scenario is one table row: a config, what happens, and every event expected.
type scenario struct {
	name  string
	cfg   func(*Config)
	steps []step
	want  []string
}

func runScenarios(t *testing.T, tests []scenario) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.cfg)
			got := h.run(tt.steps...)
			require.Equal(t, strings.Join(tt.want, "\n"), strings.Join(got, "\n"))
			checkInvariants(t, h)
		})
	}
}

// checkInvariants asserts what must hold after any sequence of calls.
func checkInvariants(tb testing.TB, h *harness) {
	tb.Helper()
	for id, o := range h.x.ids {
		if o.filled < 0 || o.filled > o.qty && o.status != venue.Rejected {
			tb.Fatalf("order %s: filled %d of %d", id, o.filled, o.qty)
		}
	}
	for _, b := range h.x.list {
		var lots int64
		for _, l := range b.pos.lots {
			if l.qty <= 0 {
				tb.Fatalf("contract %d: lot of %d", b.inst.ID, l.qty)
			}
			lots += l.qty
		}
		if lots != max(b.pos.net, -b.pos.net) {
			tb.Fatalf("contract %d: lots hold %d, net is %d", b.inst.ID, lots, b.pos.net)
		}
	}
}

func lit(in venue.OrderIntent, edits ...func(*venue.OrderIntent)) venue.OrderIntent {
	for _, e := range edits {
		e(&in)
	}
	return in
}

func buy(qty int64) venue.OrderIntent {
	return venue.OrderIntent{Side: venue.Buy, Qty: qty, Type: venue.Market}
}
func sell(qty int64) venue.OrderIntent {
	return venue.OrderIntent{Side: venue.Sell, Qty: qty, Type: venue.Market}
}

func limit(p string) func(*venue.OrderIntent) {
	return func(i *venue.OrderIntent) { i.Type, i.Limit = venue.Limit, px(p) }
}
func stop(p string) func(*venue.OrderIntent) {
	return func(i *venue.OrderIntent) { i.Type, i.Stop = venue.Stop, px(p) }
}
func stopLimit(s, l string) func(*venue.OrderIntent) {
	return func(i *venue.OrderIntent) { i.Type, i.Stop, i.Limit = venue.StopLimit, px(s), px(l) }
}
func mit(p string) func(*venue.OrderIntent) {
	return func(i *venue.OrderIntent) { i.Type, i.Stop = venue.MIT, px(p) }
}
func tif(t venue.TimeInForce) func(*venue.OrderIntent) {
	return func(i *venue.OrderIntent) { i.TIF = t }
}
func brackets(legs ...venue.Leg) func(*venue.OrderIntent) {
	return func(i *venue.OrderIntent) { i.Brackets = legs }
}
func oco(l venue.Leg) func(*venue.OrderIntent) {
	return func(i *venue.OrderIntent) { i.OCO = &l }
}
func tp(p string) venue.Leg { return venue.Leg{Type: venue.Limit, Limit: px(p)} }
func sl(p string) venue.Leg { return venue.Leg{Type: venue.Stop, Stop: px(p)} }

var errClosed = errorString("CME Globex is closed until 17:00 CT (daily maintenance)")

type errorString string

func (e errorString) Error() string { return string(e) }
