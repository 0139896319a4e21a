package tradovate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/tradovate/wire"
)

// Options configure an Adapter; zero fields take defaults.
type Options struct {
	Auth AuthOptions
	// Conn sets the timings of every socket (Heartbeat, DeadAfter,
	// RequestTimeout, ReconnectMin/Max); its URL, Token and callbacks are
	// the adapter's.
	Conn ConnOptions
	// Account picks the account by name (accountSpec) when the user has
	// several; default the only active one, and an error if there are more.
	Account string
	// OnState sees every connection state change (for the engine and
	// metrics), on the connection's goroutine.
	OnState func(ConnEvent)
	// ReconcileWait is how long an order whose answer was lost may take to
	// appear at the venue before it is resolved as not placed (10s).
	ReconcileWait time.Duration
	// Replay configures the session when Env is replay.
	Replay *ReplayOptions
	Logger *slog.Logger
}

// Adapter is keel's Tradovate venue: it implements venue.Venue over the
// trading socket (the replay socket in a replay session). See the package
// doc for what it guarantees.
type Adapter struct {
	cfg      Config
	opt      Options
	deviceID string
	auth     *Auth
	log      *slog.Logger

	trade *Conn
	acct  *account

	mu      sync.Mutex
	sink    venue.EventSink
	userID  int64
	sent    map[string]bool     // client ids handed to the venue: never sent twice
	unknown map[string]struct{} // client ids whose outcome is unknown
	started bool
	// syncMu orders the account's updates: props are applied under it, and
	// a resync applies its snapshot and the props that waited for it under
	// it too, so nothing slips in between.
	syncMu  sync.Mutex
	syncing bool
	early   []wire.PropsEvent // props that arrived while a snapshot was on its way
	held    []venue.Event     // events before Start bound a sink (Connect first)
	replay  replayState

	connMu sync.Mutex // serializes Connect
	jobs   chan func(context.Context)
	buf    []byte // the sender's request buffer
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

var _ venue.Venue = (*Adapter)(nil)

// New prepares an adapter: it validates cfg and loads (or creates) the
// device id, whose value it logs so it can be matched with Tradovate's
// approval e-mail. It opens no connection: Start does.
func New(cfg Config, opt Options) (*Adapter, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.ReconcileWait <= 0 {
		opt.ReconcileWait = 10 * time.Second
	}
	log := opt.Logger.With("venue", "tradovate", "env", string(cfg.Env))
	dev, created, err := DeviceIDFor(cfg)
	if err != nil {
		return nil, err
	}
	log.Info("device id", "device_id", dev, "new", created, "hint", "live trading needs this id approved (Tradovate e-mails a link the first time it is used)")
	if opt.Auth.Logger == nil {
		opt.Auth.Logger = opt.Logger
	}
	a := &Adapter{
		cfg: cfg, opt: opt, deviceID: dev, auth: NewAuth(cfg, dev, opt.Auth), log: log,
		sent: map[string]bool{}, unknown: map[string]struct{}{}, jobs: make(chan func(context.Context), 1024),
	}
	return a, nil
}

// DeviceIDFor returns the device id cfg implies: TRADOVATE_DEVICE_ID, or
// the one kept in cfg.DeviceFile (default DefaultDeviceFile).
func DeviceIDFor(cfg Config) (id string, created bool, err error) {
	if cfg.DeviceID != "" {
		return cfg.DeviceID, false, nil
	}
	path := cfg.DeviceFile
	if path == "" {
		if path, err = DefaultDeviceFile(); err != nil {
			return "", false, err
		}
	}
	return LoadDeviceID(path)
}

// State returns the trading connection's state and, when it stopped for
// good (Closed), why.
func (a *Adapter) State() (ConnState, error) {
	if a.trade == nil {
		return StateDisconnected, nil
	}
	return a.trade.State()
}

// DeviceID returns the device id the adapter sends.
func (a *Adapter) DeviceID() string { return a.deviceID }

// Auth returns the adapter's authentication (tokens, REST calls).
func (a *Adapter) Auth() *Auth { return a.auth }

// AccountID returns the account orders go to (0 before Start).
func (a *Adapter) AccountID() int64 {
	if a.acct == nil {
		return 0
	}
	return a.acct.id
}

// Start implements venue.Venue: it connects (see Connect) unless Connect
// already did, then binds the sink; events from before are delivered first.
func (a *Adapter) Start(sink venue.EventSink) error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	return a.StartContext(ctx, sink)
}

