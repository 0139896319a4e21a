package indicator

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSMAHandComputed(t *testing.T) {
	tests := []struct {
		name   string
		period int
		steps  []step
	}{
		{"SMA(3) over 1..6", 3, []step{
			{1, false, 0},
			{2, false, 0},
			{3, true, 2}, // (1+2+3)/3
			{4, true, 3}, // (2+3+4)/3
			{5, true, 4}, // (3+4+5)/3
			{6, true, 5}, // (4+5+6)/3
		}},
		{"SMA(1) is the last value", 1, []step{
			{7, true, 7},
			{-2.5, true, -2.5},
			{0, true, 0},
		}},
		{"SMA(4) with a spike", 4, []step{
			{10, false, 0},
			{12, false, 0},
			{11, false, 0},
			{13, true, 11.5},  // 46/4
			{30, true, 16.5},  // (12+11+13+30)=66, /4
			{10, true, 16},    // (11+13+30+10)=64, /4
			{10, true, 15.75}, // (13+30+10+10)=63, /4
			{10, true, 15},    // (30+10+10+10)=60, /4
			{10, true, 10},    // the spike has left the window
		}},
		{"SMA(2) on ES prices", 2, []step{
			{5000.25, false, 0},
			{5000.50, true, 5000.375},
			{4999.75, true, 5000.125},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := NewSMA(tt.period)
			require.NoError(t, err)
			runSteps(t, s, tt.steps)
			assert.Equal(t, len(tt.steps), s.Count())
		})
	}
}

func TestSMAMatchesNaiveMean(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, period := range []int{1, 2, 3, 7, 20, 200} {
		s, err := NewSMA(period)
		require.NoError(t, err)
		xs := make([]float64, 0, 20_000)
		for i := range 20_000 {
			x := rng.NormFloat64()*10 + 100
			xs = append(xs, x)
			s.Update(x)
			if i+1 < period {
				require.False(t, s.Ready())
				continue
			}
			want, _ := naiveMeanStd(xs[len(xs)-period:])
			if relErr(s.Value(), want) > 1e-12 {
				require.Failf(t, "SMA differs from the naive mean", "period %d step %d: got %v want %v", period, i, s.Value(), want)
			}
		}
	}
}

func TestSMAConstantInputIsExact(t *testing.T) {
	for _, c := range []float64{0, 0.1, 5000.25, -3.7, 1e12} {
		s, err := NewSMA(3)
		require.NoError(t, err)
		for range 1000 {
			s.Update(c)
		}
		assert.Equal(t, c, s.Value(), "constant %v", c)
	}
}
