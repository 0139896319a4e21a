package indicator

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEMAHandComputed(t *testing.T) {
	tests := []struct {
		name   string
		period int
		steps  []step
	}{
		{"EMA(3) alpha 0.5", 3, []step{
			{1, false, 0},
			{2, false, 0},
			{3, true, 2},  // seed: SMA (1+2+3)/3
			{10, true, 6}, // 2 + 0.5·(10−2)
			{4, true, 5},  // 6 + 0.5·(4−6)
			{7, true, 6},  // 5 + 0.5·(7−5)
		}},
		{"EMA(4) alpha 0.4", 4, []step{
			{1, false, 0},
			{2, false, 0},
			{3, false, 0},
			{4, true, 2.5},     // seed: SMA 10/4
			{5, true, 3.5},     // 2.5 + 0.4·(5−2.5)   = 2.5 + 1
			{10, true, 6.1},    // 3.5 + 0.4·(10−3.5)  = 3.5 + 2.6
			{0, true, 3.66},    // 6.1 + 0.4·(0−6.1)   = 6.1 − 2.44
			{3.66, true, 3.66}, // no change when v equals the EMA
		}},
		{"EMA(1) alpha 1 is the last value", 1, []step{
			{5, true, 5},
			{-1, true, -1},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := NewEMA(tt.period)
			require.NoError(t, err)
			assert.InDelta(t, 2/float64(tt.period+1), e.Alpha(), 0)
			runSteps(t, e, tt.steps)
		})
	}
}

func TestEMASeedEqualsSMA(t *testing.T) {
	e, err := NewEMA(5)
	require.NoError(t, err)
	s, err := NewSMA(5)
	require.NoError(t, err)
	for _, v := range []float64{5000.25, 5001, 4999.5, 5000, 5002.75} {
		e.Update(v)
		s.Update(v)
	}
	require.True(t, e.Ready())
	assert.InDelta(t, s.Value(), e.Value(), 1e-9)
}

func TestConstantInputEMAEqualsSMAEqualsValue(t *testing.T) {
	for _, c := range []float64{0, 0.1, 5000.25, -3.7} {
		e, err := NewEMA(10)
		require.NoError(t, err)
		s, err := NewSMA(10)
		require.NoError(t, err)
		for range 100 {
			e.Update(c)
			s.Update(c)
		}
		assert.Equal(t, c, e.Value(), "EMA of constant %v", c)
		assert.Equal(t, c, s.Value(), "SMA of constant %v", c)
	}
}
