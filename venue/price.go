package venue

import (
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/shopspring/decimal"
)

// Price is an exact fixed-point price: the integer number of nano-units
// (PriceScale per whole point or dollar). It represents every CME tick size
// exactly — 0.25, 0.01, 0.005, 0.0000005 — and every price up to about 9.2e9.
//
// Prices add and subtract as plain integers. The zero Price is 0.0, which is
// also how an absent price (no limit, no bid) is represented; use the
// surrounding flags to tell the two apart.
type Price int64

// PriceScale is the number of Price units in one whole point.
const PriceScale = 1_000_000_000

// priceDecimals is the number of decimal places PriceScale holds.
const priceDecimals = 9

// MaxPrice and MinPrice bound the representable range.
const (
	MaxPrice = Price(math.MaxInt64)
	MinPrice = Price(math.MinInt64 + 1)
)

// ErrPriceSyntax is wrapped by every error ParsePrice returns for text that is
// not a decimal number.
var ErrPriceSyntax = errors.New("invalid price syntax")

// ErrPriceRange is wrapped by parse errors for numbers outside the Price range
// or with more precision than PriceScale holds.
var ErrPriceRange = errors.New("price out of range")

// ErrOffGrid is wrapped by errors for prices that are not a whole number of ticks.
var ErrOffGrid = errors.New("price is not on the tick grid")

// PriceFromInt returns the Price of a whole number of points.
func PriceFromInt(points int64) Price { return Price(points * PriceScale) }

// MustParsePrice is ParsePrice that panics on error; for constants in tests and tables.
func MustParsePrice(s string) Price {
	p, err := ParsePrice(s)
	if err != nil {
		panic(err)
	}
	return p
}

// ParsePrice parses decimal text ("4800.25", "-0.0000005", "1e-7", "+12")
// exactly, without going through float64. It rejects NaN, Inf, empty text,
// more than nine significant fractional digits, and values outside the
// Price range.
func ParsePrice(s string) (Price, error) {
	p, err := parsePrice(s)
	if err != nil {
		return 0, fmt.Errorf("parse price %q: %w", s, err)
	}
	return p, nil
}

// ParsePriceBytes is ParsePrice for a byte slice. It does not allocate on
// success, so decoders can call it on a frame's bytes.
func ParsePriceBytes(b []byte) (Price, error) {
	p, err := parsePrice(b)
	if err != nil {
		return 0, fmt.Errorf("parse price %q: %w", b, err)
	}
	return p, nil
}

// ParsePriceOnGrid parses s and checks that it is a whole number of ticks.
func ParsePriceOnGrid(s string, tick Price) (Price, error) {
	p, err := ParsePrice(s)
	if err != nil {
		return 0, err
	}
	if err := p.CheckGrid(tick); err != nil {
		return 0, err
	}
	return p, nil
}

func parsePrice[S string | []byte](s S) (Price, error) {
	n := len(s)
	if n == 0 {
		return 0, ErrPriceSyntax
	}
	i := 0
	neg := false
	switch s[0] {
	case '-':
		neg = true
		i++
	case '+':
		i++
	}
	var (
		mant    uint64 // significant digits, at most 19
		exp     int    // power of ten applied to mant
		digits  int    // digits seen in the mantissa
		sawDot  bool
		ovf     bool // a non-zero digit was dropped for lack of room
		leading = true
	)
	for ; i < n; i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
			if leading && c == '0' {
				if sawDot {
					exp--
				}
				continue
			}
			leading = false
			if mant > (math.MaxUint64-9)/10 {
				// No room: an integer digit scales, a fractional one is dropped.
				if !sawDot {
					exp++
				}
				if c != '0' {
					ovf = true
				}
				continue
			}
			mant = mant*10 + uint64(c-'0')
			if sawDot {
				exp--
			}
		case c == '.' && !sawDot:
			sawDot = true
		case c == 'e' || c == 'E':
			if digits == 0 {
				return 0, ErrPriceSyntax
			}
			e, ok := parseExp(s[i+1:])
			if !ok {
				return 0, ErrPriceSyntax
			}
			exp += e
			i = n
		default:
			return 0, ErrPriceSyntax
		}
	}
	if digits == 0 {
		return 0, ErrPriceSyntax
	}
	if mant == 0 {
		return 0, nil
	}
	// Scale to nano-units: value = mant * 10^(exp+9).
	shift := exp + priceDecimals
	for shift < 0 {
		if mant%10 != 0 {
			return 0, fmt.Errorf("%w: more than %d decimal places", ErrPriceRange, priceDecimals)
		}
		mant /= 10
		shift++
	}
	if ovf {
		return 0, ErrPriceRange
	}
	for ; shift > 0; shift-- {
		if mant > math.MaxInt64/10 {
			return 0, ErrPriceRange
		}
		mant *= 10
	}
	if mant > math.MaxInt64 {
		return 0, ErrPriceRange
	}
	if neg {
		return -Price(mant), nil
	}
	return Price(mant), nil
}

func parseExp[S string | []byte](s S) (int, bool) {
	if len(s) == 0 {
		return 0, false
	}
	i, neg := 0, false
	switch s[0] {
	case '-':
		neg = true
		i++
	case '+':
		i++
	}
	if i == len(s) {
		return 0, false
	}
	e := 0
	for ; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if e > 1000 { // far beyond any representable price; keep counting digits only
			continue
		}
		e = e*10 + int(c-'0')
	}
	if neg {
		e = -e
	}
	return e, true
}

