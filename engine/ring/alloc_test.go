package ring_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/engine/ring"
)

// TestZeroAllocs proves the hot paths, and a consumer parking on an empty
// ring until its deadline, allocate nothing.
func TestZeroAllocs(t *testing.T) {
	src := make([]tick, 16)
	dst := make([]tick, 16)
	var sum int64
	visit := func(b []tick) {
		for i := range b {
			sum += b[i].Price
		}
	}
	for _, k := range kinds[tick]() {
		for _, w := range []ring.WaitStrategy{ring.Spin(), ring.Park(10 * time.Microsecond)} {
			q, err := k.new(64, ring.WithWait(w))
			require.NoError(t, err)
			ops := map[string]func(){
				"Publish+Consume": func() {
					if err := q.Publish(tick{Price: 1}); err != nil {
						t.Fatal(err)
					}
					if n, err := q.Consume(dst); n != 1 || err != nil {
						t.Fatal(n, err)
					}
				},
				"TryPublish+TryConsume": func() {
					q.TryPublish(tick{Price: 1})
					q.TryConsume(dst)
				},
				"PublishBatch+Poll": func() {
					if _, err := q.PublishBatch(src); err != nil {
						t.Fatal(err)
					}
					q.Poll(0, visit)
				},
				"TryPublishBatch+Wait+TryConsume": func() {
					q.TryPublishBatch(src)
					if err := q.Wait(); err != nil {
						t.Fatal(err)
					}
					q.TryConsume(dst)
				},
				"WaitTimeout on empty": func() {
					if err := q.WaitTimeout(20 * time.Microsecond); !errors.Is(err, ring.ErrTimeout) {
						t.Fatal(err)
					}
				},
			}
			for name, op := range ops {
				assert.Zero(t, testing.AllocsPerRun(50, op), "%s/%s: %s", k.name, w, name)
			}
		}
	}
}
