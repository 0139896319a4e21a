package cme

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ct returns a Chicago wall-clock time.
func ct(y int, m time.Month, d, h, mi, s int) time.Time {
	return time.Date(y, m, d, h, mi, s, 0, chicago)
}

func TestParseSymbol(t *testing.T) {
	jun26 := ct(2026, 6, 15, 12, 0, 0)
	tests := []struct {
		in   string
		ref  time.Time
		want Symbol
	}{
		{"ESZ6", jun26, Symbol{"ES", time.December, 2026}},
		{"MESZ6", jun26, Symbol{"MES", time.December, 2026}},
		{"mesz6", jun26, Symbol{"MES", time.December, 2026}},
		{"ESH6", jun26, Symbol{"ES", time.March, 2026}},                     // expired three months ago: still 2026
		{"ESH6", ct(2026, 12, 20, 0, 0, 0), Symbol{"ES", time.March, 2026}}, // nine months after its month
		{"ESZ9", jun26, Symbol{"ES", time.December, 2029}},
		{"ESZ5", jun26, Symbol{"ES", time.December, 2025}},
		{"ESZ5", ct(2027, 6, 1, 0, 0, 0), Symbol{"ES", time.December, 2035}}, // 18 months past: next decade
		{"ESH7", ct(2026, 12, 31, 23, 0, 0), Symbol{"ES", time.March, 2027}},
		{"CLF6", ct(2027, 1, 10, 0, 0, 0), Symbol{"CL", time.January, 2026}}, // exactly 12 months: same year
		{"CLF6", ct(2027, 2, 1, 0, 0, 0), Symbol{"CL", time.January, 2036}},
		{"ZNH0", jun26, Symbol{"ZN", time.March, 2030}},
		{"6EM6", jun26, Symbol{"6E", time.June, 2026}},
		{"6JU7", jun26, Symbol{"6J", time.September, 2027}},
		{"M2KZ6", jun26, Symbol{"M2K", time.December, 2026}},
		{"ZSF7", jun26, Symbol{"ZS", time.January, 2027}},
		{"GCQ6", jun26, Symbol{"GC", time.August, 2026}},
		{"ESZ26", jun26, Symbol{"ES", time.December, 2026}},
		{"ESZ13", jun26, Symbol{"ES", time.December, 2013}},
		{"GCZ13", jun26, Symbol{"GC", time.December, 2013}},
		{"ESZ46", jun26, Symbol{"ES", time.December, 2046}},
		{"ESZ97", jun26, Symbol{"ES", time.December, 1997}},
		{"ESZ2026", jun26, Symbol{"ES", time.December, 2026}},
		{"ESH2031", jun26, Symbol{"ES", time.March, 2031}},
		// Bare and continuous roots are the front month at ref.
		{"ES", jun26, Symbol{"ES", time.September, 2026}},
		{"@ES", jun26, Symbol{"ES", time.September, 2026}},
		{"@nq", ct(2026, 3, 12, 0, 0, 0), Symbol{"NQ", time.June, 2026}},
		// The reference time's zone does not matter, its Chicago date does.
		{"ESZ6", time.Date(2026, 1, 1, 5, 0, 0, 0, time.UTC), Symbol{"ES", time.December, 2026}},
	}
	for _, tt := range tests {
		t.Run(tt.in+"@"+tt.ref.Format(time.DateOnly), func(t *testing.T) {
			got, err := ParseSymbol(tt.in, tt.ref)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseSymbolErrors(t *testing.T) {
	ref := ct(2026, 6, 15, 12, 0, 0)
	tests := []struct {
		in      string
		kind    error
		message string
	}{
		{"", ErrMalformedSymbol, "empty symbol"},
		{"MESZ", ErrMalformedSymbol, "missing year after month code 'Z'"},
		{"ES2024", ErrMalformedSymbol, "missing month code after root ES"},
		{"ESA6", ErrMalformedSymbol, "invalid month code 'A'"},
		{"ESF6", ErrMalformedSymbol, "ES lists no January contract; its months are HMUZ"},
		{"ZCF6", ErrMalformedSymbol, "ZC lists no January contract"},
		{"ESZ123", ErrMalformedSymbol, "year has 3 digits"},
		{"ESZ20266", ErrMalformedSymbol, "year has 5 digits"},
		{"ESZ1969", ErrMalformedSymbol, "year 1969 is before CME Globex"},
		{"ESZ47", ErrMalformedSymbol, "year 1947 is before CME Globex"},
		{"ES Z6", ErrMalformedSymbol, "unexpected character ' '"},
		{"ES-Z6", ErrMalformedSymbol, "unexpected character '-'"},
		{"ESZ6\n", ErrMalformedSymbol, "unexpected character"},
		{"É", ErrMalformedSymbol, "unexpected character"},
		{"E@S", ErrMalformedSymbol, "unexpected character '@'"},
		{"@ESZ6", ErrMalformedSymbol, "continuous @ symbol takes no contract month"},
		{"@", ErrMalformedSymbol, "no product root"},
		{"Z6", ErrMalformedSymbol, "no product root before the month code"},
		{"26", ErrMalformedSymbol, "no product root before the year"},
		{"XXZ6", ErrUnknownProduct, `unknown product root "XX"`},
		{"XX", ErrUnknownProduct, `unknown product root "XX"`},
		{"FOOBAR1", ErrUnknownProduct, "unknown product root"},
		{"ESZ6ESZ6ESZ6ESZ6X", ErrMalformedSymbol, "too long"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := ParseSymbol(tt.in, ref)
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.kind)
			assert.ErrorContains(t, err, tt.message)
			var se *SymbolError
			require.True(t, errors.As(err, &se))
			assert.Equal(t, tt.in, se.Symbol)
			assert.Contains(t, err.Error(), strconv.Quote(tt.in), "names the value")
		})
	}

	_, err := ParseSymbol("ESZ6", time.Time{})
	assert.ErrorContains(t, err, "no reference time")
}

// Every listed month of every product, over a decade of reference dates,
// formats to the Tradovate name and parses back to itself.
func TestSymbolRoundTrip(t *testing.T) {
	for _, p := range Products() {
		for ry := 2025; ry <= 2034; ry++ {
			ref := ct(ry, time.July, 1, 12, 0, 0)
			for m := time.January; m <= time.December; m++ {
				if !p.Months.Has(m) {
					continue
				}
				for y := ry; y < ry+9; y++ { // within the one-digit window
					sym := Symbol{Root: p.Root, Month: m, Year: y}
					for _, digits := range []int{1, 2, 4} {
						got, err := ParseSymbol(sym.Format(digits), ref)
						require.NoError(t, err, sym.Format(digits))
						require.Equal(t, sym, got, "%s at %d", sym.Format(digits), ry)
					}
				}
			}
		}
	}
}

func TestSymbolFormat(t *testing.T) {
	sym := Symbol{Root: "MES", Month: time.December, Year: 2026}
	assert.Equal(t, "MESZ6", sym.String())
	assert.Equal(t, "MESZ6", sym.Format(1))
	assert.Equal(t, "MESZ26", sym.Format(2))
	assert.Equal(t, "MESZ2026", sym.Format(4))
	assert.Equal(t, "MESZ6", sym.Format(3))
	assert.Equal(t, "ESH0", Symbol{Root: "ES", Month: time.March, Year: 2030}.String())
	assert.Equal(t, "ESH05", Symbol{Root: "ES", Month: time.March, Year: 2005}.Format(2))
	assert.Equal(t, "ES?6", Symbol{Root: "ES", Year: 2026}.String())
	p, ok := sym.Product()
	require.True(t, ok)
	assert.Equal(t, "Micro E-mini S&P 500", p.Name)
}
