package data

import (
	"errors"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue"
)

// sliceSource serves ticks from a slice; after them it returns err (io.EOF
// if nil). With loop set it starts over instead, for allocation tests.
type sliceSource struct {
	ticks  []venue.Tick
	i      int
	err    error
	loop   bool
	closed int
}

func (s *sliceSource) Next(t *venue.Tick) error {
	if s.i == len(s.ticks) {
		if !s.loop {
			if s.err != nil {
				return s.err
			}
			return io.EOF
		}
		s.i = 0
	}
	*t = s.ticks[s.i]
	s.i++
	return nil
}

func (s *sliceSource) Close() error { s.closed++; return nil }

// src builds a source whose ticks are labelled: Time and, in Recv, a
// label id so the merged order can be checked.
func src(contract venue.ContractID, times ...int64) *sliceSource {
	s := &sliceSource{}
	for i, tm := range times {
		s.ticks = append(s.ticks, venue.Tick{Time: tm, Contract: contract, Recv: int64(contract)*100 + int64(i)})
	}
	return s
}

func labels(ticks []venue.Tick) []int64 {
	out := make([]int64, len(ticks))
	for i, t := range ticks {
		out[i] = t.Recv
	}
	return out
}

func TestMergeOrder(t *testing.T) {
	tests := []struct {
		name    string
		sources []*sliceSource
		want    []int64 // labels: contract*100 + row
	}{
		{"interleave", []*sliceSource{src(1, 1, 4, 7), src(2, 2, 5, 8), src(3, 3, 6, 9)},
			[]int64{100, 200, 300, 101, 201, 301, 102, 202, 302}},
		{"equal times keep source order then row order", []*sliceSource{src(1, 5, 5, 6), src(2, 5, 5), src(3, 4, 5, 6)},
			[]int64{300, 100, 101, 200, 201, 301, 102, 302}},
		{"all equal", []*sliceSource{src(1, 0, 0), src(2, 0, 0), src(3, 0)},
			[]int64{100, 101, 200, 201, 300}},
		{"empty sources", []*sliceSource{src(1), src(2, 3), src(3)},
			[]int64{200}},
		{"one long, one short", []*sliceSource{src(1, 1, 2, 3, 4, 5), src(2, 3)},
			[]int64{100, 101, 102, 200, 103, 104}},
		{"reverse-ordered sources", []*sliceSource{src(1, 10, 11), src(2, 5, 6), src(3, 1, 2)},
			[]int64{300, 301, 200, 201, 100, 101}},
		{"single", []*sliceSource{src(1, 1, 2)}, []int64{100, 101}},
		{"none", nil, []int64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srcs := make([]TickSource, len(tt.sources))
			for i, s := range tt.sources {
				srcs[i] = s
			}
			m := Merge(srcs...)
			assert.Equal(t, tt.want, labels(readTicks(t, m)))
			var tk venue.Tick
			assert.ErrorIs(t, m.Next(&tk), io.EOF)
			require.NoError(t, m.Close())
			require.NoError(t, m.Close())
			for _, s := range tt.sources {
				assert.Equal(t, 1, s.closed)
			}
		})
	}
}

func TestMergeSourceError(t *testing.T) {
	boom := errors.New("boom")
	bad := src(2, 2, 4)
	bad.err = boom
	m := Merge(src(1, 1, 3, 5, 7), bad)
	got, err := drainTicks(m)
	require.ErrorIs(t, err, boom)
	// The failing source is read again only after its last tick went out.
	assert.Equal(t, []int64{100, 200, 101, 201}, labels(got))
	var tk venue.Tick
	assert.ErrorIs(t, m.Next(&tk), boom)

	first := src(1)
	first.err = boom
	_, err = drainTicks(Merge(first, src(2, 1)))
	assert.ErrorIs(t, err, boom, "an error while priming")
}

func TestMergeZeroAllocs(t *testing.T) {
	a, b, c := src(1, 1, 3, 5), src(2, 2, 4), src(3, 3)
	for _, s := range []*sliceSource{a, b, c} {
		s.loop = true
	}
	m := Merge(a, b, c)
	var tk venue.Tick
	require.NoError(t, m.Next(&tk))
	allocs := testing.AllocsPerRun(10_000, func() {
		if err := m.Next(&tk); err != nil {
			t.Fatal(err)
		}
	})
	assert.Zero(t, allocs)
}
