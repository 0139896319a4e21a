package data

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"os"
	"strings"
	"time"

	"github.com/keeltrade/keel/venue"
)

// CSVOptions configures the CSV tick and bar sources. The zero value plus a
// Resolve function is ready to use.
type CSVOptions struct {
	// Resolve maps each symbol in the file to its instrument. Required.
	Resolve Resolver
	// SkipBadRows counts malformed rows (see Skipped and SkippedSamples) and
	// carries on, instead of ending the stream with a *RowError at the first.
	SkipBadRows bool
	// BarPeriod is the length of every bar in a bar file; a bar's End is its
	// Start plus BarPeriod. Default one minute.
	BarPeriod time.Duration
	// BufferSize is the read buffer in bytes, which also bounds the longest
	// line. Default 256 KiB; at least 4 KiB and at most 64 MiB.
	BufferSize int
}

const (
	defaultCSVBuffer = 256 << 10
	minCSVBuffer     = 4 << 10
	maxCSVBuffer     = 64 << 20 // field offsets are int32
	// maxCachedSymbols bounds the symbol cache so a hostile file with
	// endless distinct unknown symbols cannot grow memory.
	maxCachedSymbols = 1024
)

func (o CSVOptions) withDefaults() (CSVOptions, error) {
	if o.Resolve == nil {
		return o, errors.New("backtest: CSVOptions.Resolve is nil; plug in a symbol resolver (e.g. the CME product table)")
	}
	if o.BarPeriod == 0 {
		o.BarPeriod = time.Minute
	}
	if o.BarPeriod < 0 {
		return o, fmt.Errorf("backtest: CSVOptions.BarPeriod %s is negative", o.BarPeriod)
	}
	if o.BufferSize == 0 {
		o.BufferSize = defaultCSVBuffer
	}
	o.BufferSize = min(max(o.BufferSize, minCSVBuffer), maxCSVBuffer)
	return o, nil
}

// errLongLine marks a line that does not fit the read buffer.
var errLongLine = errors.New("line too long")

// csvReader is the machinery the CSV tick and bar sources share: line
// reading (gzip-transparent), the header, field splitting, the symbol cache,
// the time-order check and bad-row accounting. It allocates nothing per row.
type csvReader struct {
	name   string
	opt    CSVOptions
	br     *bufio.Reader
	gz     *gzip.Reader
	file   io.Closer // the file Open opened; nil for a caller's reader
	line   int       // number of the line last returned
	hline  int       // the header's line number (after any leading blank lines)
	header []string  // lower-cased column names
	row    []byte    // current row
	ends   []int32   // offset of the comma (or line end) after each field; cap len(header)

	pending    []byte // first data row, read ahead by open to detect an empty file
	hasPending bool

	syms     map[string]*symbolEntry
	order    []*symbolEntry // resolved symbols in first-seen order
	lastEnt  *symbolEntry
	prevTime int64
	rows     int64 // good rows returned

	skipped int64
	samples []RowError
	err     error // sticky: io.EOF, a *RowError, a read error or errClosed
}

type symbolEntry struct {
	sym  string
	inst venue.Instrument
	err  error
}

