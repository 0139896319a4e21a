package ring_test

import (
	"fmt"
	"runtime"
	"testing"
	"time"
	"weak"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/engine/ring"
)

func TestNewCapacity(t *testing.T) {
	tests := []struct {
		capacity int
		wantCap  int
		wantErr  bool
	}{
		{capacity: -1, wantErr: true},
		{capacity: 0, wantErr: true},
		{capacity: 1, wantErr: true},
		{capacity: 2, wantCap: 2},
		{capacity: 3, wantCap: 4},
		{capacity: 1000, wantCap: 1024},
		{capacity: 1024, wantCap: 1024},
		{capacity: 1025, wantCap: 2048},
		{capacity: ring.MaxCapacity + 1, wantErr: true},
		{capacity: int(^uint(0) >> 1), wantErr: true},
	}
	for _, k := range kinds[int]() {
		for _, tt := range tests {
			q, err := k.new(tt.capacity)
			if tt.wantErr {
				require.ErrorIs(t, err, ring.ErrCapacity, "%s capacity %d", k.name, tt.capacity)
				assert.Contains(t, err.Error(), "want 2..")
				continue
			}
			require.NoError(t, err, "%s capacity %d", k.name, tt.capacity)
			assert.Equal(t, tt.wantCap, q.Cap(), "%s capacity %d", k.name, tt.capacity)
			assert.Zero(t, q.Len())
			assert.False(t, q.Closed())
		}
	}
}

func TestTryPublishFullEmpty(t *testing.T) {
	for _, k := range kinds[int]() {
		t.Run(k.name, func(t *testing.T) {
			q, err := k.new(4)
			require.NoError(t, err)
			dst := make([]int, 8)

			assert.Zero(t, q.TryConsume(dst), "empty ring")
			assert.Zero(t, q.Poll(0, func([]int) { t.Error("fn called on empty ring") }))
			assert.ErrorIs(t, q.WaitTimeout(0), ring.ErrTimeout)
			n, err := q.Consume(nil)
			assert.Zero(t, n)
			require.NoError(t, err, "empty dst returns at once")

			for i := range 4 {
				require.True(t, q.TryPublish(i), "slot %d", i)
			}
			assert.False(t, q.TryPublish(4), "full ring")
			assert.Zero(t, q.TryPublishBatch([]int{4, 5}), "full ring")
			assert.Equal(t, 4, q.Len())
			require.NoError(t, q.WaitTimeout(0))

			require.Equal(t, 1, q.TryConsume(dst[:1]))
			assert.Equal(t, 0, dst[0])
			assert.Equal(t, 1, q.TryPublishBatch([]int{4, 5}), "one free slot")
			assert.Equal(t, 4, q.Len())

			require.Equal(t, 4, q.TryConsume(dst))
			assert.Equal(t, []int{1, 2, 3, 4}, dst[:4])
			assert.Zero(t, q.Len())
			assert.Zero(t, q.TryConsume(dst))
		})
	}
}

func TestBatchWrapAndLimit(t *testing.T) {
	for _, k := range kinds[int]() {
		t.Run(k.name, func(t *testing.T) {
			q, err := k.new(8)
			require.NoError(t, err)
			n, err := q.PublishBatch(seq(0, 5))
			require.NoError(t, err)
			require.Equal(t, 5, n)
			require.Equal(t, 5, q.TryConsume(make([]int, 5)))

			// Positions 5..11 wrap past the end of the 8-slot buffer.
			n, err = q.PublishBatch(seq(5, 7))
			require.NoError(t, err)
			require.Equal(t, 7, n)

			var got []int
			calls := 0
			assert.Equal(t, 2, q.Poll(2, func(b []int) { calls++; got = append(got, b...) }), "limit")
			assert.Equal(t, 1, calls)
			assert.Equal(t, 5, q.Poll(0, func(b []int) { calls++; got = append(got, b...) }), "limit <= 0 takes all")
			assert.Equal(t, 3, calls, "the wrapped run comes as two slices")
			assert.Equal(t, seq(5, 7), got)
		})
	}
}

