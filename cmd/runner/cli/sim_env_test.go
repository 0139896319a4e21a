package cli

import (
	"bufio"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/tradovate"
)

// runner sim -env prints export lines that point the adapter at the
// sandbox: with only those settings it logs in and trades.
func TestSimEnvPointsAClientAtTheSandbox(t *testing.T) {
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var errOut strings.Builder
	go func() {
		done <- run(ctx, []string{"sim", "-env"}, pw, &errOut)
		pw.Close()
	}()
	vals := map[string]string{}
	rd := bufio.NewReader(pr)
	for len(vals) < len(tradovate.Keys) {
		line, err := rd.ReadString('\n')
		require.NoError(t, err)
		kv, ok := strings.CutPrefix(strings.TrimSpace(line), "export ")
		require.True(t, ok, line)
		k, v, ok := strings.Cut(kv, "=")
		require.True(t, ok, line)
		vals[k] = strings.Trim(v, "'")
	}
	go io.Copy(io.Discard, rd)
	assert.Equal(t, "demo", vals[tradovate.KeyEnv])
	cfg, err := tradovate.LoadConfig("", func(k string) string { return vals[k] })
	require.NoError(t, err)
	cfg.DeviceFile = filepath.Join(t.TempDir(), "device")
	a, err := tradovate.New(cfg, tradovate.Options{})
	require.NoError(t, err)
	var mu = make(chan venue.Event, 64)
	require.NoError(t, a.Start(func(ev venue.Event) {
		select {
		case mu <- ev:
		default:
		}
	}))
	assert.NotZero(t, a.AccountID())
	require.NoError(t, a.Close())

	cancel()
	select {
	case code := <-done:
		assert.Equal(t, 0, code, errOut.String())
	case <-time.After(10 * time.Second):
		t.Fatal("runner sim did not stop")
	}
	code, _, stderr := runCLI("sim", "-env", "-json")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "choose one")
}
