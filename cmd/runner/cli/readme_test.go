package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var readmeFile = regexp.MustCompile("(?s)<!-- file: ([^ ]+) -->\n```go\n(.*?)```")

// The README's tutorial compiles as printed: its Go blocks, each under its
// file name, build in a module of their own, and the binary backtests the
// strategy on the bundled sample the tutorial names.
func TestReadmeTutorialBuilds(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a module: skipped with -short")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	repo, err := filepath.Abs("../../..")
	require.NoError(t, err)
	readme, err := os.ReadFile(filepath.Join(repo, "README.md"))
	require.NoError(t, err)
	blocks := readmeFile.FindAllSubmatch(readme, -1)
	require.Len(t, blocks, 2, "the tutorial's two files")
	files := map[string]string{}
	for _, b := range blocks {
		files[string(b[1])] = string(b[2])
	}
	dir := buildModule(t, goBin, repo, files)
	sample := filepath.Join(repo, "backtest/data/testdata/demo/ESZ13_minute_trades.csv.gz")
	require.Contains(t, string(readme), "backtest/data/testdata/demo/ESZ13_minute_trades.csv.gz", "the tutorial names the sample")
	out, err := exec.Command(filepath.Join(dir, "mytrading"), "backtest", "-strategy", "meanrev", "-p", "symbol=ESZ13", "-out", filepath.Join(t.TempDir(), "report"), sample).CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Contains(t, string(out), "warm-up: meanrev was ready")
	assert.Regexp(t, `Trades\s+[1-9]`, string(out), "it trades")
}

// buildModule writes an outside module using this repository and builds
// its main as "mytrading", offline: keel's go.sum has every hash.
func buildModule(t *testing.T, goBin, repo string, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	files["go.mod"] = "module example.com/mytrading\n\ngo 1.26.0\n\nrequire github.com/keeltrade/keel v0.0.0\n\nreplace github.com/keeltrade/keel => " + repo + "\n"
	sums, err := os.ReadFile(filepath.Join(repo, "go.sum"))
	require.NoError(t, err)
	files["go.sum"] = string(sums)
	for name, body := range files {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	}
	cmd := exec.Command(goBin, "build", "-o", "mytrading", ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOPROXY=off", "GOSUMDB=off", "GOFLAGS=-mod=mod", "GOWORK=off")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "go build:\n%s", strings.TrimSpace(string(out)))
	return dir
}
