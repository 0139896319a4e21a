package indicator

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestATRHandComputed(t *testing.T) {
	type bar struct {
		h, l, c float64
		tr      float64 // expected true range
		ready   bool
		atr     float64
	}
	bars := []bar{
		// First bar: no previous close, TR = H − L = 10 − 8.
		{10, 8, 9, 2, false, 0},
		// prevC 9: max(12, 9) − min(9, 9) = 12 − 9.
		{12, 9, 11, 3, false, 0},
		// prevC 11: max(11, 11) − min(10, 11) = 11 − 10. Seed ATR = (2+3+1)/3 = 2.
		{11, 10, 10.5, 1, true, 2},
		// Gap up, prevC 10.5: max(15, 10.5) − min(14, 10.5) = 4.5 (H − L is only 1).
		// ATR = (2·2 + 4.5)/3 = 8.5/3.
		{15, 14, 14.5, 4.5, true, 8.5 / 3},
		// Gap down, prevC 14.5: max(13, 14.5) − min(12, 14.5) = 2.5.
		// ATR = (8.5/3·2 + 2.5)/3 = (17/3 + 7.5/3)/3 = 24.5/9.
		{13, 12, 12, 2.5, true, 24.5 / 9},
	}
	a, err := NewATR(3)
	require.NoError(t, err)
	for i, b := range bars {
		a.Update(b.h, b.l, b.c)
		assert.InDelta(t, b.tr, a.TrueRange(), 1e-12, "bar %d TR", i)
		require.Equal(t, b.ready, a.Ready(), "bar %d Ready", i)
		assert.InDelta(t, b.atr, a.Value(), 1e-12, "bar %d ATR", i)
	}
	assert.Equal(t, 5, a.Count())
}

func TestATRRejectsBadBars(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	bad := [][3]float64{
		{nan, 1, 1}, {2, nan, 1}, {2, 1, nan},
		{inf, 1, 1}, {2, -inf, 1}, {2, 1, inf},
		{1, 2, 1.5}, // high < low
	}
	a, err := NewATR(2)
	require.NoError(t, err)
	ref, err := NewATR(2)
	require.NoError(t, err)
	good := [][3]float64{{10, 8, 9}, {12, 9, 11}, {11, 10, 10.5}}
	for _, g := range good {
		for _, b := range bad {
			a.Update(b[0], b[1], b[2])
		}
		a.Update(g[0], g[1], g[2])
		ref.Update(g[0], g[1], g[2])
		assert.Equal(t, ref.Value(), a.Value())
		assert.Equal(t, ref.TrueRange(), a.TrueRange())
	}
	assert.Equal(t, len(good)*len(bad), a.Rejected())
	assert.Equal(t, len(good), a.Count())
}

func TestATRConstantBarsIsZero(t *testing.T) {
	a, err := NewATR(14)
	require.NoError(t, err)
	for range 100 {
		a.Update(5000.25, 5000.25, 5000.25)
	}
	require.True(t, a.Ready())
	assert.Equal(t, 0.0, a.Value())
}
