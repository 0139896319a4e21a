package venue

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParsePrice(t *testing.T) {
	tests := []struct {
		in   string
		want Price
		err  error
	}{
		{"4800.25", 4800_250_000_000, nil},
		{"4800", 4800 * PriceScale, nil},
		{"+12", 12 * PriceScale, nil},
		{"-0.0000005", -500, nil},
		{"0.0000005", 500, nil},
		{"0.005", 5_000_000, nil},
		{".5", 500_000_000, nil},
		{"5.", 5 * PriceScale, nil},
		{"1e-7", 100, nil},
		{"1.5E3", 1500 * PriceScale, nil},
		{"4800.250000000000", 4800_250_000_000, nil},
		{"000123.100", 123_100_000_000, nil},
		{"0", 0, nil},
		{"-0", 0, nil},
		{"0.000000001", 1, nil},
		{"9223372036.854775807", Price(math.MaxInt64), nil},
		{"-9223372036.854775807", Price(-math.MaxInt64), nil},
		{"", 0, ErrPriceSyntax},
		{"-", 0, ErrPriceSyntax},
		{".", 0, ErrPriceSyntax},
		{"NaN", 0, ErrPriceSyntax},
		{"Inf", 0, ErrPriceSyntax},
		{"-Infinity", 0, ErrPriceSyntax},
		{"1.2.3", 0, ErrPriceSyntax},
		{"12a", 0, ErrPriceSyntax},
		{" 12", 0, ErrPriceSyntax},
		{"1e", 0, ErrPriceSyntax},
		{"e5", 0, ErrPriceSyntax},
		{"1e+", 0, ErrPriceSyntax},
		{"0x10", 0, ErrPriceSyntax},
		{"1,5", 0, ErrPriceSyntax},
		{"0.0000000001", 0, ErrPriceRange},
		{"9223372036.854775808", 0, ErrPriceRange},
		{"1e10", 0, ErrPriceRange},
		{"1e99999999999", 0, ErrPriceRange},
		{"123456789012345678901234567890", 0, ErrPriceRange},
		{"1.0000000000000000000000001", 0, ErrPriceRange},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParsePrice(tt.in)
			if tt.err != nil {
				require.Error(t, err)
				assert.ErrorIs(t, err, tt.err)
				assert.Contains(t, err.Error(), strconv.Quote(tt.in))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			gb, err := ParsePriceBytes([]byte(tt.in))
			require.NoError(t, err)
			assert.Equal(t, got, gb)
		})
	}
}

func TestPriceString(t *testing.T) {
	for _, tt := range []struct {
		p    Price
		want string
	}{
		{4800_250_000_000, "4800.25"},
		{4800 * PriceScale, "4800"},
		{-500, "-0.0000005"},
		{0, "0"},
		{1, "0.000000001"},
		{-PriceScale, "-1"},
		{Price(math.MaxInt64), "9223372036.854775807"},
		{MinPrice, "-9223372036.854775807"},
	} {
		assert.Equal(t, tt.want, tt.p.String())
		back, err := ParsePrice(tt.want)
		require.NoError(t, err)
		assert.Equal(t, tt.p, back)
	}
}

func TestPriceJSON(t *testing.T) {
	var v struct {
		P Price `json:"p"`
		Q Price `json:"q"`
	}
	require.NoError(t, json.Unmarshal([]byte(`{"p": 4800.25, "q": "0.0000005"}`), &v))
	assert.Equal(t, MustParsePrice("4800.25"), v.P)
	assert.Equal(t, Price(500), v.Q)
	out, err := json.Marshal(v)
	require.NoError(t, err)
	assert.JSONEq(t, `{"p": 4800.25, "q": 0.0000005}`, string(out))
	assert.Error(t, json.Unmarshal([]byte(`{"p": "NaN"}`), &v))
	assert.Error(t, json.Unmarshal([]byte(`{"p": true}`), &v))
}

var oneOne = 1.1

func TestPriceFromFloat(t *testing.T) {
	for _, tt := range []struct {
		f    float64
		want string
	}{
		{4800.25, "4800.25"},
		{0.1, "0.1"},
		{oneOne + 2.2, "3.3000000000000003"}, // float arithmetic, not a price anyone sent: refused
		{0.0000005, "0.0000005"},
		{1314.7, "1314.7"},
		{-2.5, "-2.5"},
	} {
		got, err := PriceFromFloat(tt.f)
		if len(tt.want) > 12 {
			assert.ErrorIs(t, err, ErrPriceRange, "float %v has more than nine decimals", tt.f)
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, tt.want, got.String())
	}
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1), 1e300} {
		_, err := PriceFromFloat(f)
		assert.Error(t, err, "%v", f)
	}
}