// StartContext is Start with a deadline for the connect.
func (a *Adapter) StartContext(ctx context.Context, sink venue.EventSink) error {
	if sink == nil {
		return errors.New("tradovate: Start needs a sink")
	}
	if err := a.Connect(ctx); err != nil {
		return err
	}
	a.mu.Lock()
	if a.sink != nil {
		a.mu.Unlock()
		return errors.New("tradovate: adapter already started")
	}
	a.sink = sink
	held := a.held
	a.held = nil
	a.mu.Unlock()
	for _, ev := range held {
		sink(ev)
	}
	return nil
}

// Connect logs in, picks the account, connects the trading socket (the
// replay socket, starting the replay, in a replay session), syncs the
// account (and again on every reconnect) and starts the order sender. It
// returns once the first sync is done; a second call does nothing. Events
// wait for Start's sink.
func (a *Adapter) Connect(ctx context.Context) error {
	a.connMu.Lock() // one Connect at a time; a failed one may be retried
	defer a.connMu.Unlock()
	a.mu.Lock()
	if a.started {
		a.mu.Unlock()
		return nil
	}
	a.mu.Unlock()
	tok, err := a.auth.Token(ctx)
	if err != nil {
		return err
	}
	a.userID = tok.UserID
	if a.cfg.Env != Replay {
		if err := a.pickAccount(ctx); err != nil {
			return err
		}
	}
	a.ctx, a.cancel = context.WithCancel(context.Background())
	co := a.opt.Conn
	co.Name, co.URL, co.Logger = "trading", a.cfg.TradingURL(), a.opt.Logger
	if a.cfg.Env == Replay {
		co.Name = "replay"
	}
	co.Token = func(ctx context.Context) (Secret, error) {
		t, err := a.auth.Token(ctx)
		if err != nil {
			return "", err
		}
		if a.cfg.Env == Replay {
			return t.MD, nil
		}
		return t.Access, nil
	}
	co.OnReady = a.resync
	co.OnEvent = a.onEvent
	co.OnState = a.connState
	co.Refused = a.auth.Forget
	a.trade = NewConn(co)
	a.trade.Start(a.ctx)
	a.wg.Add(2)
	go a.sender()
	go func() { defer a.wg.Done(); a.auth.KeepRenewed(a.ctx) }()
	if err := a.trade.WaitConnected(ctx); err != nil {
		a.Close()
		a.trade = nil
		return fmt.Errorf("tradovate: connect %s: %w", co.Name, err)
	}
	a.mu.Lock()
	a.started = true
	a.mu.Unlock()
	return nil
}

// pickAccount finds the account orders go to, from account/list — never
// the user id, which Tradovate answers with "Access is denied".
func (a *Adapter) pickAccount(ctx context.Context) error {
	var accts []wire.Account
	if err := a.auth.REST(ctx, "GET", "account/list", "", nil, &accts); err != nil {
		return fmt.Errorf("tradovate: account/list: %w", err)
	}
	return a.setAccount(accts)
}

// setAccount picks the account from a list: by name when Options.Account
// says, else the only active one.
func (a *Adapter) setAccount(accts []wire.Account) error {
	var pick []wire.Account
	for _, ac := range accts {
		if a.opt.Account != "" {
			if ac.Name == a.opt.Account {
				pick = append(pick, ac)
			}
		} else if ac.Active {
			pick = append(pick, ac)
		}
	}
	switch {
	case len(pick) == 1:
	case a.opt.Account != "":
		return fmt.Errorf("tradovate: no account named %q (accounts: %s)", a.opt.Account, accountNames(accts))
	case len(pick) == 0:
		return fmt.Errorf("tradovate: no active account for user %s", a.cfg.Name)
	default:
		return fmt.Errorf("tradovate: %d active accounts (%s): choose one by name", len(pick), accountNames(pick))
	}
	if a.acct == nil {
		a.acct = newAccount(a.emit)
	}
	a.acct.id, a.acct.spec = pick[0].ID, pick[0].Name
	a.log.Info("account", "account_id", a.acct.id, "account_spec", a.acct.spec)
	return nil
}