func TestPollSliceCannotGrowIntoRing(t *testing.T) {
	for _, k := range kinds[int]() {
		t.Run(k.name, func(t *testing.T) {
			q, err := k.new(8)
			require.NoError(t, err)
			require.True(t, q.TryPublish(1))
			require.True(t, q.TryPublish(2))
			q.Poll(1, func(b []int) {
				assert.Equal(t, len(b), cap(b))
				_ = append(b, 99)
			})
			dst := make([]int, 1)
			require.Equal(t, 1, q.TryConsume(dst))
			assert.Equal(t, 2, dst[0])
		})
	}
}

func TestCloseDrain(t *testing.T) {
	for _, k := range kinds[int]() {
		for _, pending := range []int{0, 1, 5, 8} {
			t.Run(fmt.Sprintf("%s/pending=%d", k.name, pending), func(t *testing.T) {
				q, err := k.new(8)
				require.NoError(t, err)
				n, err := q.PublishBatch(seq(0, pending))
				require.NoError(t, err)
				require.Equal(t, pending, n)

				q.Close()
				q.Close() // idempotent
				assert.True(t, q.Closed())
				assert.Equal(t, pending, q.Len())

				assert.ErrorIs(t, q.Publish(100), ring.ErrClosed)
				assert.False(t, q.TryPublish(100))
				n, err = q.PublishBatch([]int{100, 101})
				assert.ErrorIs(t, err, ring.ErrClosed)
				assert.Zero(t, n)
				assert.Zero(t, q.TryPublishBatch([]int{100}))

				if pending > 0 {
					require.NoError(t, q.Wait(), "items remain after Close")
					require.NoError(t, q.WaitTimeout(0))
				}
				got, err := drain(q)
				assert.ErrorIs(t, err, ring.ErrClosed)
				assert.Equal(t, seq(0, pending), append([]int{}, got...))

				// Closed and drained is sticky.
				assert.ErrorIs(t, q.Wait(), ring.ErrClosed)
				assert.ErrorIs(t, q.WaitTimeout(time.Hour), ring.ErrClosed)
				n, err = q.Consume(make([]int, 1))
				assert.ErrorIs(t, err, ring.ErrClosed)
				assert.Zero(t, n)
				assert.Zero(t, q.TryConsume(make([]int, 1)))
				assert.Zero(t, q.Poll(0, func([]int) { t.Error("fn called on drained ring") }))
				q.Close()
				assert.ErrorIs(t, q.Wait(), ring.ErrClosed)
			})
		}
	}
}

// TestWakeOnClose parks waiters with a maxSleep far beyond the test's
// deadline, so only Close itself can wake them in time.
func TestWakeOnClose(t *testing.T) {
	waits := []ring.WaitStrategy{ring.Spin(), ring.Yield(), ring.Park(time.Hour)}
	for _, k := range kinds[int]() {
		for _, w := range waits {
			t.Run(k.name+"/"+w.String(), func(t *testing.T) {
				consumers := map[string]func(q queue[int]) error{
					"Consume": func(q queue[int]) error {
						_, err := q.Consume(make([]int, 4))
						return err
					},
					"Wait":        func(q queue[int]) error { return q.Wait() },
					"WaitTimeout": func(q queue[int]) error { return q.WaitTimeout(time.Hour) },
				}
				for name, consume := range consumers {
					t.Run(name, func(t *testing.T) {
						q, err := k.new(4, ring.WithWait(w))
						require.NoError(t, err)
						done := make(chan error, 1)
						go func() { done <- consume(q) }()
						time.Sleep(10 * time.Millisecond) // let it park
						q.Close()
						select {
						case err := <-done:
							assert.ErrorIs(t, err, ring.ErrClosed)
						case <-time.After(5 * time.Second):
							t.Fatal("consumer did not wake on Close")
						}
					})
				}
				t.Run("producer", func(t *testing.T) {
					q, err := k.new(4, ring.WithWait(w))
					require.NoError(t, err)
					require.Equal(t, 3, q.TryPublishBatch(seq(0, 3)))
					type result struct {
						n   int
						err error
					}
					done := make(chan result, 1)
					go func() {
						n, err := q.PublishBatch(seq(3, 4)) // one fits, three block
						done <- result{n, err}
					}()
					time.Sleep(10 * time.Millisecond)
					q.Close()
					select {
					case res := <-done:
						assert.ErrorIs(t, res.err, ring.ErrClosed)
						assert.Equal(t, 1, res.n)
					case <-time.After(5 * time.Second):
						t.Fatal("producer did not wake on Close")
					}
					got, err := drain(q)
					assert.ErrorIs(t, err, ring.ErrClosed)
					assert.Equal(t, seq(0, 4), got, "what got in before Close is delivered")
				})
			})
		}
	}
}

