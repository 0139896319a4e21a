package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/keeltrade/keel/engine"
	"github.com/keeltrade/keel/strategy"
	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/venuetest"
	"github.com/shopspring/decimal"
	"go.uber.org/fx"

	_ "github.com/keeltrade/keel/examples/smacross"
)

func init() {
	commands["demo"] = command{summary: "run the smacross example offline and print what it did (the default)", run: runDemo}
}

// demoTicks is a seeded random walk of ES trades, one every 250ms for a
// session: deterministic, offline and small.
func demoTicks(id venue.ContractID, n int) []venue.Tick {
	rng := rand.New(rand.NewPCG(7, 11))
	start := time.Date(2026, 11, 2, 14, 30, 0, 0, time.UTC).UnixNano()
	price := venue.MustParsePrice("6000")
	tick := venue.MustParsePrice("0.25")
	out := make([]venue.Tick, n)
	for i := range out {
		price = price.AddTicks(int64(rng.IntN(5))-2, tick)
		out[i] = venue.Tick{Time: start + int64(i)*int64(250*time.Millisecond), Contract: id, Price: price, Size: int32(1 + rng.IntN(5)), Flags: venue.HasTrade}
	}
	return out
}

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("demo", stderr)
	fast := fs.Int("fast", 10, "fast SMA length in bars")
	slow := fs.Int("slow", 30, "slow SMA length in bars")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	inst, err := venue.NewInstrumentSet(venue.Instrument{ID: 1, Symbol: "ESZ6", Root: "ES", TickSize: venue.MustParsePrice("0.25"), PointValue: decimal.NewFromInt(50), Currency: "USD"})
	if err != nil {
		return err
	}
	params, err := strategy.ParseParams(fmt.Sprintf("symbol=ESZ6,fast=%d,slow=%d", *fast, *slow))
	if err != nil {
		return err
	}
	strat, err := strategy.New("smacross", params)
	if err != nil {
		return err
	}
	v := &venuetest.Recorder{}
	var eng *engine.Engine
	app := fx.New(
		fx.NopLogger,
		fx.Supply(engine.Config{Instruments: inst, Venue: v, Session: "demo", Logger: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}),
		engine.Module,
		fx.Populate(&eng),
	)
	if err := app.Err(); err != nil {
		return err
	}
	if err := eng.Add("smacross", strat, params); err != nil {
		return err
	}
	if err := eng.Start(); err != nil {
		return err
	}
	ticks := demoTicks(1, 6.5*3600*4)
	for i := range ticks {
		if i%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		eng.OnTick(&ticks[i])
	}
	eng.Stop()
	st := eng.Stats()
	fmt.Fprintf(stdout, "keel demo: smacross fast=%d slow=%d on %d synthetic ESZ6 trades (1m bars)\n", *fast, *slow, st.Ticks)
	fmt.Fprintf(stdout, "bars %d, orders %d\n", st.Bars, len(v.Orders))
	for _, o := range eng.Orders() {
		fmt.Fprintf(stdout, "  %s  %-14s %-4s %d %s  %s avg %s\n", time.Unix(0, o.Created).UTC().Format(time.TimeOnly), o.ClientID, o.Intent.Side, o.Intent.Qty, o.Intent.Type, o.Status, o.AvgPrice)
	}
	if pnl, ok := eng.PnL("smacross"); ok {
		fmt.Fprintf(stdout, "PnL: realized %s, unrealized %s, fees %s, net %s USD\n", pnl.Realized.StringFixed(2), pnl.Unrealized.StringFixed(2), pnl.Fees.StringFixed(2), pnl.Net().StringFixed(2))
	}
	for _, f := range eng.Failures() {
		fmt.Fprintf(stdout, "strategy %s failed: %v\n", f.Strategy, f.Err)
	}
	return nil
}
