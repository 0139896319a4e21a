package tradovate

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/tradovate/wire"
)

// QuoteDecoder turns md-socket frames into venue.Tick values: the hot path
// between the socket read and the engine's ring. It reads the frame's bytes
// in place, in one pass, with wire.Scanner and venue.ParsePriceBytes, and
// once every contract it sees has a slot it does not allocate. The zero
// QuoteDecoder is ready to use; NewQuoteDecoder sizes its table.
//
// # What a quote becomes
//
// Each quote of an {"e":"md","d":{"quotes":[…]}} event gives at most one
// Tick, for venue.ContractID(contractId):
//
//   - Book. When the quote has a Bid or an Offer entry the tick has
//     HasQuote, and the entries are a snapshot of the top of book: a side
//     whose entry is missing, or has no price, is empty (price and size 0,
//     which is how venue.Tick and the simulator spell "no bid"). A quote
//     with neither entry but with EmptyBook is a HasQuote tick of an empty
//     book. A quote with none of the three says nothing about the book.
//   - Trade. Tradovate's quote is a conflated snapshot: several trades
//     between two quotes show only the last in Trade but all of them in
//     TotalTradeVolume. So a trade is detected when TotalTradeVolume rises
//     for the contract, and the tick has HasTrade with Price the Trade
//     entry's price and Size the rise, not the Trade entry's size: summing
//     Size then gives the exchange's volume exactly, which bar volumes and
//     VWAP depend on. The first volume seen for a contract (and the first
//     after Reset) only sets the baseline: the decoder cannot tell what of
//     it is new, and inventing a trade of the whole session's volume would
//     be worse than missing one. A volume that falls (the count restarted
//     with a new trade date) is a new baseline too, for the same reason. A
//     rise without a Trade price cannot be priced; it moves the baseline
//     and gives no trade.
//   - Aggressor. A trade at or above the ask of the book before it (the
//     previous quote's) is a Buy, at or below its bid a Sell; in between,
//     with that side unknown, or with a crossed book, it is SideNone.
//   - Sizes. Newer payloads send fractional sizes (fixture F-6). Sizes are
//     read exactly from their decimal text (at most nine decimals, below
//     about 9.2e9) and rounded to whole contracts, halves up; a positive
//     size below half a contract counts as 1, so a level or trade that
//     exists never reads as size 0 ("unknown"); sizes above math.MaxInt32
//     are clamped. Volume rises are computed exactly, then rounded.
//     A negative size is an error.
//   - Time. Time is the quote's timestamp in Unix nanoseconds (RFC 3339;
//     the usual "2021-04-13T04:59:06.588Z" form is parsed without
//     allocating, any other form wire.Time accepts through it); a quote
//     without one takes recv, the caller's receive time. Timestamps outside
//     the years 1679–2261 do not fit a Tick and are errors.
//
// Keys are matched the way encoding/json matches wire.Quote's fields
// (exactly, else case-insensitively), so this decoder and the wire structs
// read the same frame the same way; FuzzQuoteDecoder holds them to it.
// Entries and fields the tick does not use (LowPrice, the Trade size…) are
// skipped without being validated beyond JSON structure.
//
// A QuoteDecoder keeps per-contract state (volume baseline, last book) and
// is meant for one md socket's reader goroutine; it is not safe for
// concurrent use. Call Reset after a reconnect, so volume traded while
// disconnected is not reported as one trade.
type QuoteDecoder struct {
	slots []qdState // open addressing, linear probing; len is a power of two
	used  int
	q     qdQuote      // the quote being read
	sc    wire.Scanner // reads the frame
}

// qdState is what the decoder remembers about one contract.
type qdState struct {
	id             int64
	inUse          bool
	hasVol         bool
	hasBid, hasAsk bool
	vol            int64 // TotalTradeVolume, in venue.PriceScale units per contract
	bid, ask       venue.Price
}

// qdEntry is one quote entry as read: price and size exact, the size in
// venue.PriceScale units per contract.
type qdEntry struct {
	present, hasPrice, hasSize bool
	price                      venue.Price
	size                       int64
}

type qdQuote struct {
	hasTime  bool
	time     int64
	contract int64
	bid      qdEntry
	offer    qdEntry
	trade    qdEntry
	volume   qdEntry
	empty    qdEntry
}

// NewQuoteDecoder returns a decoder with room for about contracts
// contracts before it needs to grow its table (growing allocates once).
func NewQuoteDecoder(contracts int) *QuoteDecoder {
	n := 8
	for n < 2*contracts && n < 1<<30 {
		n <<= 1
	}
	return &QuoteDecoder{slots: make([]qdState, n)}
}

