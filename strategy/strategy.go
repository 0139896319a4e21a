package strategy

import (
	"log/slog"
	"time"

	"github.com/keeltrade/keel/venue"
	"github.com/shopspring/decimal"
)

// Strategy is the one method every strategy has. Init runs once, before any
// data, on the engine goroutine; it subscribes to symbols and bar series and
// reads parameters. An error stops that strategy before it starts.
type Strategy interface {
	Init(ctx Context) error
}

// TickHandler receives every tick of the symbols the strategy subscribed to.
type TickHandler interface {
	OnTick(ctx Context, t venue.Tick)
}

// BarHandler receives each completed bar of the series the strategy asked for.
type BarHandler interface {
	OnBar(ctx Context, b venue.Bar)
}

// OrderHandler receives every event the venue sends about the strategy's
// own orders: accepted, rejected (with the venue's reason), unknown,
// filled, cancelled, modified, expired, and keel's EventUnprotected. What
// keel refuses itself — a malformed intent, the risk gate's denial, a
// request that could not be sent — is the error of the call (Submit,
// Modify), and only that: one way to learn of each refusal.
type OrderHandler interface {
	OnOrder(ctx Context, e venue.Event)
}

// FillHandler receives each fill of the strategy's orders, after the engine
// has updated the strategy's position. It is called in addition to OnOrder.
type FillHandler interface {
	OnFill(ctx Context, f venue.Fill)
}

// TimerHandler receives timers set with Context.SetTimer or Context.After.
type TimerHandler interface {
	OnTimer(ctx Context, t Timer)
}

// EndHandler is called in a backtest when the data is about to end: exactly
// one more market event follows, so orders sent here (to flatten, say) can
// still fill on it.
type EndHandler interface {
	OnEnd(ctx Context)
}

// Stopper is called once when the engine stops the strategy normally.
type Stopper interface {
	Stop(ctx Context)
}

// TimerID identifies a timer; the zero TimerID is never issued.
type TimerID uint64

// Timer is a timer that fired.
type Timer struct {
	ID  TimerID
	At  time.Time // the time it was due
	Tag string
}

// Position is a strategy's own position in one contract, as the engine
// accounts it from the strategy's fills.
type Position struct {
	Symbol     string
	Net        int64           // positive long, negative short
	AvgPrice   decimal.Decimal // average entry of the open position; zero when flat
	Realized   decimal.Decimal // realized PnL in money, before fees
	Unrealized decimal.Decimal // open PnL at the last trade (or mid) price
	Fees       decimal.Decimal // fees paid
}

// PnL sums a strategy's money across all its contracts.
type PnL struct {
	Realized   decimal.Decimal // before fees
	Unrealized decimal.Decimal
	Fees       decimal.Decimal
}

// Net returns realized + unrealized − fees.
func (p PnL) Net() decimal.Decimal { return p.Realized.Add(p.Unrealized).Sub(p.Fees) }

// Account is the trading account as the venue last reported it (zero
// before the first report; a backtest's simulator does not report one).
type Account struct {
	Balance     decimal.Decimal // cash balance
	RealizedPnL decimal.Decimal // realized PnL of the session, as the venue counts it
	OpenPnL     decimal.Decimal // open PnL, when the venue says
}

// Equity is balance plus open PnL.
func (a Account) Equity() decimal.Decimal { return a.Balance.Add(a.OpenPnL) }

// Mode says where a strategy runs.
type Mode string

// Modes.
const (
	ModeBacktest Mode = "backtest" // files through the simulator
	ModeReplay   Mode = "replay"   // Tradovate's market replay
	ModeDemo     Mode = "demo"     // a Tradovate demo (simulation) account
	ModeLive     Mode = "live"     // real money
)

// Context is what a strategy calls. It is only valid on the engine
// goroutine, inside a callback.
//
// A symbol may be a product root ("ES", or "@ES"): its continuous
// contract, where the instrument set maps roots to front months (a
// backtest's does, by keel's CME roll dates). Its ticks and bars are the
// front month's, named by the root's contract id; Submit sends to the
// front month; Position, OpenOrders, CancelAll and Flatten cover all its
// months; and a position held through it is rolled to the next month at
// each roll date (see the engine's package doc).
type Context interface {
	// Name is the strategy instance's name; it prefixes its client order ids.
	Name() string
	// Subscribe asks for every tick of symbol (only allowed in Init).
	Subscribe(symbol string) error
	// Bars asks for bars of symbol cut by spec (only allowed in Init).
	Bars(symbol string, spec venue.BarSpec) error
	// WarmUp asks for bars of symbol cut by spec (as Bars) and declares
	// that the strategy needs n completed ones before it trades: until
	// then Submit refuses with ErrWarmingUp (the bars still arrive in
	// OnBar), and History keeps at least n. Only allowed in Init.
	WarmUp(symbol string, spec venue.BarSpec, n int) error
	// WarmUpFor declares that the strategy needs d of data time, from the
	// first event, before it trades. Only allowed in Init.
	WarmUpFor(d time.Duration) error
	// Ready reports whether the declared warm-up is complete (true when
	// there is none).
	Ready() bool
	// History returns the completed bars of a series the strategy asked
	// for (Bars or WarmUp), newest at Ago(0); nil for one it did not.
	History(symbol string, spec venue.BarSpec) *Series
	// Instrument returns the tick size and point value of symbol.
	Instrument(symbol string) (venue.Instrument, bool)
	// Symbol returns the symbol of a contract id (a tick's or bar's
	// Contract), "" when the instrument set does not know it.
	Symbol(id venue.ContractID) string
	// Mode says where the strategy runs: backtest, replay, demo or live.
	Mode() Mode

	// Submit validates the intent, assigns a deterministic client order id,
	// checks it with the risk gate and sends it. A non-nil error means the
	// order was not sent: *venue.IntentError for a malformed intent,
	// *risk.Denied for the gate's denial, or a venue error — and OnOrder
	// hears nothing more of it. The outcome of a sent order arrives through
	// OnOrder.
	Submit(in venue.OrderIntent) (clientID string, err error)
	// Cancel asks to cancel one of the strategy's working orders.
	Cancel(clientID string) error
	// Modify asks to change one of the strategy's working orders.
	Modify(clientID string, m venue.Modify) error
	// CancelAll cancels every working order of the strategy in symbol ("" for
	// all), bracket exits and OCO partners included.
	CancelAll(symbol string) error
	// Flatten closes the strategy's position in symbol ("" for all) through
	// keel's protective path: its working orders there are cancelled, the
	// position is closed with a market order the risk gate judges only on
	// reducing it, and keel resends it until the strategy is flat.
	Flatten(symbol string) error
	// Order returns a copy of one of the strategy's orders, in any state.
	Order(clientID string) (venue.Order, bool)

	// Position returns the strategy's position in symbol.
	Position(symbol string) Position
	// OpenOrders returns copies of the strategy's orders in symbol ("" for
	// all) that are not in a terminal state.
	OpenOrders(symbol string) []venue.Order
	// PnL sums the strategy's positions.
	PnL() PnL
	// Account is the account as the venue last reported it.
	Account() Account

	// Now is the engine clock: wall time live, data time in a backtest.
	Now() time.Time
	// SetTimer schedules OnTimer at the given clock time.
	SetTimer(at time.Time, tag string) TimerID
	// After schedules OnTimer d after Now.
	After(d time.Duration, tag string) TimerID
	// CancelTimer removes a pending timer; it reports whether it was pending.
	CancelTimer(id TimerID) bool

	// Log is the strategy's structured logger.
	Log() *slog.Logger
	// Params are the strategy's parameters.
	Params() *Params
}
