package data

import (
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue"
)

func esInstrument() venue.Instrument { return testInstrument("ESH4", "ES", "0.25", "50") }

// genTicks makes n deterministic ESH4 ticks mixing trades, quotes and both.
func genTicks(n int) []venue.Tick {
	in := esInstrument()
	out := make([]venue.Tick, n)
	price := p("4800")
	for i := range out {
		price = price.AddTicks(int64(i%7)-3, in.TickSize)
		tk := venue.Tick{Time: 1700000000000000000 + int64(i/3)*1000, Recv: 1700000000000000500 + int64(i)*1000, Contract: in.ID}
		if i%3 != 1 {
			tk.Flags |= venue.HasQuote
			tk.Bid, tk.Ask = price, price.AddTicks(1, in.TickSize)
			tk.BidSize, tk.AskSize = int32(i%50), int32(i%40+1)
		}
		if i%3 != 0 {
			tk.Flags |= venue.HasTrade
			tk.Price, tk.Size, tk.Aggressor = price, int32(i%9), venue.Side(i%3)
		}
		out[i] = tk
	}
	return out
}

func writeBinary(t testing.TB, w io.Writer, inst venue.Instrument, ticks []venue.Tick) {
	t.Helper()
	bw, err := NewBinaryWriter(w, inst)
	require.NoError(t, err)
	for i := range ticks {
		require.NoError(t, bw.Write(&ticks[i]))
	}
	require.NoError(t, bw.Close())
}

func TestBinaryRoundTripFile(t *testing.T) {
	ticks := genTicks(10_000) // several read blocks
	path := filepath.Join(t.TempDir(), "es.ktick")
	w, err := CreateBinary(path, esInstrument())
	require.NoError(t, err)
	for i := range ticks {
		require.NoError(t, w.Write(&ticks[i]))
	}
	assert.Equal(t, uint64(len(ticks)), w.Count())
	require.NoError(t, w.Close())
	require.NoError(t, w.Close())

	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, int64(binaryHeaderSize+binaryRecordSize*len(ticks)), fi.Size())

	r, err := OpenBinary(path)
	require.NoError(t, err)
	defer r.Close()
	assert.Equal(t, uint64(len(ticks)), r.Count(), "a seekable writer records the count")
	assertSameInstrument(t, esInstrument(), r.Instrument())
	assert.Equal(t, ticks, readTicks(t, r))
}

func assertSameInstrument(t *testing.T, want, got venue.Instrument) {
	t.Helper()
	assert.True(t, want.PointValue.Equal(got.PointValue), "point value %s, want %s", got.PointValue, want.PointValue)
	want.PointValue, got.PointValue = want.PointValue.Truncate(0), got.PointValue.Truncate(0)
	assert.Equal(t, want, got)
}

func TestBinaryRoundTripStream(t *testing.T) {
	ticks := genTicks(5000)
	var buf bytes.Buffer
	writeBinary(t, &buf, esInstrument(), ticks)
	assert.Equal(t, binaryHeaderSize+binaryRecordSize*len(ticks), buf.Len())

	r, err := NewBinaryReader(bytes.NewReader(buf.Bytes()))
	require.NoError(t, err)
	assert.Zero(t, r.Count(), "a stream cannot record the count")
	assert.Equal(t, ticks, readTicks(t, r))

	// An empty stream is a valid, empty file.
	buf.Reset()
	writeBinary(t, &buf, esInstrument(), nil)
	r, err = NewBinaryReader(&buf)
	require.NoError(t, err)
	assert.Empty(t, readTicks(t, r))
}

// The header may sit after other bytes in a seekable destination.
func TestBinaryWriterAtOffset(t *testing.T) {
	path := filepath.Join(t.TempDir(), "off.bin")
	f, err := os.Create(path)
	require.NoError(t, err)
	_, err = f.Write([]byte("preamble"))
	require.NoError(t, err)
	ticks := genTicks(10)
	writeBinary(t, f, esInstrument(), ticks)
	require.NoError(t, f.Close())

	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, "preamble", string(data[:8]))
	r, err := NewBinaryReader(bytes.NewReader(data[8:]))
	require.NoError(t, err)
	assert.Equal(t, uint64(10), r.Count())
	assert.Equal(t, ticks, readTicks(t, r))
}

