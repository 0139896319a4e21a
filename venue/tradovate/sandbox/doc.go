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
// mdAccessToken.
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
// parameters, margins and other entities outside the list above, the
// md/* and replay/* endpoints (left to the market-data helper), GTD expiry
// (GTD works as GTC), trailing and QTS orders (answered Unsupported), and
// Deleted props events (never emitted).
package sandbox
