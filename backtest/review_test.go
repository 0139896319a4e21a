package backtest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/backtest/data"
	"github.com/keeltrade/keel/venue"
)

// TestDayOrdersSurviveLongBars: bars longer than the trade-date boundary
// (daily bars) must not expire orders before the bar they should fill on.
func TestDayOrdersSurviveLongBars(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("ts_utc,symbol,open,high,low,close,volume\n")
	day := time.Date(2026, 11, 2, 23, 0, 0, 0, time.UTC) // 17:00 CT: each bar is one trade date
	for i, px := range []string{"6000", "6010", "6005", "6020"} {
		fmt.Fprintf(&sb, "%s,ESZ6,%s,%s,%s,%s,1000\n", day.AddDate(0, 0, i).Format(time.RFC3339), px, px, px, px)
	}
	path := filepath.Join(t.TempDir(), "daily.csv")
	require.NoError(t, os.WriteFile(path, []byte(sb.String()), 0o644))
	res, err := Run(context.Background(), Config{Strategy: "buyhold", Params: map[string]string{"symbol": "ESZ6"},
		Files: []string{path}, BarPeriod: 24 * time.Hour, Session: SessionOff, Logger: quiet()})
	require.NoError(t, err)
	require.Len(t, res.Orders, 2)
	for _, o := range res.Orders {
		assert.Equal(t, venue.Filled, o.Status, o.ClientID)
	}
	assert.Equal(t, "6000", res.Orders[0].AvgPrice.String())
	assert.Equal(t, "6020", res.Orders[1].AvgPrice.String(), "the exit placed before the last bar fills on it")
}

// TestDayOrdersExpireAtTheBoundary: an order placed by a bar close before
// 17:00 CT belongs to that trade date and expires at its end, unfilled.
func TestDayOrdersExpireAtTheBoundary(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("ts_utc_ns,symbol,price,size,side\n")
	chi, _ := time.LoadLocation("America/Chicago")
	at := func(h, m, s int) int64 { return time.Date(2026, 11, 3, h, m, s, 0, chi).UnixNano() }
	for _, row := range []struct {
		t  int64
		px string
	}{{at(15, 57, 0), "6000"}, {at(15, 58, 0), "6005"}, {at(15, 59, 0), "5995"}, {at(17, 0, 0), "5990"}, {at(17, 0, 1), "5990"}} {
		fmt.Fprintf(&sb, "%d,ESZ6,%s,1,B\n", row.t, row.px)
	}
	path := filepath.Join(t.TempDir(), "ticks.csv")
	require.NoError(t, os.WriteFile(path, []byte(sb.String()), 0o644))
	// smacross with fast=1, slow=2: the 15:58 bar puts fast above slow, the
	// 15:59 bar (closed at 16:00) crosses below: its sell is a Day order of
	// the Nov 3 trade date, and no trade follows until the 17:00 open.
	res, err := Run(context.Background(), Config{Strategy: "smacross", Params: map[string]string{"symbol": "ESZ6", "fast": "1", "slow": "2"},
		Files: []string{path}, Session: SessionOff, Logger: quiet()})
	require.NoError(t, err)
	require.Len(t, res.Orders, 1)
	o := res.Orders[0]
	assert.Equal(t, venue.Sell, o.Intent.Side)
	assert.Equal(t, time.Date(2026, 11, 3, 16, 0, 0, 0, chi).UnixNano(), o.Created)
	assert.Equal(t, venue.Expired, o.Status, "placed on the old trade date, it must not fill on the new one")
}

func TestSweepRefusesSharedTickSource(t *testing.T) {
	reg := data.NewRegistry(time.Time{})
	_, err := Sweep(context.Background(), Config{Strategy: "buyhold", Ticks: newSynth(10, 1), Registry: reg}, []Axis{{Name: "qty", Values: []string{"1", "2"}}}, 2)
	assert.ErrorContains(t, err, "data files")
}
