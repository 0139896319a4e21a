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
// # Continuous contracts
//
// A strategy may trade a product root ("ES") when the instrument set
// implements venue.FrontMonths (a backtest's registry does, from the CME
// roll dates of venue/cme; the Tradovate adapter's does not yet, so live
// sessions trade months). The root is a contract of its own: it sees the
// front month's ticks and bars, re-stamped with the root's contract id, so
// one series runs across every contract; the months' own ticks still
// reach strategies that asked for a month. Prices are the months' raw
// prices, not back-adjusted: a series jumps by the calendar spread at a
// roll, and indicators see that jump.
//
// Submit on the root sends to the front month, and the order, its fills
// and OnOrder name the month. Position on the root sums the strategy's
// months (AvgPrice is the open month's); OpenOrders, CancelAll and
// Flatten on the root cover every month.
//
// The front month changes at the first market event (or order) at or
// after the roll date's midnight, Chicago time, and before anything else
// sees that event. Every live strategy that traded a month through the
// root and still holds a position there, or has orders working there, is
// rolled: a flatten job tagged RollTag closes the position in the old
// month, cancelling its orders there and resending until flat, as any
// flatten does; each of its fills is mirrored in the new month (the same
// quantity, the other side) by a market order also tagged RollTag, which
// the risk gate checks as an entry (as a protective order when it only
// reduces). Mirroring keeps the roll's two legs netting to zero whatever
// fills in the old month meanwhile: an exit that fills while its cancel is
// on its way leaves the strategy flat in both months, never doubled. The
// opening leg still working counts in Position on the root, so the root
// never reads flat mid-roll.
//
// Bracket exits do not follow: the old month's are cancelled, and when
// the new month's position opens the strategy gets one EventUnprotected
// (ReasonExitsRolled, counted in Stats.ExitsLost). A strategy that keeps
// exits restates them then, or when it sees the roll's opening fill
// (Order(id).Intent.Tag == RollTag). Any other flatten of the strategy in
// either month takes the roll over, and nothing more is opened; so does a
// strategy's failure (under KeepExits too: a position mid-roll has no
// exits left to keep). Engine.Rolls lists the rolls, with their cost (fees
// plus each leg's slippage from its month's mark when sent; see Roll.Cost),
// and Stats.Rolls counts them.
//
// # Client order ids
//
// Client order ids are "<strategy>-<session>-<seq>". A venue outside the
// loop (the Tradovate adapter) needs Config.Session unique to the run —
// NewSessionID issues and persists them — or a restart would reuse ids;
// backtests keep the default "0". Venue.Submit gets its own deep copy of
// the order (venue.Order.Clone).
package engine