func TestBinaryInstrumentText(t *testing.T) {
	for _, in := range []venue.Instrument{
		testInstrument("6JH6", "6J", "0.0000005", "12500000"),
		testInstrument("ZNH6", "ZN", "0.015625", "1000"),
		testInstrument("MYMZ5", "MYM", "1", "0.5"),
	} {
		var buf bytes.Buffer
		writeBinary(t, &buf, in, nil)
		r, err := NewBinaryReader(&buf)
		require.NoError(t, err)
		assertSameInstrument(t, in, r.Instrument())
	}
}

func TestBinaryWriterRejects(t *testing.T) {
	in := esInstrument()
	good := venue.Tick{Time: 100, Contract: in.ID, Price: p("4800.25"), Size: 1, Flags: venue.HasTrade}
	tests := []struct {
		name string
		mod  func(*venue.Tick)
		want string
	}{
		{"other contract", func(t *venue.Tick) { t.Contract++ }, "contract"},
		{"earlier", func(t *venue.Tick) { t.Time = 99 }, "time 99 is before the previous tick's 100"},
		{"unknown flags", func(t *venue.Tick) { t.Flags = 0x80 }, "unknown flags 0x80"},
		{"unknown side", func(t *venue.Tick) { t.Aggressor = 7 }, "unknown aggressor 7"},
		{"off-grid trade", func(t *venue.Tick) { t.Price = p("4800.1") }, "off the 0.25 tick grid"},
		{"off-grid bid", func(t *venue.Tick) { t.Flags = venue.HasQuote; t.Bid = p("4800.1") }, "off the 0.25 tick grid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := NewBinaryWriter(io.Discard, in)
			require.NoError(t, err)
			tk := good
			require.NoError(t, w.Write(&tk))
			tt.mod(&tk)
			assert.ErrorContains(t, w.Write(&tk), tt.want)
			require.NoError(t, w.Close())
		})
	}

	long := in
	long.Symbol = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	_, err := NewBinaryWriter(io.Discard, long)
	assert.ErrorContains(t, err, "longer than 23 bytes")
	bad := in
	bad.TickSize = 0
	_, err = NewBinaryWriter(io.Discard, bad)
	assert.ErrorContains(t, err, "tick size")
}

type failWriter struct{ after int }

func (w *failWriter) Write(b []byte) (int, error) {
	if w.after <= 0 {
		return 0, io.ErrShortWrite
	}
	w.after--
	return len(b), nil
}

func TestBinaryWriterWriteError(t *testing.T) {
	_, err := NewBinaryWriter(&failWriter{}, esInstrument())
	require.ErrorIs(t, err, io.ErrShortWrite)

	w, err := NewBinaryWriter(&failWriter{after: 1}, esInstrument())
	require.NoError(t, err)
	ticks := genTicks(3000) // more than one write block
	for i := range ticks {
		if err = w.Write(&ticks[i]); err != nil {
			break
		}
	}
	require.ErrorIs(t, err, io.ErrShortWrite)
	require.ErrorIs(t, w.Write(&ticks[0]), io.ErrShortWrite, "write errors are sticky")
	require.ErrorIs(t, w.Close(), io.ErrShortWrite)
	require.NoError(t, w.Close())
	require.ErrorIs(t, w.Write(&ticks[0]), errClosed)
}

