// Package smacross is an example keel strategy: a fast/slow simple moving
// average crossover on time bars. When the fast average crosses above the
// slow one it goes long Qty contracts; when it crosses below it goes short
// Qty (or flat, with short=false). It trades with market orders and never
// has more than one order working.
//
// Parameters (all optional except symbol):
//
//	symbol  contract to trade, e.g. ESZ6
//	bar     bar length (default 1m)
//	fast    fast SMA length in bars (default 10)
//	slow    slow SMA length in bars (default 30, at most indicator.MaxPeriod)
//	qty     contracts per position (default 1)
//	short   take short positions on a downward cross (default true)
package smacross

import (
	"errors"
	"fmt"
	"time"

	"github.com/keeltrade/keel/strategy"
	"github.com/keeltrade/keel/strategy/indicator"
	"github.com/keeltrade/keel/venue"
)

func init() {
	strategy.Register("smacross", "fast/slow moving-average crossover on time bars", New)
}

// Cross is the strategy. Build it with New or fill the exported fields.
type Cross struct {
	Symbol string
	Bar    time.Duration
	Fast   int
	Slow   int
	Qty    int64
	Short  bool

	fast, slow *indicator.SMA
	above      int // +1 fast above slow, -1 below, 0 unknown
	working    string
}

// New builds a Cross from parameters.
func New(p *strategy.Params) (strategy.Strategy, error) {
	c := &Cross{
		Symbol: p.String("symbol", ""),
		Bar:    p.Duration("bar", time.Minute),
		Fast:   p.Int("fast", 10),
		Slow:   p.Int("slow", 30),
		Qty:    int64(p.Int("qty", 1)),
		Short:  p.Bool("short", true),
	}
	p.Check("symbol", c.Symbol != "", "is required (e.g. symbol=ESZ6)")
	p.Check("bar", c.Bar > 0, "must be positive")
	p.Check("fast", c.Fast > 0, "must be positive")
	p.Check("slow", c.Slow > c.Fast, "must be greater than fast")
	p.Check("slow", c.Slow <= indicator.MaxPeriod, fmt.Sprintf("must be at most %d (indicator.MaxPeriod)", indicator.MaxPeriod))
	p.Check("qty", c.Qty > 0, "must be positive")
	return c, nil
}

// Init implements strategy.Strategy.
func (c *Cross) Init(ctx strategy.Context) error {
	if c.Fast <= 0 || c.Slow <= c.Fast {
		return errors.New("smacross: need 0 < fast < slow")
	}
	var err error
	if c.fast, err = indicator.NewSMA(c.Fast); err != nil {
		return err
	}
	if c.slow, err = indicator.NewSMA(c.Slow); err != nil {
		return err
	}
	// The slow average needs Slow bars: the warm-up says so, and the
	// backtest output reports it (or warns that it never completed).
	return ctx.WarmUp(c.Symbol, venue.Every(c.Bar), c.Slow)
}

// OnBar implements strategy.BarHandler.
func (c *Cross) OnBar(ctx strategy.Context, b venue.Bar) {
	px := b.Close.Float64()
	c.fast.Update(px)
	c.slow.Update(px)
	if !c.slow.Ready() {
		return
	}
	now := 1
	if c.fast.Value() < c.slow.Value() {
		now = -1
	}
	crossed := c.above != 0 && now != c.above
	c.above = now
	if !crossed || c.working != "" {
		return
	}
	target := c.Qty
	if now < 0 {
		target = 0
		if c.Short {
			target = -c.Qty
		}
	}
	delta := target - ctx.Position(c.Symbol).Net
	if delta == 0 {
		return
	}
	side := venue.Buy
	if delta < 0 {
		side, delta = venue.Sell, -delta
	}
	id, err := ctx.Submit(venue.OrderIntent{Symbol: c.Symbol, Side: side, Qty: delta, Type: venue.Market, Tag: "cross"})
	if err != nil {
		ctx.Log().Warn("order not sent", "err", err)
		return
	}
	c.working = id
}

// OnOrder implements strategy.OrderHandler: it forgets the working order
// once it can no longer fill.
func (c *Cross) OnOrder(ctx strategy.Context, e venue.Event) {
	if e.ClientID != c.working {
		return
	}
	switch e.Kind {
	case venue.EventFilled:
		if e.Final {
			c.working = ""
		}
	case venue.EventRejected, venue.EventCancelled, venue.EventExpired:
		ctx.Log().Warn("order ended without a full fill", "order", e.ClientID, "kind", e.Kind.String(), "reason", e.Reason)
		c.working = ""
	}
}
