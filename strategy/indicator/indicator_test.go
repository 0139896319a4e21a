package indicator

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ctors builds every indicator that takes a period.
var ctors = map[string]func(period int) error{
	"SMA":       func(p int) error { _, err := NewSMA(p); return err },
	"EMA":       func(p int) error { _, err := NewEMA(p); return err },
	"RSI":       func(p int) error { _, err := NewRSI(p); return err },
	"ATR":       func(p int) error { _, err := NewATR(p); return err },
	"Bollinger": func(p int) error { _, err := NewBollinger(p, 2); return err },
}

func TestConstructorsRejectBadParameters(t *testing.T) {
	for name, ctor := range ctors {
		for _, p := range []int{0, -1, math.MinInt} {
			err := ctor(p)
			require.Errorf(t, err, "%s(%d)", name, p)
			assert.ErrorIs(t, err, ErrPeriod, "%s(%d)", name, p)
			assert.Contains(t, err.Error(), name)
		}
		assert.NoError(t, ctor(1), "%s(1)", name)
	}

	for _, k := range []float64{0, -1, math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1)} {
		_, err := NewBollinger(20, k)
		assert.ErrorIs(t, err, ErrMultiplier, "k=%v", k)
	}
	b, err := NewBollinger(20, 0.5)
	require.NoError(t, err)
	assert.Equal(t, 0.5, b.K())
	assert.Equal(t, 20, b.Period())
}

// TestConstructorsRefuseOverlongPeriods: a period past MaxPeriod is an
// error naming the maximum, returned before anything is allocated (a window
// of 999999999999 values would need 8 TB).
func TestConstructorsRefuseOverlongPeriods(t *testing.T) {
	for name, ctor := range ctors {
		for _, p := range []int{MaxPeriod + 1, 999_999_999_999, math.MaxInt} {
			err := ctor(p)
			require.Errorf(t, err, "%s(%d)", name, p)
			assert.ErrorIs(t, err, ErrPeriod, "%s(%d)", name, p)
			assert.Contains(t, err.Error(), name)
			assert.Contains(t, err.Error(), "must be at most 1048576", "%s(%d)", name, p)
		}
		assert.NoError(t, ctor(MaxPeriod), "%s(MaxPeriod)", name)
	}
	assert.Equal(t, 1<<20, MaxPeriod)
	sma, err := NewSMA(MaxPeriod)
	require.NoError(t, err)
	assert.Equal(t, MaxPeriod, sma.Period())
}

// single adapts every single-input indicator, Bollinger included, to one
// shape for the shared-convention tests below.
type single struct {
	Indicator
	count, rejected func() int
	reset           func()
}

type bollingerMid struct{ *Bollinger }

func (b bollingerMid) Value() float64 { return b.Middle() }

func singles(t *testing.T) map[string]func() single {
	t.Helper()
	return map[string]func() single{
		"SMA(3)": func() single {
			s, err := NewSMA(3)
			require.NoError(t, err)
			return single{s, s.Count, s.Rejected, s.Reset}
		},
		"EMA(3)": func() single {
			s, err := NewEMA(3)
			require.NoError(t, err)
			return single{s, s.Count, s.Rejected, s.Reset}
		},
		"RSI(3)": func() single {
			s, err := NewRSI(3)
			require.NoError(t, err)
			return single{s, s.Count, s.Rejected, s.Reset}
		},
		"Bollinger(3,2)": func() single {
			s, err := NewBollinger(3, 2)
			require.NoError(t, err)
			return single{bollingerMid{s}, s.Count, s.Rejected, s.Reset}
		},
	}
}

var sample = []float64{10, 11, 12, 11, 13, 12, 12, 15, 9, 10.5}

func TestNonFiniteInputIsIgnored(t *testing.T) {
	bad := []float64{math.NaN(), math.Inf(1), math.Inf(-1)}
	for name, mk := range singles(t) {
		t.Run(name, func(t *testing.T) {
			got, ref := mk(), mk()
			for _, v := range sample {
				for _, b := range bad {
					got.Update(b)
				}
				got.Update(v)
				ref.Update(v)
				require.Equal(t, ref.Ready(), got.Ready())
				require.Equal(t, ref.Value(), got.Value(), "bad inputs changed the state")
			}
			assert.Equal(t, len(sample)*len(bad), got.rejected())
			assert.Equal(t, len(sample), got.count())
			assert.False(t, math.IsNaN(got.Value()))
		})
	}
}

