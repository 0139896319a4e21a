package indicator

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestVWAPHandComputed(t *testing.T) {
	type trade struct {
		price, vol float64
		ready      bool
		want       float64
	}
	trades := []trade{
		{100, 10, true, 100},             // 1000 / 10
		{101, 20, true, 3020.0 / 30},     // (1000 + 2020) / 30 = 100.666…
		{99, 10, true, 100.25},           // (3020 + 990) / 40 = 4010 / 40
		{500, 0, true, 100.25},           // zero volume does not move it
		{100.5, 60, true, 10040.0 / 100}, // (4010 + 6030) / 100 = 100.4
	}
	w := NewVWAP()
	require.False(t, w.Ready())
	for i, tr := range trades {
		w.Update(tr.price, tr.vol)
		require.Equal(t, tr.ready, w.Ready(), "trade %d", i)
		assert.InDelta(t, tr.want, w.Value(), 1e-12, "trade %d", i)
	}
	assert.Equal(t, 100.0, w.Volume())
	assert.Equal(t, 5, w.Count())

	// A new session forgets everything.
	w.Reset()
	assert.False(t, w.Ready())
	assert.Equal(t, 0.0, w.Value())
	w.Update(50, 0) // no volume yet: still not ready
	assert.False(t, w.Ready())
	assert.Equal(t, 0.0, w.Value())
	w.Update(50.25, 5)
	assert.True(t, w.Ready())
	assert.Equal(t, 50.25, w.Value())
}

func TestVWAPRejectsBadTrades(t *testing.T) {
	w := NewVWAP()
	w.Update(100, 10)
	for _, b := range [][2]float64{
		{math.NaN(), 1}, {math.Inf(1), 1}, {100, math.NaN()}, {100, math.Inf(1)}, {100, -1},
	} {
		w.Update(b[0], b[1])
	}
	assert.Equal(t, 100.0, w.Value())
	assert.Equal(t, 10.0, w.Volume())
	assert.Equal(t, 5, w.Rejected())
	assert.Equal(t, 1, w.Count())
}

func TestVWAPLongSessionPrecision(t *testing.T) {
	// A million ES prints near 5000 in quarter ticks with integer volumes;
	// the exact VWAP is computed in integer quarter-ticks.
	rng := rand.New(rand.NewPCG(5, 6))
	w := NewVWAP()
	var sumPV, sumV int64 // price in quarter points × volume
	q := int64(5000 * 4)
	for range 1_000_000 {
		q += int64(rng.IntN(5) - 2)
		v := int64(rng.IntN(50) + 1)
		w.Update(float64(q)/4, float64(v))
		sumPV += q * v
		sumV += v
	}
	want := float64(sumPV) / float64(sumV) / 4
	assert.LessOrEqual(t, relErr(w.Value(), want), 1e-13, "got %v want %v", w.Value(), want)
}