// Reset forgets every contract's volume baseline and book, keeping the
// table's memory.
func (d *QuoteDecoder) Reset() {
	clear(d.slots)
	d.used = 0
}

// Decode appends the ticks of one md-socket frame to out and returns it.
// Only "a[…]" frames carry ticks: open, heartbeat and close frames give
// none, and so do responses and events other than md quotes (props,
// chart, clock, shutdown, DOMs, histograms). Malformed input is an error,
// never a panic; the ticks of the quotes before the bad one are returned
// with it, and the bad quote changes no state.
func (d *QuoteDecoder) Decode(frame []byte, recv int64, out []venue.Tick) ([]venue.Tick, error) {
	f, err := wire.ParseFrame(frame)
	if err != nil {
		return out, fmt.Errorf("tradovate: md frame: %w", err)
	}
	if f.Type != wire.FrameArray {
		return out, nil
	}
	s := &d.sc
	s.Reset(f.Data)
	for s.NextElement() {
		if out, err = d.message(s, recv, out); err != nil {
			return out, err
		}
	}
	if err := s.End(); err != nil {
		return out, fmt.Errorf("tradovate: md frame: %w", err)
	}
	return out, nil
}

// DecodeMessage is Decode for one element of an array frame, a response
// or event object.
func (d *QuoteDecoder) DecodeMessage(msg []byte, recv int64, out []venue.Tick) ([]venue.Tick, error) {
	s := &d.sc
	s.Reset(msg)
	out, err := d.message(s, recv, out)
	if err != nil {
		return out, err
	}
	if err := s.End(); err != nil {
		return out, fmt.Errorf("tradovate: md message: %w", err)
	}
	return out, nil
}

// message reads one response or event in a single pass, with
// wire.ParseMessage's rules: "e" names an event and must not be empty, a
// message without "e" needs "s" in 0…999. Tradovate writes "e" before
// "d", so an md event's d is read in place; a d that comes first is kept
// and read after the message.
func (d *QuoteDecoder) message(s *wire.Scanner, recv int64, out []venue.Tick) ([]venue.Tick, error) {
	var (
		sawE, sawS, isMD, done bool
		emptyE                 bool
		data                   []byte
		err                    error
	)
	for k, ok := s.NextField(); ok; k, ok = s.NextField() {
		switch string(k) {
		case "e":
			v := s.Value()
			name, ok := qdSimpleString(v)
			if !ok {
				var str string
				if json.Unmarshal(v, &str) != nil {
					return out, fmt.Errorf("tradovate: md message: %w: event name %.40s", wire.ErrSyntax, v)
				}
				name = []byte(str)
			}
			sawE, isMD, emptyE = true, string(name) == wire.EventMD, len(name) == 0
		case "s":
			v := s.Value()
			if n, ok := qdParseStatus(v); !ok || n < 0 || n > 999 {
				return out, fmt.Errorf("tradovate: md message: %w: status %.40s", wire.ErrSyntax, v)
			}
			sawS = true
		case "d":
			if sawE && isMD {
				if out, err = d.mdData(s, recv, out); err != nil {
					return out, err
				}
				done, data = true, nil
				continue
			}
			data, done = s.Value(), false
		default:
			s.Skip()
		}
	}
	if err := s.Err(); err != nil {
		return out, fmt.Errorf("tradovate: md message: %w", err)
	}
	switch {
	case sawE && emptyE:
		return out, fmt.Errorf("tradovate: md message: %w: empty event name", wire.ErrSyntax)
	case !sawE && !sawS:
		return out, fmt.Errorf("tradovate: md message: %w: message has neither \"e\" nor \"s\"", wire.ErrSyntax)
	case isMD && !done && data != nil:
		var ds wire.Scanner
		ds.Reset(data)
		if out, err = d.mdData(&ds, recv, out); err != nil {
			return out, err
		}
	}
	return out, nil
}

// mdData reads an md event's d: {"quotes":[…]} (doms and histograms are skipped).
func (d *QuoteDecoder) mdData(s *wire.Scanner, recv int64, out []venue.Tick) ([]venue.Tick, error) {
	if s.Null() {
		return out, nil
	}
	for k, ok := s.NextField(); ok; k, ok = s.NextField() {
		if !qdKey(k, "quotes") {
			s.Skip()
			continue
		}
		if s.Null() {
			continue
		}
		for s.NextElement() {
			if s.Null() {
				continue // encoding/json reads null as an empty quote, which gives nothing
			}
			if err := d.readQuote(s); err != nil {
				return out, fmt.Errorf("tradovate: md quote: %w", err)
			}
			out = d.apply(recv, out)
		}
	}
	if err := s.Err(); err != nil {
		return out, fmt.Errorf("tradovate: md event: %w", err)
	}
	return out, nil
}

