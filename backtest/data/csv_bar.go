package data

import (
	"fmt"
	"io"

	"github.com/keeltrade/keel/venue"
)

const barCols = "ts_utc, symbol, open, high, low, close, volume"

// BarCSV is a BarSource reading an OHLCV bar CSV file (plain or gzip):
// ts_utc (ISO-8601 UTC, the bar's open time) or ts_utc_ns (integer Unix
// nanoseconds), symbol, open, high, low, close, volume. Every bar has
// CSVOptions.BarPeriod as its period: Spec is venue.Every(period), Start the
// row's time and End = Start + period. Trades is 0 (not in the files).
//
// A row is bad when it breaks the TickCSV row rules or its OHLC is
// inconsistent: low ≤ open, close ≤ high, volume ≥ 0, all prices on the grid.
// Like TickCSV, Next allocates nothing.
type BarCSV struct {
	r      csvReader
	spec   venue.BarSpec
	period int64
	isoTS  bool

	ts, sym, open, high, low, close, volume int
}

// OpenBarCSV opens a bar CSV file and reads its header. A file with no header
// or no rows is an error wrapping ErrEmpty; a header lacking a required
// column is a *RowError naming the column.
func OpenBarCSV(path string, opt CSVOptions) (*BarCSV, error) {
	f, err := openFile(path)
	if err != nil {
		return nil, err
	}
	s, err := NewBarCSV(f, path, opt)
	if err != nil {
		f.Close()
		return nil, err
	}
	s.r.file = f
	return s, nil
}

// NewBarCSV reads bar CSV from r; name appears in errors. Close does not
// close r.
func NewBarCSV(r io.Reader, name string, opt CSVOptions) (*BarCSV, error) {
	s := &BarCSV{}
	if err := s.r.open(r, name, opt); err != nil {
		s.r.close()
		return nil, err
	}
	s.spec = venue.Every(s.r.opt.BarPeriod)
	s.period = int64(s.r.opt.BarPeriod)
	idx := make(map[string]int)
	for _, n := range []string{"ts_utc_ns", "ts_utc", "symbol", "open", "high", "low", "close", "volume"} {
		idx[n] = s.r.col(n)
	}
	want := barCols
	if idx["ts_utc_ns"] >= 0 {
		want = "ts_utc_ns, symbol, open, high, low, close, volume"
		s.ts = idx["ts_utc_ns"]
	} else {
		s.ts, s.isoTS = idx["ts_utc"], true
	}
	if err := s.r.requireCols("bar", want, idx); err != nil {
		s.r.close()
		return nil, err
	}
	s.sym, s.open, s.high, s.low, s.close, s.volume = idx["symbol"], idx["open"], idx["high"], idx["low"], idx["close"], idx["volume"]
	return s, nil
}

// Next fills *b with the next bar. It returns io.EOF at the end of the file
// and a *RowError for a malformed row (unless SkipBadRows); either ends the
// stream.
func (s *BarCSV) Next(b *venue.Bar) error { return nextRow(&s.r, s, b) }