func TestBinaryCorrupt(t *testing.T) {
	ticks := genTicks(100)
	var buf bytes.Buffer
	writeBinary(t, &buf, esInstrument(), ticks)
	stream := buf.Bytes() // count 0
	counted := append([]byte(nil), stream...)
	binary.LittleEndian.PutUint64(counted[32:], uint64(len(ticks)))
	h, err := encodeHeader(esInstrument(), uint64(len(ticks)))
	require.NoError(t, err)
	copy(counted, h[:])

	mutate := func(src []byte, f func(b []byte)) []byte {
		b := append([]byte(nil), src...)
		f(b)
		return b
	}
	tests := []struct {
		name      string
		data      []byte
		openErr   string // error from NewBinaryReader
		readErr   string // else: error ending the stream
		readTicks int
	}{
		{"empty", nil, "0 bytes is shorter than the 128-byte header", "", 0},
		{"short header", stream[:100], "100 bytes is shorter than the 128-byte header", "", 0},
		{"bad magic", mutate(stream, func(b []byte) { b[0] = 'X' }), `not a keel tick file (magic "XEELTCK1", want "KEELTCK1")`, "", 0},
		{"version", mutate(stream, func(b []byte) { b[8] = 9 }), "format version 9; this keel reads version 1", "", 0},
		{"checksum", mutate(stream, func(b []byte) { b[20] ^= 1 }), "header checksum", "", 0},
		{"cut mid record, no count", stream[:len(stream)-10], "", "truncated: 46 stray bytes after tick 99", 99},
		{"cut mid record, counted", counted[:len(counted)-10], "", "truncated: 46 stray bytes after tick 99", 99},
		{"cut at record, counted", counted[:len(counted)-2*binaryRecordSize], "", "truncated: header says 100 ticks, the file ends after 98", 98},
		{"trailing bytes, counted", append(counted[:len(counted):len(counted)], 1, 2, 3), "", "trailing data after the 100 ticks the header counts", 100},
		{"trailing record, counted", append(counted[:len(counted):len(counted)], counted[len(counted)-binaryRecordSize:]...), "", "trailing data after the 100 ticks the header counts", 100},
		{"bad flags", mutate(stream, func(b []byte) { b[binaryHeaderSize+5*binaryRecordSize+52] = 0xf0 }), "", "tick 6: impossible record", 5},
		{"bad side", mutate(stream, func(b []byte) { b[binaryHeaderSize+5*binaryRecordSize+53] = 3 }), "", "tick 6: impossible record", 5},
		{"time backwards", mutate(stream, func(b []byte) {
			binary.LittleEndian.PutUint64(b[binaryHeaderSize+7*binaryRecordSize:], 5)
		}), "", "tick 8: impossible record", 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewBinaryReader(bytes.NewReader(tt.data))
			if tt.openErr != "" {
				require.ErrorIs(t, err, ErrCorrupt)
				assert.ErrorContains(t, err, tt.openErr)
				return
			}
			require.NoError(t, err)
			got, err := drainTicks(r)
			require.ErrorIs(t, err, ErrCorrupt)
			assert.ErrorContains(t, err, tt.readErr)
			assert.Len(t, got, tt.readTicks)
			assert.Equal(t, ticks[:tt.readTicks], got)
			var tk venue.Tick
			assert.Equal(t, err, r.Next(&tk), "errors are sticky")
		})
	}
}