// readQuote reads one quote object into d.q.
func (d *QuoteDecoder) readQuote(s *wire.Scanner) error {
	q := &d.q
	*q = qdQuote{}
	for k, ok := s.NextField(); ok; k, ok = s.NextField() {
		switch {
		case qdKey(k, "timestamp"):
			ns, ok, err := qdTimestamp(s.Value())
			if err != nil {
				return err
			}
			q.time, q.hasTime = ns, ok
		case qdKey(k, "contractId"):
			v := s.Value()
			if qdIsNull(v) {
				continue
			}
			id, ok := qdParseInt(v)
			if !ok {
				return fmt.Errorf("%w: contractId %.40s: want an integer", wire.ErrSyntax, v)
			}
			q.contract = id
		case qdKey(k, "entries"):
			if s.Null() {
				continue
			}
			if err := d.readEntries(s); err != nil {
				return err
			}
		default:
			s.Skip()
		}
	}
	return s.Err()
}

func (d *QuoteDecoder) readEntries(s *wire.Scanner) error {
	q := &d.q
	for k, ok := s.NextField(); ok; k, ok = s.NextField() {
		var e *qdEntry
		switch string(k) {
		case "Bid":
			e = &q.bid
		case "Offer":
			e = &q.offer
		case "Trade":
			e = &q.trade
		case "TotalTradeVolume":
			e = &q.volume
		case "EmptyBook":
			e = &q.empty
		case "LowPrice", "HighPrice", "OpeningPrice", "SettlementPrice", "OpenInterest":
		default:
			switch {
			case qdKey(k, "Bid"):
				e = &q.bid
			case qdKey(k, "Offer"):
				e = &q.offer
			case qdKey(k, "Trade"):
				e = &q.trade
			case qdKey(k, "TotalTradeVolume"):
				e = &q.volume
			case qdKey(k, "EmptyBook"):
				e = &q.empty
			}
		}
		if e == nil {
			s.Skip()
			continue
		}
		if s.Null() {
			*e = qdEntry{}
			continue
		}
		if s.Peek() != '{' {
			return fmt.Errorf("%w: entry %s: want an object, got %.40s", wire.ErrSyntax, k, s.Value())
		}
		if err := d.readEntry(s, e, k); err != nil {
			return err
		}
	}
	return s.Err()
}

// readEntry reads {price, size}; only what a tick uses is parsed: book
// prices and sizes, the trade price, the volume.
func (d *QuoteDecoder) readEntry(s *wire.Scanner, e *qdEntry, name []byte) error {
	q := &d.q
	wantPrice := e != &q.volume && e != &q.empty
	wantSize := e == &q.bid || e == &q.offer || e == &q.volume
	e.present = true
	for k, ok := s.NextField(); ok; k, ok = s.NextField() {
		switch {
		case wantPrice && qdKey(k, "price"):
			v := s.Value()
			if qdIsNull(v) {
				e.hasPrice, e.price = false, 0
				continue
			}
			p, err := venue.ParsePriceBytes(qdUnquote(v))
			if err != nil {
				return fmt.Errorf("entry %s: %w", name, err)
			}
			e.price, e.hasPrice = p, true
		case wantSize && qdKey(k, "size"):
			v := s.Value()
			if qdIsNull(v) {
				e.hasSize, e.size = false, 0
				continue
			}
			n, err := qdSize(v)
			if err != nil {
				return fmt.Errorf("entry %s: %w", name, err)
			}
			e.size, e.hasSize = n, true
		default:
			s.Skip()
		}
	}
	return s.Err()
}

