package cli

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/engine/journal"
	"github.com/keeltrade/keel/venue/tradovate"
	"github.com/keeltrade/keel/venue/tradovate/sandbox"
)

// venueView is the sandbox's own account, read through a client of the
// test's: every New command's client order id, and the net position.
type venueView struct {
	auth *tradovate.Auth
}

func newVenueView(t *testing.T) *venueView {
	cfg, err := tradovate.LoadConfig("", os.Getenv)
	require.NoError(t, err)
	return &venueView{auth: tradovate.NewAuth(cfg, os.Getenv("TRADOVATE_DEVICE_ID"), tradovate.AuthOptions{})}
}

func (v *venueView) newOrders(t *testing.T) map[string]int {
	var cmds []struct {
		ClOrdID     string `json:"clOrdId"`
		CommandType string `json:"commandType"`
	}
	require.NoError(t, v.auth.REST(context.Background(), "GET", "command/list", "", nil, &cmds))
	out := map[string]int{}
	for _, c := range cmds {
		if c.CommandType == "New" {
			out[c.ClOrdID]++
		}
	}
	return out
}

func (v *venueView) net(t *testing.T) int64 {
	var ps []struct {
		NetPos int64 `json:"netPos"`
	}
	require.NoError(t, v.auth.REST(context.Background(), "GET", "position/list", "", nil, &ps))
	var n int64
	for _, p := range ps {
		n += p.NetPos
	}
	return n
}

// journalHas waits until the journal's latest session has an event of kind.
func journalHas(t *testing.T, path, kind string) {
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
		es, _ := r.Entries(ss[len(ss)-1].ID)
		for _, e := range es {
			if e.Event == kind {
				return true
			}
		}
		return false
	}, 20*time.Second, 20*time.Millisecond, "journal has %s", kind)
}

// The runner is SIGKILLed at each point of an order's life and restarted:
// the sandbox holds each order exactly once, the restarted session adopts
// what the first one did, and its stop flattens exactly the position the
// venue holds (so its books agreed with the venue's).
func TestCrashRecovery(t *testing.T) {
	for _, point := range []string{"after the journal write, before the send", "after the send, before the ack", "after the ack, before the fill is journaled"} {
		t.Run(point, func(t *testing.T) {
			// Three sessions of the user: the killed runner's, the restarted
			// one's, and the test's own view of the account.
			s, sym := sandboxEnv(t, "demo", sandbox.WithConfig(func(c *sandbox.Config) { c.MaxSessions = 3 }))
			jpath := filepath.Join(t.TempDir(), "j.db")
			riskFile := filepath.Join(t.TempDir(), "risk.yaml")
			require.NoError(t, os.WriteFile(riskFile, []byte("account: {market_hours: {enabled: false}}\n"), 0o600))
			args := []string{"-strategy", "buyhold", "-p", "symbol=" + sym, "-journal", jpath, "-risk", riskFile}
			v := newVenueView(t)
			switch point {
			case "after the journal write, before the send":
				t.Setenv(journal.CrashEnv, "journaled")
			case "after the send, before the ack":
				_, err := s.Inject(sandbox.Fault{Kind: sandbox.FaultDelay, Kinds: []sandbox.MessageKind{sandbox.KindResponses, sandbox.KindProps}, Delay: 3 * time.Second, For: 3 * time.Second,
					Target: sandbox.Target{Service: sandbox.Demo}})
				require.NoError(t, err)
			case "after the ack, before the fill is journaled":
				_, err := s.Inject(sandbox.Fault{Kind: sandbox.FaultDelay, Kinds: []sandbox.MessageKind{sandbox.KindProps}, Delay: 3 * time.Second, For: 3 * time.Second,
					Target: sandbox.Target{Service: sandbox.Demo}})
				require.NoError(t, err)
			}
			first, _, stderr1 := startRunner(t, args...)
			switch point {
			case "after the journal write, before the send":
				_ = first.Wait() // it kills itself
				assert.Empty(t, v.newOrders(t), "nothing reached the venue")
			case "after the send, before the ack":
				require.Eventually(t, func() bool { return len(v.newOrders(t)) == 1 }, 20*time.Second, 20*time.Millisecond, "the order reached the venue")
				require.NoError(t, first.Process.Kill())
				_, _ = first.Process.Wait()
			case "after the ack, before the fill is journaled":
				journalHas(t, jpath, "Accepted")
				require.NoError(t, first.Process.Kill())
				_, _ = first.Process.Wait()
			}
			t.Setenv(journal.CrashEnv, "")
			s.ClearFaults()
			require.Eventually(t, func() bool { return v.net(t) == 1 || point == "after the journal write, before the send" }, 10*time.Second, 20*time.Millisecond, "the venue's position")

			second, stdout2, stderr2 := startRunner(t, args...)
			require.Eventually(t, func() bool { return v.net(t) == 1 }, 20*time.Second, 20*time.Millisecond, "held once")
			time.Sleep(500 * time.Millisecond) // a restarted strategy that bought again would show here
			require.NoError(t, second.Process.Signal(os.Interrupt))
			require.NoError(t, second.Wait(), "first: %s\nsecond stdout: %s\nsecond stderr: %s", stderr1, stdout2, stderr2)
			assert.Contains(t, stdout2.String(), "stop: complete")

			orders := v.newOrders(t)
			for id, n := range orders {
				assert.Equal(t, 1, n, "order %s placed once", id)
			}
			assert.Len(t, orders, 2, "one entry in all, and the stop's flatten: %v", orders)
			assert.Equal(t, int64(0), v.net(t), "the flatten matched the venue's position: the books agreed")
		})
	}
}