func TestNotReadyValueIsZero(t *testing.T) {
	for name, mk := range singles(t) {
		t.Run(name, func(t *testing.T) {
			s := mk()
			assert.False(t, s.Ready())
			assert.Equal(t, 0.0, s.Value())
			s.Update(5000)
			assert.False(t, s.Ready())
			assert.Equal(t, 0.0, s.Value())
		})
	}
	a, err := NewATR(3)
	require.NoError(t, err)
	a.Update(2, 1, 1.5)
	assert.False(t, a.Ready())
	assert.Equal(t, 0.0, a.Value())
	assert.Equal(t, 1.0, a.TrueRange(), "TrueRange is available before Ready")
	b, err := NewBollinger(3, 2)
	require.NoError(t, err)
	b.Update(1)
	b.Update(5)
	lo, mid, up := b.Bands()
	assert.Equal(t, [5]float64{}, [5]float64{lo, mid, up, b.StdDev(), b.Width()})
}

func TestResetRestartsFromScratch(t *testing.T) {
	for name, mk := range singles(t) {
		t.Run(name, func(t *testing.T) {
			s, fresh := mk(), mk()
			for _, v := range sample {
				s.Update(v * 100)
			}
			s.Update(math.NaN())
			s.reset()
			assert.Equal(t, 0, s.count())
			assert.Equal(t, 0, s.rejected())
			for _, v := range sample {
				s.Update(v)
				fresh.Update(v)
				require.Equal(t, fresh.Ready(), s.Ready())
				require.Equal(t, fresh.Value(), s.Value())
			}
		})
	}
	a, err := NewATR(2)
	require.NoError(t, err)
	a.Update(100, 50, 60)
	a.Update(100, 50, 60)
	a.Update(100, 50, 60)
	a.Reset()
	a.Update(2, 1, 1.5) // first bar again: TR = H − L, no previous close
	assert.Equal(t, 1.0, a.TrueRange())
	assert.False(t, a.Ready())
	assert.Equal(t, 1, a.Count())
}

func TestUpdateDoesNotAllocate(t *testing.T) {
	sma, err := NewSMA(20)
	require.NoError(t, err)
	ema, err := NewEMA(20)
	require.NoError(t, err)
	rsi, err := NewRSI(14)
	require.NoError(t, err)
	atr, err := NewATR(14)
	require.NoError(t, err)
	bb, err := NewBollinger(20, 2)
	require.NoError(t, err)
	vwap := NewVWAP()

	x := 5000.0
	tests := map[string]func(){
		"SMA":       func() { sma.Update(x); _ = sma.Value() },
		"EMA":       func() { ema.Update(x); _ = ema.Value() },
		"RSI":       func() { rsi.Update(x); _ = rsi.Value() },
		"ATR":       func() { atr.Update(x+1, x-1, x); _ = atr.Value() },
		"Bollinger": func() { bb.Update(x); _, _, _ = bb.Bands(); _ = bb.Width() },
		"VWAP":      func() { vwap.Update(x, 3); _ = vwap.Value() },
		"NaN":       func() { sma.Update(math.NaN()); bb.Update(math.Inf(1)); atr.Update(math.NaN(), 0, 0) },
		"Reset": func() {
			sma.Reset()
			bb.Reset()
			ema.Reset()
			rsi.Reset()
			atr.Reset()
			vwap.Reset()
		},
		"Indicator": func() {
			for _, ind := range [...]Indicator{sma, ema, rsi} {
				ind.Update(x)
				_ = ind.Value()
			}
		},
	}
	for name, f := range tests {
		allocs := testing.AllocsPerRun(1000, func() {
			x += 0.25
			f()
		})
		assert.Zero(t, allocs, "%s allocates", name)
	}
}
