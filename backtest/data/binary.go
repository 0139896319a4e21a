package data

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"

	"github.com/shopspring/decimal"

	"github.com/keeltrade/keel/venue"
)

// The keel binary tick format (".ktick"): one contract per file, a fixed
// 128-byte header, then fixed-size 56-byte little-endian records, so a
// reader decodes with plain loads from a bulk-read buffer.
//
// Header (all integers little-endian):
//
//	off  len  field
//	  0    8  magic "KEELTCK1"
//	  8    2  version (1)
//	 10    2  header size (128)
//	 12    2  record size (56)
//	 14    2  reserved, 0
//	 16    8  contract id (int64)
//	 24    8  tick size (venue.Price, int64 nano-units)
//	 32    8  record count (uint64; 0 = unknown, the writer could not seek back)
//	 40   24  symbol: 1 length byte + up to 23 bytes
//	 64   16  root: 1 length byte + up to 15 bytes
//	 80   32  point value: 1 length byte + up to 31 bytes of exact decimal text
//	112    8  currency: 1 length byte + up to 7 bytes
//	120    4  reserved, 0
//	124    4  CRC-32 (IEEE) of bytes 0..123
//
// Record:
//
//	off  len  field
//	  0    8  Time (int64 Unix ns)
//	  8    8  Recv (int64 Unix ns)
//	 16    8  Price (int64)
//	 24    8  Bid (int64)
//	 32    8  Ask (int64)
//	 40    4  Size (int32)
//	 44    4  BidSize (int32)
//	 48    4  AskSize (int32)
//	 52    1  Flags (venue.TickFlags)
//	 53    1  Aggressor (venue.Side)
//	 54    2  padding, 0
//
// The contract id is in the header, not the records; readers set
// Tick.Contract from it.
const (
	binaryMagic      = "KEELTCK1"
	binaryVersion    = 1
	binaryHeaderSize = 128
	binaryRecordSize = 56
	// BinaryExt is the file extension ConvertCSVToBinary uses.
	BinaryExt = ".ktick"

	hdrSymbol   = 40
	hdrRoot     = 64
	hdrPoint    = 80
	hdrCurrency = 112
	hdrCRC      = 124
)

// header text fields: offset and capacity (without the length byte).
var hdrText = [...]struct {
	name string
	off  int
	max  int
}{
	{"symbol", hdrSymbol, 23},
	{"root", hdrRoot, 15},
	{"point value", hdrPoint, 31},
	{"currency", hdrCurrency, 7},
}

// ErrCorrupt is wrapped by every error for a binary tick file that is not
// well formed: bad magic, bad header checksum, truncated records, impossible
// values.
var ErrCorrupt = errors.New("corrupt binary tick file")

func encodeHeader(inst venue.Instrument, count uint64) ([binaryHeaderSize]byte, error) {
	var h [binaryHeaderSize]byte
	if err := inst.Validate(); err != nil {
		return h, fmt.Errorf("backtest: binary tick header: %w", err)
	}
	copy(h[0:8], binaryMagic)
	le := binary.LittleEndian
	le.PutUint16(h[8:], binaryVersion)
	le.PutUint16(h[10:], binaryHeaderSize)
	le.PutUint16(h[12:], binaryRecordSize)
	le.PutUint64(h[16:], uint64(inst.ID))
	le.PutUint64(h[24:], uint64(inst.TickSize))
	le.PutUint64(h[32:], count)
	texts := [...]string{inst.Symbol, inst.Root, inst.PointValue.String(), inst.Currency}
	for i, f := range hdrText {
		s := texts[i]
		if len(s) > f.max {
			return h, fmt.Errorf("backtest: binary tick header: %s %q is longer than %d bytes", f.name, s, f.max)
		}
		h[f.off] = byte(len(s))
		copy(h[f.off+1:], s)
	}
	le.PutUint32(h[hdrCRC:], crc32.ChecksumIEEE(h[:hdrCRC]))
	return h, nil
}

