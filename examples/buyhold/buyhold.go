// Package buyhold is the baseline every strategy should beat: it buys Qty
// contracts at the first market event and flattens on the last one. It has
// no per-tick work at all, which also makes it the benchmark of the engine
// and simulator themselves.
//
// Parameters:
//
//	symbol  contract to hold (required)
//	qty     contracts (default 1; negative holds a short)
package buyhold

import (
	"time"

	"github.com/keeltrade/keel/strategy"
	"github.com/keeltrade/keel/venue"
)

func init() {
	strategy.Register("buyhold", "buy at the first tick, flatten at the last: the baseline", New)
}

// Hold is the strategy.
type Hold struct {
	Symbol string
	Qty    int64
}

// New builds a Hold from parameters.
func New(p *strategy.Params) (strategy.Strategy, error) {
	h := &Hold{Symbol: p.String("symbol", ""), Qty: int64(p.Int("qty", 1))}
	p.Check("symbol", h.Symbol != "", "is required (e.g. symbol=ESZ6)")
	p.Check("qty", h.Qty != 0, "must not be zero")
	return h, nil
}

// Init implements strategy.Strategy: a timer due at the epoch fires on the
// first clock advance, before the venue sees the first market event, so the
// entry fills on it.
func (h *Hold) Init(ctx strategy.Context) error {
	if _, ok := ctx.Instrument(h.Symbol); !ok {
		return &venue.IntentError{Symbol: h.Symbol, Field: "symbol", Reason: "unknown symbol"}
	}
	ctx.SetTimer(time.Unix(0, 0), "enter")
	return nil
}

// OnTimer implements strategy.TimerHandler: it trades to the target
// position, so a session restarted with the position already held (the
// journal adopts it) does not buy it again.
func (h *Hold) OnTimer(ctx strategy.Context, _ strategy.Timer) {
	var working int64
	for _, o := range ctx.OpenOrders(h.Symbol) {
		working += o.Intent.Side.Sign() * o.Remaining()
	}
	h.trade(ctx, h.Qty-ctx.Position(h.Symbol).Net-working)
}

// OnEnd implements strategy.EndHandler: flatten on the last event.
func (h *Hold) OnEnd(ctx strategy.Context) {
	h.trade(ctx, -ctx.Position(h.Symbol).Net)
}

func (h *Hold) trade(ctx strategy.Context, qty int64) {
	if qty == 0 {
		return
	}
	side := venue.Buy
	if qty < 0 {
		side, qty = venue.Sell, -qty
	}
	if _, err := ctx.Submit(venue.OrderIntent{Symbol: h.Symbol, Side: side, Qty: qty, Type: venue.Market}); err != nil {
		ctx.Log().Warn("order not sent", "err", err)
	}
}
