package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/engine/journal"
	"github.com/keeltrade/keel/venue/tradovate/sandbox"
)

// buildRunner builds cmd/runner once per test binary.
var buildRunner = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "keel-runner-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "runner")
	out, err := exec.Command("go", "build", "-o", bin, "..").CombinedOutput()
	if err != nil {
		return "", &exec.ExitError{Stderr: out}
	}
	return bin, nil
})

// startRunner starts `runner run` in its own process against the test's
// sandbox (the TRADOVATE_* variables sandboxEnv set).
func startRunner(t *testing.T, args ...string) (*exec.Cmd, *syncBuffer, *syncBuffer) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the runner binary")
	}
	bin, err := buildRunner()
	require.NoError(t, err)
	cmd := exec.Command(bin, append([]string{"run"}, args...)...)
	var stdout, stderr syncBuffer
	cmd.Stdout, cmd.Stderr, cmd.Env = &stdout, &stderr, os.Environ()
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() })
	return cmd, &stdout, &stderr
}

// filled waits until the journal at path records n fills.
func filled(t *testing.T, path string, n int) {
	t.Helper()
	require.Eventually(t, func() bool {
		r, err := journal.OpenReader(path)
		if err != nil {
			return false
		}
		defer r.Close()
		ss, err := r.Sessions()
		if err != nil || len(ss) == 0 {
			return false
		}
		es, err := r.Entries(ss[len(ss)-1].ID)
		if err != nil {
			return false
		}
		k := 0
		for _, e := range es {
			if e.Event == "Filled" {
				k++
			}
		}
		return k >= n
	}, 20*time.Second, 50*time.Millisecond, "%d fills in the journal", n)
}

// SIGUSR1 trips the kill switch (the position is flattened); SIGINT stops
// the session cleanly with exit 0.
func TestRunSignals(t *testing.T) {
	_, sym := sandboxEnv(t, "demo")
	dir := t.TempDir()
	jpath := filepath.Join(dir, "j.db")
	riskFile := filepath.Join(dir, "risk.yaml")
	require.NoError(t, os.WriteFile(riskFile, []byte("account: {market_hours: {enabled: false}}\n"), 0o600))
	cmd, stdout, stderr := startRunner(t, "-strategy", "buyhold", "-p", "symbol="+sym, "-risk", riskFile, "-journal", jpath)
	filled(t, jpath, 1)
	require.NoError(t, cmd.Process.Signal(syscall.SIGUSR1))
	filled(t, jpath, 2) // the kill switch's flatten
	require.NoError(t, cmd.Process.Signal(os.Interrupt))
	err := cmd.Wait()
	require.NoError(t, err, "stdout: %s\nstderr: %s", stdout, stderr)
	assert.Contains(t, stdout.String(), "stop: complete")
	assert.Contains(t, stderr.String(), "kill switch")
	assert.FileExists(t, filepath.Join(os.Getenv("XDG_STATE_HOME"), "keel", "killswitch-demo.json"), "the trip latches")
}

// A second signal exits at once, leaving a journal that opens and reads,
// with the session unended.
func TestRunSecondSignalExitsAtOnce(t *testing.T) {
	s, sym := sandboxEnv(t, "demo")
	jpath := filepath.Join(t.TempDir(), "j.db")
	cmd, stdout, stderr := startRunner(t, "-strategy", "buyhold", "-p", "symbol="+sym, "-journal", jpath)
	filled(t, jpath, 1)
	// A stop that cannot complete: the venue rejects the flatten, which
	// keel resends until stop_timeout; the second signal cuts that short.
	_, err := s.Inject(sandbox.Fault{Kind: sandbox.FaultReject, For: time.Minute})
	require.NoError(t, err)
	require.NoError(t, cmd.Process.Signal(os.Interrupt))
	require.Eventually(t, func() bool { return strings.Contains(stderr.String(), "halting") }, 10*time.Second, 10*time.Millisecond)
	require.NoError(t, cmd.Process.Signal(os.Interrupt))
	err = cmd.Wait()
	var ee *exec.ExitError
	if assert.ErrorAs(t, err, &ee, "stdout: %s\nstderr: %s", stdout, stderr) {
		assert.Equal(t, 1, ee.ExitCode())
	}
	assert.Contains(t, stderr.String(), "second signal")
	r, err := journal.OpenReader(jpath)
	require.NoError(t, err)
	defer r.Close()
	ss, err := r.Sessions()
	require.NoError(t, err)
	require.Len(t, ss, 1)
	assert.False(t, ss[0].Ended, "an interrupted stop is not a clean end")
}
