// Package tradovate is keel's Tradovate adapter: a venue.Venue over
// Tradovate's REST and websocket API, built to stay out of the traps its
// users keep reporting. It shares only the wire format (package wire) with
// the local sandbox, against which every path is tested end to end.
//
// # Settings
//
// LoadConfig reads the TRADOVATE_* keys from a YAML file and the
// environment (the environment wins): TRADOVATE_ENV (demo, live or replay;
// there is no default), TRADOVATE_NAME, TRADOVATE_PASSWORD, TRADOVATE_APP_ID,
// TRADOVATE_APP_VERSION, TRADOVATE_CID, TRADOVATE_SEC, TRADOVATE_DEVICE_ID
// and the URL overrides TRADOVATE_URL (REST), TRADOVATE_WS_URL (trading),
// TRADOVATE_MD_URL and TRADOVATE_REPLAY_URL. Without overrides the
// environment picks the documented hosts; deprecated (*-api.tradovate.com),
// development (-d.) and mixed demo/live hosts are refused naming the host
// to use. Passwords, secrets and tokens are Secret values, which never
// print.
//
// # Device id and tokens
//
// Live trading needs an approved device id. The adapter keeps one random
// UUID per machine in a 0600 file under the user config directory, reuses
// it forever, sends it as a string and logs it at start. Tokens last 90
// minutes: Auth renews the one it holds 15 minutes before expiry (one
// request for every caller), falls back to a new token request if renewal
// fails, waits out a time penalty once with its p-ticket and stops on a
// captcha; an optional 0600 token cache lets a restart reuse a live token
// rather than open a new session (Tradovate allows two; a third evicts the
// oldest).
//
// # Connections
//
// Conn is one websocket — trading, md or replay — kept connected: it sends
// authorize (the raw token), a heartbeat every 2.5s whatever the traffic,
// drops a socket silent for DeadAfter, correlates responses by request id
// with a timeout each, and reconnects with jittered exponential backoff,
// then authorizes and runs OnReady (sync, subscriptions) again before it
// reports Connected. A Maintenance shutdown reconnects after the backoff; a
// ConnectionQuotaReached or IPQuotaReached shutdown stops the connection
// with a *QuotaError: another session took the place, and fighting it
// would evict that one in turn. Every state change is a ConnEvent.
//
// Requests in flight across a drop: a request made while the socket is
// down fails at once with ErrNotConnected — it was not sent. A request
// sent whose answer does not come (timeout, or the socket drops first)
// fails with ErrOutcomeUnknown: it may or may not have taken effect, and it
// is never sent again by the connection. For orders that is the Unknown
// outcome below.
//
// # Orders
//
// Submit sends order/placeorder, placeoso (brackets) or placeoco (an OCO
// partner) on the trading socket — never the md socket — with symbol the
// contract's name, accountSpec and accountId from account/list (never the
// user id), isAutomated true, and clOrdId keel's client order id on the
// order and on every linked order (venue.BracketIDs, "/oco"). Outcomes:
//
//   - accepted: the answer carried an order id (EventAccepted);
//   - rejected: failureReason/failureText in the 200 answer, a
//     commandReport's rejectReason later, a 401 (explained: on live almost
//     always the device id, shown with how to approve it), a 429 — each an
//     EventRejected with Tradovate's reason;
//   - unknown: the answer was lost (EventUnknown). Reconciliation finds the
//     order by its clOrdId in the venue's commands — while the socket stays
//     up by command/list, after a reconnect by the sync snapshot — and
//     reports what it finds; only a full snapshot without it resolves it as
//     never placed (EventRejected, reason NotPlaced). It is never re-sent,
//     and a client id is never sent twice.
//
// # Account state
//
// user/syncrequest's snapshot and the props stream are applied to one
// account state (orders and their versions, commands and reports, fills,
// positions, cash) and translated into the engine's events, each emitted
// once: a fill per fill id, an order's state change per state, a position
// when its net changes. After every reconnect a fresh snapshot is diffed
// into that state, so fills during a drop are reported once, late, and
// never twice; props that arrive while the snapshot is on its way wait for
// it.
//
// # Market data
//
// OpenMarketData connects the md socket (the replay socket in a replay
// session). Quotes are decoded straight from the frame bytes into
// venue.Tick values without allocating (QuoteDecoder) and handed over in
// batches; a trade is a rise in the contract's total volume. Contract
// resolves names with contract/find (a root to its CME front month);
// market data names contracts by id, and an instrument's venue.ContractID is
// Tradovate's contract id. History pages back through long chart spans.
package tradovate
