package data

import (
	"fmt"
	"io"

	"github.com/keeltrade/keel/venue"
)

// TickFormat names the column convention of a tick CSV file, recognised from
// its header (see ../shared/data/README.md for the conventions).
type TickFormat string

// Tick CSV formats. Columns are found by name; any others are ignored.
const (
	// TradesFormat: ts_utc_ns, symbol, price, size, side, and optionally
	// ts_recv_ns. Every row is a trade (HasTrade). The Lean gold file
	// (ts_utc_ns, symbol, price, size, side, suspicious) is a trades file;
	// its suspicious column is ignored (it is always 0 in the data).
	TradesFormat TickFormat = "trades"
	// BBOFormat: ts_utc_ns, symbol, bid, bid_size, ask, ask_size, and
	// optionally ts_recv_ns. Every row is a top-of-book quote (HasQuote).
	BBOFormat TickFormat = "bbo"
	// MBP1Format: the bbo columns plus last, last_size, side and action. A
	// trade row (action T) carries the trade and the book after it
	// (HasTrade|HasQuote, side is the aggressor); any other action is a book
	// update (HasQuote only, side is the book side and is ignored).
	MBP1Format TickFormat = "mbp1"
)

const (
	tradesCols = "ts_utc_ns, symbol, price, size, side"
	bboCols    = "ts_utc_ns, symbol, bid, bid_size, ask, ask_size"
	mbp1Cols   = "ts_utc_ns, symbol, bid, bid_size, ask, ask_size, last, last_size, side, action"
)

// TickCSV is a TickSource reading a tick CSV file (plain or gzip, detected by
// its magic bytes). It reads one line at a time into a fixed buffer and
// decodes fields in place, so Next allocates nothing and memory stays flat.
//
// Row rules: the row must have as many fields as the header; timestamps are
// integer Unix nanoseconds and never earlier than the previous row's; the
// symbol must resolve; prices parse exactly and lie on the instrument's tick
// grid; sizes are non-negative int32. Size-0 trades are kept as they are
// (the Lean gold data has 459 of them). An empty side is SideNone, as is N.
// An empty bid or ask (no order on that side) reads as price 0, an empty
// size as 0, and an empty ts_recv_ns as Recv 0. Blank lines are ignored.
type TickCSV struct {
	r      csvReader
	format TickFormat

	ts, sym, price, size, side, recv int
	bid, bidSize, ask, askSize       int
	action                           int
}

// OpenTickCSV opens a tick CSV file and reads its header. A file with no
// header or no rows is an error wrapping ErrEmpty; a header lacking a
// required column is a *RowError naming the column.
func OpenTickCSV(path string, opt CSVOptions) (*TickCSV, error) {
	f, err := openFile(path)
	if err != nil {
		return nil, err
	}
	s, err := NewTickCSV(f, path, opt)
	if err != nil {
		f.Close()
		return nil, err
	}
	s.r.file = f
	return s, nil
}

// NewTickCSV reads tick CSV from r; name appears in errors. Close does not
// close r.
func NewTickCSV(r io.Reader, name string, opt CSVOptions) (*TickCSV, error) {
	s := &TickCSV{}
	if err := s.r.open(r, name, opt); err != nil {
		s.r.close()
		return nil, err
	}
	if err := s.layout(); err != nil {
		s.r.close()
		return nil, err
	}
	return s, nil
}

// layout recognises the format from the header and finds the columns.
func (s *TickCSV) layout() error {
	r := &s.r
	idx := make(map[string]int)
	for _, n := range []string{"ts_utc_ns", "symbol", "price", "size", "side", "ts_recv_ns",
		"bid", "bid_size", "ask", "ask_size", "last", "last_size", "action", "order_id"} {
		idx[n] = r.col(n)
	}
	var want string
	switch {
	case idx["order_id"] >= 0:
		return r.headerErr("this is a market-by-order (MBO) file; keel reads trades, bbo or mbp1 tick files")
	case idx["action"] >= 0 || idx["last"] >= 0:
		s.format, want = MBP1Format, mbp1Cols
		s.price, s.size = idx["last"], idx["last_size"]
	case idx["price"] >= 0:
		s.format, want = TradesFormat, tradesCols
		s.price, s.size = idx["price"], idx["size"]
	case idx["bid"] >= 0 || idx["ask"] >= 0:
		s.format, want = BBOFormat, bboCols
	default:
		return r.headerErr(fmt.Sprintf(
			"unrecognised header: want a trades file (%s), a bbo file (%s) or an mbp1 file (%s)", tradesCols, bboCols, mbp1Cols))
	}
	if err := r.requireCols(string(s.format), want, idx); err != nil {
		return err
	}
	s.ts, s.sym, s.side, s.recv = idx["ts_utc_ns"], idx["symbol"], idx["side"], idx["ts_recv_ns"]
	s.bid, s.bidSize, s.ask, s.askSize = idx["bid"], idx["bid_size"], idx["ask"], idx["ask_size"]
	s.action = idx["action"]
	return nil
}

