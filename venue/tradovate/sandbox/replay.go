package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/keeltrade/keel/backtest/data"
	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/tradovate/wire"
)

// Market replay (the replay service). A user has at most one replay
// session; every replay socket of the user shares it. replay/initializeclock
// starts it — or starts it over — at a time in the replay data
// (Config.Market.Replay) with a speed and a fresh account; a socket that
// does not initialize joins the running session with its first request.
// The session has its own environment (accounts, orders, matching
// engines) whose clock is the replay time, and its own market: chart
// history up to the start, then the data as the clock passes it. The
// session ends when its last socket closes.
//
// The replay clock advances every replayStep of wall time by the elapsed
// time times speed/100, and the data up to it is shown to the session's
// matching engines and md subscribers, so resting orders fill as the
// clock passes the trades. Orders are stamped with the clock's time, which
// is always that of the data already shown. Clock events go to every
// socket of the session every Config.Market.ClockInterval.

// replayStep is how often (wall time) a replay clock advances.
const replayStep = 10 * time.Millisecond

// replayHub holds the replay sessions, one per user.
type replayHub struct {
	s        *Server
	mu       sync.Mutex
	byUser   map[int64]*replaySession
	nextBase int64 // entity id base of the next session's environment
}

// replaySession is one user's market replay.
type replaySession struct {
	hub    *replayHub
	user   int64
	market *market // kept when the session starts over, with its subscriptions

	startMu sync.Mutex // serialises starts

	mu    sync.Mutex // guards the fields below; taken after hub.mu
	conns map[*Conn]bool
	env   *Env
	clock *replayClock
	stop  context.CancelFunc
	done  chan struct{} // closed when the clock goroutine has returned
	ended bool
}

// replayClock is a replay's time: the data time shown so far, advanced by
// the session's goroutine at speed percent of real time.
//
// A step (see replaySession.step) holds stepMu from reading where the
// clock should be until it stands there, and so does the sending of a
// periodic clock event; a speed change takes stepMu too: it waits for
// the step (or event) under way and rules the next. So once changespeed
// 0 is answered nothing more is shown, the clock stands still and every
// clock event says so.
type replayClock struct {
	stepMu sync.Mutex

	mu     sync.Mutex
	cursor int64     // replay time, Unix ns: data up to here has been shown
	speed  int       // percent of real time; 0 pauses
	w0     time.Time // wall time of the anchor
	t0     int64     // replay time of the anchor
}

// Now returns the replay time.
func (c *replayClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Unix(0, c.cursor).UTC()
}

// target is where the clock should be at wall time now.
func (c *replayClock) target(now time.Time) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.speed == 0 {
		return c.cursor
	}
	return max(c.cursor, c.t0+int64(now.Sub(c.w0))*int64(c.speed)/100)
}

func (c *replayClock) advance(to int64) {
	c.mu.Lock()
	c.cursor = max(c.cursor, to)
	c.mu.Unlock()
}

// setSpeed changes the speed between two steps, anchoring it at the
// clock's time. now is read once the step under way has ended.
func (c *replayClock) setSpeed(speed int, now func() time.Time) {
	c.stepMu.Lock()
	defer c.stepMu.Unlock()
	c.mu.Lock()
	c.t0, c.w0, c.speed = c.cursor, now(), speed
	c.mu.Unlock()
}

func (c *replayClock) state() wire.Clock {
	c.mu.Lock()
	defer c.mu.Unlock()
	return wire.Clock{T: wire.TimeOf(time.Unix(0, c.cursor)), S: c.speed}
}

// registerReplay adds the replay endpoints and the middleware that puts a
// replay call in its session's environment.
func (s *Server) registerReplay() {
	h := &replayHub{s: s, byUser: map[int64]*replaySession{}, nextBase: idBase[Replay] + 100_000}
	s.replays = h
	s.Use(h.middleware)
	s.Handle("replay/checkreplaysession", Route{Handler: h.checkReplaySession}, Replay)
	s.Handle("replay/initializeclock", Route{Handler: h.initializeClock}, Replay)
	s.Handle("replay/changespeed", Route{Handler: h.changeSpeed}, Replay)
}

// middleware runs a replay call in the environment of the caller's
// session (joining the socket to it); without a session the call keeps
// the replay service's own environment.
func (h *replayHub) middleware(next Handler) Handler {
	return func(c *Call) {
		if c.Service == Replay && c.Session != nil {
			if rs := h.sessionOf(c); rs != nil {
				rs.mu.Lock()
				if rs.env != nil {
					c.Env = rs.env
				}
				rs.mu.Unlock()
			}
		}
		next(c)
	}
}

