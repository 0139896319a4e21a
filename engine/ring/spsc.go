package ring

import (
	"sync/atomic"
	"time"
)

// SPSC is a bounded ring for exactly one producer goroutine and one consumer
// goroutine (see the package doc for the full contract). Publishing and
// consuming are wait-free when the ring is neither full nor empty, and never
// allocate. Create one with NewSPSC.
type SPSC[T any] struct {
	_ [cacheLine]byte
	// tail counts items published, with closedBit set by Close. Written by
	// the producer (compare-and-swap) and by Close.
	tail atomic.Uint64
	_    [cacheLine - 8]byte
	// head counts items consumed. Written by the consumer only.
	head atomic.Uint64
	_    [cacheLine - 8]byte
	// headCache is the producer's last look at head.
	headCache uint64
	_         [cacheLine - 8]byte
	// chead and tailCache are the consumer's own position and its last
	// look at tail (position only).
	chead, tailCache uint64
	_                [cacheLine - 16]byte
	notEmpty         parker // the consumer parks here
	_                [cacheLine - parkerSize]byte
	notFull          parker // the producer parks here
	_                [cacheLine - parkerSize]byte
	core[T]
	_ [cacheLine]byte
}

// NewSPSC returns an empty single-producer/single-consumer ring holding
// capacity values, rounded up to a power of two. It returns an error wrapping
// ErrCapacity when capacity is below MinCapacity or above MaxCapacity. All
// slots are allocated here, once.
func NewSPSC[T any](capacity int, opts ...Option) (*SPSC[T], error) {
	c, err := newCore[T](capacity, opts)
	if err != nil {
		return nil, err
	}
	return &SPSC[T]{core: c, notEmpty: newParker(), notFull: newParker()}, nil
}

// Cap returns the number of values the ring holds when full.
func (r *SPSC[T]) Cap() int { return int(r.size) }

// Len returns the number of values published and not yet consumed. Called
// from a goroutine other than the producer or consumer, it is a snapshot that
// may be stale by the time it returns.
func (r *SPSC[T]) Len() int {
	h := r.head.Load()
	return int(r.tail.Load()&^closedBit - h)
}

// Closed reports whether Close has been called. Items published before Close
// may still be waiting to be consumed.
func (r *SPSC[T]) Closed() bool { return r.tail.Load()&closedBit != 0 }

// Close stops the ring accepting values. Values already published stay
// deliverable; publishes ordered after Close fail with ErrClosed; waiters on
// both sides wake. Close is safe from any goroutine and idempotent.
func (r *SPSC[T]) Close() {
	if r.tail.Or(closedBit)&closedBit == 0 {
		close(r.done)
	}
}

// TryPublish appends v if there is room, without blocking. It returns false
// when the ring is full or closed. Producer only.
func (r *SPSC[T]) TryPublish(v T) bool {
	ok, _ := r.publishOne(&v)
	return ok
}

// Publish appends v, waiting per the ring's WaitStrategy while the ring is
// full. It returns nil once v is published (and so will be delivered), or
// ErrClosed if the ring is closed before v got in. Producer only.
func (r *SPSC[T]) Publish(v T) error {
	for {
		ok, err := r.publishOne(&v)
		if ok || err != nil {
			return err
		}
		if err := r.awaitSpace(); err != nil {
			return err
		}
	}
}

// TryPublishBatch appends as many leading values of src as fit, without
// blocking, with one cursor update. It returns how many were published: 0
// when the ring is full or closed. Producer only.
func (r *SPSC[T]) TryPublishBatch(src []T) int {
	n, _ := r.publishSome(src)
	return n
}

// PublishBatch appends all of src in order, publishing as much as fits at a
// time and waiting per the ring's WaitStrategy while the ring is full. It
// returns len(src) and nil, or, if the ring is closed first, the number of
// leading values of src that were published (and will be delivered) and
// ErrClosed. Producer only.
func (r *SPSC[T]) PublishBatch(src []T) (int, error) {
	done := 0
	for done < len(src) {
		n, err := r.publishSome(src[done:])
		done += n
		if err != nil {
			return done, err
		}
		if n == 0 {
			if err := r.awaitSpace(); err != nil {
				return done, err
			}
		}
	}
	return done, nil
}

func (r *SPSC[T]) publishOne(v *T) (bool, error) {
	t := r.tail.Load()
	if t&closedBit != 0 {
		return false, ErrClosed
	}
	if t-r.headCache >= r.size {
		r.headCache = r.head.Load()
		if t-r.headCache >= r.size {
			return false, nil
		}
	}
	r.buf[t&r.mask] = *v
	if !r.tail.CompareAndSwap(t, t+1) {
		return false, ErrClosed // only Close changes tail behind our back
	}
	r.notEmpty.wake()
	return true, nil
}