// Next fills *t with the next tick. It returns io.EOF at the end of the file
// and a *RowError for a malformed row (unless SkipBadRows); either ends the
// stream.
func (s *TickCSV) Next(t *venue.Tick) error { return nextRow(&s.r, s, t) }

// decode parses one row into *t, or returns why it is bad.
func (s *TickCSV) decode(line []byte, t *venue.Tick) string {
	r := &s.r
	if reason := r.split(line); reason != "" {
		return reason
	}
	tsf := r.field(s.ts)
	ts, ok := parseNanos(tsf)
	if !ok {
		return badInt("ts_utc_ns", tsf)
	}
	sym := r.field(s.sym)
	if len(sym) == 0 {
		return "empty symbol"
	}
	e := r.lookup(sym)
	if e.err != nil {
		return fmt.Sprintf("unknown symbol %q: %v", sym, e.err)
	}
	var recv int64
	if s.recv >= 0 {
		if f := r.field(s.recv); len(f) > 0 {
			if recv, ok = parseNanos(f); !ok {
				return badInt("ts_recv_ns", f)
			}
		}
	}
	*t = venue.Tick{Time: ts, Recv: recv, Contract: e.inst.ID}
	grid := e.inst.TickSize
	var reason string
	switch s.format {
	case TradesFormat:
		reason = s.trade(t, grid, "price", "size")
	case BBOFormat:
		reason = s.quote(t, grid)
	case MBP1Format:
		if reason = s.quote(t, grid); reason != "" {
			break
		}
		switch a := r.field(s.action); {
		case len(a) == 0:
			reason = "empty action"
		case len(a) == 1 && a[0] == 'T':
			reason = s.trade(t, grid, "last", "last_size")
		}
	}
	if reason != "" {
		return reason
	}
	if reason := r.checkTime(ts); reason != "" {
		return reason
	}
	r.accept(ts)
	return ""
}

func (s *TickCSV) trade(t *venue.Tick, grid venue.Price, priceCol, sizeCol string) string {
	r := &s.r
	p, reason := priceField(priceCol, r.field(s.price), grid)
	if reason != "" {
		return reason
	}
	f := r.field(s.size)
	n, ok := parseSize(f)
	if !ok {
		return badInt(sizeCol, f)
	}
	f = r.field(s.side)
	side, ok := parseSideBytes(f)
	if !ok {
		return fmt.Sprintf("bad side %q: want B, S or empty", f)
	}
	t.Price, t.Size, t.Aggressor = p, n, side
	t.Flags |= venue.HasTrade
	return ""
}

// quote reads the top of book. An empty price or size reads as 0 (no order
// on that side, or size unknown).
func (s *TickCSV) quote(t *venue.Tick, grid venue.Price) string {
	r := &s.r
	var reason string
	if f := r.field(s.bid); len(f) > 0 {
		if t.Bid, reason = priceField("bid", f, grid); reason != "" {
			return reason
		}
	}
	if f := r.field(s.ask); len(f) > 0 {
		if t.Ask, reason = priceField("ask", f, grid); reason != "" {
			return reason
		}
	}
	var ok bool
	if f := r.field(s.bidSize); len(f) > 0 {
		if t.BidSize, ok = parseSize(f); !ok {
			return badInt("bid_size", f)
		}
	}
	if f := r.field(s.askSize); len(f) > 0 {
		if t.AskSize, ok = parseSize(f); !ok {
			return badInt("ask_size", f)
		}
	}
	t.Flags |= venue.HasQuote
	return ""
}

// Close releases the file (if OpenTickCSV opened it). Next then fails.
func (s *TickCSV) Close() error { return s.r.close() }

// Format is the column convention recognised from the header.
func (s *TickCSV) Format() TickFormat { return s.format }

// Skipped is the number of bad rows skipped so far (SkipBadRows).
func (s *TickCSV) Skipped() int64 { return s.r.skipped }

// SkippedSamples returns the first (at most 10) skipped rows and why.
func (s *TickCSV) SkippedSamples() []RowError { return s.r.skippedSamples() }

// Rows is the number of ticks returned so far.
func (s *TickCSV) Rows() int64 { return s.r.rows }

// Instruments returns the instruments of the symbols seen so far, in the
// order they first appeared.
func (s *TickCSV) Instruments() []venue.Instrument { return s.r.instruments() }
