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

	"github.com/keeltrade/keel/strategy"
	"github.com/keeltrade/keel/venue"
)

// exitHolder buys once with a far stop exit and holds.
type exitHolder struct {
	tif  *venue.TimeInForce
	sent bool
}

func (s *exitHolder) Init(ctx strategy.Context) error { return ctx.Subscribe("ESZ6") }

func (s *exitHolder) OnTick(ctx strategy.Context, t venue.Tick) {
	if s.sent {
		return
	}
	s.sent = true
	_, err := ctx.Submit(venue.OrderIntent{Symbol: "ESZ6", Side: venue.Buy, Qty: 1, Type: venue.Market,
		Brackets: []venue.Leg{{Type: venue.Stop, Stop: t.Price - 100*venue.PriceScale, TIF: s.tif}}})
	if err != nil {
		panic(err)
	}
}

func init() {
	strategy.Register("test_day_exit", "holds with a Day stop exit", func(*strategy.Params) (strategy.Strategy, error) {
		return &exitHolder{tif: venue.TIFOf(venue.Day)}, nil
	})
	strategy.Register("test_gtc_exit", "holds with a default (GTC) stop exit", func(*strategy.Params) (strategy.Strategy, error) {
		return &exitHolder{}, nil
	})
}

// Item 7b/7c: a Day exit expires at the trade-date roll and leaves the
// position naked, which the summary counts; the default exit survives.
func TestLostExitsCountedInSummary(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("ts_utc_ns,symbol,price,size,side\n")
	chi, _ := time.LoadLocation("America/Chicago")
	for _, at := range []time.Time{
		time.Date(2026, 11, 3, 15, 0, 0, 0, chi), time.Date(2026, 11, 3, 15, 1, 0, 0, chi),
		time.Date(2026, 11, 3, 17, 0, 0, 0, chi), time.Date(2026, 11, 4, 9, 0, 0, 0, chi),
	} {
		fmt.Fprintf(&sb, "%d,ESZ6,6000,1,B\n", at.UnixNano())
	}
	path := filepath.Join(t.TempDir(), "ticks.csv")
	require.NoError(t, os.WriteFile(path, []byte(sb.String()), 0o644))
	for name, lost := range map[string]int64{"test_day_exit": 1, "test_gtc_exit": 0} {
		res, err := Run(context.Background(), Config{Strategy: name, Files: []string{path}, Session: SessionOff, Logger: quiet()})
		require.NoError(t, err, name)
		assert.Equal(t, lost, res.Summary.ExitsLost, name)
		assert.Equal(t, int64(1), res.Summary.OpenPositions[0].Net, name)
	}
}