// open sets up the reader, reads the header and the first row. A file with
// no header or no data rows is an ErrEmpty error naming it.
func (r *csvReader) open(src io.Reader, name string, opt CSVOptions) error {
	o, err := opt.withDefaults()
	if err != nil {
		return err
	}
	r.name, r.opt = name, o
	raw := bufio.NewReaderSize(src, o.BufferSize)
	r.br = raw
	if magic, _ := raw.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(raw)
		if err != nil {
			return fmt.Errorf("%s: gzip: %w", name, err)
		}
		r.gz = gz
		r.br = bufio.NewReaderSize(gz, o.BufferSize)
	}
	r.syms = make(map[string]*symbolEntry)

	head, err := r.readLine()
	switch {
	case err == io.EOF:
		return fmt.Errorf("%s: %w: the file has no header line", name, ErrEmpty)
	case err == errLongLine:
		return &RowError{File: name, Line: r.line, Reason: fmt.Sprintf("header line longer than %d bytes", r.br.Size())}
	case err != nil:
		return err
	}
	r.hline = r.line
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	seen := make(map[string]bool)
	for f := range bytes.SplitSeq(head, []byte{','}) {
		col := strings.ToLower(strings.TrimSpace(string(f)))
		if seen[col] && col != "" {
			return &RowError{File: name, Line: r.line, Reason: fmt.Sprintf("column %q appears twice in the header", col)}
		}
		seen[col] = true
		r.header = append(r.header, col)
	}
	r.ends = make([]int32, 0, len(r.header))

	first, err := r.readLine()
	switch {
	case err == io.EOF:
		return fmt.Errorf("%s: %w: the file has a header but no rows", name, ErrEmpty)
	case err != nil && err != errLongLine:
		return err
	}
	// A first row too long for the buffer is kept as pending and rejected by next.
	r.pending, r.hasPending = first, true
	if err == errLongLine {
		r.pending = nil
	}
	return nil
}

// col returns the index of the named column, or -1.
func (r *csvReader) col(names ...string) int {
	for _, n := range names {
		for i, h := range r.header {
			if h == n {
				return i
			}
		}
	}
	return -1
}

// requireCols returns a header error naming the first missing column.
func (r *csvReader) requireCols(kind, want string, idx map[string]int) error {
	for _, n := range strings.Split(want, ", ") {
		if idx[n] < 0 {
			return r.headerErr(fmt.Sprintf("missing column %q (%s files have columns %s)", n, kind, want))
		}
	}
	return nil
}

// headerErr is a *RowError for the header line.
func (r *csvReader) headerErr(reason string) error {
	return &RowError{File: r.name, Line: r.hline, Reason: reason}
}

// readLine returns the next non-blank line without its line ending, or
// io.EOF, errLongLine (the rest of the line is discarded), or a read error.
func (r *csvReader) readLine() ([]byte, error) {
	for {
		line, err := r.br.ReadSlice('\n')
		if len(line) > 0 {
			r.line++
		}
		if err == bufio.ErrBufferFull {
			for err == bufio.ErrBufferFull {
				_, err = r.br.ReadSlice('\n')
			}
			if err != nil && err != io.EOF {
				return nil, r.readErr(err)
			}
			return nil, errLongLine
		}
		if err != nil && err != io.EOF {
			return nil, r.readErr(err)
		}
		if n := len(line); n > 0 && line[n-1] == '\n' {
			line = line[:n-1]
		}
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line = line[:n-1]
		}
		if len(line) > 0 {
			return line, nil
		}
		if err == io.EOF {
			return nil, io.EOF
		}
	}
}

func (r *csvReader) readErr(err error) error {
	return fmt.Errorf("%s: read after line %d: %w", r.name, r.line, err)
}

// next returns the next data line; errLongLine is a bad row.
func (r *csvReader) next() ([]byte, error) {
	if r.hasPending {
		r.hasPending = false
		if r.pending == nil {
			return nil, errLongLine
		}
		return r.pending, nil
	}
	return r.readLine()
}

// split finds the fields of line and reports a field-count mismatch. It
// scans eight bytes at a time for commas (SWAR) and records offsets, not
// slices, so splitting is a few loads and no pointer writes per field.
func (r *csvReader) split(line []byte) string {
	const (
		ones   = 0x0101010101010101
		lows   = 0x7f7f7f7f7f7f7f7f
		commas = ',' * ones
	)
	r.row = line
	e := r.ends[:0]
	want := cap(e)
	n := len(line)
	i := 0
	for ; i+8 <= n; i += 8 {
		w := binary.LittleEndian.Uint64(line[i:]) ^ commas
		// A zero byte of w is a comma. This zero-byte test is exact (no
		// borrow runs between bytes): the high bit of each byte of m is set
		// iff that byte of w is zero.
		m := ^((w&lows + lows) | w | lows)
		for m != 0 {
			if len(e) == want {
				return r.countMismatch()
			}
			e = append(e, int32(i+bits.TrailingZeros64(m)>>3))
			m &= m - 1
		}
	}
	for ; i < n; i++ {
		if line[i] == ',' {
			if len(e) == want {
				return r.countMismatch()
			}
			e = append(e, int32(i))
		}
	}
	if len(e) == want {
		return r.countMismatch()
	}
	e = append(e, int32(n))
	r.ends = e
	if len(e) != want {
		return fmt.Sprintf("%d fields, the header has %d", len(e), want)
	}
	return ""
}

