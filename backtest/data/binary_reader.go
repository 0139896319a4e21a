package data

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"

	"github.com/keeltrade/keel/venue"
)

// binaryReadBlock is how many bytes a reader asks for per read.
const binaryReadBlock = 4096 * binaryRecordSize

// BinaryReader is a TickSource over a keel binary tick file. It reads large
// blocks into one buffer and decodes records in place: Next allocates
// nothing. A file that is truncated, has trailing bytes, disagrees with its
// header's record count or holds impossible records ends the stream with an
// error wrapping ErrCorrupt.
type BinaryReader struct {
	r    io.Reader
	file *os.File // set by OpenBinary; closed by Close
	name string
	inst venue.Instrument

	count uint64 // from the header; 0 = unknown
	read  uint64
	last  int64

	buf      []byte
	pos, end int
	err      error
}

// OpenBinary opens a binary tick file and checks its header and, when the
// header records a count, the file's size.
func OpenBinary(path string) (*BinaryReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("backtest: %w", err)
	}
	br, err := newBinaryReader(f, path)
	if err != nil {
		f.Close()
		return nil, err
	}
	br.file = f
	if br.count > 0 {
		fi, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("backtest: %w", err)
		}
		want := int64(binaryHeaderSize) + int64(br.count)*binaryRecordSize
		if br.count > 1<<40 || fi.Size() != want {
			f.Close()
			return nil, fmt.Errorf("%s: %w: header says %d ticks (%d bytes), the file has %d bytes", path, ErrCorrupt, br.count, want, fi.Size())
		}
	}
	return br, nil
}

// NewBinaryReader reads a binary tick stream from r. Close does not close r.
func NewBinaryReader(r io.Reader) (*BinaryReader, error) {
	return newBinaryReader(r, "binary tick stream")
}

func newBinaryReader(r io.Reader, name string) (*BinaryReader, error) {
	var h [binaryHeaderSize]byte
	if n, err := io.ReadFull(r, h[:]); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil, fmt.Errorf("%s: %w: %d bytes is shorter than the %d-byte header", name, ErrCorrupt, n, binaryHeaderSize)
		}
		return nil, fmt.Errorf("%s: read header: %w", name, err)
	}
	inst, count, err := decodeHeader(h[:])
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &BinaryReader{r: r, name: name, inst: inst, count: count, buf: make([]byte, binaryReadBlock)}, nil
}

// Instrument is the contract recorded in the header; every tick carries its id.
func (r *BinaryReader) Instrument() venue.Instrument { return r.inst }

// Count is the tick count recorded in the header, 0 if unknown.
func (r *BinaryReader) Count() uint64 { return r.count }

// Next fills *t with the next tick; io.EOF at the end.
func (r *BinaryReader) Next(t *venue.Tick) error {
	if r.err != nil {
		return r.err
	}
	if r.count > 0 && r.read == r.count {
		return r.finish()
	}
	if r.end-r.pos < binaryRecordSize {
		if err := r.fill(); err != nil {
			r.err = err
			return err
		}
	}
	b := r.buf[r.pos : r.pos+binaryRecordSize]
	le := binary.LittleEndian
	*t = venue.Tick{
		Time:      int64(le.Uint64(b[0:])),
		Recv:      int64(le.Uint64(b[8:])),
		Contract:  r.inst.ID,
		Price:     venue.Price(le.Uint64(b[16:])),
		Bid:       venue.Price(le.Uint64(b[24:])),
		Ask:       venue.Price(le.Uint64(b[32:])),
		Size:      int32(le.Uint32(b[40:])),
		BidSize:   int32(le.Uint32(b[44:])),
		AskSize:   int32(le.Uint32(b[48:])),
		Flags:     venue.TickFlags(b[52]),
		Aggressor: venue.Side(b[53]),
	}
	if t.Flags&^(venue.HasTrade|venue.HasQuote) != 0 || t.Aggressor > venue.Sell || b[54]|b[55] != 0 || (r.read > 0 && t.Time < r.last) {
		r.err = r.corrupt(fmt.Sprintf("tick %d: impossible record (flags %#x, aggressor %d, time %d after %d)", r.read+1, t.Flags, t.Aggressor, t.Time, r.last))
		return r.err
	}
	r.pos += binaryRecordSize
	r.read++
	r.last = t.Time
	return nil
}

// fill moves the partial record left in the buffer to the front and reads
// until at least one whole record is there.
func (r *BinaryReader) fill() error {
	n := copy(r.buf, r.buf[r.pos:r.end])
	r.pos, r.end = 0, n
	got, err := io.ReadAtLeast(r.r, r.buf[n:], binaryRecordSize-n)
	r.end += got
	switch {
	case err == nil:
		return nil
	case err == io.EOF && r.end == 0:
		if r.count > 0 {
			return r.corrupt(fmt.Sprintf("truncated: header says %d ticks, the file ends after %d", r.count, r.read))
		}
		return io.EOF
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		return r.corrupt(fmt.Sprintf("truncated: %d stray bytes after tick %d", r.end, r.read))
	default:
		return fmt.Errorf("%s: read after tick %d: %w", r.name, r.read, err)
	}
}

// finish checks that nothing follows the counted records.
func (r *BinaryReader) finish() error {
	if r.end > r.pos {
		r.err = r.corrupt(fmt.Sprintf("trailing data after the %d ticks the header counts", r.count))
		return r.err
	}
	var one [1]byte
	n, err := io.ReadFull(r.r, one[:])
	switch {
	case n > 0:
		r.err = r.corrupt(fmt.Sprintf("trailing data after the %d ticks the header counts", r.count))
	case err == io.EOF:
		r.err = io.EOF
	default:
		r.err = fmt.Errorf("%s: read after tick %d: %w", r.name, r.read, err)
	}
	return r.err
}

func (r *BinaryReader) corrupt(reason string) error {
	return fmt.Errorf("%s: %w: %s", r.name, ErrCorrupt, reason)
}

// Close releases the file if OpenBinary opened it. Next then fails.
func (r *BinaryReader) Close() error {
	if r.err == errClosed {
		return nil
	}
	r.err = errClosed
	if r.file != nil {
		if err := r.file.Close(); err != nil {
			return fmt.Errorf("backtest: close %s: %w", r.name, err)
		}
	}
	return nil
}