func (s *BarCSV) decode(line []byte, b *venue.Bar) string {
	r := &s.r
	if reason := r.split(line); reason != "" {
		return reason
	}
	var (
		ts  int64
		ok  bool
		tsf = r.field(s.ts)
	)
	if s.isoTS {
		if ts, ok = parseISOTime(tsf); !ok {
			if len(tsf) == 0 {
				return "empty ts_utc"
			}
			return fmt.Sprintf("bad ts_utc %q: want UTC ISO-8601 like 2013-10-07T14:30:00Z", tsf)
		}
	} else if ts, ok = parseNanos(tsf); !ok {
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
	grid := e.inst.TickSize
	o, reason := priceField("open", r.field(s.open), grid)
	if reason != "" {
		return reason
	}
	h, reason := priceField("high", r.field(s.high), grid)
	if reason != "" {
		return reason
	}
	l, reason := priceField("low", r.field(s.low), grid)
	if reason != "" {
		return reason
	}
	c, reason := priceField("close", r.field(s.close), grid)
	if reason != "" {
		return reason
	}
	vf := r.field(s.volume)
	vol, ok := parseNanos(vf)
	if !ok {
		return badInt("volume", vf)
	}
	if l > o || l > c || o > h || c > h {
		return fmt.Sprintf("inconsistent OHLC: open %s high %s low %s close %s (want low ≤ open, close ≤ high)", o, h, l, c)
	}
	if ts > 1<<63-1-s.period {
		return fmt.Sprintf("time %d: the bar would end past the year 2262", ts)
	}
	if reason := r.checkTime(ts); reason != "" {
		return reason
	}
	r.accept(ts)
	*b = venue.Bar{
		Contract: e.inst.ID, Spec: s.spec, Start: ts, End: ts + s.period,
		Open: o, High: h, Low: l, Close: c, Volume: vol,
	}
	return ""
}

// Close releases the file (if OpenBarCSV opened it). Next then fails.
func (s *BarCSV) Close() error { return s.r.close() }

// Spec is the spec every bar carries.
func (s *BarCSV) Spec() venue.BarSpec { return s.spec }

// Skipped is the number of bad rows skipped so far (SkipBadRows).
func (s *BarCSV) Skipped() int64 { return s.r.skipped }

// SkippedSamples returns the first (at most 10) skipped rows and why.
func (s *BarCSV) SkippedSamples() []RowError { return s.r.skippedSamples() }

// Rows is the number of bars returned so far.
func (s *BarCSV) Rows() int64 { return s.r.rows }

// Instruments returns the instruments of the symbols seen so far, in the
// order they first appeared.
func (s *BarCSV) Instruments() []venue.Instrument { return s.r.instruments() }

// parseISOTime parses UTC ISO-8601 text — 2013-10-07T14:30:00Z, with an
// optional fraction of up to nine digits, a space instead of T, and Z,
// +00:00 or no suffix — into Unix nanoseconds without allocating. Other UTC
// offsets are refused: the column is UTC by convention.
func parseISOTime(b []byte) (int64, bool) {
	if len(b) < 19 || b[4] != '-' || b[7] != '-' || (b[10] != 'T' && b[10] != ' ') || b[13] != ':' || b[16] != ':' {
		return 0, false
	}
	num := func(s []byte) (int64, bool) {
		var n int64
		for _, c := range s {
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int64(c-'0')
		}
		return n, true
	}
	y, ok1 := num(b[0:4])
	mo, ok2 := num(b[5:7])
	d, ok3 := num(b[8:10])
	h, ok4 := num(b[11:13])
	mi, ok5 := num(b[14:16])
	sec, ok6 := num(b[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) {
		return 0, false
	}
	// The int64 nanosecond range is 1677-09-21 to 2262-04-11.
	if y < 1678 || y > 2261 || mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || sec > 59 {
		return 0, false
	}
	rest := b[19:]
	var frac int64
	if len(rest) > 0 && rest[0] == '.' {
		i := 1
		scale := int64(100_000_000)
		for ; i < len(rest) && rest[i] >= '0' && rest[i] <= '9'; i++ {
			if i > 9 {
				return 0, false
			}
			frac += int64(rest[i]-'0') * scale
			scale /= 10
		}
		if i == 1 {
			return 0, false
		}
		rest = rest[i:]
	}
	switch string(rest) {
	case "", "Z", "+00:00", "+0000":
	default:
		return 0, false
	}
	secs := daysFromCivil(y, mo, d)*86400 + h*3600 + mi*60 + sec
	return secs*1_000_000_000 + frac, true
}

func daysIn(y, m int64) int64 {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil is the number of days from 1970-01-01 to y-m-d in the
// proleptic Gregorian calendar (Howard Hinnant's algorithm), for y > 0.
func daysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}
