package ring_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/engine/ring"
)

// msg identifies an item by producer and per-producer sequence number.
type msg struct{ P, Seq int64 }

// stressItems is how many items each stress run moves: millions normally,
// far fewer under -short or the race detector.
func stressItems() int {
	switch {
	case raceEnabled:
		return 100_000
	case testing.Short():
		return 200_000
	default:
		return 2_000_000
	}
}

type stressCase struct {
	capacity int
	items    int
}

// stressCases pairs a roomy ring with a tiny one, where nearly every
// operation finds it full or empty; the tiny one moves fewer items because
// each of them may cost a park. Spin moves fewer still: on a loaded 2-core
// machine a spinning thread can hold a CPU the other side needs for a whole
// OS time slice.
func stressCases(w ring.WaitStrategy) []stressCase {
	n := stressItems()
	if w == ring.Spin() {
		n /= 5
	}
	return []stressCase{{capacity: 1024, items: n}, {capacity: 2, items: n / 50}}
}

// produce publishes count items for producer p with random operations and
// random batch sizes until done or the ring is closed. It returns how many
// items were published (accepted by the ring).
func produce(q queue[msg], p int64, count int, rng *rand.Rand) (int, error) {
	batch := make([]msg, 100)
	sent := 0
	for sent < count {
		k := min(1+rng.IntN(len(batch)), count-sent)
		for i := range k {
			batch[i] = msg{P: p, Seq: int64(sent + i)}
		}
		switch rng.IntN(4) {
		case 0:
			if err := q.Publish(batch[0]); err != nil {
				return sent, err
			}
			sent++
		case 1:
			if q.TryPublish(batch[0]) {
				sent++
			} else if q.Closed() {
				return sent, ring.ErrClosed
			} else {
				runtime.Gosched()
			}
		case 2:
			n, err := q.PublishBatch(batch[:k])
			sent += n
			if err != nil {
				return sent, err
			}
		case 3:
			n := q.TryPublishBatch(batch[:k])
			sent += n
			if n == 0 {
				if q.Closed() {
					return sent, ring.ErrClosed
				}
				runtime.Gosched()
			}
		}
	}
	return sent, nil
}

// checker verifies that every producer's items arrive exactly once and in
// order. It stops at the first violation.
type checker struct {
	next []int64
	err  error
}

func (c *checker) check(batch []msg) {
	for _, m := range batch {
		if c.err != nil {
			return
		}
		if m.P < 0 || int(m.P) >= len(c.next) {
			c.err = fmt.Errorf("item from unknown producer %d", m.P)
			return
		}
		if m.Seq != c.next[m.P] {
			c.err = fmt.Errorf("producer %d: got seq %d, want %d (lost or duplicated)", m.P, m.Seq, c.next[m.P])
			return
		}
		c.next[m.P]++
	}
}

// consumeAll consumes with random operations and random batch sizes until
// the ring is closed and drained.
func consumeAll(q queue[msg], c *checker, rng *rand.Rand) error {
	dst := make([]msg, 100)
	for c.err == nil {
		k := 1 + rng.IntN(len(dst))
		var err error
		switch rng.IntN(4) {
		case 0:
			var n int
			n, err = q.Consume(dst[:k])
			c.check(dst[:n])
		case 1:
			if err = q.Wait(); err == nil {
				q.Poll(k, c.check)
			}
		case 2:
			if err = q.WaitTimeout(time.Millisecond); err == nil {
				n := q.TryConsume(dst[:k])
				if n == 0 {
					return errors.New("WaitTimeout returned nil but nothing to consume")
				}
				c.check(dst[:n])
			} else if errors.Is(err, ring.ErrTimeout) {
				err = nil
			}
		case 3:
			if q.Poll(0, c.check) == 0 {
				runtime.Gosched()
			}
		}
		if errors.Is(err, ring.ErrClosed) {
			return nil
		}
		if err != nil {
			return err
		}
	}
	return c.err
}

