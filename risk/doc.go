// Package risk is keel's pre-trade gate: every order intent a strategy
// submits passes through a Gate on the engine goroutine before it can reach
// a venue, and a refusal comes back as a typed *Denied naming the rule, the
// limit and the observed value, with a sentence a trader can act on.
//
// # The gate
//
// New builds a *Guard from a Config. It implements Gate (Check),
// EventObserver and TickObserver, so an engine given it as Config.Gate
// checks every intent and feeds it every venue event and tick. The Guard
// cannot act on the venue itself: when limits demand it (kill switch, loss
// breach with flatten_on_breach, flatten-before-close) it queues Actions
// (CancelAll, Flatten) that the engine collects with Guard.Actions after
// every tick and event and executes.
//
// Rules run in two scopes. Account limits apply to the totals of every
// strategy together; a strategy's limits apply to its own orders and
// positions. Every intent must pass both. A strategy without its own
// section gets Defaults; a section in the YAML starts from Defaults and
// overrides the keys it sets.
//
// Check allows in under 200 nanoseconds without allocating (see
// BenchmarkGateAllow), including recording the order for lifecycle
// tracking: the built-in rules are first judged by their pass conditions,
// integer comparisons on state the gate keeps up to date, and run in full
// only when one of those fails. The time-driven work (trade-date roll,
// kill file, session windows) runs only when due.
//
// # Rules and how they measure
//
//   - kill-switch: tripped by Trip, Signal (SIGUSR1), a kill file, or a
//     rule in kill_switch.trip_on; emits CancelAll and Flatten for the
//     account, then allows only intents that reduce the account's position.
//     It latches in a 0600 JSON state file until Reset.
//   - market-hours: refuses while the contract's Globex session is closed
//     (venue/cme calendar: holidays, early closes, the 16:00–17:00 CT
//     break, weekends), saying when it next opens in CT; refuses new
//     entries in the no_entries_before_close window; flattens in the
//     flatten_before_close window (and refuses entries in it). When the
//     calendar has no data (cme.ErrCalendarUnknown), unknown_calendar
//     decides (default refuse). The windows need enabled: true in the
//     scope that sets them.
//   - max-order-qty: the order's quantity (and its OCO partner's).
//   - max-position: worst-case net per contract, per side: net + remaining
//     working same-side orders + this intent.
//   - max-total-position: the sum over contracts of worst-case exposure.
//   - max-open-orders: working orders the scope submitted.
//   - daily-loss: realized + unrealized PnL minus fees since the CME trade
//     date began (session_root's trade date; the day rolls at the 17:00 CT
//     open). A breach blocks risk-increasing intents until the next trade
//     date.
//   - trailing-drawdown: equity below its high-water mark (intraday: every
//     new high incl. unrealized; eod: the equity at each trade-date roll).
//     A breach blocks risk-increasing intents until Reset.
//   - order-rate: a token bucket over the engine clock (default 30 per
//     minute, burst 10 — well under Tradovate's published limits).
//   - duplicate: the same strategy, contract, side, quantity, type and
//     prices allowed within the window (default 1s).
//   - price-band: limit and stop prices on the tick grid (always) and
//     within N ticks of the last trade (no last trade: no_last_trade).
//
// Worst-case exposure counts every working order on its side: an OCO
// partner on its own side (the larger of a pair, when both are on one
// side), bracket exits on theirs, once per bracket — placed against their
// filled entry they offset it exactly and cost nothing, and left working
// after their position was closed by other means they are the exposure
// they are. Exits and OCO partners are not open orders. Modifies are
// judged too (CheckModify): a raise like an order of the added contracts,
// new prices by the grid and the band, every modify by the order rate.
//
// Intents that reduce a position pass the loss rules, the kill switch and
// the entry windows, so a trader can always get flat. An intent reduces
// when its quantity plus the scope's working orders on its side (bracket
// exits included) is at most |net|, on the side that closes it — five Sell
// 1 limits on a long 1 do not all reduce — and it has no brackets. The same
// rule holds in every scope: the account's net position for account rules
// and the kill switch (the venue nets strategies against each other), the
// strategy's own for strategy rules.
//
// Protective orders — the flattens keel sends itself, marked with
// Request.Protect — are judged apart: single orders on the tick grid that
// must reduce the real position of the scope that asked for them, counting
// only protective orders already working (the gate's CancelAll precedes
// them). Nothing else applies: not the order rate, the duplicate guard,
// the open-order limit, the entry windows, nor a closed session. See
// protect.go. A strategy's own flatten that leaves the account's position
// no larger passes the account; one that would grow it answers only to the
// account's exposure rules. A client order id the gate still tracks is
// refused (rule client-id).
//
// # State
//
// The gate learns positions from the events the engine forwards: fills
// move the account and the owning strategy (bracket legs and OCO partners,
// named "<parent>/<suffix>" by venues, belong to the parent's strategy);
// terminal events end an order's working quantity; venue position reports
// correct the account's net position (after a restart, say). Money on the
// hot path is int64 micro-units of the account currency; an instrument
// whose tick value is not a whole number of micro-units is refused (rule
// "instrument"). PnL is tracked from the gate's start, so a restart begins
// the day's PnL at zero: list the loss rules in kill_switch.trip_on, with a
// state_file, to make a breach outlive the process.
//
// Check, ObserveEvent, ObserveTick and Actions belong to the engine
// goroutine. Trip, Signal, Reset and Tripped may be called from any
// goroutine (an HTTP handler, a signal handler).
//
// # Configuration
//
// ParseConfig reads YAML (unknown keys are errors), starting from
// DefaultConfig; 0 means "no limit" everywhere and negative limits are
// errors naming the field. Durations are Go durations ("1s", "5m"); money
// is a decimal amount in the account currency.
//
//	session_root: ES              # whose CME trade date keys daily loss
//	kill_switch:
//	  state_file: /var/lib/keel/killswitch.json  # latch survives restarts
//	  file: /var/lib/keel/KILL    # touch it to trip the switch
//	  trip_on: [daily-loss, trailing-drawdown]
//	account:                      # totals across all strategies
//	  market_hours:
//	    enabled: true             # default true for the account
//	    unknown_calendar: refuse  # refuse (default) | allow
//	    no_entries_before_close: 10m
//	    flatten_before_close: 5m
//	  max_order_qty: 10
//	  max_position: 10            # per contract, worst case
//	  max_total_position: 20
//	  max_open_orders: 20
//	  daily_loss: 1000            # account currency
//	  trailing_drawdown: 2500
//	  trailing_mode: intraday     # intraday (default) | eod
//	  flatten_on_breach: true
//	  order_rate: {max: 30, per: 1m, burst: 10}   # the default
//	  duplicate_window: 1s        # the default
//	  price_band: {ticks: 40, no_last_trade: allow}
//	defaults:                     # every strategy without a section
//	  max_position: 4
//	  daily_loss: 400
//	strategies:
//	  trend:                      # starts from defaults
//	    max_position: 2
//	    order_rate: {max: 10, per: 1m, burst: 3}
//
// testdata/risk.yaml holds the same example.
package risk