func accountNames(as []wire.Account) string {
	s := ""
	for i, a := range as {
		if i > 0 {
			s += ", "
		}
		s += a.Name
	}
	return s
}

// connState hands a connection's state change to Options.OnState and, as
// EventConnection, to the engine.
func (a *Adapter) connState(e ConnEvent) {
	if a.opt.OnState != nil {
		a.opt.OnState(e)
	}
	switch e.State {
	case StateConnected, StateDisconnected, StateClosed:
		ev := venue.Event{Kind: venue.EventConnection, Time: e.At.UnixNano(), Reason: e.Conn + " " + e.State.String()}
		if e.Err != nil {
			ev.Text = e.Err.Error()
		}
		a.emit(ev)
	}
}

func (a *Adapter) emit(ev venue.Event) {
	if ev.Time == 0 {
		ev.Time = time.Now().UnixNano()
	}
	a.mu.Lock()
	sink := a.sink
	if sink == nil {
		if len(a.held) < 1<<16 {
			a.held = append(a.held, ev)
		}
		a.mu.Unlock()
		return
	}
	a.mu.Unlock()
	sink(ev)
}

// resync runs on every (re)authorize: a fresh user/syncrequest snapshot,
// diffed into the known state (see account), then the orders whose outcome
// was lost are resolved against it.
func (a *Adapter) resync(ctx context.Context, c *Conn) error {
	if a.cfg.Env == Replay {
		if err := a.initReplay(ctx, c); err != nil {
			return err
		}
		if a.acct == nil || a.acct.id == 0 {
			if err := a.replayAccount(ctx, c); err != nil {
				return err
			}
		}
	}
	a.syncMu.Lock()
	a.syncing, a.early = true, nil
	a.syncMu.Unlock()
	req := wire.SyncRequest{Users: []int64{a.userID}}
	if a.cfg.Env == Replay {
		req = wire.SyncRequest{Accounts: []int64{a.acct.id}}
	}
	var snap wire.SyncMessage
	err := c.Do(ctx, "user/syncrequest", "", req, &snap)
	a.syncMu.Lock()
	defer a.syncMu.Unlock()
	early := a.early
	a.syncing, a.early = false, nil
	var st *wire.StatusError
	if a.cfg.Env == Replay && errors.As(err, &st) && st.Status == 401 {
		// A replay session ends with its last socket: its account is gone.
		return Permanent(fmt.Errorf("tradovate: the replay session ended (its sockets all closed, and its account %d with it): start a new replay", a.acct.id))
	}
	if err != nil {
		return err
	}
	a.acct.applySnapshot(&snap)
	for _, p := range early {
		if err := a.acct.applyProps(p); err != nil {
			a.log.Warn("props event not applied", "err", err)
		}
	}
	a.resolveUnknown()
	return nil
}

func (a *Adapter) onEvent(m *wire.Message, _ []byte) {
	if m.Event == wire.EventClock {
		a.onClock(m.Data)
		return
	}
	if m.Event != wire.EventProps {
		return
	}
	var p wire.PropsEvent
	if err := json.Unmarshal(m.Data, &p); err != nil {
		a.log.Warn("props event not decoded", "err", err)
		return
	}
	p.Entity = append([]byte(nil), p.Entity...) // m.Data is reused
	a.syncMu.Lock()
	defer a.syncMu.Unlock()
	if a.syncing {
		a.early = append(a.early, p)
		return
	}
	if err := a.acct.applyProps(p); err != nil {
		a.log.Warn("props event not applied", "err", err)
	}
}

// resolveUnknown settles, after a full snapshot, every order whose
// answer was lost: the snapshot holds every command the account has, so an
// order not in it was never placed.
func (a *Adapter) resolveUnknown() {
	a.mu.Lock()
	ids := make([]string, 0, len(a.unknown))
	for id := range a.unknown {
		ids = append(ids, id)
	}
	a.mu.Unlock()
	for _, id := range ids {
		a.resolve(id, !a.acct.known(id))
	}
}