// TestStress moves millions of items through each ring shape under each wait
// strategy, with 1 producer (SPSC) or 4 (MPSC), and checks that every item
// arrives exactly once and in per-producer order.
func TestStress(t *testing.T) {
	for _, k := range kinds[msg]() {
		producers := 1
		if k.name == "mpsc" {
			producers = 4
		}
		for _, w := range strategies() {
			for _, sc := range stressCases(w) {
				name := fmt.Sprintf("%s/%s/cap=%d", k.name, w, sc.capacity)
				t.Run(name, func(t *testing.T) {
					q, err := k.new(sc.capacity, ring.WithWait(w))
					require.NoError(t, err)
					per := sc.items / producers

					var wg sync.WaitGroup
					errs := make([]error, producers)
					for p := range producers {
						wg.Go(func() {
							rng := rand.New(rand.NewPCG(42, uint64(p)))
							n, err := produce(q, int64(p), per, rng)
							if err == nil && n != per {
								err = fmt.Errorf("published %d of %d", n, per)
							}
							errs[p] = err
						})
					}
					go func() { wg.Wait(); q.Close() }()

					c := &checker{next: make([]int64, producers)}
					err = consumeAll(q, c, rand.New(rand.NewPCG(42, 1000)))
					wg.Wait()
					require.NoError(t, err)
					for p := range producers {
						require.NoError(t, errs[p], "producer %d", p)
						assert.Equal(t, int64(per), c.next[p], "producer %d: delivered", p)
					}
				})
			}
		}
	}
}

// TestStressCloseRace closes the ring while producers are publishing, from a
// goroutine that is not a producer, and checks that exactly the items whose
// publish succeeded are delivered.
func TestStressCloseRace(t *testing.T) {
	rounds := 20
	if raceEnabled || testing.Short() {
		rounds = 10
	}
	rng := rand.New(rand.NewPCG(7, 7))
	for _, k := range kinds[msg]() {
		producers := 1
		if k.name == "mpsc" {
			producers = 3
		}
		for _, w := range strategies() {
			t.Run(k.name+"/"+w.String(), func(t *testing.T) {
				for round := range rounds {
					capacity := 2 << rng.IntN(8)
					closeAfter := int64(rng.IntN(min(20_000, stressItems()/10)))
					if w == ring.Spin() {
						closeAfter /= 5
					}
					q, err := k.new(capacity, ring.WithWait(w))
					require.NoError(t, err)

					var wg sync.WaitGroup
					published := make([]int, producers)
					errs := make([]error, producers)
					for p := range producers {
						wg.Go(func() {
							r := rand.New(rand.NewPCG(uint64(round), uint64(p)))
							published[p], errs[p] = produce(q, int64(p), 1<<62, r)
						})
					}
					// The closer fires once the consumer has seen closeAfter items.
					var consumed atomic.Int64
					closed := make(chan struct{})
					go func() {
						defer close(closed)
						for consumed.Load() < closeAfter {
							runtime.Gosched()
						}
						q.Close()
					}()

					c := &checker{next: make([]int64, producers)}
					crng := rand.New(rand.NewPCG(uint64(round), 1000))
					counting := func(batch []msg) {
						c.check(batch)
						consumed.Add(int64(len(batch)))
					}
					dst := make([]msg, 64)
					for c.err == nil {
						if crng.IntN(2) == 0 {
							n, err := q.Consume(dst[:1+crng.IntN(len(dst))])
							if errors.Is(err, ring.ErrClosed) {
								break
							}
							require.NoError(t, err)
							counting(dst[:n])
							continue
						}
						err := q.Wait()
						if errors.Is(err, ring.ErrClosed) {
							break
						}
						require.NoError(t, err)
						q.Poll(1+crng.IntN(len(dst)), counting)
					}
					wg.Wait()
					<-closed
					require.NoError(t, c.err, "round %d", round)
					for p := range producers {
						assert.ErrorIs(t, errs[p], ring.ErrClosed, "round %d producer %d", round, p)
						require.Equal(t, int64(published[p]), c.next[p],
							"round %d producer %d: delivered must equal published", round, p)
					}
				}
			})
		}
	}
}
