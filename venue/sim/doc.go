// Package sim is keel's in-process exchange. It matches orders against the
// market data it is shown — ticks through OnTick, or bars through OnBar —
// and reports the events Tradovate would send. It implements venue.InLoop;
// the backtest driver and the Tradovate sandbox both run on it.
//
// This comment is the contract: every assumption the simulator makes about
// fills is written here, so a backtest's numbers can be read knowing what
// produced them.
//
// # Running it
//
// An Exchange lives on the engine's goroutine. The engine calls OnTick for
// every tick before strategies see it; Submit, Cancel, Modify, ExpireDay
// and the query methods are called from the same goroutine. Events go to
// the sink given to Start, synchronously, before the call that caused them
// returns; the sink may call back in. An Exchange is not safe for
// concurrent use and starts no goroutines.
//
// It is deterministic: venue order ids and fill ids come from counters
// starting at 1, nothing depends on map order or the wall clock (unless
// Config.Now reads it), and the same calls give the same events.
//
// # Time and latency
//
// Market time is the latest Tick.Time, or the End of the latest bar. A
// request made at time T (market time, or Config.Now when set) reaches the
// book at T + Config.Latency. An order executes only on market events with
// Time ≥ T + Latency that arrive after the call: never on the event that
// was being processed when it was submitted, so with zero latency an order
// works from the next tick. Acknowledgements are immediate: EventAccepted
// or EventRejected is sent from inside Submit.
//
// Cancels and modifies travel the same way. With zero latency they take
// effect at once (a modify that reprices works from the next event). With
// Latency > 0 the order keeps working until the request arrives: if it
// fills meanwhile, the request fails with "TooLate". A second request while
// one is in flight fails with "AnotherCommandPending".
//
// # Market data on ticks
//
// A tick with a quote replaces the top of book: bid, ask and their sizes
// (a zero size means unknown; a zero price with a zero size means no such
// side). Our own fills consume the displayed size until the next quote
// replaces it, so two orders never take the same contracts twice. Once a
// contract has printed a trade it is trade data: from then on only trades
// trigger stops and MITs; before that, quotes do.
//
// # Market orders
//
// A market order (and a triggered Stop or MIT) fills at the opposite touch
// — the ask for a buy, the bid for a sell — when a quote is known, up to
// its displayed size; when no quote is known, at the price of the next
// trade, in full. Config.SlippageTicks ticks are then added against the
// order (buys pay more, sells receive less). What cannot fill now: Day and
// GTC orders keep working and take the touch of later quotes; IOC expires
// the rest (EventExpired); FOK fills all or nothing — it expires unfilled
// unless the displayed size covers it. An IOC or FOK that finds no price at
// all expires.
//
// # Limit orders
//
// A limit order reaching the book is marketable when the opposite touch
// (with no quote, the trade on that tick) is at or better than its limit.
// It then fills at the touch — the better of touch and limit — up to the
// displayed size, without slippage. Its remainder keeps taking the touch of
// later quotes while the touch stays at or better than the limit, and
// rests once the touch moves beyond it. A limit IOC or FOK that is not
// marketable on arrival expires.
//
// A resting limit order fills at its limit price, never better:
//
//   - a trade through the price (below a buy limit, above a sell limit)
//     fills the whole remainder: at price-time priority every order at our
//     price trades before the market trades through it;
//   - an opposite quote through the price (an ask below a buy limit) fills
//     up to that quote's displayed size;
//   - a trade at the price fills nothing under QueueModel TradeThrough (the
//     default), which assumes we are always last in the queue.
//
// Under TouchWithQueue the displayed size ahead of the order is estimated
// when it reaches the book: zero if its price improves on the best price on
// its side, the displayed size if it joins the best, unknown if it sits
// behind the best (then it is set when its price becomes the best, and
// zero when the best moves behind it). Later quotes can only shrink the
// estimate: it never exceeds what is displayed at the price. Trades at the
// price consume it first; what trades beyond it fills the order. Several of
// our orders at one price share a trade in time priority. An opposite quote
// at the price also fills, up to its size. Without trade and quote sizes
// TouchWithQueue behaves like TradeThrough.
//
// A modify that changes a price or increases the size loses the queue
// position: the order arrives again, marketability included. Reducing the
// size keeps it.
//
// # Stops and MIT
//
// Stop and StopLimit trigger when a trade is at or beyond the stop (at or
// above it for buys, at or below for sells); on quote-only data when the
// ask (buys) or bid (sells) gets there. MIT triggers when the market
// touches its price from the other side: a trade at or below the price for
// a buy, at or above for a sell (on quote-only data the ask, resp. bid). A
// stop or MIT that is already triggered when it reaches the book triggers
// at once. On the triggering tick a Stop or MIT executes as a market order
// (slippage included); a StopLimit becomes a limit order arriving then. An
// IOC or FOK stop that does not trigger on arrival expires.
//
// # Bars
//
// OnBar shows a completed bar. An order executes on a bar only if it
// reached the book by the bar's Start (so an order decided on a bar's
// close fills on the next bar at the earliest; a Latency that reaches past
// the next bar's open waits one more bar). Bars carry no sizes: bar fills
// are complete. Fills at the open are stamped with the bar's Start, fills
// inside it with its End. After a bar the contract's last trade is its
// close and no quote is known. A bar whose open or close lies outside
// [low, high] is ignored. With o, h, l the open, high and low, s the
// slippage, for a buy (sells mirror):
//
//   - Market: o + s.
//   - Limit reaching the book: o ≤ limit fills at o. Resting: o < limit
//     (≤ under TouchWithQueue) fills at o; otherwise l < limit (≤ under
//     TouchWithQueue) fills at the limit.
//   - Stop: h ≥ stop fills at max(o, stop) + s.
//   - StopLimit: h ≥ stop triggers at p = max(o, stop); p ≤ limit fills at
//     p, otherwise it rests as a limit from the next bar.
//   - MIT: l ≤ price fills at min(o, price) + s.
//   - IOC and FOK: only a fill at the open counts; otherwise they expire.
//
// The order of events inside a bar is unknown, so the simulator assumes the
// worst for the trader:
//
//   - When both orders of an OCO link (a bracket's target and stop, or an
//     OCO pair) can execute on one bar, a fill at the open comes first,
//     then a stop (Stop, StopLimit) before a target, then the price nearer
//     the open, then time priority. Only the first executes; the other is
//     reduced or cancelled as its link says, and only a stop that is still
//     working afterwards (a scale-out) may still fill on that bar. So a bar
//     that touches both a target and a stop fills the stop — unless the bar
//     opens beyond the target: the open is finer data, and it says the
//     target came first.
//   - Exits placed by an entry that filled on the bar: after a fill at the
//     open they see the whole bar (stop first, as above); after a fill
//     inside the bar only stop exits can fill on that bar, from the entry
//     price on, while targets wait for the next bar — the market may never
//     have come back to them.
//
// Tick data removes all of this guessing.
//
// # Brackets and OCO
//
// Brackets follow Tradovate's placeOSO: the entry's exit legs (up to two)
// get venue ids at submit time but work only once the entry fills: each
// then gets EventAccepted, sized to the filled quantity (capped at
// Leg.Qty when set). Further entry fills grow them (EventModified with the
// new total Qty). The two exits are OCO-linked: a fill of q on one reduces
// the other by q (EventModified), and cancels it when nothing is left
// (EventCancelled). If the exits close everything filled while the entry
// still works, the entry's rest is cancelled. Exits are placed on the
// opposite side unless Leg.Side says otherwise; the size of an exit cannot
// be modified (it follows the entry, "Unsupported"), its prices can.
// Cancelling the entry before it fills means the exits are never placed.
//
// An OCO pair (OrderIntent.OCO, Tradovate's placeOCO) places both orders at
// once, each acknowledged with EventAccepted; a fill of q on one reduces the
// other by q and cancels it when nothing is left. Leg.Qty 0 means the
// parent's quantity.
//
// Cancelling one order of an OCO link leaves the other working.
//
// Linked orders get client ids derived from the parent's and have
// Order.ParentID set to it: an OCO partner is parent + "/oco"; bracket
// exits are parent + "/tp" (a Limit or MIT leg) and parent + "/sl" (a Stop
// or StopLimit leg) when they are one of each, otherwise parent + "/1" and
// "/2" in the order given. Submit refuses a parent whose derived ids are
// taken. Linked orders have the parent's time in force, except that exits
// of an IOC or FOK entry are Day orders; they are not asked about the
// session separately.
//
// # Day orders
//
// ExpireDay expires every working Day order (EventExpired, in venue id
// order); the driver calls it at each session end. GTC orders stay.
//
// # Rejects
//
// Rejections use the strings of Tradovate's RejectReason enum:
//
//   - unknown symbol or contract id: "UnknownReason" with text "Access is
//     denied", as Tradovate answers for a symbol it does not have;
//   - symbol and contract id that disagree: "InvalidContract";
//   - a price off the tick grid, missing, or not taken by the order type
//     (on submit or modify): "InvalidPrice";
//   - unknown order type or time in force: "Unsupported";
//   - other invalid intents (quantity, side, bracket shape): "UnknownReason"
//     with the validation message;
//   - Config.SessionCheck returning an error: "SessionClosed" with the
//     error's text.
//
// Cancel and Modify of an unknown client id (or of a bracket exit not yet
// placed) give EventCancelRejected / EventModifyRejected with
// "UnknownReason"; of an order already done, "TooLate".
//
// # Fees and positions
//
// Each fill carries Fee = (Exchange + Clearing + Broker) × quantity from
// the FeeSchedule found by symbol, then product root, then DefaultFee,
// exact in decimal. After every fill an EventPosition gives the net
// position, the average price of the open contracts and the realized PnL
// in money (price difference × quantity × Instrument.PointValue). Realized
// PnL excludes fees: subtract the fills' fees for net PnL. Closing fills
// are matched first-in first-out, as Tradovate pairs fills, so realized PnL
// is exact; AvgPrice is rounded to 16 decimal places when it does not
// terminate.
package sim