// data is the replay data, or nil.
func (h *replayHub) data() *Feed {
	if f := h.s.cfg.Market.Replay; f != nil {
		return f
	}
	f, _ := h.s.cfg.MarketData.(*Feed)
	return f
}

// sessionOf returns the caller's session, joining the call's socket to
// it; nil when the user has none.
func (h *replayHub) sessionOf(c *Call) *replaySession {
	h.mu.Lock()
	rs := h.byUser[c.Session.UserID()]
	open := rs == nil || c.Conn == nil || h.attach(rs, c.Conn)
	h.mu.Unlock()
	if !open {
		h.leave(rs, c.Conn)
	}
	return rs
}

// attach joins a socket to a session and arranges for it to leave when
// it closes. It reports false when the socket is already closing: the
// caller must then call leave, after letting go of h.mu. Called with h.mu held.
func (h *replayHub) attach(rs *replaySession, conn *Conn) bool {
	rs.mu.Lock()
	if rs.conns[conn] {
		rs.mu.Unlock()
		return true
	}
	rs.conns[conn] = true
	rs.mu.Unlock()
	conn.Go(func(ctx context.Context) {
		<-ctx.Done()
		h.leave(rs, conn)
	})
	// Go does not run fn once the socket is closing, which it only is
	// after its context is cancelled.
	return conn.Context().Err() == nil
}

// leave takes a closed socket out of its session and ends the session
// with its last socket. It is idempotent.
func (h *replayHub) leave(rs *replaySession, conn *Conn) {
	h.mu.Lock()
	rs.mu.Lock()
	if !rs.conns[conn] {
		rs.mu.Unlock()
		h.mu.Unlock()
		return
	}
	delete(rs.conns, conn)
	env := rs.env
	last := len(rs.conns) == 0
	if last {
		rs.ended = true
		if h.byUser[rs.user] == rs {
			delete(h.byUser, rs.user)
		}
	}
	rs.mu.Unlock()
	h.mu.Unlock()
	if env != nil {
		env.unsubscribe(conn)
	}
	if last {
		rs.halt()
		h.s.log.Info("sandbox: replay session ended", "user", rs.user)
	}
}

// halt stops the session's clock goroutine and waits for it; the
// goroutine closes the environment on its way out.
func (rs *replaySession) halt() {
	rs.mu.Lock()
	stop, done := rs.stop, rs.done
	rs.stop, rs.done = nil, nil
	rs.mu.Unlock()
	if stop != nil {
		stop()
		<-done
	}
}

// checkReplaySession serves replay/checkreplaysession.
func (h *replayHub) checkReplaySession(c *Call) {
	var req wire.CheckReplaySession
	if !c.Decode(&req, false) {
		return
	}
	if req.StartTimestamp.IsZero() {
		c.Fail(400, "Bad request: startTimestamp is required")
		return
	}
	status, at, why := h.check(c, req.StartTimestamp.Time)
	if status == wire.CheckStatusIneligible {
		h.s.log.Info("sandbox: replay ineligible", "user", c.Session.UserName(), "why", why)
	}
	c.Reply(200, wire.CheckReplaySessionResponse{CheckStatus: status, StartTimestamp: wire.TimeOf(at)})
}

// check decides where a replay of the caller can start (see
// dataIndex.checkStart); users without market data are Ineligible.
func (h *replayHub) check(c *Call, t time.Time) (string, time.Time, string) {
	if !c.Session.HasMarketData() {
		return wire.CheckStatusIneligible, time.Time{}, "the user has no market data subscription"
	}
	f := h.data()
	if f == nil {
		return wire.CheckStatusIneligible, time.Time{}, "the sandbox has no replay data (Config.Market.Replay)"
	}
	idx, err := f.index()
	if err != nil {
		h.s.log.Error("sandbox: replay data", "err", err)
		return wire.CheckStatusIneligible, time.Time{}, err.Error()
	}
	return idx.checkStart(t)
}

