package indicator

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRSIHandComputed(t *testing.T) {
	// RSI(3) on 10, 11, 12, 11, 13, 12, 12.
	steps := []step{
		{10, false, 0},
		{11, false, 0}, // change +1
		{12, false, 0}, // change +1
		// change −1 completes the seed: avgGain = (1+1+0)/3 = 2/3,
		// avgLoss = (0+0+1)/3 = 1/3, RSI = 100·(2/3)/(2/3+1/3) = 66.666…
		{11, true, 200.0 / 3},
		// change +2: avgGain = (2/3·2 + 2)/3 = 10/9, avgLoss = (1/3·2 + 0)/3 = 2/9,
		// RSI = 100·(10/9)/(12/9) = 83.333…
		{13, true, 250.0 / 3},
		// change −1: avgGain = (10/9·2 + 0)/3 = 20/27, avgLoss = (2/9·2 + 1)/3 = 13/27,
		// RSI = 100·20/33 = 60.6060…
		{12, true, 2000.0 / 33},
		// change 0: both averages shrink by 2/3 (40/81, 26/81), the ratio and
		// so the RSI stay the same.
		{12, true, 2000.0 / 33},
	}
	r, err := NewRSI(3)
	require.NoError(t, err)
	runSteps(t, r, steps)
	assert.InDelta(t, 40.0/81, r.AvgGain(), 1e-15)
	assert.InDelta(t, 26.0/81, r.AvgLoss(), 1e-15)
}

// TestRSIWilderTable reproduces the classic RSI(14) worked example
// (StockCharts ChartSchool, cs-rsi.xls), whose RSI column is published
// rounded to two decimals.
func TestRSIWilderTable(t *testing.T) {
	prices := []float64{
		44.3389, 44.0902, 44.1497, 43.6124, 44.3278, 44.8264, 45.0955, 45.4245,
		45.8433, 46.0826, 45.8931, 46.0328, 45.6140, 46.2820, 46.2820, 46.0028,
		46.0328, 46.4116, 46.2222, 45.6439, 46.2122, 46.2521, 45.7137, 46.4515,
		45.7835, 45.3548, 44.0288, 44.1783, 44.2181, 44.5672, 43.4205, 42.6628,
		43.1314,
	}
	want := []float64{ // from the 15th price on
		70.53, 66.32, 66.55, 69.41, 66.36, 57.97, 62.93, 63.26, 56.06, 62.38,
		54.71, 50.42, 39.99, 41.46, 41.87, 45.46, 37.30, 33.08, 37.77,
	}
	r, err := NewRSI(14)
	require.NoError(t, err)
	for i, p := range prices {
		r.Update(p)
		if i < 14 {
			require.False(t, r.Ready(), "price %d", i)
			continue
		}
		require.True(t, r.Ready(), "price %d", i)
		assert.InDelta(t, want[i-14], r.Value(), 0.005, "price %d", i)
	}
}

func TestRSIEdgeValues(t *testing.T) {
	tests := []struct {
		name  string
		next  func(i int) float64
		wantV float64
	}{
		{"constant input has no moves: 50", func(int) float64 { return 5000.25 }, 50},
		{"only gains: 100", func(i int) float64 { return float64(i) }, 100},
		{"only losses: 0", func(i int) float64 { return -float64(i) }, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewRSI(14)
			require.NoError(t, err)
			for i := range 100 {
				r.Update(tt.next(i))
			}
			require.True(t, r.Ready())
			assert.Equal(t, tt.wantV, r.Value())
		})
	}
}

func TestRSIStaysInRange(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, period := range []int{1, 2, 14, 50} {
		r, err := NewRSI(period)
		require.NoError(t, err)
		p := 5000.0
		for i := range 50_000 {
			// Random walk in ticks with occasional large jumps and flat runs.
			switch k := rng.IntN(100); {
			case k < 5:
				p += float64(rng.IntN(200)-100) * 0.25
			case k < 30:
			default:
				p += float64(rng.IntN(9)-4) * 0.25
			}
			r.Update(p)
			v := r.Value()
			if !(v >= 0 && v <= 100) {
				require.Failf(t, "RSI out of range", "period %d step %d: RSI %v", period, i, v)
			}
		}
	}
}
