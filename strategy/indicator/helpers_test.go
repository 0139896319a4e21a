package indicator

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// step is one input of a hand-computed table and the reading expected after it.
type step struct {
	in    float64
	ready bool
	want  float64 // expected Value; 0 when not ready
}

// runSteps feeds steps into ind and checks Ready and Value after each one.
func runSteps(t *testing.T, ind Indicator, steps []step) {
	t.Helper()
	for i, s := range steps {
		ind.Update(s.in)
		require.Equalf(t, s.ready, ind.Ready(), "step %d (in %v): Ready", i, s.in)
		assert.InDeltaf(t, s.want, ind.Value(), 1e-12, "step %d (in %v): Value", i, s.in)
	}
}

// relErr is |got−want|/|want|, or |got| when want is 0.
func relErr(got, want float64) float64 {
	if want == 0 {
		return math.Abs(got)
	}
	return math.Abs(got-want) / math.Abs(want)
}

// naiveMeanStd is the two-pass mean and population standard deviation of xs.
func naiveMeanStd(xs []float64) (mean, std float64) {
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	var ss float64
	for _, x := range xs {
		d := x - mean
		ss += d * d
	}
	return mean, math.Sqrt(ss / float64(len(xs)))
}