func (r *SPSC[T]) publishSome(src []T) (int, error) {
	t := r.tail.Load()
	if t&closedBit != 0 {
		return 0, ErrClosed
	}
	want := uint64(len(src))
	free := r.size - (t - r.headCache)
	if free < want {
		r.headCache = r.head.Load()
		free = r.size - (t - r.headCache)
	}
	n := min(free, want)
	if n == 0 {
		return 0, nil
	}
	r.copyIn(t, src[:n])
	if !r.tail.CompareAndSwap(t, t+n) {
		return 0, ErrClosed
	}
	r.notEmpty.wake()
	return int(n), nil
}

func (r *SPSC[T]) awaitSpace() error {
	return r.wait.await(&r.notFull, r.done, -1, r.hasSpace)
}

// hasSpace is the producer's wait condition.
func (r *SPSC[T]) hasSpace() (bool, error) {
	t := r.tail.Load()
	if t&closedBit != 0 {
		return false, ErrClosed
	}
	r.headCache = r.head.Load()
	return t-r.headCache < r.size, nil
}

// TryConsume moves up to len(dst) values, oldest first, into dst without
// blocking and returns how many it moved (0 when the ring is empty). Consumer
// only.
func (r *SPSC[T]) TryConsume(dst []T) int {
	n := r.available(uint64(len(dst)))
	if n == 0 {
		return 0
	}
	h := r.chead
	r.copyOut(h, dst[:n])
	r.release(h + n)
	return int(n)
}

// Consume waits per the ring's WaitStrategy until at least one value is
// available, then moves up to len(dst) values into dst like TryConsume. It
// returns ErrClosed, with n == 0, once the ring is closed and drained. With an
// empty dst it returns 0, nil at once. Consumer only.
func (r *SPSC[T]) Consume(dst []T) (int, error) {
	if len(dst) == 0 {
		return 0, nil
	}
	if err := r.Wait(); err != nil {
		return 0, err
	}
	return r.TryConsume(dst), nil
}

// Poll hands the oldest available values, at most limit of them (all
// available when limit <= 0), to fn without copying and without blocking, then
// marks them consumed. fn is called zero times (ring empty), once, or twice
// when the values wrap around the end of the ring; each slice is valid only
// until fn returns and must not be retained. If fn panics, the values are not
// consumed. Poll returns the number of values consumed. Consumer only.
func (r *SPSC[T]) Poll(limit int, fn func(batch []T)) int {
	n := r.available(r.batchLimit(limit))
	if n == 0 {
		return 0
	}
	h := r.chead
	r.visit(h, n, fn)
	r.release(h + n)
	return int(n)
}

// Wait blocks, per the ring's WaitStrategy, until at least one value is
// available (nil) or the ring is closed and drained (ErrClosed). Consumer
// only.
func (r *SPSC[T]) Wait() error {
	if r.tailCache != r.chead {
		return nil
	}
	return r.wait.await(&r.notEmpty, r.done, -1, r.readable)
}

// WaitTimeout is Wait with a limit: it returns ErrTimeout if nothing is
// available and the ring is not closed after d. d <= 0 checks once without
// waiting. An engine loop that also runs timers passes the time to its next
// timer. How late past d it returns depends on the strategy: microseconds
// under Spin and Yield, up to about a millisecond under Park (see Park).
// Consumer only.
func (r *SPSC[T]) WaitTimeout(d time.Duration) error {
	if r.tailCache != r.chead {
		return nil
	}
	return r.wait.await(&r.notEmpty, r.done, max(d, 0), r.readable)
}

// readable is the consumer's wait condition.
func (r *SPSC[T]) readable() (bool, error) {
	t := r.tail.Load()
	r.tailCache = t &^ closedBit
	if r.tailCache != r.chead {
		return true, nil
	}
	if t&closedBit != 0 {
		return false, ErrClosed
	}
	return false, nil
}

// available returns how many values, at most want, the consumer can take now.
func (r *SPSC[T]) available(want uint64) uint64 {
	avail := r.tailCache - r.chead
	if avail < want {
		r.tailCache = r.tail.Load() &^ closedBit
		avail = r.tailCache - r.chead
	}
	return min(avail, want)
}

// release hands slots before position h back to the producer.
func (r *SPSC[T]) release(h uint64) {
	r.chead = h
	r.head.Store(h)
	r.notFull.wake()
}