// apply turns d.q into a tick, appended to out, and updates the contract's state.
func (d *QuoteDecoder) apply(recv int64, out []venue.Tick) []venue.Tick {
	q := &d.q
	st := d.state(q.contract)
	t := venue.Tick{Time: recv, Recv: recv, Contract: venue.ContractID(q.contract)}
	if q.hasTime {
		t.Time = q.time
	}
	book := q.bid.present || q.offer.present || q.empty.present
	if book {
		t.Flags |= venue.HasQuote
		if q.bid.hasPrice {
			t.Bid, t.BidSize = q.bid.price, qdContracts(q.bid.size)
		}
		if q.offer.hasPrice {
			t.Ask, t.AskSize = q.offer.price, qdContracts(q.offer.size)
		}
	}
	if q.volume.hasSize {
		v := q.volume.size
		if st.hasVol && v > st.vol && q.trade.hasPrice {
			t.Flags |= venue.HasTrade
			t.Price, t.Size = q.trade.price, qdContracts(v-st.vol)
			t.Aggressor = qdAggressor(st, t.Price)
		}
		st.vol, st.hasVol = v, true
	}
	if book {
		st.bid, st.hasBid = t.Bid, q.bid.hasPrice
		st.ask, st.hasAsk = t.Ask, q.offer.hasPrice
	}
	if t.Flags != 0 {
		out = append(out, t)
	}
	return out
}

// qdAggressor applies the quote rule against the book before the trade.
func qdAggressor(st *qdState, px venue.Price) venue.Side {
	buy := st.hasAsk && px >= st.ask
	sell := st.hasBid && px <= st.bid
	switch {
	case buy && !sell:
		return venue.Buy
	case sell && !buy:
		return venue.Sell
	}
	return venue.SideNone
}

// qdContracts rounds an exact size (venue.PriceScale units per contract)
// to whole contracts: halves up, a positive size at least 1, at most
// math.MaxInt32.
func qdContracts(s int64) int32 {
	if s <= 0 {
		return 0
	}
	n := s / venue.PriceScale
	if s%venue.PriceScale >= venue.PriceScale/2 {
		n++
	}
	switch {
	case n == 0:
		return 1
	case n > math.MaxInt32:
		return math.MaxInt32
	}
	return int32(n)
}

// state returns the contract's slot, adding one (and growing the table
// when it is half full) on first sight.
func (d *QuoteDecoder) state(id int64) *qdState {
	if len(d.slots) == 0 {
		d.slots = make([]qdState, 8)
	}
	mask := uint64(len(d.slots) - 1)
	for i := qdHash(id) & mask; ; i = (i + 1) & mask {
		s := &d.slots[i]
		if s.inUse && s.id == id {
			return s
		}
		if !s.inUse {
			if 2*(d.used+1) > len(d.slots) {
				d.grow()
				return d.state(id)
			}
			d.used++
			*s = qdState{id: id, inUse: true}
			return s
		}
	}
}

func (d *QuoteDecoder) grow() {
	old := d.slots
	d.slots = make([]qdState, 2*len(old))
	mask := uint64(len(d.slots) - 1)
	for _, s := range old {
		if !s.inUse {
			continue
		}
		i := qdHash(s.id) & mask
		for d.slots[i].inUse {
			i = (i + 1) & mask
		}
		d.slots[i] = s
	}
}

func qdHash(id int64) uint64 {
	h := uint64(id) * 0x9E3779B97F4A7C15
	return h ^ h>>29
}

// qdSimpleString returns the contents of a JSON string without escapes
// or control characters; false sends the caller to encoding/json.
func qdSimpleString(v []byte) ([]byte, bool) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return nil, false
	}
	for _, c := range v[1 : len(v)-1] {
		if c == '\\' || c < 0x20 {
			return nil, false
		}
	}
	return v[1 : len(v)-1], true
}

// qdParseStatus reads "s" as wire.ParseMessage does: an integer, possibly
// written with a zero fraction ("200.0").
func qdParseStatus(v []byte) (int64, bool) {
	for i, c := range v {
		if c == '.' {
			for _, z := range v[i+1:] {
				if z != '0' {
					return 0, false
				}
			}
			v = v[:i]
			break
		}
	}
	return qdParseInt(v)
}

// qdIsNull reports whether a raw value is absent or the literal null.
func qdIsNull(v []byte) bool { return len(v) == 0 || string(v) == "null" }

// qdUnquote drops the quotes around a number written as a string, as
// venue.Price and wire.Decimal do when they read JSON.
func qdUnquote(v []byte) []byte {
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		return v[1 : len(v)-1]
	}
	return v
}

var errQDNegativeSize = errors.New("negative size")

// qdSize reads a size exactly into venue.PriceScale units per contract.
func qdSize(v []byte) (int64, error) {
	p, err := venue.ParsePriceBytes(qdUnquote(v))
	if err != nil {
		return 0, fmt.Errorf("size: %w", err)
	}
	if p < 0 {
		return 0, fmt.Errorf("size %.40s: %w", v, errQDNegativeSize)
	}
	return int64(p), nil
}