func TestOpenBinaryChecksSize(t *testing.T) {
	path := filepath.Join(t.TempDir(), "es.ktick")
	w, err := CreateBinary(path, esInstrument())
	require.NoError(t, err)
	for _, tk := range genTicks(50) {
		require.NoError(t, w.Write(&tk))
	}
	require.NoError(t, w.Close())
	require.NoError(t, os.Truncate(path, binaryHeaderSize+49*binaryRecordSize+3))
	_, err = OpenBinary(path)
	require.ErrorIs(t, err, ErrCorrupt)
	assert.EqualError(t, err, path+": corrupt binary tick file: header says 50 ticks (2928 bytes), the file has 2875 bytes")

	_, err = OpenBinary(filepath.Join(t.TempDir(), "missing.ktick"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}

func TestOpenTicksSniffsFormat(t *testing.T) {
	dir := t.TempDir()
	files, err := ConvertCSVToBinary(filepath.Join("testdata", "es_trades.csv.gz"), dir, testResolver, CSVOptions{})
	require.NoError(t, err)
	require.Equal(t, []string{filepath.Join(dir, "ESH4.ktick")}, files)
	// A binary file named .csv is still read as binary, and the reverse.
	csvNamed := filepath.Join(dir, "ticks.csv")
	require.NoError(t, os.Rename(files[0], csvNamed))
	for _, path := range []string{csvNamed, filepath.Join("testdata", "es_trades.csv")} {
		src, err := OpenTicks(path, testOpts())
		require.NoError(t, err, path)
		assert.Equal(t, esTrades, readTicks(t, src), path)
		require.NoError(t, src.Close())
	}
}

func TestConvertCSVToBinary(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join("testdata", "gc_trades.csv")
	conv, err := Convert(src, dir, nil, testOpts())
	require.NoError(t, err)
	assert.Equal(t, []string{filepath.Join(dir, "GCZ13.ktick"), filepath.Join(dir, "GCG14.ktick")}, conv.Files)
	assert.Equal(t, int64(5), conv.Ticks)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 2, "no temporary files left behind")

	csvSrc, err := OpenTickCSV(src, testOpts())
	require.NoError(t, err)
	all := readTicks(t, csvSrc)
	require.NoError(t, csvSrc.Close())
	var readers []TickSource
	for _, f := range conv.Files {
		r, err := OpenBinary(f)
		require.NoError(t, err)
		fi, err := os.Stat(f)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o644), fi.Mode().Perm())
		inst, err := testResolver(filepath.Base(f[:len(f)-len(BinaryExt)]))
		require.NoError(t, err)
		assertSameInstrument(t, inst, r.Instrument())
		readers = append(readers, r)
	}
	// Merging the per-contract files gives back every tick of the CSV; here
	// equal times occur only within one contract, so even the order matches.
	merged := Merge(readers...)
	assert.Equal(t, all, readTicks(t, merged))
	require.NoError(t, merged.Close())
}

func TestConvertFailureLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	require.NoError(t, os.WriteFile(bad, []byte("ts_utc_ns,symbol,price,size,side\n1,ESH4,4800,1,B\n2,NQH4,17000,1,B\n3,ESH4,4800.1,1,B\n"), 0o644))
	out := filepath.Join(dir, "out")
	require.NoError(t, os.Mkdir(out, 0o755))
	files, err := ConvertCSVToBinary(bad, out, testResolver, CSVOptions{})
	assert.EqualError(t, err, bad+":4: price 4800.1 is off the 0.25 tick grid")
	assert.Empty(t, files)
	entries, err := os.ReadDir(out)
	require.NoError(t, err)
	assert.Empty(t, entries)

	// With SkipBadRows the bad row is counted and the rest converted.
	conv, err := Convert(bad, out, testResolver, CSVOptions{SkipBadRows: true})
	require.NoError(t, err)
	assert.Len(t, conv.Files, 2)
	assert.Equal(t, int64(2), conv.Ticks)
	assert.Equal(t, int64(1), conv.Skipped)
	assert.Equal(t, []RowError{{File: bad, Line: 4, Reason: "price 4800.1 is off the 0.25 tick grid"}}, conv.SkippedSamples)

	_, err = ConvertCSVToBinary(bad, filepath.Join(dir, "no-such-dir"), testResolver, CSVOptions{})
	assert.ErrorIs(t, err, os.ErrNotExist)
}

func TestFileSafe(t *testing.T) {
	assert.Equal(t, "ESH4", fileSafe("ESH4"))
	assert.Equal(t, "_._ES_Z6", fileSafe("../ES/Z6"))
	assert.Equal(t, "6E_M6", fileSafe("6E M6"))
}

func TestBinaryReaderZeroAllocs(t *testing.T) {
	ticks := genTicks(3 * 4096)
	var buf bytes.Buffer
	writeBinary(t, &buf, esInstrument(), ticks)
	r, err := NewBinaryReader(bytes.NewReader(buf.Bytes()))
	require.NoError(t, err)
	var tk venue.Tick
	require.NoError(t, r.Next(&tk))
	allocs := testing.AllocsPerRun(len(ticks)-100, func() {
		if err := r.Next(&tk); err != nil {
			t.Fatal(err)
		}
	})
	assert.Zero(t, allocs)

	w, err := NewBinaryWriter(io.Discard, esInstrument())
	require.NoError(t, err)
	i := 0
	allocs = testing.AllocsPerRun(5000, func() {
		if err := w.Write(&ticks[i]); err != nil {
			t.Fatal(err)
		}
		i++
	})
	assert.Zero(t, allocs)
}
