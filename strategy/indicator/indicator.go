package indicator

import (
	"errors"
	"fmt"
	"math"
)

// Indicator is a single-input streaming indicator: SMA, EMA and RSI
// implement it, so strategy code can hold any of them behind one type.
type Indicator interface {
	// Update feeds the next value. NaN and ±Inf are ignored.
	Update(v float64)
	// Value returns the current reading, or 0 before Ready.
	Value() float64
	// Ready reports whether enough values have been seen for Value to be valid.
	Ready() bool
}

var (
	_ Indicator = (*SMA)(nil)
	_ Indicator = (*EMA)(nil)
	_ Indicator = (*RSI)(nil)
)

// MaxPeriod is the longest period a constructor accepts: 1<<20, about a
// million samples. A window indicator preallocates its whole window, 8 bytes
// a value (8 MiB for an SMA of MaxPeriod), and periods usually come from
// parameters a person typed: unbounded, slow=999999999999 asks for 8 TB and
// the Go runtime kills the process instead of returning an error. A million
// bars is two years of one-minute bars around the clock; a longer look-back
// wants a longer bar. EMA, RSI and ATR allocate no window but share the
// bound, so a period means the same to every indicator.
const MaxPeriod = 1 << 20

// ErrPeriod is wrapped by every constructor error for a period below 1 or
// above MaxPeriod.
var ErrPeriod = errors.New("indicator period out of range")

// ErrMultiplier is wrapped by NewBollinger's error for a band multiplier that
// is not a finite number above 0.
var ErrMultiplier = errors.New("indicator band multiplier must be a finite number above 0")

func checkPeriod(name string, period int) error {
	switch {
	case period < 1:
		return fmt.Errorf("%s period %d: %w: must be at least 1", name, period, ErrPeriod)
	case period > MaxPeriod:
		return fmt.Errorf("%s period %d: %w: must be at most %d (indicator.MaxPeriod)", name, period, ErrPeriod, MaxPeriod)
	}
	return nil
}

// finite reports whether v is neither NaN nor ±Inf.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
