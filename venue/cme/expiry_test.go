package cme

import (
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func sym(t *testing.T, s string) Symbol {
	t.Helper()
	out, err := ParseSymbol(s, ct(2026, 1, 15, 12, 0, 0))
	require.NoError(t, err)
	return out
}

func TestLastTradingDay(t *testing.T) {
	tests := []struct {
		symbol, want string
	}{
		// Equity index: 3rd Friday, the business day before on a holiday.
		{"ESH6", "2026-03-20"},
		{"ESM6", "2026-06-18"}, // 3rd Friday is Juneteenth
		{"NQM6", "2026-06-18"},
		{"MESU6", "2026-09-18"},
		{"ESZ6", "2026-12-18"},
		{"ESZ25", "2025-12-19"},
		{"ESM27", "2027-06-17"}, // Juneteenth observed on the 3rd Friday (projected data)
		{"ESH29", "2029-03-16"}, // beyond the data: rule-based holidays
		// CL: 3 business days before the 25th of the prior month, 4 if the 25th is not one.
		{"CLF6", "2025-12-19"}, // 25th is Christmas
		{"CLG6", "2026-01-20"}, // 25th is a Sunday; MLK day is skipped
		{"CLM6", "2026-05-19"}, // 25th is Memorial Day
		{"CLQ6", "2026-07-21"}, // 25th is a Saturday
		{"CLX6", "2026-10-20"}, // 25th is a Sunday
		{"CLV6", "2026-09-22"}, // 25th is a Friday
		{"MCLF6", "2025-12-18"},
		{"MCLG6", "2026-01-16"},
		// NG: 3 business days before the 1st of the contract month.
		{"NGF6", "2025-12-29"},
		{"NGK6", "2026-04-28"},
		// Metals: 3rd-to-last business day.
		{"GCG6", "2026-02-25"},
		{"MGCJ6", "2026-04-28"},
		{"SIH6", "2026-03-27"},
		{"GCZ6", "2026-12-29"},
		// Treasuries.
		{"ZNH6", "2026-03-20"},
		{"ZBM6", "2026-06-18"}, // the count skips Juneteenth
		{"ZFH6", "2026-03-31"},
		{"ZTZ6", "2026-12-31"},
		// FX: 2nd business day before the 3rd Wednesday.
		{"6EH6", "2026-03-16"},
		{"6JM6", "2026-06-15"},
		// Grains: business day before the 15th.
		{"ZCH6", "2026-03-13"},
		{"ZSF7", "2027-01-14"},
		{"ZWK6", "2026-05-14"},
	}
	for _, tt := range tests {
		t.Run(tt.symbol, func(t *testing.T) {
			got, err := LastTradingDay(sym(t, tt.symbol))
			require.NoError(t, err)
			assert.Equal(t, tt.want, got.Format(time.DateOnly))
			assert.Equal(t, chicago, got.Location())
			assert.Zero(t, got.Hour())
			name, holiday := DefaultCalendar().Holiday(got)
			assert.False(t, holiday, "last trading day falls on %s", name)
		})
	}
}

// The equity-index expiries and roll dates of reference §2.5.
func TestEquityRollDates(t *testing.T) {
	tests := []struct{ symbol, expiry, roll string }{
		{"ESH5", "2025-03-21", "2025-03-13"},
		{"ESM5", "2025-06-20", "2025-06-12"},
		{"ESU5", "2025-09-19", "2025-09-11"},
		{"ESZ5", "2025-12-19", "2025-12-11"},
		{"ESH6", "2026-03-20", "2026-03-12"},
		{"ESM6", "2026-06-18", "2026-06-10"}, // the 8-day rule from the Juneteenth-shifted expiry
		{"ESU6", "2026-09-18", "2026-09-10"},
		{"ESZ6", "2026-12-18", "2026-12-10"},
	}
	for _, tt := range tests {
		s, err := ParseSymbol(tt.symbol, ct(2025, 1, 2, 0, 0, 0))
		require.NoError(t, err)
		for _, root := range []string{"ES", "MES", "NQ", "MNQ", "YM", "MYM", "RTY", "M2K"} {
			s.Root = root
			ltd, err := LastTradingDay(s)
			require.NoError(t, err)
			roll, err := RollDate(s)
			require.NoError(t, err)
			assert.Equal(t, tt.expiry, ltd.Format(time.DateOnly), s.String())
			assert.Equal(t, tt.roll, roll.Format(time.DateOnly), s.String())
		}
	}
}

func TestRollDateOtherGroups(t *testing.T) {
	tests := []struct{ symbol, roll string }{
		{"CLG6", "2026-01-12"}, // 5 business days before 2026-01-20, skipping MLK day
		{"NGF6", "2025-12-19"}, // 5 business days before 2025-12-29, skipping Christmas
		{"6EH6", "2026-03-09"},
		{"GCJ6", "2026-03-27"}, // 2 business days before 2026-03-31
		{"ZNH6", "2026-02-25"},
		{"ZCH6", "2026-02-25"},
		{"ZSF7", "2026-12-29"},
	}
	for _, tt := range tests {
		got, err := RollDate(sym(t, tt.symbol))
		require.NoError(t, err)
		assert.Equal(t, tt.roll, got.Format(time.DateOnly), tt.symbol)
	}
}

func TestRollBeforeLastTradingDay(t *testing.T) {
	for _, p := range Products() {
		for y := 2025; y <= 2030; y++ {
			for m := time.January; m <= time.December; m++ {
				if !p.Months.Has(m) {
					continue
				}
				s := Symbol{Root: p.Root, Month: m, Year: y}
				ltd, err := LastTradingDay(s)
				require.NoError(t, err)
				roll, err := RollDate(s)
				require.NoError(t, err)
				assert.True(t, roll.Before(ltd), "%s rolls %s, expires %s", s, roll, ltd)
				assert.True(t, ltd.Sub(roll) < 40*24*time.Hour, "%s rolls long before expiry", s)
			}
		}
	}
}

func TestFrontMonth(t *testing.T) {
	tests := []struct {
		root string
		at   time.Time
		want string
	}{
		{"ES", ct(2026, 3, 11, 23, 59, 59), "ESH6"},
		{"ES", ct(2026, 3, 12, 0, 0, 0), "ESM6"},                       // roll date: the next contract leads
		{"ES", time.Date(2026, 3, 12, 4, 59, 59, 0, time.UTC), "ESH6"}, // still Mar 11 in Chicago
		{"MES", ct(2026, 6, 9, 12, 0, 0), "MESM6"},
		{"MES", ct(2026, 6, 10, 12, 0, 0), "MESU6"},
		{"ES", ct(2025, 12, 31, 12, 0, 0), "ESH6"},
		{"ES", ct(2026, 12, 10, 0, 0, 0), "ESH7"},
		{"CL", ct(2026, 1, 11, 12, 0, 0), "CLG6"},
		{"CL", ct(2026, 1, 12, 12, 0, 0), "CLH6"},
		{"GC", ct(2026, 3, 26, 12, 0, 0), "GCJ6"},
		{"GC", ct(2026, 3, 27, 12, 0, 0), "GCM6"},
		{"SI", ct(2026, 1, 2, 12, 0, 0), "SIH6"},
		{"ZN", ct(2026, 2, 24, 12, 0, 0), "ZNH6"},
		{"ZN", ct(2026, 2, 25, 12, 0, 0), "ZNM6"},
		{"6E", ct(2026, 3, 8, 12, 0, 0), "6EH6"},
		{"6E", ct(2026, 3, 9, 12, 0, 0), "6EM6"},
		{"ZS", ct(2026, 12, 28, 12, 0, 0), "ZSF7"},
		{"ZS", ct(2026, 12, 29, 12, 0, 0), "ZSH7"},
		{"ZC", ct(2029, 6, 1, 12, 0, 0), "ZCN9"},
	}
	for _, tt := range tests {
		got, err := FrontMonth(tt.root, tt.at)
		require.NoError(t, err)
		assert.Equal(t, tt.want, got.String(), "%s at %s", tt.root, tt.at)
	}

	_, err := FrontMonth("XX", ct(2026, 1, 1, 0, 0, 0))
	assert.ErrorIs(t, err, ErrUnknownProduct)
	_, err = FrontMonth("ES", time.Time{})
	assert.ErrorContains(t, err, "zero time")
	_, err = LastTradingDay(Symbol{Root: "XX", Month: time.March, Year: 2026})
	assert.ErrorIs(t, err, ErrUnknownProduct)
	_, err = RollDate(Symbol{Root: "ES", Month: time.April, Year: 2026})
	assert.ErrorContains(t, err, "ES lists no April contract")
}

// The data file's holidays must be exactly the standing CME pattern, which
// also drives expiry arithmetic beyond the file.
func TestDataHolidaysMatchRules(t *testing.T) {
	c := DefaultCalendar()
	var fromData []string
	for d, e := range c.days {
		if e.holiday {
			fromData = append(fromData, d.String())
		}
	}
	var fromRules []string
	y0, _, _ := c.first.date()
	y1, _, _ := c.last.date()
	for y := y0; y <= y1; y++ {
		for _, h := range ruleHolidays(y) {
			if h.day >= c.first && h.day <= c.last {
				fromRules = append(fromRules, h.day.String())
			}
		}
	}
	sort.Strings(fromData)
	sort.Strings(fromRules)
	assert.Equal(t, fromRules, fromData)
}

func TestEaster(t *testing.T) {
	for y, want := range map[int]string{2024: "2024-03-31", 2025: "2025-04-20", 2026: "2026-04-05", 2027: "2027-03-28", 2038: "2038-04-25"} {
		assert.Equal(t, want, easter(y).String())
	}
}