// decodeHeader checks a header and returns the instrument and record count.
func decodeHeader(h []byte) (venue.Instrument, uint64, error) {
	var inst venue.Instrument
	if len(h) < binaryHeaderSize {
		return inst, 0, fmt.Errorf("%w: %d bytes is shorter than the %d-byte header", ErrCorrupt, len(h), binaryHeaderSize)
	}
	if string(h[0:8]) != binaryMagic {
		return inst, 0, fmt.Errorf("%w: not a keel tick file (magic %q, want %q)", ErrCorrupt, h[0:8], binaryMagic)
	}
	le := binary.LittleEndian
	if v := le.Uint16(h[8:]); v != binaryVersion {
		return inst, 0, fmt.Errorf("%w: format version %d; this keel reads version %d", ErrCorrupt, v, binaryVersion)
	}
	if got, want := le.Uint32(h[hdrCRC:]), crc32.ChecksumIEEE(h[:hdrCRC]); got != want {
		return inst, 0, fmt.Errorf("%w: header checksum %08x, computed %08x", ErrCorrupt, got, want)
	}
	if hs, rs := le.Uint16(h[10:]), le.Uint16(h[12:]); hs != binaryHeaderSize || rs != binaryRecordSize {
		return inst, 0, fmt.Errorf("%w: header size %d and record size %d, want %d and %d", ErrCorrupt, hs, rs, binaryHeaderSize, binaryRecordSize)
	}
	var texts [len(hdrText)]string
	for i, f := range hdrText {
		n := int(h[f.off])
		if n > f.max {
			return inst, 0, fmt.Errorf("%w: %s length %d exceeds %d", ErrCorrupt, f.name, n, f.max)
		}
		texts[i] = string(h[f.off+1 : f.off+1+n])
	}
	pv, err := decimal.NewFromString(texts[2])
	if err != nil {
		return inst, 0, fmt.Errorf("%w: point value %q: %v", ErrCorrupt, texts[2], err)
	}
	inst = venue.Instrument{
		ID:         venue.ContractID(le.Uint64(h[16:])),
		Symbol:     texts[0],
		Root:       texts[1],
		TickSize:   venue.Price(le.Uint64(h[24:])),
		PointValue: pv,
		Currency:   texts[3],
	}
	if err := inst.Validate(); err != nil {
		return venue.Instrument{}, 0, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	return inst, le.Uint64(h[32:]), nil
}

// BinaryWriter writes ticks of one contract in the keel binary tick format.
// It buffers records and writes them in large blocks. If the destination
// can seek (a file), Close goes back and records the tick count in the
// header; otherwise the count stays 0 (unknown) and readers read to EOF.
type BinaryWriter struct {
	w      io.Writer
	file   *os.File // set by CreateBinary; closed by Close
	inst   venue.Instrument
	seeker io.Seeker
	start  int64 // offset of the header in a seekable destination

	buf   []byte
	n     int
	count uint64
	last  int64
	err   error
}

const binaryWriteBlock = 1024 * binaryRecordSize

// NewBinaryWriter writes the header for inst to w and returns a writer for
// its ticks. Close flushes but does not close w.
func NewBinaryWriter(w io.Writer, inst venue.Instrument) (*BinaryWriter, error) {
	h, err := encodeHeader(inst, 0)
	if err != nil {
		return nil, err
	}
	bw := &BinaryWriter{w: w, inst: inst, buf: make([]byte, binaryWriteBlock)}
	if s, ok := w.(io.Seeker); ok {
		if off, err := s.Seek(0, io.SeekCurrent); err == nil {
			bw.seeker, bw.start = s, off
		}
	}
	if _, err := w.Write(h[:]); err != nil {
		return nil, fmt.Errorf("backtest: write tick header: %w", err)
	}
	return bw, nil
}

// CreateBinary creates (or truncates) a binary tick file at path for inst.
// Close records the tick count and closes the file.
func CreateBinary(path string, inst venue.Instrument) (*BinaryWriter, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("backtest: %w", err)
	}
	bw, err := NewBinaryWriter(f, inst)
	if err != nil {
		f.Close()
		os.Remove(path)
		return nil, err
	}
	bw.file = f
	return bw, nil
}

// Instrument is the contract this writer writes.
func (w *BinaryWriter) Instrument() venue.Instrument { return w.inst }

// Count is the number of ticks written so far.
func (w *BinaryWriter) Count() uint64 { return w.count }