func TestPriceDecimal(t *testing.T) {
	p := MustParsePrice("4800.25")
	assert.Equal(t, "4800.25", p.Decimal().String())
	back, err := PriceFromDecimal(decimal.RequireFromString("4800.25"))
	require.NoError(t, err)
	assert.Equal(t, p, back)
	_, err = PriceFromDecimal(decimal.RequireFromString("0.0000000001"))
	assert.ErrorIs(t, err, ErrPriceRange)
	_, err = PriceFromDecimal(decimal.RequireFromString("1e20"))
	assert.ErrorIs(t, err, ErrPriceRange)
	assert.Equal(t, "9600.5", p.Mul(2).String())
}

func TestPriceGrid(t *testing.T) {
	quarter := MustParsePrice("0.25")
	yen := MustParsePrice("0.0000005")
	assert.True(t, MustParsePrice("4800.25").OnGrid(quarter))
	assert.False(t, MustParsePrice("4800.30").OnGrid(quarter))
	assert.True(t, MustParsePrice("0.0066015").OnGrid(yen))
	assert.False(t, MustParsePrice("0.0066012").OnGrid(yen))
	assert.False(t, MustParsePrice("1").OnGrid(0))
	n, ok := MustParsePrice("-1.5").Ticks(quarter)
	assert.Equal(t, int64(-6), n)
	assert.True(t, ok)

	_, err := ParsePriceOnGrid("4800.3", quarter)
	assert.ErrorIs(t, err, ErrOffGrid)
	_, err = ParsePriceOnGrid("4800.5", quarter)
	assert.NoError(t, err)
	assert.Error(t, MustParsePrice("1").CheckGrid(-1))

	assert.Equal(t, "4801", MustParsePrice("4800.25").AddTicks(3, quarter).String())
	assert.Equal(t, "4799.5", MustParsePrice("4800.25").AddTicks(-3, quarter).String())

	for _, tt := range []struct {
		in         string
		mode       Rounding
		want       string
		wantTicked string
	}{
		{"4800.30", RoundNearest, "4800.25", ""},
		{"4800.40", RoundNearest, "4800.5", ""},
		{"4800.375", RoundNearest, "4800.5", ""},
		{"-4800.375", RoundNearest, "-4800.5", ""},
		{"-4800.30", RoundNearest, "-4800.25", ""},
		{"4800.30", RoundDown, "4800.25", ""},
		{"-4800.30", RoundDown, "-4800.5", ""},
		{"4800.30", RoundUp, "4800.5", ""},
		{"-4800.30", RoundUp, "-4800.25", ""},
		{"4800.25", RoundUp, "4800.25", ""},
	} {
		got := MustParsePrice(tt.in).RoundToTick(quarter, tt.mode)
		assert.Equal(t, tt.want, got.String(), "%s mode %d", tt.in, tt.mode)
	}
}

func TestParsePriceBytesNoAlloc(t *testing.T) {
	b := []byte("4800.25")
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := ParsePriceBytes(b); err != nil {
			t.Fatal(err)
		}
	})
	assert.Zero(t, allocs)
	var buf [32]byte
	p := MustParsePrice("4800.25")
	allocs = testing.AllocsPerRun(100, func() { _ = p.AppendText(buf[:0]) })
	assert.Zero(t, allocs)
}

// FuzzParsePrice checks that parsing never panics and that whatever parses
// formats back to text that parses to the same value, agreeing with decimal.
func FuzzParsePrice(f *testing.F) {
	for _, s := range []string{"4800.25", "-0.0000005", "1e-7", "9223372036.854775807", "NaN", ".", "1e99999", "00.10"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePrice(s)
		if err != nil {
			if !errors.Is(err, ErrPriceSyntax) && !errors.Is(err, ErrPriceRange) {
				t.Fatalf("%q: unexpected error class %v", s, err)
			}
			return
		}
		back, err := ParsePrice(p.String())
		if err != nil || back != p {
			t.Fatalf("%q -> %d -> %q -> %d, %v", s, p, p.String(), back, err)
		}
		if d, derr := decimal.NewFromString(s); derr == nil {
			if !d.Equal(p.Decimal()) {
				t.Fatalf("%q: Price %s, decimal %s", s, p, d)
			}
		}
	})
}

func BenchmarkParsePriceBytes(b *testing.B) {
	in := []byte("4800.25")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParsePriceBytes(in); err != nil {
			b.Fatal(err)
		}
	}
}

func TestRoundToTickAtRangeEnds(t *testing.T) {
	quarter := MustParsePrice("0.25")
	top := MaxPrice.RoundToTick(quarter, RoundUp)
	assert.True(t, top > 0 && top.OnGrid(quarter) && top <= MaxPrice, "%s", top)
	bottom := MinPrice.RoundToTick(quarter, RoundDown)
	assert.True(t, bottom < 0 && bottom.OnGrid(quarter) && bottom >= MinPrice, "%s", bottom)
	huge := Price(math.MaxInt64/2 + 10)
	assert.Equal(t, Price(0), Price(3).RoundToTick(huge, RoundNearest), "no overflow with a huge tick")
	var v struct{ P Price }
	v.P = 7
	require.NoError(t, json.Unmarshal([]byte(`{"P": null}`), &v))
	assert.Equal(t, Price(7), v.P)
}