// Close implements venue.Venue: it stops the sender and the sockets.
// Working orders are left as they are.
func (a *Adapter) Close() error {
	if a.cancel != nil {
		a.cancel()
	}
	if a.trade != nil {
		a.trade.Close()
	}
	a.wg.Wait()
	return nil
}

// sender sends the queued requests one at a time, in order.
func (a *Adapter) sender() {
	defer a.wg.Done()
	for {
		select {
		case <-a.ctx.Done():
			return
		case job := <-a.jobs:
			job(a.ctx)
		}
	}
}

func (a *Adapter) enqueue(job func(context.Context)) error {
	select {
	case a.jobs <- job:
		return nil
	default:
		return errors.New("tradovate: too many requests queued (1024): the connection is not keeping up")
	}
}

// Submit implements venue.Venue. It checks what Tradovate cannot take
// (an error: nothing was sent) and queues the order; the outcome arrives
// as events: Accepted (the venue has it), Rejected (failureReason, or a
// commandReport's rejectReason), or Unknown (the answer was lost), which
// reconciliation resolves. A client id is never sent twice.
func (a *Adapter) Submit(o venue.Order) error {
	endpoint, body, err := a.placeBody(o)
	if err != nil {
		return err
	}
	a.mu.Lock()
	if a.sent[o.ClientID] {
		a.mu.Unlock()
		return fmt.Errorf("tradovate: order %s was already sent; keel never sends a client order id twice", o.ClientID)
	}
	if a.trade == nil {
		a.mu.Unlock()
		return fmt.Errorf("tradovate: submit %s: %w", o.ClientID, ErrNotConnected)
	}
	if st, _ := a.trade.State(); st != StateConnected {
		a.mu.Unlock()
		return fmt.Errorf("tradovate: submit %s: %w", o.ClientID, ErrNotConnected)
	}
	a.sent[o.ClientID] = true
	a.mu.Unlock()
	return a.enqueue(func(ctx context.Context) { a.place(ctx, o, endpoint, body) })
}

func (a *Adapter) place(ctx context.Context, o venue.Order, endpoint string, body any) {
	var res wire.PlaceOSOResult // a superset of every place result
	var oco wire.PlaceOCOResult
	send := func() error {
		raw, err := encodeBody(a.buf[:0], body)
		if err != nil {
			return fmt.Errorf("tradovate: %s: %w", endpoint, err)
		}
		a.buf = raw[:0]
		if endpoint == "order/placeoco" {
			err = a.trade.DoRaw(ctx, endpoint, "", raw, &oco)
			res.OrderID = oco.OrderID
			return err
		}
		return a.trade.DoRaw(ctx, endpoint, "", raw, &res)
	}
	err := send()
	var pe *wire.PenaltyError
	if errors.As(err, &pe) && !pe.Captcha {
		// The request was not executed: wait as asked, retry once with the ticket.
		a.log.Warn("time penalty on an order; waiting and retrying once", "order", o.ClientID, "wait", pe.Wait)
		select {
		case <-ctx.Done():
			return
		case <-time.After(pe.Wait):
		}
		withTicket(body, pe.Ticket)
		err = send()
	}
	now := time.Now().UnixNano()
	if err == nil && res.OrderID == 0 {
		err = fmt.Errorf("%w: %s: the answer carried no order id", ErrOutcomeUnknown, endpoint)
	}
	switch {
	case err == nil:
		a.acct.mu.Lock()
		a.acct.bind(res.OrderID, o.ClientID)
		if st := a.acct.orderOf(res.OrderID); st.qty == 0 {
			st.qty, st.typ = orderQty(body), o.Intent.Type.String()
			st.limit, st.stop = o.Intent.Limit, o.Intent.Stop
			st.tif, _ = tifName(o.Intent.TIF)
			if o.Intent.TIF == venue.GTD {
				st.expire = wire.TimeOf(time.Unix(0, o.Intent.Expire).UTC())
			}
		}
		a.acct.accept(a.acct.orderOf(res.OrderID), now)
		ids := venue.BracketIDs(o.ClientID, o.Intent.Brackets)
		if res.OSO1ID != 0 && len(ids) > 0 {
			a.acct.bind(res.OSO1ID, ids[0])
		}
		if res.OSO2ID != 0 && len(ids) > 1 {
			a.acct.bind(res.OSO2ID, ids[1])
		}
		if oco.OcoID != 0 {
			a.acct.bind(oco.OcoID, o.ClientID+venue.OCOSuffix)
		}
		a.acct.mu.Unlock()
	case errors.Is(err, ErrOutcomeUnknown) || answerLost(err):
		a.log.Warn("order outcome unknown; it will be reconciled, never re-sent", "order", o.ClientID, "err", err)
		a.mu.Lock()
		a.unknown[o.ClientID] = struct{}{}
		a.mu.Unlock()
		a.emit(venue.Event{Kind: venue.EventUnknown, Time: now, ClientID: o.ClientID, Contract: o.Contract, Text: err.Error()})
		go a.reconcileLater(o.ClientID)
	default:
		reason, text := a.rejection(endpoint, o.ClientID, err)
		a.emit(venue.Event{Kind: venue.EventRejected, Time: now, ClientID: o.ClientID, Contract: o.Contract, Reason: reason, Text: text})
	}
}