// qdKey reports whether the raw object key k (escapes left in) names
// field, matched as encoding/json matches struct fields: exactly, else
// case-insensitively with Unicode folding.
func qdKey(k []byte, field string) bool {
	if string(k) == field {
		return true
	}
	for _, c := range k {
		if c == '\\' || c >= 0x80 {
			return qdKeySlow(k, field)
		}
	}
	if len(k) != len(field) {
		return false
	}
	for i, c := range k {
		f := field[i]
		if c == f {
			continue
		}
		if c|0x20 != f|0x20 || c|0x20 < 'a' || c|0x20 > 'z' {
			return false
		}
	}
	return true
}

// qdKeySlow decodes escapes (allocating; Tradovate never sends them) and
// folds Unicode.
func qdKeySlow(k []byte, field string) bool {
	var s string
	q := make([]byte, 0, len(k)+2)
	q = append(append(append(q, '"'), k...), '"')
	if json.Unmarshal(q, &s) != nil {
		return false
	}
	return strings.EqualFold(s, field)
}

// qdParseInt parses a JSON integer into an int64.
func qdParseInt(v []byte) (int64, bool) {
	neg := len(v) > 0 && v[0] == '-'
	if neg {
		v = v[1:]
	}
	if len(v) == 0 || len(v) > 19 {
		return 0, false
	}
	var u uint64
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, false
		}
		u = u*10 + uint64(c-'0')
	}
	switch {
	case !neg && u > math.MaxInt64:
		return 0, false
	case neg && u > 1<<63:
		return 0, false
	case neg:
		return int64(-u), true
	}
	return int64(u), true
}

// The years whose every instant fits a Unix-nanosecond int64.
const (
	qdMinYear = 1679
	qdMaxYear = 2261
)

var errQDTimeRange = errors.New("timestamp outside the years 1679-2261 a tick can hold")

// qdTimestamp reads a quote's timestamp into Unix nanoseconds; ok is
// false for null or "" (no time). The usual form is parsed in place;
// anything else goes through wire.Time, so both decoders agree.
func qdTimestamp(v []byte) (ns int64, ok bool, err error) {
	if qdIsNull(v) || string(v) == `""` {
		return 0, false, nil
	}
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		if ns, year, fast := qdParseTime(v[1 : len(v)-1]); fast && year >= qdMinYear && year <= qdMaxYear {
			return ns, true, nil
		}
	}
	var t wire.Time
	if err := json.Unmarshal(v, &t); err != nil {
		return 0, false, err
	}
	if t.IsZero() {
		return 0, false, nil
	}
	u := t.UTC()
	if y := u.Year(); y < qdMinYear || y > qdMaxYear {
		return 0, false, fmt.Errorf("%s: %w", v, errQDTimeRange)
	}
	return u.UnixNano(), true, nil
}

// qdParseTime parses "YYYY-MM-DDTHH:MM:SS[.fraction]Z" without
// allocating, with time.Parse's range checks (a fraction past nine digits
// is truncated, as time.Parse does). fast is false for any other text.
func qdParseTime(s []byte) (ns int64, year int, fast bool) {
	if len(s) < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[len(s)-1] != 'Z' {
		return 0, 0, false
	}
	num := func(b []byte) int {
		n := 0
		for _, c := range b {
			if c < '0' || c > '9' {
				return -1
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	year, month, day := num(s[0:4]), num(s[5:7]), num(s[8:10])
	hour, minute, sec := num(s[11:13]), num(s[14:16]), num(s[17:19])
	if year < 0 || month < 1 || month > 12 || day < 1 || day > qdDaysIn(month, year) ||
		hour < 0 || hour > 23 || minute < 0 || minute > 59 || sec < 0 || sec > 59 {
		return 0, 0, false
	}
	var nsec int64
	if frac := s[19 : len(s)-1]; len(frac) > 0 {
		if len(frac) < 2 || frac[0] != '.' {
			return 0, 0, false
		}
		scale := int64(100_000_000)
		for _, c := range frac[1:] {
			if c < '0' || c > '9' {
				return 0, 0, false
			}
			nsec += int64(c-'0') * scale
			scale /= 10
		}
	}
	days := qdDaysFromCivil(year, month, day)
	secs := days*86400 + int64(hour*3600+minute*60+sec)
	return secs*1e9 + nsec, year, true
}

func qdDaysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// qdDaysFromCivil returns the days from 1970-01-01 to the proleptic
// Gregorian date (Howard Hinnant's algorithm).
func qdDaysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}
