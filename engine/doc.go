// Package engine is keel's one deterministic loop. A single goroutine takes
// ticks and venue events, advances the clock (firing due bar closes and
// timers in time order), lets an in-loop venue such as the simulator match
// the tick, aggregates bars, calls strategies, and passes their intents
// through the risk gate to the venue. Order state, positions and PnL (the
// OMS) live here too, so strategies read them without locks.
//
// Backtests call Engine.OnTick directly from the data reader's goroutine
// (no hand-off at all); live sessions feed ticks and venue events through
// lock-free rings and call Engine.Run, which owns the loop goroutine.
//
// Per tick, in order:
//
//  1. clock advance to the tick's time (data time in a backtest, wall time
//     live): bar series whose end has passed close and timers that are due
//     fire, in time order;
//  2. the in-loop venue (simulator) sees the tick and reports fills;
//  3. the tick updates the contract's last trade and quote, and the open
//     bars of its series (tick-count bars that fill up close now);
//  4. strategies subscribed to the contract get OnTick;
//  5. venue events raised by any of this are delivered after each callback,
//     never re-entrantly.
//
// A strategy that panics is stopped, its working orders cancelled and the
// panic reported with its stack; the loop and other strategies go on.
package engine
