package cme

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue"
)

func TestProductTable(t *testing.T) {
	tests := []struct {
		root, tick, tickValue, pointValue string
		group                             Group
		months, rollMonths                string
	}{
		{"ES", "0.25", "12.5", "50", EquityIndex, "HMUZ", "HMUZ"},
		{"MES", "0.25", "1.25", "5", EquityIndex, "HMUZ", "HMUZ"},
		{"NQ", "0.25", "5", "20", EquityIndex, "HMUZ", "HMUZ"},
		{"MNQ", "0.25", "0.5", "2", EquityIndex, "HMUZ", "HMUZ"},
		{"YM", "1", "5", "5", EquityIndex, "HMUZ", "HMUZ"},
		{"MYM", "1", "0.5", "0.5", EquityIndex, "HMUZ", "HMUZ"},
		{"RTY", "0.1", "5", "50", EquityIndex, "HMUZ", "HMUZ"},
		{"M2K", "0.1", "0.5", "5", EquityIndex, "HMUZ", "HMUZ"},
		{"CL", "0.01", "10", "1000", Energy, allMonths, allMonths},
		{"MCL", "0.01", "1", "100", Energy, allMonths, allMonths},
		{"NG", "0.001", "10", "10000", Energy, allMonths, allMonths},
		{"GC", "0.1", "10", "100", Metals, allMonths, "GJMQVZ"},
		{"MGC", "0.1", "1", "10", Metals, "GJMQVZ", "GJMQVZ"},
		{"SI", "0.005", "25", "5000", Metals, allMonths, "HKNUZ"},
		{"ZN", "0.015625", "15.625", "1000", InterestRates, "HMUZ", "HMUZ"},
		{"ZB", "0.03125", "31.25", "1000", InterestRates, "HMUZ", "HMUZ"},
		{"ZF", "0.0078125", "7.8125", "1000", InterestRates, "HMUZ", "HMUZ"},
		{"ZT", "0.00390625", "7.8125", "2000", InterestRates, "HMUZ", "HMUZ"},
		{"6E", "0.00005", "6.25", "125000", FX, allMonths, "HMUZ"},
		{"6J", "0.0000005", "6.25", "12500000", FX, allMonths, "HMUZ"},
		{"ZC", "0.25", "12.5", "50", Grains, "HKNUZ", "HKNUZ"},
		{"ZS", "0.25", "12.5", "50", Grains, "FHKNQUX", "FHKNQUX"},
		{"ZW", "0.25", "12.5", "50", Grains, "HKNUZ", "HKNUZ"},
	}
	require.Len(t, Products(), len(tests), "every product has a row here")
	for _, tt := range tests {
		t.Run(tt.root, func(t *testing.T) {
			p, ok := Lookup(tt.root)
			require.True(t, ok)
			assert.Equal(t, tt.root, p.Root)
			assert.Equal(t, tt.tick, p.TickSize.String(), "tick size is exact")
			assert.True(t, p.TickValue.Equal(decimal.RequireFromString(tt.tickValue)), "tick value %s", p.TickValue)
			assert.True(t, p.PointValue.Equal(decimal.RequireFromString(tt.pointValue)), "point value %s", p.PointValue)
			assert.True(t, p.TickValue.Equal(p.TickSize.Decimal().Mul(p.PointValue)), "tick value = tick size × point value")
			assert.Equal(t, "USD", p.Currency)
			assert.Equal(t, tt.group, p.Group)
			assert.Equal(t, tt.months, p.Months.String())
			assert.Equal(t, tt.rollMonths, p.RollMonths.String())
			assert.Equal(t, p.RollMonths, p.RollMonths&p.Months, "roll months are listed months")
			assert.NotEmpty(t, p.Name)
			assert.NotEmpty(t, p.Exchange)
			assert.NotEmpty(t, p.Quote)
			g, ok := GroupOf(tt.root)
			assert.True(t, ok)
			assert.Equal(t, tt.group, g)
		})
	}
}

func TestLookupUnknown(t *testing.T) {
	for _, root := range []string{"", "es", "XX", "ESZ6", "@ES"} {
		_, ok := Lookup(root)
		assert.False(t, ok, root)
	}
}

func TestProductsIsACopy(t *testing.T) {
	ps := Products()
	ps[0].Root = "XX"
	p, ok := Lookup("ES")
	require.True(t, ok)
	assert.Equal(t, "ES", p.Root)
}

func TestMonthCodes(t *testing.T) {
	for m := time.January; m <= time.December; m++ {
		c := MonthCode(m)
		got, ok := MonthFromCode(c)
		require.True(t, ok)
		assert.Equal(t, m, got)
	}
	assert.Equal(t, byte(0), MonthCode(0))
	assert.Equal(t, byte(0), MonthCode(13))
	_, ok := MonthFromCode('A')
	assert.False(t, ok)
}

func TestGroupNames(t *testing.T) {
	names := map[Group][2]string{
		EquityIndex: {"equity index", "equity"}, Energy: {"energy", "energy"}, Metals: {"metals", "metals"},
		InterestRates: {"interest rates", "rates"}, FX: {"FX", "fx"}, Grains: {"grains", "grains"},
	}
	for g, want := range names {
		assert.Equal(t, want[0], g.String())
		assert.Equal(t, want[1], g.Key())
	}
	assert.Equal(t, "Group(9)", Group(9).String())
	assert.Equal(t, "", Group(0).Key())
}

func TestInstrument(t *testing.T) {
	ref := time.Date(2026, 6, 1, 12, 0, 0, 0, chicago)
	for _, p := range Products() {
		sym, err := FrontMonth(p.Root, ref)
		require.NoError(t, err)
		in, err := Instrument(sym, 4242)
		require.NoError(t, err, p.Root)
		require.NoError(t, in.Validate())
		assert.Equal(t, venue.ContractID(4242), in.ID)
		assert.Equal(t, sym.String(), in.Symbol)
		assert.Equal(t, p.Root, in.Root)
		assert.Equal(t, p.TickSize, in.TickSize)
		assert.True(t, in.TickValue().Equal(p.TickValue), "%s tick value", p.Root)
	}

	in, err := Instrument(Symbol{Root: "MES", Month: time.December, Year: 2026}, 7)
	require.NoError(t, err)
	assert.Equal(t, "MESZ6", in.Symbol)
	assert.Equal(t, "0.25", in.TickSize.String())
	assert.True(t, in.PointValue.Equal(decimal.NewFromInt(5)))

	_, err = Instrument(Symbol{Root: "XX", Month: time.December, Year: 2026}, 1)
	assert.ErrorIs(t, err, ErrUnknownProduct)
	_, err = Instrument(Symbol{Root: "ES", Month: time.January, Year: 2026}, 1)
	assert.ErrorContains(t, err, "lists no January contract")
}