func (r *csvReader) countMismatch() string {
	return fmt.Sprintf("%d fields, the header has %d", 1+bytes.Count(r.row, []byte{','}), cap(r.ends))
}

// field returns field k of the row split last.
func (r *csvReader) field(k int) []byte {
	start := int32(0)
	if k > 0 {
		start = r.ends[k-1] + 1
	}
	return r.row[start:r.ends[k]]
}

// lookup resolves a symbol through the cache. The common case, the same
// symbol as the previous row, costs one comparison; a map hit costs a lookup
// (the string(sym) key does not allocate); neither allocates.
func (r *csvReader) lookup(sym []byte) *symbolEntry {
	if e := r.lastEnt; e != nil && string(sym) == e.sym {
		return e
	}
	e, ok := r.syms[string(sym)]
	if !ok {
		e = r.resolve(string(sym))
	}
	if e.err == nil {
		r.lastEnt = e
	}
	return e
}

// resolve asks the Resolver about a symbol the cache has not seen. Unknown
// symbols are cached too, so a file full of them stays cheap to skip.
func (r *csvReader) resolve(s string) *symbolEntry {
	e := &symbolEntry{sym: s}
	if s == "" {
		e.err = errors.New("empty symbol")
	} else if inst, err := r.opt.Resolve(s); err != nil {
		e.err = err
	} else if err := inst.Validate(); err != nil {
		e.err = err
	} else {
		e.inst = inst
		r.order = append(r.order, e)
	}
	if e.err == nil || len(r.syms) < maxCachedSymbols {
		r.syms[s] = e
	}
	return e
}

// instruments returns the instruments resolved so far, in first-seen order.
func (r *csvReader) instruments() []venue.Instrument {
	out := make([]venue.Instrument, len(r.order))
	for i, e := range r.order {
		out[i] = e.inst
	}
	return out
}

// reject handles a bad row: with SkipBadRows it is counted and nil is
// returned; otherwise the stream stops with a *RowError.
func (r *csvReader) reject(reason string) error {
	if r.opt.SkipBadRows {
		r.skipped++
		if len(r.samples) < maxSkippedSamples {
			r.samples = append(r.samples, RowError{File: r.name, Line: r.line, Reason: reason})
		}
		return nil
	}
	r.err = &RowError{File: r.name, Line: r.line, Reason: reason}
	return r.err
}

// checkTime enforces time order across the whole file.
func (r *csvReader) checkTime(ts int64) string {
	if r.rows > 0 && ts < r.prevTime {
		return fmt.Sprintf("time %d is before the previous row's %d", ts, r.prevTime)
	}
	return ""
}

func (r *csvReader) accept(ts int64) {
	r.prevTime = ts
	r.rows++
}

func (r *csvReader) close() error {
	if r.err == errClosed {
		return nil
	}
	r.err = errClosed
	var errs []error
	if r.gz != nil {
		errs = append(errs, r.gz.Close())
	}
	if r.file != nil {
		errs = append(errs, r.file.Close())
	}
	return errors.Join(errs...)
}

func (r *csvReader) skippedSamples() []RowError {
	return append([]RowError(nil), r.samples...)
}

// openFile opens path for a CSV source; the returned closer is the file.
func openFile(path string) (*os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("backtest: %w", err)
	}
	return f, nil
}