// Write appends one tick. The tick must be for the writer's contract, not
// earlier than the previous one, carry only known flags and sides, and have
// its present prices on the tick grid; a tick that is not is refused with an
// error and not written, and the writer stays usable. An I/O error is
// sticky. Write does not allocate.
func (w *BinaryWriter) Write(t *venue.Tick) error {
	if w.err != nil {
		return w.err
	}
	if err := w.check(t); err != nil {
		return err
	}
	if w.n+binaryRecordSize > len(w.buf) {
		if err := w.flush(); err != nil {
			return err
		}
	}
	putRecord(w.buf[w.n:w.n+binaryRecordSize], t)
	w.n += binaryRecordSize
	w.count++
	w.last = t.Time
	return nil
}

func (w *BinaryWriter) check(t *venue.Tick) error {
	tick := w.inst.TickSize
	switch {
	case t.Contract != w.inst.ID:
		return fmt.Errorf("backtest: write tick: contract %d, but this file is for %s (contract %d)", t.Contract, w.inst.Symbol, w.inst.ID)
	case w.count > 0 && t.Time < w.last:
		return fmt.Errorf("backtest: write tick: time %d is before the previous tick's %d", t.Time, w.last)
	case t.Flags&^(venue.HasTrade|venue.HasQuote) != 0:
		return fmt.Errorf("backtest: write tick: unknown flags %#x", t.Flags)
	case t.Aggressor > venue.Sell:
		return fmt.Errorf("backtest: write tick: unknown aggressor %d", t.Aggressor)
	case t.IsTrade() && t.Price%tick != 0,
		t.IsQuote() && (t.Bid%tick != 0 || t.Ask%tick != 0):
		return fmt.Errorf("backtest: write tick: price %s, bid %s or ask %s is off the %s tick grid of %s", t.Price, t.Bid, t.Ask, tick, w.inst.Symbol)
	}
	return nil
}

func putRecord(b []byte, t *venue.Tick) {
	_ = b[binaryRecordSize-1]
	le := binary.LittleEndian
	le.PutUint64(b[0:], uint64(t.Time))
	le.PutUint64(b[8:], uint64(t.Recv))
	le.PutUint64(b[16:], uint64(t.Price))
	le.PutUint64(b[24:], uint64(t.Bid))
	le.PutUint64(b[32:], uint64(t.Ask))
	le.PutUint32(b[40:], uint32(t.Size))
	le.PutUint32(b[44:], uint32(t.BidSize))
	le.PutUint32(b[48:], uint32(t.AskSize))
	b[52] = byte(t.Flags)
	b[53] = byte(t.Aggressor)
	b[54], b[55] = 0, 0
}

func (w *BinaryWriter) flush() error {
	if w.n == 0 {
		return nil
	}
	if _, err := w.w.Write(w.buf[:w.n]); err != nil {
		w.err = fmt.Errorf("backtest: write ticks: %w", err)
		return w.err
	}
	w.n = 0
	return nil
}

// Close flushes buffered ticks, records the count in the header when the
// destination can seek, and closes the file if CreateBinary opened it.
func (w *BinaryWriter) Close() error {
	if w.err == errClosed {
		return nil
	}
	err := w.err
	if err == nil {
		err = w.flush()
	}
	if err == nil && w.seeker != nil {
		err = w.finalize()
	}
	if w.file != nil {
		if cerr := w.file.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("backtest: close tick file: %w", cerr)
		}
	}
	w.err = errClosed
	return err
}

// finalize rewrites the header with the record count and returns to the end.
func (w *BinaryWriter) finalize() error {
	h, err := encodeHeader(w.inst, w.count)
	if err != nil {
		return err
	}
	end, err := w.seeker.Seek(0, io.SeekCurrent)
	if err == nil {
		_, err = w.seeker.Seek(w.start, io.SeekStart)
	}
	if err == nil {
		_, err = w.w.Write(h[:])
	}
	if err == nil {
		_, err = w.seeker.Seek(end, io.SeekStart)
	}
	if err != nil {
		return fmt.Errorf("backtest: record tick count in header: %w", err)
	}
	return nil
}
