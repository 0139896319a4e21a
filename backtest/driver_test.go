package backtest

import (
	"bytes"
	"context"
	"github.com/keeltrade/keel/backtest/data"
	"io"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	_ "github.com/keeltrade/keel/examples/smacross"
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestRunDemoBars(t *testing.T) {
	sample, err := data.WriteDemoData(t.TempDir())
	require.NoError(t, err)
	cfg := Config{
		Strategy: "smacross",
		Params:   map[string]string{"symbol": data.DemoSymbol, "fast": "10", "slow": "30"},
		Files:    []string{sample},
		Logger:   quiet(),
	}
	res, err := Run(context.Background(), cfg)
	require.NoError(t, err)
	assert.Empty(t, res.Failures)
	assert.Equal(t, int64(16673), res.Stats.Ticks)
	assert.NotEmpty(t, res.Orders)
	assert.Positive(t, res.Summary.Trades)
	var a, b bytes.Buffer
	require.NoError(t, res.Summary.WriteJSON(&a))
	res2, err := Run(context.Background(), cfg)
	require.NoError(t, err)
	require.NoError(t, res2.Summary.WriteJSON(&b))
	assert.Equal(t, a.String(), b.String(), "deterministic")
}
