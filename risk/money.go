package risk

import (
	"github.com/shopspring/decimal"
)

// Money on the gate's hot path is int64 micro-units of the account currency
// (1_000_000 per dollar): exact for every CME tick value and fee, and
// ±9.2e12 dollars of range. Conversions from decimal happen once per
// instrument (tick value), per fill (fee) and per configuration (limits).

const microDigits = 6

// maxMicros (9e15 micro-units, nine billion in currency) bounds configured
// amounts and tick values, so that sums and products of realistic
// quantities (positions, tick moves) stay far from int64 overflow.
const maxMicros = 9_000_000_000_000_000

// micros converts d to micro-units exactly; ok is false when d has more than
// six decimals or is out of range.
func micros(d decimal.Decimal) (int64, bool) {
	if d.IsZero() {
		return 0, true
	}
	m := d.Shift(microDigits)
	if !m.IsInteger() {
		return 0, false
	}
	bi := m.BigInt()
	if !bi.IsInt64() {
		return 0, false
	}
	v := bi.Int64()
	if v > maxMicros || v < -maxMicros {
		return 0, false
	}
	return v, true
}

// feeMicros converts a fill's fee, rounding a sub-micro remainder up (a fee
// never looks smaller than it is) and saturating absurd values.
func feeMicros(d decimal.Decimal) int64 {
	if d.IsZero() {
		return 0
	}
	m := d.Shift(microDigits).Ceil()
	bi := m.BigInt()
	if !bi.IsInt64() {
		if bi.Sign() < 0 {
			return -maxMicros
		}
		return maxMicros
	}
	return bi.Int64()
}

// fmtMicros formats micro-units as an exact decimal with at least two
// decimals: "-1012.50", "0.0125".
func fmtMicros(v int64) string {
	d := decimal.New(v, -microDigits)
	if d.Equal(d.Round(2)) {
		return d.StringFixed(2)
	}
	return d.String()
}