// initializeClock serves replay/initializeclock: it starts the user's
// session — or starts it over — at startTimestamp (moved as
// checkreplaysession would move it), at speed, with a fresh account
// holding initialBalance (default: the user's configured balance). It
// answers {"ok":true} and sends every socket of the session a clock event.
func (h *replayHub) initializeClock(c *Call) {
	if c.Conn == nil {
		c.Fail(400, "Bad request: replay/initializeclock runs on the replay websocket ("+h.s.WebSocketURL(Replay)+")")
		return
	}
	var req wire.InitializeClock
	if !c.Decode(&req, false) {
		return
	}
	fail := func(format string, args ...any) {
		c.Reply(200, wire.SimpleResponse{OK: false, ErrorText: fmt.Sprintf(format, args...)})
	}
	var balance decimal.Decimal
	switch {
	case req.StartTimestamp.IsZero():
		fail("startTimestamp is required")
		return
	case req.Speed < 0 || req.Speed > wire.MaxReplaySpeed:
		fail("speed %d: want 0 to %d (percent of real time)", req.Speed, wire.MaxReplaySpeed)
		return
	case req.InitialBalance != nil:
		if balance = req.InitialBalance.Decimal; balance.IsNegative() {
			fail("initialBalance %s must not be negative", balance)
			return
		}
	}
	status, at, why := h.check(c, req.StartTimestamp.Time)
	switch status {
	case wire.CheckStatusIneligible:
		fail("Replay is not available at %s: %s", req.StartTimestamp.UTC().Format(time.RFC3339), why)
		return
	case wire.CheckStatusOK:
		at = req.StartTimestamp.Time
	}

	h.mu.Lock()
	uid := c.Session.UserID()
	rs := h.byUser[uid]
	if rs == nil {
		rs = &replaySession{hub: h, user: uid, market: newMarket(h.s, h.s.cfg.Market), conns: map[*Conn]bool{}}
		h.byUser[uid] = rs
	}
	open := h.attach(rs, c.Conn)
	base := h.nextBase
	h.nextBase += 10_000
	h.mu.Unlock()
	if !open {
		h.leave(rs, c.Conn)
		fail("the socket is closing")
		return
	}

	if err := rs.start(at, req.Speed, balance, base); err != nil {
		h.s.log.Error("sandbox: replay start", "user", c.Session.UserName(), "err", err)
		fail("Replay could not start: %v", err)
		return
	}
	h.s.log.Info("sandbox: replay started", "user", c.Session.UserName(), "at", at, "speed", req.Speed)
	c.Reply(200, wire.SimpleResponse{OK: true})
	rs.sendClock()
}

// changeSpeed serves replay/changespeed.
func (h *replayHub) changeSpeed(c *Call) {
	var req wire.ChangeSpeed
	if !c.Decode(&req, false) {
		return
	}
	if req.Speed < 0 || req.Speed > wire.MaxReplaySpeed {
		c.Reply(200, wire.SimpleResponse{ErrorText: fmt.Sprintf("speed %d: want 0 to %d (percent of real time)", req.Speed, wire.MaxReplaySpeed)})
		return
	}
	rs := h.sessionOf(c)
	var clock *replayClock
	if rs != nil {
		rs.mu.Lock()
		clock = rs.clock
		rs.mu.Unlock()
	}
	if clock == nil {
		c.Reply(200, wire.SimpleResponse{ErrorText: "No replay session: send replay/initializeclock first"})
		return
	}
	clock.setSpeed(req.Speed, time.Now)
	c.Reply(200, wire.SimpleResponse{OK: true})
	rs.sendClock()
}

// start (re)starts the session at replay time at: the previous run
// stops, the market forgets its data and loads the history before at, a
// new environment with fresh accounts (ids from base) gets the clock, and
// a goroutine owned by the server advances it.
func (rs *replaySession) start(at time.Time, speed int, balance decimal.Decimal, base int64) error {
	rs.startMu.Lock()
	defer rs.startMu.Unlock()
	rs.halt()
	s := rs.hub.s
	rs.market.reset()
	f := rs.hub.data()
	src, next, hasNext, err := rs.load(f, at.UnixNano())
	if err != nil {
		return err
	}
	clock := &replayClock{cursor: at.UnixNano(), t0: at.UnixNano(), w0: time.Now(), speed: speed}
	env, err := newEnv(s, Replay)
	if err == nil {
		env.mu.Lock()
		env.nextID = base
		env.mu.Unlock()
		env.SetClock(clock)
		err = env.ResetAccounts(balance)
	}
	if err != nil {
		_ = src.Close()
		if env != nil {
			env.close()
		}
		return err
	}
	// The last quote (or trade) of each contract before the start is
	// shown to the engines, so a market order can fill at once.
	for _, t := range rs.market.lastTicks() {
		env.Feed(t)
	}
	// Data stamped exactly at the start is what the clock shows first:
	// show it now, so the session's state right after initializeclock does
	// not depend on when the clock goroutine first runs.
	for hasNext && next.Time <= at.UnixNano() {
		env.Feed(next)
		rs.market.onTick(next)
		if err := src.Next(&next); err != nil {
			hasNext = false
			if !errors.Is(err, io.EOF) {
				_ = src.Close()
				env.close()
				return err
			}
		}
	}

	ctx, cancel := context.WithCancel(s.ctx)
	done := make(chan struct{})
	rs.mu.Lock()
	if rs.ended {
		rs.mu.Unlock()
		cancel()
		_ = src.Close()
		env.close()
		return errors.New("the session ended: every replay socket closed")
	}
	rs.env, rs.clock, rs.stop, rs.done = env, clock, cancel, done
	rs.mu.Unlock()
	if !s.goServer(func(context.Context) { rs.run(ctx, env, clock, src, next, hasNext, done) }) {
		cancel()
		close(done)
		_ = src.Close()
		env.close()
		return errors.New("the server is shutting down")
	}
	return nil
}