// PriceFromFloat converts a float64 from a JSON edge exactly: it uses the
// shortest decimal text that round-trips the float (what the sender wrote),
// never a binary approximation. NaN, Inf and values needing more than nine
// decimal places are errors.
func PriceFromFloat(f float64) (Price, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("price from float %v: %w", f, ErrPriceSyntax)
	}
	var buf [32]byte
	b := strconv.AppendFloat(buf[:0], f, 'g', -1, 64)
	p, err := parsePrice(b)
	if err != nil {
		return 0, fmt.Errorf("price from float %v: %w", f, err)
	}
	return p, nil
}

// PriceFromDecimal converts d exactly; it fails if d has more than nine
// decimal places or does not fit.
func PriceFromDecimal(d decimal.Decimal) (Price, error) {
	scaled := d.Shift(priceDecimals)
	if !scaled.Equal(scaled.Truncate(0)) {
		return 0, fmt.Errorf("price from decimal %s: %w: more than %d decimal places", d, ErrPriceRange, priceDecimals)
	}
	bi := scaled.BigInt()
	if !bi.IsInt64() || bi.Int64() == math.MinInt64 {
		return 0, fmt.Errorf("price from decimal %s: %w", d, ErrPriceRange)
	}
	return Price(bi.Int64()), nil
}

// Decimal returns p as an exact decimal.
func (p Price) Decimal() decimal.Decimal { return decimal.New(int64(p), -priceDecimals) }

// Float64 returns the nearest float64, for indicators and charts; never for money.
func (p Price) Float64() float64 { return float64(p) / PriceScale }

// String formats p exactly with no trailing fractional zeros: "4800.25", "4800", "-0.0000005".
func (p Price) String() string {
	var buf [24]byte
	return string(p.AppendText(buf[:0]))
}

// AppendText appends p's exact decimal text to b; it does not allocate when b has room.
func (p Price) AppendText(b []byte) []byte {
	u := uint64(p)
	if p < 0 {
		b = append(b, '-')
		u = uint64(-p)
	}
	b = strconv.AppendUint(b, u/PriceScale, 10)
	frac := u % PriceScale
	if frac == 0 {
		return b
	}
	var digits [priceDecimals]byte
	for i := priceDecimals - 1; i >= 0; i-- {
		digits[i] = byte('0' + frac%10)
		frac /= 10
	}
	end := priceDecimals
	for end > 0 && digits[end-1] == '0' {
		end--
	}
	b = append(b, '.')
	return append(b, digits[:end]...)
}

// MarshalText implements encoding.TextMarshaler with the exact decimal text.
func (p Price) MarshalText() ([]byte, error) { return p.AppendText(nil), nil }

// UnmarshalText implements encoding.TextUnmarshaler with ParsePrice.
func (p *Price) UnmarshalText(b []byte) error {
	v, err := ParsePriceBytes(b)
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// MarshalJSON writes p as a JSON number with its exact decimal digits.
func (p Price) MarshalJSON() ([]byte, error) { return p.AppendText(nil), nil }

// UnmarshalJSON reads a JSON number or a quoted decimal string exactly;
// null leaves p unchanged, as encoding/json does for other types.
func (p *Price) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		b = b[1 : len(b)-1]
	}
	return p.UnmarshalText(b)
}

// Ticks returns how many ticks p is, and whether p is exactly on the grid.
// A non-positive tick is never on a grid.
func (p Price) Ticks(tick Price) (int64, bool) {
	if tick <= 0 {
		return 0, false
	}
	return int64(p / tick), p%tick == 0
}

// OnGrid reports whether p is a whole number of ticks.
func (p Price) OnGrid(tick Price) bool {
	_, ok := p.Ticks(tick)
	return ok
}

// CheckGrid returns an error wrapping ErrOffGrid when p is not a whole number of ticks.
func (p Price) CheckGrid(tick Price) error {
	if tick <= 0 {
		return fmt.Errorf("price %s: tick size %s is not positive", p, tick)
	}
	if p%tick != 0 {
		return fmt.Errorf("price %s: %w of %s", p, ErrOffGrid, tick)
	}
	return nil
}

// AddTicks returns p moved by n ticks (n may be negative).
func (p Price) AddTicks(n int64, tick Price) Price { return p + Price(n)*tick }

// Rounding says which way RoundToTick goes for a price between two ticks.
type Rounding uint8

// Rounding modes.
const (
	RoundNearest Rounding = iota // half away from zero
	RoundDown                    // toward negative infinity
	RoundUp                      // toward positive infinity
)

// RoundToTick returns the tick-grid price selected by mode. A non-positive
// tick returns p unchanged. Near the ends of the Price range, where the
// grid price in the asked direction does not exist, it returns the nearest
// grid price that does.
func (p Price) RoundToTick(tick Price, mode Rounding) Price {
	if tick <= 0 {
		return p
	}
	r := p % tick
	if r == 0 {
		return p
	}
	down := p - r // toward zero
	if r < 0 {
		r += tick
		if down < MinPrice+tick {
			return down // the grid price below does not exist
		}
		down -= tick
	}
	up := down
	if down <= MaxPrice-tick {
		up = down + tick
	}
	switch mode {
	case RoundDown:
		return down
	case RoundUp:
		return up
	default:
		// Half away from zero; r > tick-r avoids overflowing 2*r.
		if r > tick-r || (r == tick-r && down >= 0) {
			return up
		}
		return down
	}
}

// Mul returns p·qty as exact money in points (not yet times the point value).
func (p Price) Mul(qty int64) decimal.Decimal {
	return decimal.New(int64(p), -priceDecimals).Mul(decimal.NewFromInt(qty))
}