// answerLost reports whether a place request's failure leaves its outcome
// open: a server error or timeout status (the order may have been taken
// before the failure), or an answer that did not decode.
func answerLost(err error) bool {
	var st *wire.StatusError
	if errors.As(err, &st) {
		return st.Status >= 500 || st.Status == 408
	}
	var fe *wire.FailureError
	var pe *wire.PenaltyError
	var ve *wire.ViolationError
	var api *wire.APIError
	var rl *RateLimitError
	return !errors.Is(err, ErrNotConnected) && !errors.As(err, &fe) && !errors.As(err, &pe) && !errors.As(err, &ve) && !errors.As(err, &api) && !errors.As(err, &rl)
}

// reconcileLater asks the venue, while the socket stays up, whether it has
// an order whose answer was lost. A command/list that succeeds after the
// place request, on the same socket, reflects it (the server answers a
// socket's requests in order): with the order's clOrdId in it the order is
// the venue's, without it the order was never placed. If no such list
// succeeds within ReconcileWait, the order stays Unknown until the next
// reconnect's snapshot settles it.
func (a *Adapter) reconcileLater(client string) {
	deadline := time.Now().Add(a.opt.ReconcileWait)
	for time.Now().Before(deadline) {
		select {
		case <-a.ctx.Done():
			return
		case <-time.After(a.opt.ReconcileWait / 5):
		}
		a.mu.Lock()
		_, still := a.unknown[client]
		a.mu.Unlock()
		if !still {
			return
		}
		var cmds []wire.Command
		if err := a.trade.Do(a.ctx, "command/list", "", nil, &cmds); err != nil {
			continue // no answer either: try again, or leave it to the snapshot
		}
		a.acct.mu.Lock()
		for _, c := range cmds {
			a.acct.applyCommand(c)
		}
		a.acct.mu.Unlock()
		a.resolve(client, !a.acct.known(client))
		return
	}
	a.log.Warn("order outcome still unknown; the next sync will settle it", "order", client)
}

// resolve settles one unknown order: the venue has it (its events are out
// through the bind), or, when notPlaced, it was never placed.
func (a *Adapter) resolve(client string, notPlaced bool) {
	a.mu.Lock()
	_, still := a.unknown[client]
	delete(a.unknown, client)
	a.mu.Unlock()
	switch {
	case !still:
	case notPlaced:
		a.log.Warn("unknown order outcome resolved: the venue does not have it (never placed)", "order", client)
		a.emit(venue.Event{Kind: venue.EventRejected, ClientID: client, Reason: "NotPlaced", Text: "the request's answer was lost and the venue's own records, asked afterwards, show no such order: it was never placed"})
	default:
		a.log.Info("unknown order outcome resolved: the venue has it", "order", client)
	}
}

// rejection turns a refused request into an event reason and text.
func (a *Adapter) rejection(op, client string, err error) (string, string) {
	var fe *wire.FailureError
	var se *wire.StatusError
	var rl *RateLimitError
	var ve *wire.ViolationError
	switch {
	case errors.As(err, &fe):
		return fe.Reason, (&RejectError{ClientID: client, Reason: fe.Reason, Text: fe.Text}).Error()
	case errors.As(err, &se) && se.Status == 401:
		return "AccessDenied", (&AccessDeniedError{Op: op, Env: a.cfg.Env, DeviceID: a.deviceID, Err: err}).Error()
	case errors.As(err, &rl):
		return "RateLimited", rl.Error()
	case errors.As(err, &ve):
		return "Violation", err.Error()
	case errors.Is(err, ErrNotConnected):
		return "NotSent", err.Error()
	}
	return "Error", err.Error()
}

