package data

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/keeltrade/keel/venue"
)

func FuzzBinaryReader(f *testing.F) {
	var buf bytes.Buffer
	w, _ := NewBinaryWriter(&buf, esInstrument())
	for _, tk := range genTicks(20) {
		w.Write(&tk)
	}
	w.Close()
	f.Add(buf.Bytes())
	counted := append([]byte(nil), buf.Bytes()...)
	h, _ := encodeHeader(esInstrument(), 20)
	copy(counted, h[:])
	f.Add(counted)
	f.Add(counted[:200])
	f.Add([]byte(binaryMagic))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewBinaryReader(bytes.NewReader(data))
		if err != nil {
			return
		}
		if err := r.Instrument().Validate(); err != nil {
			t.Fatalf("accepted an invalid instrument: %v", err)
		}
		// Every tick read re-encodes to the bytes it came from.
		var tk venue.Tick
		rec := make([]byte, binaryRecordSize)
		for n := 0; ; n++ {
			err := r.Next(&tk)
			if err == io.EOF {
				if c := r.Count(); c != 0 && c != uint64(n) {
					t.Fatalf("EOF after %d ticks, header says %d", n, c)
				}
				if binaryHeaderSize+n*binaryRecordSize != len(data) {
					t.Fatalf("EOF after %d ticks of %d bytes", n, len(data))
				}
				return
			}
			if err != nil {
				if !errors.Is(err, ErrCorrupt) {
					t.Fatalf("error %v does not wrap ErrCorrupt", err)
				}
				return
			}
			putRecord(rec, &tk)
			off := binaryHeaderSize + n*binaryRecordSize
			if !bytes.Equal(rec, data[off:off+binaryRecordSize]) {
				t.Fatalf("tick %d does not re-encode to its record", n)
			}
			if tk.Contract != r.Instrument().ID {
				t.Fatalf("tick %d: contract %d", n, tk.Contract)
			}
		}
	})
}
