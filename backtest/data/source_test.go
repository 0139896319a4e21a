package data

import (
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/keeltrade/keel/venue"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testProducts stands in for the CME product table.
var testProducts = []struct{ root, tick, point string }{
	{"ES", "0.25", "50"},
	{"NQ", "0.25", "20"},
	{"GC", "0.1", "100"},
}

// testResolver resolves ES, NQ and GC contracts; the contract id is a hash
// of the symbol, so every source agrees on it without shared state.
func testResolver(sym string) (venue.Instrument, error) {
	for _, p := range testProducts {
		if strings.HasPrefix(sym, p.root) && len(sym) > len(p.root) {
			return testInstrument(sym, p.root, p.tick, p.point), nil
		}
	}
	return venue.Instrument{}, fmt.Errorf("no product for %q", sym)
}

func testInstrument(sym, root, tick, point string) venue.Instrument {
	h := fnv.New32a()
	h.Write([]byte(sym))
	return venue.Instrument{
		ID:         venue.ContractID(h.Sum32()),
		Symbol:     sym,
		Root:       root,
		TickSize:   venue.MustParsePrice(tick),
		PointValue: decimal.RequireFromString(point),
		Currency:   "USD",
	}
}

func cid(sym string) venue.ContractID {
	in, err := testResolver(sym)
	if err != nil {
		panic(err)
	}
	return in.ID
}

var p = venue.MustParsePrice

func testOpts() CSVOptions { return CSVOptions{Resolve: testResolver} }

// readTicks drains src and requires it to end with io.EOF.
func readTicks(t testing.TB, src TickSource) []venue.Tick {
	t.Helper()
	ticks, err := drainTicks(src)
	require.ErrorIs(t, err, io.EOF)
	return ticks
}

// drainTicks reads until an error and returns the ticks and the error.
func drainTicks(src TickSource) ([]venue.Tick, error) {
	var out []venue.Tick
	for {
		var tk venue.Tick
		if err := src.Next(&tk); err != nil {
			return out, err
		}
		out = append(out, tk)
	}
}

func readBars(t testing.TB, src BarSource) []venue.Bar {
	t.Helper()
	var out []venue.Bar
	for {
		var b venue.Bar
		err := src.Next(&b)
		if errors.Is(err, io.EOF) {
			return out
		}
		require.NoError(t, err)
		out = append(out, b)
	}
}

func TestRowErrorFormat(t *testing.T) {
	err := &RowError{File: "data/es.csv", Line: 12, Reason: "bad price"}
	require.Equal(t, "data/es.csv:12: bad price", err.Error())
}
