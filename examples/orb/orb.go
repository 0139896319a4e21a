// Package orb is an opening-range breakout: it records the high and low of
// the first minutes after the regular-hours open, then enters once per day
// when a bar closes outside that range, with an OSO bracket — a profit
// target and a stop loss, OCO-linked — and flattens before the close.
//
// Times are exchange (America/Chicago) wall-clock times. Parameters:
//
//	symbol  contract (required)
//	bar     bar length (default 1m)
//	open    regular-hours open, HH:MM CT (default 08:30)
//	range   opening-range length (default 15m)
//	flat    time to cancel everything and flatten, HH:MM CT (default 15:00)
//	qty     contracts (default 1)
//	target  profit target in ticks from the entry bar's close (default 16)
//	stop    stop loss in ticks from the entry bar's close; 0 puts it at the
//	        far side of the range (default 0)
package orb

import (
	"fmt"
	"time"
	_ "time/tzdata" // America/Chicago on minimal systems

	"github.com/keeltrade/keel/strategy"
	"github.com/keeltrade/keel/venue"
)

func init() {
	strategy.Register("orb", "opening-range breakout with bracket exits", New)
}

var chicago = mustLoad("America/Chicago")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// ORB is the strategy.
type ORB struct {
	Symbol string
	Bar    time.Duration
	Open   time.Duration // since midnight CT
	Range  time.Duration
	Flat   time.Duration // since midnight CT
	Qty    int64
	Target int64
	Stop   int64

	tick    venue.Price
	day     time.Time
	hi, lo  venue.Price
	ranged  bool
	traded  bool
	flatted bool
}

// New builds an ORB from parameters.
func New(p *strategy.Params) (strategy.Strategy, error) {
	o := &ORB{
		Symbol: p.String("symbol", ""),
		Bar:    p.Duration("bar", time.Minute),
		Range:  p.Duration("range", 15*time.Minute),
		Qty:    int64(p.Int("qty", 1)),
		Target: int64(p.Int("target", 16)),
		Stop:   int64(p.Int("stop", 0)),
	}
	var err error
	if o.Open, err = clock(p.String("open", "08:30")); err != nil {
		p.Check("open", false, err.Error())
	}
	if o.Flat, err = clock(p.String("flat", "15:00")); err != nil {
		p.Check("flat", false, err.Error())
	}
	p.Check("symbol", o.Symbol != "", "is required (e.g. symbol=ESZ6)")
	p.Check("bar", o.Bar > 0, "must be positive")
	p.Check("range", o.Range >= o.Bar, "must be at least one bar")
	p.Check("flat", o.Flat > o.Open+o.Range, "must be after the opening range ends")
	p.Check("qty", o.Qty > 0, "must be positive")
	p.Check("target", o.Target > 0, "must be positive")
	p.Check("stop", o.Stop >= 0, "must not be negative")
	return o, nil
}

// clock parses HH:MM into a duration since midnight.
func clock(s string) (time.Duration, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, fmt.Errorf("want HH:MM, e.g. 08:30")
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}

// Init implements strategy.Strategy.
func (o *ORB) Init(ctx strategy.Context) error {
	inst, ok := ctx.Instrument(o.Symbol)
	if !ok {
		return &venue.IntentError{Symbol: o.Symbol, Field: "symbol", Reason: "unknown symbol"}
	}
	o.tick = inst.TickSize
	return ctx.Bars(o.Symbol, venue.Every(o.Bar))
}

// OnBar implements strategy.BarHandler.
func (o *ORB) OnBar(ctx strategy.Context, b venue.Bar) {
	start := time.Unix(0, b.Start).In(chicago)
	day := time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, chicago)
	if !day.Equal(o.day) {
		*o = ORB{Symbol: o.Symbol, Bar: o.Bar, Open: o.Open, Range: o.Range, Flat: o.Flat, Qty: o.Qty, Target: o.Target, Stop: o.Stop, tick: o.tick, day: day}
	}
	since := start.Sub(day)
	end := time.Unix(0, b.End).In(chicago).Sub(day)
	switch {
	case since >= o.Open && since < o.Open+o.Range:
		if !o.ranged {
			o.hi, o.lo, o.ranged = b.High, b.Low, true
		}
		o.hi, o.lo = max(o.hi, b.High), min(o.lo, b.Low)
	case end >= o.Flat:
		if !o.flatted {
			o.flatted = true
			o.flatten(ctx)
		}
	case since >= o.Open+o.Range && o.ranged && !o.traded:
		switch {
		case b.Close > o.hi:
			o.enter(ctx, venue.Buy, b.Close)
		case b.Close < o.lo:
			o.enter(ctx, venue.Sell, b.Close)
		}
	}
}

func (o *ORB) enter(ctx strategy.Context, side venue.Side, ref venue.Price) {
	dir := side.Sign()
	target := ref.AddTicks(dir*o.Target, o.tick)
	stop := o.lo
	if side == venue.Sell {
		stop = o.hi
	}
	if o.Stop > 0 {
		stop = ref.AddTicks(-dir*o.Stop, o.tick)
	}
	_, err := ctx.Submit(venue.OrderIntent{
		Symbol: o.Symbol, Side: side, Qty: o.Qty, Type: venue.Market, Tag: "orb",
		Brackets: []venue.Leg{
			{Type: venue.Limit, Limit: target},
			{Type: venue.Stop, Stop: stop},
		},
	})
	if err != nil {
		ctx.Log().Warn("entry not sent", "err", err)
		return
	}
	o.traded = true
}

func (o *ORB) flatten(ctx strategy.Context) {
	if err := ctx.CancelAll(o.Symbol); err != nil {
		ctx.Log().Warn("cancel before flatten", "err", err)
	}
	net := ctx.Position(o.Symbol).Net
	if net == 0 {
		return
	}
	side := venue.Sell
	if net < 0 {
		side, net = venue.Buy, -net
	}
	if _, err := ctx.Submit(venue.OrderIntent{Symbol: o.Symbol, Side: side, Qty: net, Type: venue.Market, Tag: "orb-flat"}); err != nil {
		ctx.Log().Warn("flatten not sent", "err", err)
	}
}