// Field parsers. They report failure with ok=false and never allocate.

// parseNanos parses a non-negative decimal integer that fits an int64.
// Timestamps are 19 digits, so it takes eight digits at a time.
func parseNanos(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 19 {
		return 0, false
	}
	var n uint64
	for len(b) >= 8 {
		v, ok := parse8Digits(b)
		if !ok {
			return 0, false
		}
		n = n*100_000_000 + v
		b = b[8:]
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	// 19 digits cannot wrap a uint64 (max 9999999999999999999 < 2^64).
	if n > 1<<63-1 {
		return 0, false
	}
	return int64(n), true
}

// parse8Digits parses exactly eight ASCII digits with a few 64-bit
// operations (Lemire's SWAR method).
func parse8Digits(b []byte) (uint64, bool) {
	const (
		highNibbles = 0xf0f0f0f0f0f0f0f0
		zeros       = 0x3030303030303030
	)
	v := binary.LittleEndian.Uint64(b)
	// Every byte must be 0x30..0x39: high nibble 3, and adding 6 must not
	// carry out of the low nibble (no byte is above 0x3f here, so adding 6
	// cannot carry into the next byte).
	if v&highNibbles != zeros || (v+0x0606060606060606)&highNibbles != zeros {
		return 0, false
	}
	v -= zeros
	v = v*10 + v>>8
	v = ((v&0x000000ff000000ff)*(100+1000000<<32) + (v>>16&0x000000ff000000ff)*(1+10000<<32)) >> 32
	return v, true
}

// parseSize parses a non-negative decimal integer that fits an int32.
func parseSize(b []byte) (int32, bool) {
	if len(b) == 0 || len(b) > 10 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if n > 1<<31-1 {
		return 0, false
	}
	return int32(n), true
}

// parseSideBytes reads an aggressor column: B/S (and Buy/Sell), with empty
// and Databento's N meaning unknown.
func parseSideBytes(b []byte) (venue.Side, bool) {
	switch string(b) {
	case "", "N", "n", "None":
		return venue.SideNone, true
	case "B", "b", "Buy", "buy", "BUY":
		return venue.Buy, true
	case "S", "s", "Sell", "sell", "SELL":
		return venue.Sell, true
	}
	return venue.SideNone, false
}

// priceField parses an exact price and checks the tick grid. An error
// reason names the column.
func priceField(col string, b []byte, tick venue.Price) (venue.Price, string) {
	if len(b) == 0 {
		return 0, "empty " + col
	}
	p, err := venue.ParsePriceBytes(b)
	if err != nil {
		return 0, fmt.Sprintf("bad %s %q: %v", col, b, errors.Unwrap(err))
	}
	if p%tick != 0 {
		return 0, fmt.Sprintf("%s %s is off the %s tick grid", col, b, tick)
	}
	return p, ""
}

func badInt(col string, b []byte) string {
	if len(b) == 0 {
		return "empty " + col
	}
	return fmt.Sprintf("bad %s %q: want a non-negative integer", col, b)
}

// rowDecoder parses one CSV row into *T, or says why the row is bad.
type rowDecoder[T any] interface {
	decode(line []byte, v *T) string
}

// nextRow reads rows until one decodes into *v: bad rows end the stream
// with a *RowError, or are counted and skipped with SkipBadRows; the first
// read error ends it for good. A type parameter, not a func value, so the
// per-row call does not allocate.
func nextRow[T any, D rowDecoder[T]](r *csvReader, d D, v *T) error {
	if r.err != nil {
		return r.err
	}
	for {
		line, err := r.next()
		var reason string
		switch err {
		case nil:
			reason = d.decode(line, v)
		case errLongLine:
			reason = fmt.Sprintf("line longer than %d bytes", r.br.Size())
		default:
			r.err = err
			return err
		}
		if reason == "" {
			return nil
		}
		if err := r.reject(reason); err != nil {
			return err
		}
	}
}
