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
// # Getting flat
//
// Orders that reduce risk — the risk gate's flattens (kill switch, loss
// breach with flatten_on_breach, flatten_before_close), a failed
// strategy's flatten and an operator's (Engine.Flatten) — are protective
// (venue.Order.Protective): the gate judges them only on reducing the real
// position and on the tick grid (see package risk), never on rate,
// duplicate, open-order or entry-window rules. A flatten of one scope (the
// account or a strategy) in one contract is a standing job, done in rounds:
//
//  1. cancel the scope's working entries there;
//  2. for the account, cross strategies holding opposite positions against
//     each other at the contract's mark (venue.Transfer: A long 2 and B
//     short 1 become A long 1 and B flat, with no order), so only the
//     account's net reaches the venue — per-strategy orders would each add
//     to the account and be refused;
//  3. send one protective market order per strategy still holding
//     (attributed to it), for what its working protective orders do not
//     already cover;
//  4. cancel the scope's bracket exits — after the flatten is on its way,
//     so the position is never naked before it.
//
// The job ends when the scope is flat with nothing protective working. If
// it is not flat and no protective order is working — the venue refused
// one, it expired, a fill moved the position — the engine logs an error,
// sends EventUnprotected (Reason venue.ReasonFlattenRetry) to each strategy
// still holding, and runs another round after a backoff (250ms doubling to
// 30s, engine clock; Stats.FlattenRetries). An order whose outcome is
// unknown counts as working: it is never sent twice.
//
// # Failed strategies
//
// A strategy that panics (or fails Init) is stopped and reported with its
// stack in Failures; the loop and other strategies go on. Config.OnFailure
// decides what happens to what it leaves: FlattenOnFailure (the default)
// cancels its entries, flattens its positions through the protective path
// and then cancels its exits; KeepExits cancels its entries and leaves its
// positions to their bracket exits, for an operator.
//
// # Exits
//
// Bracket exits are GTC unless a leg sets its time in force
// (venue.LinkedTIF), and the engine's record of an exit carries the
// venue's size (Event.Qty). An exit cancelled or expired while its
// position is still open — and not by keel's own flatten — is reported to
// its strategy as EventUnprotected (ReasonExitCancelled or
// ReasonExitExpired), warned once per strategy, and counted in
// Stats.ExitsLost (a backtest's summary shows it).
//
// # Client order ids
//
// Client order ids are "<strategy>-<session>-<seq>". A venue outside the
// loop (the Tradovate adapter) needs Config.Session unique to the run —
// NewSessionID issues and persists them — or a restart would reuse ids;
// backtests keep the default "0". Venue.Submit gets its own deep copy of
// the order (venue.Order.Clone).
package engine
