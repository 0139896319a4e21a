package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// A trader's own module: a strategy package that registers itself and a
// five-line main calling Main. It builds offline (modules from the cache)
// and runs a backtest of the new strategy.
func TestOwnModule(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a module: skipped with -short")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	repo, err := filepath.Abs("../../..")
	require.NoError(t, err)
	dir := buildModule(t, goBin, repo, map[string]string{
		"strategies/flat/flat.go": `package flat

import "github.com/keeltrade/keel/strategy"

type flat struct{}

func (flat) Init(ctx strategy.Context) error { return ctx.Subscribe(ctx.Params().String("symbol", "ESZ3")) }

func init() {
	strategy.Register("flat", "does nothing", func(*strategy.Params) (strategy.Strategy, error) { return flat{}, nil })
}
`,
		"main.go": `package main

import (
	"os"

	"github.com/keeltrade/keel/cmd/runner/cli"
	_ "example.com/mytrading/strategies/flat"
)

func main() { os.Exit(cli.Main()) }
`,
	})
	demo := filepath.Join(t.TempDir(), "es.csv")
	require.NoError(t, os.WriteFile(demo, []byte("ts_utc_ns,symbol,price,size,side\n1385996400000000000,ESZ3,1800,1,B\n1385996460000000000,ESZ3,1801,1,B\n"), 0o644))
	cmd := exec.Command(filepath.Join(dir, "mytrading"), "backtest", "-strategy", "flat", "-session", "off", "-out", "", demo)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.Contains(t, string(out), "flat on ")
}
