package indicator

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBollingerHandComputed(t *testing.T) {
	type want struct {
		ready            bool
		mid, sd          float64
		lower, upper, wd float64
	}
	sd1 := math.Sqrt(2.0 / 3)  // deviations −1, 0, 1: variance (1+0+1)/3
	sd2 := math.Sqrt(14.0 / 3) // window 3, 4, 8: mean 5, deviations −2, −1, 3: (4+1+9)/3
	steps := []struct {
		in float64
		want
	}{
		{1, want{}},
		{2, want{}},
		{3, want{true, 2, sd1, 2 - 2*sd1, 2 + 2*sd1, 4 * sd1}}, // 0.36701, 2, 3.63299
		{4, want{true, 3, sd1, 3 - 2*sd1, 3 + 2*sd1, 4 * sd1}}, // window 2, 3, 4
		{8, want{true, 5, sd2, 5 - 2*sd2, 5 + 2*sd2, 4 * sd2}}, // 0.6795062, 5, 9.3204938
	}
	b, err := NewBollinger(3, 2)
	require.NoError(t, err)
	for i, s := range steps {
		b.Update(s.in)
		require.Equal(t, s.ready, b.Ready(), "step %d", i)
		lo, mid, up := b.Bands()
		assert.InDelta(t, s.mid, mid, 1e-12, "step %d mid", i)
		assert.InDelta(t, s.lower, lo, 1e-12, "step %d lower", i)
		assert.InDelta(t, s.upper, up, 1e-12, "step %d upper", i)
		assert.InDelta(t, s.mid, b.Middle(), 1e-12, "step %d Middle", i)
		assert.InDelta(t, s.lower, b.Lower(), 1e-12, "step %d Lower", i)
		assert.InDelta(t, s.upper, b.Upper(), 1e-12, "step %d Upper", i)
		assert.InDelta(t, s.sd, b.StdDev(), 1e-12, "step %d StdDev", i)
		assert.InDelta(t, s.wd, b.Width(), 1e-12, "step %d Width", i)
	}
	assert.InDelta(t, 0.6795062011, b.Lower(), 1e-10)
	assert.InDelta(t, 9.3204937989, b.Upper(), 1e-10)
}

func TestBollingerConstantInputHasZeroWidth(t *testing.T) {
	for _, c := range []float64{0, 0.1, 5000.25, -3.7} {
		b, err := NewBollinger(20, 2)
		require.NoError(t, err)
		for range 1000 {
			b.Update(c)
		}
		lo, mid, up := b.Bands()
		assert.Equal(t, c, mid)
		assert.Equal(t, c, lo)
		assert.Equal(t, c, up)
		assert.Equal(t, 0.0, b.Width())
	}
}

