// Package sandbox is a local Tradovate server on loopback, backed by
// venue/sim, so keel's Tradovate adapter runs end to end in every test and
// in the offline demo. It speaks the wire protocol of package wire and
// follows reference/tradovate-protocol.md; where the sources disagree it
// accepts every documented variant.
//
// In a test, like net/http/httptest:
//
//	s := sandbox.Start(t)                  // closed by t.Cleanup
//	creds := s.Credentials()               // user, password, appId, cid, sec, deviceId
//	url := s.RESTURL(sandbox.Demo)         // http://127.0.0.1:port/demo/v1
//	s.Feed(tick)                           // market data that fills orders
//
// Outside tests (runner sim): New(cfg), then Start or ListenAndServe, then Close.
//
// The ready-made credentials (DefaultUser) are the same on every run: user
// keeltest, cid 8, and a sec and an approved deviceId that are fixed UUIDs
// (DefaultSec, DefaultDeviceID), since clients type them as UUIDs. They
// are public and work only against a sandbox.
//
// # URLs
//
// One listener serves every service under its own base, so each behaves
// like its own Tradovate host:
//
//	service  REST base                   websocket
//	demo     http://127.0.0.1:P/demo/v1    ws://127.0.0.1:P/demo/v1/websocket
//	live     http://127.0.0.1:P/live/v1    ws://127.0.0.1:P/live/v1/websocket
//	md       http://127.0.0.1:P/md/v1      ws://127.0.0.1:P/md/v1/websocket
//	replay   http://127.0.0.1:P/replay/v1  ws://127.0.0.1:P/replay/v1/websocket
//	admin    http://127.0.0.1:P/admin
//
// Each websocket URL is its REST base with http→ws and "/websocket"
// appended, Tradovate's own rule, so a client configured with a REST base
// finds the socket. Paths and endpoints match case-insensitively; REST
// takes GET and POST alike for every endpoint.
//
// # What is served
//
// REST and the demo, live and replay sockets serve the same endpoints (any
// REST operation works over a trading socket): auth/accesstokenrequest
// (demo and live bases), auth/renewaccesstoken, auth/me; the entity
// operations list/item/items/find/deps/ldeps/suggest, as the spec offers
// them, of account, user, cashBalance, position, fill, fillPair, order,
// orderVersion, command, commandReport, executionReport, product,
// contract, contractMaturity and productSession; contract/rollcontract;
// order/placeorder, placeoso, placeoco, modifyorder, cancelorder and
// liquidateposition; user/syncrequest. Every other endpoint answers 404
// "Not found: <endpoint>" until someone registers it (Server.Handle).
//
// The contract library is venue/cme's product table. Ids are stable: ES is
// product 799 and NQ 814 as on Tradovate (their payloads match the
// reference's fixtures byte for byte); a contract's id is a function of its
// product and month (see library.go). Contract names are Tradovate's
// ("ESM6"), resolved against the environment's clock.
//
// Demo, live and replay are separate back-ends: each has its own account
// per user ("DEMO15460", "LIVE15460", "REPLAY15460"), its own id range and
// its own matching engines (one venue/sim exchange per account). One token
// authorizes every socket; md and replay sockets also take the
// mdAccessToken. authorize takes the token raw, as documented, or as a
// JSON string ("\"<token>\""), as Tradovate's own JS tutorial and a public
// Go client send it and Tradovate accepts.
//
// # A real account's behaviour
//
// user/syncrequest ({"users":[…]} or {"accounts":[…]}, entityTypes,
// splitResponses) answers with the snapshot and then streams props events
// on that socket. An order produces the entity sequence of a Tradovate
// account, one frame per step (see execution.go): order Created; command
// and orderVersion Created (same id); then commandReport, executionReport,
// fill, position, fillPair, cashBalance and order updates as the engine
// accepts, fills, cancels or rejects it. Several fill pairs from one fill
// come as one event whose entity is an array. Business failures are HTTP
// 200: an unknown symbol is {"failureReason":"UnknownReason","failureText":
// "Access is denied"}, a missing account a violations body; an order
// outside its Globex session (venue/cme's calendar) is accepted as a
// request and rejected with a commandReport RiskRejected / SessionClosed.
//
// Market data drives the matching: Server.Feed (or Config.MarketData)
// shows ticks to the engines. Because venue/sim matches only on market
// events, a new or modified order is shown the latest quote again at once
// (Config.DeferMatching turns that off), so a market order fills the way it
// would against a standing book.
//
// # Rules
//
// Per environment (Config.Demo, Live, Replay; live strict, the others
// lenient by default): approved devices — on live an unapproved deviceId
// logs in and reads, but order entry answers 401 "Access is denied" until
// Server.ApproveDevice or POST /admin/devices/approve; API-key permission
// domains (UserConfig.Permissions); outdatedTaC / outdatedLiquidationPolicy
// blocking order entry; per-user rate limits answering 429. Everywhere:
// tokens last Config.TokenLifetime (90 min) and renew; at most
// Config.MaxSessions (2) sessions per user, the next login evicting the
// oldest, whose sockets get {"e":"shutdown","d":{"reasonCode":
// "ConnectionQuotaReached"}} and c[3000,…]; time penalties on
// auth/accesstokenrequest (a captcha lock after repeated failures, a
// ticket for bursts honoured on retry after p-time); md subscriptions
// answer 401 for users without hasMarketData.
//
// Sockets send "o" on open, "h" after Config.HeartbeatInterval (2.5 s) of
// silence, responses and events in "a[…]" frames, and c[code,"reason"]
// before closing. A socket that does not authorize within
// Config.AuthorizeTimeout, or whose client sends nothing (not even "[]")
// for Config.ClientTimeout, is closed; so is one that sends a binary or
// oversized frame or text that is not the request protocol. Malformed
// requests get an error response ({"s":400,…}, 401 before authorize, 404
// for unknown endpoints) and the socket stays open. No input panics the
// server (see FuzzSocketFrame).
//
// Choices where Tradovate's behaviour is undocumented are the sandbox's and
// are marked in the code: error texts ("Invalid access token", "Expired
// access token"), close codes and reasons, the split sync format, ids,
// account names, the timeouts.
//
// # Browser safety
//
// The sandbox listens on loopback only, and answers only requests for a
// loopback host: a Host header other than 127.0.0.0/8, localhost or [::1]
// (any port) gets 403 on every route, which defeats DNS rebinding. A
// request carrying an Origin that is not a loopback page gets 403 when it
// opens a websocket or changes state over /admin (cross-site request
// forgery), and the admin endpoints that change state take no GET. Clients
// that send no Origin — everything but browsers — and pages served from
// loopback are unaffected (see guard.go).
//
// # Logging
//
// Config.Logger (log/slog) gets, at info level, each socket's opening and
// closing (service, conn id, user, close code) and the sandbox's events
// (logins, faults, replay sessions); at debug level, each request: over a
// socket its service, conn, endpoint, id and status, over HTTP its method,
// path and status. Bodies, queries and headers are never logged, so
// neither are tokens, passwords nor secrets.
//
// # Extending it
//
// Market data streaming, charts, replay and fault injection live in their
// own files and plug in through:
//
//   - Server.Handle(endpoint, Route, services...): add or replace an
//     endpoint on any service (md/subscribeQuote on MD and Replay,
//     replay/initializeclock on Replay…); the handler gets a *Call with the
//     session, the socket (Conn.Send, Conn.SendEvent, Conn.Go for owned
//     streaming goroutines, Conn.Context) and the environment.
//   - Server.OnTick: every fed tick, after matching, to stream quotes.
//   - Config.MarketData: a MarketDataSource run for the server's lifetime.
//   - Env.SetClock, Env.Feed, Env.ExpireDay: replay time and data for one
//     environment; Config.Clock for the whole server.
//   - Server.Use(Middleware): wrap every handler (drop, delay, fail).
//   - Conn.Close, Conn.Shutdown, Server.Conns: close sockets on purpose.
//
// Not implemented: OAuth (auth/oauthtoken), order strategies, risk
// parameters, margins and other entities outside the list above, GTD
// expiry (GTD works as GTC), trailing and QTS orders (answered
// Unsupported), and Deleted props events (never emitted).
//
// # Market data
//
// The md socket serves md/subscribeQuote, md/subscribeDOM,
// md/subscribeHistogram, their unsubscribes, md/getChart and
// md/cancelChart from what the server's market has seen: every tick given
// to Server.Feed — by a test, /admin/feed, or Config.MarketData, typically
// a *Feed playing tick or bar files (package backtest's formats) or a
// seeded synthetic walk at a multiple of real time (NewFeed, FeedConfig;
// give Config.Clock the feed's Clock to live at the data's time).
//
//	feed, _ := sandbox.NewFeed(sandbox.FeedConfig{Files: []string{"es.csv.gz"}, Speed: 60})
//	s, _ := sandbox.New(sandbox.Config{MarketData: feed, Clock: feed.Clock()})
//
// Events have the reference's shapes (fixtures F-6 … F-12), prices written
// exactly. A quote carries the book, the last trade and the trade date's
// open, high, low and volume, and the settlement (the previous trade
// date's last trade); OpenInterest is never sent (no source has it). DOM
// levels below the top of book are synthesized, and trade-only data gets
// a book derived from its last trade. Histograms count volume by tick
// offset from the trade date's first trade. Charts — MinuteBar (1 to 1440
// minutes), DailyBar, Tick — send the history the server keeps
// (Config.Market), the eoh packet, then real-time packets. Events that pile
// up go several to a frame. Undocumented answers are the sandbox's: a
// subscription answers {"subscriptionId": contract id}; an unknown symbol
// or a second subscription of one kind to one contract on one socket
// answers 200 with errorText and errorCode.
//
// A listed contract the data does not cover has no events until someone
// feeds it — unless Config.Market.Synthesize is set (runner sim sets it):
// then its first subscription or chart on the md socket starts a seeded
// synthetic market for it, the synthetic feed's walk at the product's
// typical price, fed like any data to the md sockets and the matching
// engines (see SyntheticMarket). A client never subscribes into silence.
//
// If Config.MarketData stops with an error (a bad row in a data file),
// Server.MarketDataErr delivers it; runner sim exits with it.
//
// # Market replay
//
// The replay socket serves the md endpoints and the trading ones, plus
// replay/checkreplaysession, replay/initializeclock and replay/changespeed
// over Config.Market.Replay's data (by default Config.MarketData when it
// is a *Feed): one session per user, shared by the user's replay sockets,
// with its own account, matching engines and market, driven by a clock at
// 0–400% of real time that shows the engines the data as it passes and
// sends clock events (see replay.go). A speed change lands between two
// steps of the clock: once changespeed 0 is answered, nothing more is
// shown and every clock event shows the time it stopped at.
//
// # Fault injection
//
// Faults make the sandbox misbehave on purpose, from Go (Server.Inject) or
// over HTTP (/admin/faults), each aimed with a Target at a service, a user,
// one socket (Conn.ID), any combination, or everything (the zero Target):
//
//	inj, _ := s.Inject(sandbox.Fault{Kind: sandbox.FaultDrop, Target: sandbox.Target{Service: sandbox.Demo}})
//	inj, _ = s.Inject(sandbox.Fault{Kind: sandbox.FaultStopHeartbeats, Target: sandbox.Target{User: "keeltest"}})
//	s.ClearFault(inj.ID)                   // heartbeats resume
//	s.Inject(sandbox.Fault{Kind: sandbox.FaultReorder, Kinds: []sandbox.MessageKind{sandbox.KindProps}, Count: 1})
//	s.Inject(sandbox.Fault{Kind: sandbox.FaultReject, RejectReason: "NoQuote"})  // the next order
//	s.Inject(sandbox.Fault{Kind: sandbox.FaultPartialFill, Chunk: 1, Count: 3})  // the next three orders
//	s.Inject(sandbox.Fault{Kind: sandbox.FaultExpireTokens, Renew: sandbox.RenewSucceeds})
//
// Actions happen at once to the matching sockets or tokens: drop (TCP
// close, no close frame), shutdown (the event with Maintenance,
// ConnectionQuotaReached or IPQuotaReached, then c[3000,…]), close
// (c[code,"reason"]), expire-tokens (REST answers 401 "Expired access
// token"; the next renewal fails or succeeds as Renew says). Lasting
// faults act until ClearFault, their Count or their For: stop-heartbeats;
// delay, drop-messages, duplicate and reorder on messages of the chosen
// kinds (responses, props, md, chart, clock), every one, the next Count,
// or each with a Probability drawn from a Seed-ed RNG; reject (the next
// order, or Count of them, rejected with a commandReport RiskRejected or
// ExecutionRejected and a rejectReason, or with Sync a synchronous
// failureReason/failureText); partial-fill (orders filled in chunks of
// Chunk contracts). What a client receives is exactly what was injected: a
// duplicate arrives right after its original, a reordered pair swapped, a
// delayed message Delay late in its own frame. Faults never block the
// server, and held messages go with the socket that owns them.
//
// Over HTTP, JSON in and out, errors as {"errorText","errors":[{"field",
// "value","reason"}]}:
//
//	GET    /admin/conns        [{"id":3,"service":"demo","user":"keeltest","sessionId":1}]
//	POST   /admin/faults       {"fault":"delay","target":{"service":"demo"},"kinds":["props"],"delay":"250ms","count":5}
//	POST   /admin/faults       {"fault":"close","code":4000,"reason":"drill","target":{"conn":3}}
//	POST   /admin/faults       {"fault":"reject","sync":true,"rejectReason":"TradingLocked","text":"locked"}
//	GET    /admin/faults       the lasting faults in force, with fired, left, expiresAt
//	DELETE /admin/faults[/id]  clear them all (or one)
//
// A Scenario scripts faults in time for soak tests: steps fire at their
// offsets (at, with every/times to repeat), a pass lasts period, and the
// scenario runs repeat passes or loops. Load one with LoadScenario (YAML)
// and play it with NewScenarioRunner(s, sc).Start; Stop (or the server's
// Close) ends it and clears the faults it left. POST /admin/scenario takes
// the YAML, GET lists the scenarios playing, DELETE stops them:
//
//	name: flaky-demo
//	loop: true
//	period: 60s
//	steps:
//	  - {at: 5s, fault: drop, target: {service: demo}}
//	  - {at: 10s, fault: delay, kinds: [responses, props], delay: 250ms, for: 3s}
//	  - {at: 30s, every: 5s, times: 3, fault: reject, rejectReason: NoQuote}
//
// Bad faults and scenarios fail with *FieldError values naming the field
// ("steps[1].target.service"); see testdata/scenario_soak.yaml.
package sandbox