// Cancel implements venue.Venue.
func (a *Adapter) Cancel(client string) error {
	return a.enqueue(func(ctx context.Context) {
		id, ok := a.acct.orderID(client)
		if !ok {
			a.emit(venue.Event{Kind: venue.EventCancelRejected, ClientID: client, Reason: "UnknownOrder", Text: "the venue has no order with this client id (yet)"})
			return
		}
		var r wire.CommandResult
		if err := a.trade.Do(ctx, "order/cancelorder", "", wire.CancelOrder{OrderID: id, IsAutomated: true}, &r); err != nil {
			reason, text := a.rejection("order/cancelorder", client, err)
			a.emit(venue.Event{Kind: venue.EventCancelRejected, ClientID: client, VenueID: id, Reason: reason, Text: text})
		}
	})
}

// Modify implements venue.Venue. Tradovate's modify restates the order's
// quantity, type and prices; zero fields of m keep the order's.
func (a *Adapter) Modify(client string, m venue.Modify) error {
	return a.enqueue(func(ctx context.Context) {
		id, ok := a.acct.orderID(client)
		if !ok {
			a.emit(venue.Event{Kind: venue.EventModifyRejected, ClientID: client, Reason: "UnknownOrder", Text: "the venue has no order with this client id (yet)"})
			return
		}
		a.acct.mu.Lock()
		o := *a.acct.orderOf(id)
		a.acct.mu.Unlock()
		// Tradovate's modify restates the order: its terms in force, the
		// time in force (and a GTD's expireTime) included.
		body := wire.ModifyOrder{OrderID: id, OrderQty: o.qty, OrderType: o.typeName(), TimeInForce: o.tif, ExpireTime: o.expire, IsAutomated: true}
		if m.Qty > 0 {
			body.OrderQty = m.Qty
		}
		limit, stop := o.limit, o.stop
		if m.Limit != 0 {
			limit = m.Limit
		}
		if m.Stop != 0 {
			stop = m.Stop
		}
		t, err := venue.ParseOrderType(body.OrderType)
		if err != nil {
			t = venue.Market
		}
		body.Price, body.StopPrice = prices(t, limit, stop)
		var r wire.CommandResult
		if err := a.trade.Do(ctx, "order/modifyorder", "", body, &r); err != nil {
			reason, text := a.rejection("order/modifyorder", client, err)
			a.emit(venue.Event{Kind: venue.EventModifyRejected, ClientID: client, VenueID: id, Reason: reason, Text: text})
		}
	})
}

// Liquidate asks Tradovate to cancel the working orders in a contract and
// flatten the account's position there, in one request
// (order/liquidateposition). It blocks until the answer.
func (a *Adapter) Liquidate(ctx context.Context, contract venue.ContractID) error {
	var r wire.PlaceOrderResult
	return a.trade.Do(ctx, "order/liquidateposition", "", wire.LiquidatePosition{AccountID: a.acct.id, ContractID: int64(contract)}, &r)
}

func withTicket(body any, ticket string) {
	switch b := body.(type) {
	case *wire.PlaceOrder:
		b.PTicket = ticket
	case *wire.PlaceOSO:
		b.PTicket = ticket
	case *wire.PlaceOCO:
		b.PTicket = ticket
	}
}

func orderQty(body any) int64 {
	switch b := body.(type) {
	case *wire.PlaceOrder:
		return b.OrderQty
	case *wire.PlaceOSO:
		return b.OrderQty
	case *wire.PlaceOCO:
		return b.OrderQty
	}
	return 0
}

func (o *orderState) typeName() string {
	switch {
	case o.typ != "":
		return o.typ
	case o.limit != 0 && o.stop != 0:
		return "StopLimit"
	case o.limit != 0:
		return "Limit"
	case o.stop != 0:
		return "Stop"
	}
	return "Market"
}
