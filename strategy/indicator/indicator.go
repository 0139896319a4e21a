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

// ErrPeriod is wrapped by every constructor error for a period below 1.
var ErrPeriod = errors.New("indicator period must be at least 1")

// ErrMultiplier is wrapped by NewBollinger's error for a band multiplier that
// is not a finite number above 0.
var ErrMultiplier = errors.New("indicator band multiplier must be a finite number above 0")

func checkPeriod(name string, period int) error {
	if period < 1 {
		return fmt.Errorf("%s period %d: %w", name, period, ErrPeriod)
	}
	return nil
}

// finite reports whether v is neither NaN nor ±Inf.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
