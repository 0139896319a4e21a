package risk

import (
	"log/slog"
	"strconv"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/cme"
)

var (
	ct  = cme.Chicago()
	mes = venue.Instrument{ID: 1, Symbol: "MESZ6", Root: "MES", TickSize: px("0.25"), PointValue: decimal.NewFromInt(5), Currency: "USD"}
	es  = venue.Instrument{ID: 2, Symbol: "ESZ6", Root: "ES", TickSize: px("0.25"), PointValue: decimal.NewFromInt(50), Currency: "USD"}
	// t0 is Tuesday 2026-11-24 10:00 CT, inside a normal ES session.
	t0 = time.Date(2026, 11, 24, 10, 0, 0, 0, ct)
)

func px(s string) venue.Price { return venue.MustParsePrice(s) }

func ctTime(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, ct)
}

// fakeCal answers Status from st/err, or from fn when set, and counts calls.
type fakeCal struct {
	st    cme.Status
	err   error
	fn    func(root string, t time.Time) (cme.Status, error)
	calls int
}

func (f *fakeCal) Status(root string, t time.Time) (cme.Status, error) {
	f.calls++
	if f.fn != nil {
		return f.fn(root, t)
	}
	return f.st, f.err
}

// alwaysOpen is a calendar whose session never closes within the tests.
func alwaysOpen() *fakeCal {
	return &fakeCal{st: cme.Status{
		Open:         true,
		SessionClose: time.Date(2100, 1, 1, 16, 0, 0, 0, ct),
		CloseReason:  "maintenance break",
		NextOpen:     time.Date(2100, 1, 1, 17, 0, 0, 0, ct),
		TradeDate:    time.Date(2026, 11, 24, 0, 0, 0, 0, ct),
	}}
}

// offConfig has every rule off.
func offConfig() Config { return Config{SessionRoot: "ES"} }

var discard = slog.New(slog.DiscardHandler)

// harness drives a Guard the way the engine does.
type harness struct {
	t   testing.TB
	g   *Guard
	now time.Time
	seq int
}

func newHarness(t testing.TB, cfg Config, opts ...Option) *harness {
	t.Helper()
	opts = append([]Option{WithCalendar(alwaysOpen()), WithLogger(discard)}, opts...)
	g, err := New(cfg, opts...)
	require.NoError(t, err)
	return &harness{t: t, g: g, now: t0}
}

func (h *harness) at(t time.Time) *harness { h.now = t; return h }

func (h *harness) advance(d time.Duration) *harness { h.now = h.now.Add(d); return h }

// request builds a request; price is the limit for Limit orders and the
// stop for Stop and MIT orders.
func (h *harness) request(strategy string, inst venue.Instrument, side venue.Side, qty int64, typ venue.OrderType, price venue.Price) *Request {
	h.seq++
	in := &venue.OrderIntent{Symbol: inst.Symbol, Side: side, Qty: qty, Type: typ}
	switch typ {
	case venue.Limit:
		in.Limit = price
	case venue.Stop, venue.MIT:
		in.Stop = price
	}
	return &Request{Now: h.now.UnixNano(), Strategy: strategy, ClientID: strategy + "-0-" + strconv.Itoa(h.seq), Instrument: inst, Intent: in}
}

func (h *harness) check(req *Request) *Denied {
	req.Now = h.now.UnixNano()
	return h.g.Check(req)
}

// market submits a market order and returns its id and the gate's answer.
func (h *harness) market(strategy string, inst venue.Instrument, side venue.Side, qty int64) (string, *Denied) {
	req := h.request(strategy, inst, side, qty, venue.Market, 0)
	return req.ClientID, h.check(req)
}

// mustMarket submits a market order that must pass.
func (h *harness) mustMarket(strategy string, inst venue.Instrument, side venue.Side, qty int64) string {
	h.t.Helper()
	id, d := h.market(strategy, inst, side, qty)
	require.Nil(h.t, d)
	return id
}

func (h *harness) event(e venue.Event) {
	e.Time = h.now.UnixNano()
	h.g.ObserveEvent(&e)
}

func (h *harness) fill(id string, inst venue.Instrument, side venue.Side, qty int64, price string, final bool, fee ...string) {
	f := venue.Fill{ClientID: id, Contract: inst.ID, Side: side, Qty: qty, Price: px(price)}
	if len(fee) > 0 {
		f.Fee = decimal.RequireFromString(fee[0])
	}
	h.event(venue.Event{Kind: venue.EventFilled, ClientID: id, Contract: inst.ID, Fill: f, Final: final})
}

// position opens a position through the gate: a market order filled at price.
func (h *harness) position(strategy string, inst venue.Instrument, side venue.Side, qty int64, price string) {
	h.t.Helper()
	id := h.mustMarket(strategy, inst, side, qty)
	h.fill(id, inst, side, qty, price, true)
}

func (h *harness) cancel(id string) { h.event(venue.Event{Kind: venue.EventCancelled, ClientID: id}) }

func (h *harness) trade(inst venue.Instrument, price string) {
	t := venue.Tick{Time: h.now.UnixNano(), Contract: inst.ID, Price: px(price), Size: 1, Flags: venue.HasTrade}
	h.g.ObserveTick(&t)
}

// micro converts a decimal string to micro-units for assertions.
func micro(s string) int64 {
	v, ok := micros(decimal.RequireFromString(s))
	if !ok {
		panic(s)
	}
	return v
}