// TestParkWakesOnProgress checks that a parked side is woken by the other
// side's progress, not by its (hour-long) maxSleep.
func TestParkWakesOnProgress(t *testing.T) {
	for _, k := range kinds[int]() {
		t.Run(k.name, func(t *testing.T) {
			q, err := k.new(2, ring.WithWait(ring.Park(time.Hour)))
			require.NoError(t, err)

			woke := make(chan error, 1)
			go func() { woke <- q.Wait() }()
			time.Sleep(10 * time.Millisecond)
			require.NoError(t, q.Publish(1))
			select {
			case err := <-woke:
				require.NoError(t, err)
			case <-time.After(5 * time.Second):
				t.Fatal("parked consumer not woken by Publish")
			}

			require.NoError(t, q.Publish(2)) // full now
			published := make(chan error, 1)
			go func() { published <- q.Publish(3) }()
			time.Sleep(10 * time.Millisecond)
			dst := make([]int, 1)
			require.Equal(t, 1, q.TryConsume(dst))
			select {
			case err := <-published:
				require.NoError(t, err)
			case <-time.After(5 * time.Second):
				t.Fatal("parked producer not woken by TryConsume")
			}
			q.Close()
			got, err := drain(q)
			assert.ErrorIs(t, err, ring.ErrClosed)
			assert.Equal(t, []int{2, 3}, got)
		})
	}
}

func TestWaitTimeout(t *testing.T) {
	for _, k := range kinds[int]() {
		for _, w := range strategies() {
			t.Run(k.name+"/"+w.String(), func(t *testing.T) {
				q, err := k.new(4, ring.WithWait(w))
				require.NoError(t, err)

				for _, d := range []time.Duration{-time.Second, 0} {
					start := time.Now()
					assert.ErrorIs(t, q.WaitTimeout(d), ring.ErrTimeout, "d=%v", d)
					assert.Less(t, time.Since(start), time.Second, "d=%v does not wait", d)
				}

				const d = 15 * time.Millisecond
				start := time.Now()
				assert.ErrorIs(t, q.WaitTimeout(d), ring.ErrTimeout)
				took := time.Since(start)
				assert.GreaterOrEqual(t, took, d)
				assert.Less(t, took, d+2*time.Second, "wake latency past the deadline")

				require.NoError(t, q.Publish(7))
				assert.NoError(t, q.WaitTimeout(time.Hour), "an item is available")
			})
		}
	}
}

func TestWaitStrategy(t *testing.T) {
	assert.Equal(t, "spin", ring.Spin().String())
	assert.Equal(t, "yield", ring.Yield().String())
	assert.Equal(t, "park(200µs)", ring.Park(200*time.Microsecond).String())
	assert.Equal(t, ring.Park(ring.DefaultMaxSleep), ring.Park(0), "maxSleep <= 0 is the default")
	assert.Equal(t, ring.Park(ring.DefaultMaxSleep), ring.Park(-time.Second))
	assert.Equal(t, ring.Park(ring.DefaultMaxSleep).String(), ring.WaitStrategy{}.String(), "zero value is the default")
}

// TestConsumedSlotsReleased checks that a ring of pointer-holding values
// does not keep consumed values reachable.
func TestConsumedSlotsReleased(t *testing.T) {
	type payload [1 << 10]byte
	type event struct {
		ID int64
		P  *payload
	}
	for _, k := range kinds[event]() {
		t.Run(k.name, func(t *testing.T) {
			q, err := k.new(4)
			require.NoError(t, err)
			publish := func() weak.Pointer[payload] {
				p := new(payload)
				require.True(t, q.TryPublish(event{ID: 1, P: p}))
				return weak.Make(p)
			}
			wp := publish()
			runtime.GC()
			require.NotNil(t, wp.Value(), "an unconsumed value stays reachable")

			assert.Equal(t, 1, q.Poll(0, func(b []event) { assert.Equal(t, int64(1), b[0].ID) }))
			runtime.GC()
			assert.Nil(t, wp.Value(), "a consumed value is released")
		})
	}
}
