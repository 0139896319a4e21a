package cme

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create %s", path)
	assert.Equal(t, string(want), string(got))
}

func TestDescribeGolden(t *testing.T) {
	tests := []struct {
		file, symbol string
		at           time.Time
	}{
		{"describe_open_thanksgiving", "ESZ6", time.Date(2026, 11, 26, 16, 0, 0, 0, time.UTC)},
		{"describe_closed_break", "MESZ6", ct(2026, 3, 9, 16, 30, 0)},
		{"describe_grains_front", "ZC", ct(2026, 2, 25, 13, 20, 0)},
		{"describe_projected", "ESM7", ct(2027, 6, 18, 12, 30, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			r, err := Describe(tt.symbol, tt.at)
			require.NoError(t, err)
			js, err := json.MarshalIndent(r, "", "  ")
			require.NoError(t, err)
			golden(t, tt.file+".json", append(js, '\n'))
			golden(t, tt.file+".txt", []byte(r.Text()))
		})
	}
}

func TestDescribe(t *testing.T) {
	r, err := Describe("esz6", ct(2026, 11, 26, 10, 0, 0))
	require.NoError(t, err)
	assert.Equal(t, "ESZ6", r.Symbol)
	assert.Equal(t, "ES", r.Root)
	assert.Equal(t, "equity index", r.Group)
	assert.True(t, r.Open)
	require.NotNil(t, r.SessionClose)
	assert.Equal(t, "2026-11-26T12:00:00-06:00", r.SessionClose.CT.Format(time.RFC3339))
	assert.Equal(t, "2026-11-26T18:00:00Z", r.SessionClose.UTC.Format(time.RFC3339))
	assert.Equal(t, "holiday: Thanksgiving", r.CloseReason)
	require.NotNil(t, r.NextOpen)
	assert.Equal(t, "2026-11-26T17:00:00-06:00", r.NextOpen.CT.Format(time.RFC3339))
	assert.Equal(t, "2026-11-27", r.TradeDate)
	assert.Equal(t, "2026-12-18", r.LastTradingDay)
	assert.Equal(t, "2026-12-10", r.RollDate)
	assert.Equal(t, "ESZ6", r.FrontMonth)
	assert.False(t, r.Projected)
	assert.False(t, r.Expired)

	r, err = Describe("ESZ6", ct(2026, 12, 19, 10, 0, 0))
	require.NoError(t, err)
	assert.True(t, r.Expired)
	assert.Equal(t, "ESH7", r.FrontMonth)

	r, err = Describe("ES", ct(2026, 12, 31, 18, 0, 0))
	require.NoError(t, err)
	assert.Equal(t, "ESH7", r.Symbol)
	assert.False(t, r.Open)
	assert.Nil(t, r.SessionClose)
	assert.Equal(t, "holiday: New Year's Day", r.Reason)
	assert.True(t, r.Projected, "the next open is in projected 2027")
	assert.Contains(t, r.Text(), "note: these hours are projected")
}

func TestDescribeErrors(t *testing.T) {
	_, err := Describe("ESZ6", time.Time{})
	assert.ErrorContains(t, err, "zero time")

	_, err = Describe("ESQ6", ct(2026, 1, 5, 10, 0, 0))
	var se *SymbolError
	assert.True(t, errors.As(err, &se))
	assert.ErrorContains(t, err, `"ESQ6"`)

	_, err = Describe("ESZ6", ct(2029, 1, 5, 10, 0, 0))
	assert.ErrorIs(t, err, ErrCalendarUnknown)
	assert.ErrorContains(t, err, "describe ESZ6")

	_, err = Describe("ESZ6", ct(2027, 12, 31, 18, 0, 0))
	assert.ErrorIs(t, err, ErrCalendarUnknown)
}