// load opens the data, shows the market everything before at as history
// and returns the stream with its first tick at or after at.
func (rs *replaySession) load(f *Feed, at int64) (data.TickSource, venue.Tick, bool, error) {
	var t venue.Tick
	if f == nil {
		return nil, t, false, errors.New("no replay data")
	}
	src, err := f.Open()
	if err != nil {
		return nil, t, false, err
	}
	for {
		if err := src.Next(&t); err != nil {
			if errors.Is(err, io.EOF) {
				return src, t, false, nil
			}
			_ = src.Close()
			return nil, t, false, err
		}
		if t.Time >= at {
			return src, t, true, nil
		}
		rs.market.load(t)
	}
}

// run advances the clock and shows the data it passes to the environment
// and the market, and sends clock events, until ctx ends.
func (rs *replaySession) run(ctx context.Context, env *Env, clock *replayClock, src data.TickSource, next venue.Tick, hasNext bool, done chan struct{}) {
	defer close(done)
	defer env.close()
	defer src.Close()
	step := time.NewTicker(replayStep)
	defer step.Stop()
	tick := time.NewTicker(rs.hub.s.cfg.Market.ClockInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			// Under stepMu too: a clock event read before a speed
			// change must not be sent after the change's answer.
			clock.stepMu.Lock()
			rs.sendClock()
			clock.stepMu.Unlock()
		case now := <-step.C:
			if !rs.step(ctx, env, clock, now, src, &next, &hasNext) {
				return
			}
		}
	}
}

// step moves the clock to where it should be at wall time now, showing
// the environment and the market every tick it passes; false when ctx
// ended on the way. It holds the clock's stepMu throughout, so a speed
// change comes before or after a whole step, never inside one.
func (rs *replaySession) step(ctx context.Context, env *Env, clock *replayClock, now time.Time, src data.TickSource, next *venue.Tick, hasNext *bool) bool {
	clock.stepMu.Lock()
	defer clock.stepMu.Unlock()
	target := clock.target(now)
	for *hasNext && next.Time <= target {
		// The clock stands at each tick while it is shown, so what it
		// sets off is stamped with its time.
		clock.advance(next.Time)
		env.Feed(*next)
		rs.market.onTick(*next)
		if err := src.Next(next); err != nil {
			*hasNext = false
			if !errors.Is(err, io.EOF) {
				rs.hub.s.log.Error("sandbox: replay data", "user", rs.user, "err", err)
			}
		}
		if ctx.Err() != nil {
			return false
		}
	}
	clock.advance(target)
	return true
}

// sendClock sends every socket of the session a clock event,
// {"e":"clock","d":"{\"t\":\"…\",\"s\":speed}"} (fixture F-13).
func (rs *replaySession) sendClock() {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.clock == nil {
		return
	}
	frame := wire.AppendArrayFrame(nil, wire.AppendEvent(nil, wire.EventClock, wire.AppendClock(nil, rs.clock.state())))
	for c := range rs.conns {
		c.Send(frame)
	}
}

// lastTicks returns, per contract, a tick with its last quote (or, for
// trade-only data, its last trade), by contract id.
func (m *market) lastTicks() []venue.Tick {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []venue.Tick
	for _, cm := range m.contracts {
		d := &cm.d
		switch {
		case d.hasQuote:
			out = append(out, venue.Tick{Time: d.time, Contract: cm.id, Flags: venue.HasQuote, Bid: d.bid, Ask: d.ask, BidSize: d.bidSize, AskSize: d.askSize})
		case d.hasTrade:
			out = append(out, venue.Tick{Time: d.time, Contract: cm.id, Flags: venue.HasTrade, Price: d.last, Size: max(d.lastSize, 1), Aggressor: d.lastAggr})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Contract < out[j].Contract })
	return out
}

// goServer runs fn in a goroutine the server's Close waits for; false
// once the server is closing.
func (s *Server) goServer(fn func(ctx context.Context)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		fn(s.ctx)
	}()
	return true
}