// TestBollingerMatchesNaive compares the O(1) rolling moments with a two-pass
// recomputation over the window after every update, on inputs built to break
// naive running sums: large offsets with tiny variations, drifting prices,
// and long runs. The standard deviation must agree to 1e-9 relative.
//
// One case is adversarial: regime jumps of 1e4 followed by moves of 1e-3.
// Until the anchor catches up with the new regime (at most two windows),
// x − anchor is rounded to the ulp of the jump, so the guarantee there is the
// backward-error one: the result is exact for inputs perturbed by about one
// ulp of the largest price, i.e. an extra absolute error of 2·ε·max|x|.
func TestBollingerMatchesNaive(t *testing.T) {
	tests := []struct {
		name     string
		period   int
		n        int
		next     func(rng *rand.Rand, prev float64) float64
		backward bool
	}{
		{"5000 + U(0,1e-3)", 20, 1_000_000, func(r *rand.Rand, _ float64) float64 { return 5000 + r.Float64()*1e-3 }, false},
		{"5000.25 + N(0,1e-6)", 20, 100_000, func(r *rand.Rand, _ float64) float64 { return 5000.25 + r.NormFloat64()*1e-6 }, false},
		{"1e9 + N(0,1)", 50, 100_000, func(r *rand.Rand, _ float64) float64 { return 1e9 + r.NormFloat64() }, false},
		{"5000 + U(0,1e-2)", 2, 100_000, func(r *rand.Rand, _ float64) float64 { return 5000 + r.Float64()*1e-2 }, false},
		{"5000 + U(0,1)", 1, 10_000, func(r *rand.Rand, _ float64) float64 { return 5000 + r.Float64() }, false},
		{"ES tick random walk", 20, 200_000, func(r *rand.Rand, p float64) float64 {
			return max(p, 5000) + float64(r.IntN(5)-2)*0.25
		}, false},
		{"jumps of 1e4 then moves of 1e-3", 30, 100_000, func(r *rand.Rand, p float64) float64 {
			if p == 0 || r.IntN(50) == 0 {
				return 5000 + float64(r.IntN(3))*1e4
			}
			return p + r.NormFloat64()*1e-3
		}, true},
	}
	for i, tt := range tests {
		t.Run(fmt.Sprintf("%s/n=%d/period=%d", tt.name, tt.n, tt.period), func(t *testing.T) {
			if testing.Short() && tt.n > 100_000 {
				t.Skip("long run")
			}
			rng := rand.New(rand.NewPCG(uint64(i), 42))
			b, err := NewBollinger(tt.period, 2)
			require.NoError(t, err)
			s, err := NewSMA(tt.period)
			require.NoError(t, err)
			ring := make([]float64, tt.period)
			var worstSD, worstMean, maxAbs float64
			x := 0.0
			for j := range tt.n {
				x = tt.next(rng, x)
				maxAbs = max(maxAbs, math.Abs(x))
				b.Update(x)
				s.Update(x)
				ring[j%tt.period] = x
				if j+1 < tt.period {
					continue
				}
				mean, sd := naiveMeanStd(ring)
				tol := 1e-9 * sd
				if tt.backward {
					tol += 2 * 0x1p-52 * maxAbs
				}
				if d := math.Abs(b.StdDev() - sd); d > tol {
					require.Failf(t, "stddev drifted", "update %d: got %v want %v (rel %.3g)", j, b.StdDev(), sd, d/sd)
				}
				// testify's comparisons reflect; keep them off the million-step path.
				eMean := relErr(b.Middle(), mean)
				if eMean > 1e-12 {
					require.Failf(t, "mean drifted", "update %d: Middle %v want %v", j, b.Middle(), mean)
				}
				if e := relErr(s.Value(), mean); e > 1e-12 {
					require.Failf(t, "SMA drifted", "update %d: SMA %v want %v", j, s.Value(), mean)
				}
				worstSD, worstMean = max(worstSD, relErr(b.StdDev(), sd)), max(worstMean, eMean)
			}
			t.Logf("worst relative error: stddev %.3g, mean %.3g", worstSD, worstMean)
		})
	}
}

// TestOutlierLeavesNoResidue checks that a huge value leaves nothing behind
// once it has left the window (and the sums have been rebuilt, within one
// more window): a constant window after it has Bollinger width exactly 0 and
// a mean of exactly the constant, not a rounding residue of the outlier.
func TestOutlierLeavesNoResidue(t *testing.T) {
	for _, period := range []int{1, 2, 3, 20} {
		b, err := NewBollinger(period, 2)
		require.NoError(t, err)
		s, err := NewSMA(period)
		require.NoError(t, err)
		for _, v := range []float64{5000.25, 1e12, -1e12, 1e300, -math.MaxFloat64, 5000.25} {
			b.Update(v)
			s.Update(v)
		}
		for range 2 * period {
			b.Update(5000.25)
			s.Update(5000.25)
		}
		assert.Equal(t, 0.0, b.Width(), "period %d", period)
		assert.Equal(t, 5000.25, b.Middle(), "period %d", period)
		assert.Equal(t, 5000.25, s.Value(), "period %d", period)
	}
}
