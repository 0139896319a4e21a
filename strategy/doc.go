// Package strategy is what a keel user writes against.
//
// A strategy is a small Go type. It implements Strategy (one method, Init,
// where it subscribes to the data it wants) and any of the optional handler
// interfaces — TickHandler, BarHandler, OrderHandler, FillHandler,
// TimerHandler, Stopper — for the callbacks it needs. The engine calls them
// all from one goroutine, in a deterministic order, so strategy code needs no
// locks and a backtest replays bit for bit.
//
// Everything a strategy does goes through the Context it is handed: submit,
// cancel and modify orders (brackets included), read its position, open
// orders and PnL, read the clock, set timers, log and read its parameters.
//
// Strategies are registered by name (Register) so the runner can build one
// from flags or YAML:
//
//	func init() {
//		strategy.Register("smacross", "moving-average crossover", func(p *strategy.Params) (strategy.Strategy, error) {
//			return &Cross{Fast: p.Int("fast", 10), Slow: p.Int("slow", 30)}, nil
//		})
//	}
package strategy
