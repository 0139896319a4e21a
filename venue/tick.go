package venue

import (
	"strconv"
	"time"
)

// ContractID identifies a tradable contract. It is Tradovate's contract id
// where one exists; backtests assign ids from their instrument set.
type ContractID int64

// TickFlags says which parts of a Tick are present.
type TickFlags uint8

// Tick flags.
const (
	// HasTrade: Price, Size and Aggressor describe a trade.
	HasTrade TickFlags = 1 << iota
	// HasQuote: Bid, BidSize, Ask and AskSize are the top of book after this event.
	HasQuote
)

// Tick is one market-data event: a trade, a top-of-book quote, or both.
// It is a plain 64-byte value with no pointer fields, so rings of ticks are
// invisible to the garbage collector and copying one is a few moves.
type Tick struct {
	Time      int64      // exchange timestamp, Unix nanoseconds
	Recv      int64      // local receive timestamp, Unix nanoseconds (0 if unknown)
	Contract  ContractID // which contract
	Price     Price      // trade price, when HasTrade
	Bid       Price      // best bid, when HasQuote
	Ask       Price      // best ask, when HasQuote
	Size      int32      // trade size in contracts, when HasTrade
	BidSize   int32      // size at the best bid, when HasQuote (0 if unknown)
	AskSize   int32      // size at the best ask, when HasQuote (0 if unknown)
	Flags     TickFlags  // which parts are present
	Aggressor Side       // aggressor of a trade; SideNone when unknown
}

// IsTrade reports whether t carries a trade.
func (t *Tick) IsTrade() bool { return t.Flags&HasTrade != 0 }

// IsQuote reports whether t carries a top-of-book quote.
func (t *Tick) IsQuote() bool { return t.Flags&HasQuote != 0 }

// At returns the exchange time as a time.Time in UTC.
func (t *Tick) At() time.Time { return time.Unix(0, t.Time).UTC() }

// BarKind says how a bar series is cut.
type BarKind uint8

// Bar kinds.
const (
	// TimeBars close on fixed clock intervals aligned to the Unix epoch (UTC):
	// a one-minute bar covers [hh:mm:00, hh:mm+1:00).
	TimeBars BarKind = iota + 1
	// TickBars close after a fixed number of trades.
	TickBars
)

// BarSpec names a bar series: its kind and its period (Duration for TimeBars,
// Count trades for TickBars).
type BarSpec struct {
	Kind     BarKind
	Duration time.Duration
	Count    int
}

// Every returns a time-bar spec.
func Every(d time.Duration) BarSpec { return BarSpec{Kind: TimeBars, Duration: d} }

// EveryTrades returns a tick-count bar spec.
func EveryTrades(n int) BarSpec { return BarSpec{Kind: TickBars, Count: n} }

// String returns "1m0s" style text for time bars and "500t" for tick bars.
func (s BarSpec) String() string {
	switch s.Kind {
	case TimeBars:
		return s.Duration.String()
	case TickBars:
		return strconv.Itoa(s.Count) + "t"
	default:
		return "invalid"
	}
}

// Bar is an OHLCV bar of trades. Start is the bar's open time (Unix ns) and
// End its exclusive end; for tick bars they are the first and last trade
// times (End is then inclusive).
type Bar struct {
	Contract ContractID
	Spec     BarSpec
	Start    int64
	End      int64
	Open     Price
	High     Price
	Low      Price
	Close    Price
	Volume   int64
	Trades   int64
}
