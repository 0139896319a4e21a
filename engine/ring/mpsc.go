package ring

import (
	"sync/atomic"
	"time"
)

// MPSC is a bounded ring for any number of producer goroutines and exactly
// one consumer goroutine (see the package doc for the full contract).
// Producers claim positions with a compare-and-swap on a shared cursor, so
// publishing is lock-free: a producer that loses a race retries, and one that
// is preempted delays only itself. Each slot carries a sequence number the
// producer sets after writing the value, so the consumer never reads a slot
// that is claimed but not yet written; it does wait for such a slot, because
// values are delivered in claim order. Publishing and consuming never
// allocate. Create one with NewMPSC.
type MPSC[T any] struct {
	_ [cacheLine]byte
	// tail counts positions claimed by producers, with closedBit set by
	// Close. Compare-and-swapped by producers and Close.
	tail atomic.Uint64
	_    [cacheLine - 8]byte
	// head counts items consumed. Written by the consumer, read by
	// producers to find free space.
	head atomic.Uint64
	_    [cacheLine - 8]byte
	// chead is the consumer's own position.
	chead    uint64
	_        [cacheLine - 8]byte
	notEmpty parker // the consumer parks here
	_        [cacheLine - parkerSize]byte
	notFull  parker // producers park here
	_        [cacheLine - parkerSize]byte
	// seq[i] is pos+1 once the value for position pos (pos&mask == i) is
	// written. Values differ from lap to lap, so slots are never reset.
	seq []atomic.Uint64
	core[T]
	_ [cacheLine]byte
}

// NewMPSC returns an empty multi-producer/single-consumer ring holding
// capacity values, rounded up to a power of two. It returns an error wrapping
// ErrCapacity when capacity is below MinCapacity or above MaxCapacity. All
// slots are allocated here, once.
func NewMPSC[T any](capacity int, opts ...Option) (*MPSC[T], error) {
	c, err := newCore[T](capacity, opts)
	if err != nil {
		return nil, err
	}
	return &MPSC[T]{
		core:     c,
		seq:      padded[atomic.Uint64](int(c.size)),
		notEmpty: newParker(),
		notFull:  newParker(),
	}, nil
}

// Cap returns the number of values the ring holds when full.
func (r *MPSC[T]) Cap() int { return int(r.size) }

// Len returns the number of positions claimed by producers and not yet
// consumed, including values still being written. It is a snapshot that may
// be stale by the time it returns.
func (r *MPSC[T]) Len() int {
	h := r.head.Load()
	return int(r.tail.Load()&^closedBit - h)
}

// Closed reports whether Close has been called. Items published before Close
// may still be waiting to be consumed.
func (r *MPSC[T]) Closed() bool { return r.tail.Load()&closedBit != 0 }

// Close stops the ring accepting values. Values already published, including
// those whose producer is still inside Publish having claimed its slot before
// Close, stay deliverable; publishes ordered after Close fail with ErrClosed;
// waiters on both sides wake. Close is safe from any goroutine and
// idempotent.
func (r *MPSC[T]) Close() {
	if r.tail.Or(closedBit)&closedBit == 0 {
		close(r.done)
	}
}

// TryPublish appends v if there is room, without blocking. It returns false
// when the ring is full or closed. Safe for concurrent producers.
func (r *MPSC[T]) TryPublish(v T) bool {
	ok, _ := r.publishOne(&v)
	return ok
}

// Publish appends v, waiting per the ring's WaitStrategy while the ring is
// full. It returns nil once v is published (and so will be delivered), or
// ErrClosed if the ring is closed before v got in. Safe for concurrent
// producers.
func (r *MPSC[T]) Publish(v T) error {
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
// blocking, as one contiguous run. It returns how many were published: 0 when
// the ring is full or closed. Safe for concurrent producers.
func (r *MPSC[T]) TryPublishBatch(src []T) int {
	n, _ := r.publishSome(src)
	return n
}

// PublishBatch appends all of src in order, publishing as much as fits at a
// time and waiting per the ring's WaitStrategy while the ring is full; other
// producers' values may land between those runs. It returns len(src) and nil,
// or, if the ring is closed first, the number of leading values of src that
// were published (and will be delivered) and ErrClosed. Safe for concurrent
// producers.
func (r *MPSC[T]) PublishBatch(src []T) (int, error) {
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

// claim reserves up to want positions and returns the first one and the
// count: 0 when the ring is full, ErrClosed when closed.
func (r *MPSC[T]) claim(want uint64) (uint64, uint64, error) {
	for {
		t := r.tail.Load()
		if t&closedBit != 0 {
			return 0, 0, ErrClosed
		}
		h := r.head.Load()
		if h > t {
			continue // t is stale: others published and were consumed since
		}
		n := min(r.size-(t-h), want)
		if n == 0 {
			return 0, 0, nil
		}
		if r.tail.CompareAndSwap(t, t+n) {
			return t, n, nil
		}
	}
}

func (r *MPSC[T]) publishOne(v *T) (bool, error) {
	pos, n, err := r.claim(1)
	if n == 0 {
		return false, err
	}
	i := pos & r.mask
	r.buf[i] = *v
	r.seq[i].Store(pos + 1)
	r.notEmpty.wake()
	return true, nil
}

func (r *MPSC[T]) publishSome(src []T) (int, error) {
	if len(src) == 0 {
		return 0, nil
	}
	pos, n, err := r.claim(uint64(len(src)))
	if n == 0 {
		return 0, err
	}
	r.copyIn(pos, src[:n])
	for p := pos; p < pos+n; p++ {
		r.seq[p&r.mask].Store(p + 1)
	}
	r.notEmpty.wake()
	return int(n), nil
}

func (r *MPSC[T]) awaitSpace() error {
	return r.wait.await(&r.notFull, r.done, -1, r.hasSpace)
}

// hasSpace is a producer's wait condition.
func (r *MPSC[T]) hasSpace() (bool, error) {
	t := r.tail.Load()
	if t&closedBit != 0 {
		return false, ErrClosed
	}
	h := r.head.Load()
	return h > t || t-h < r.size, nil
}

// TryConsume moves up to len(dst) values, oldest first, into dst without
// blocking and returns how many it moved (0 when nothing is published yet).
// Consumer only.
func (r *MPSC[T]) TryConsume(dst []T) int {
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
func (r *MPSC[T]) Consume(dst []T) (int, error) {
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
// marks them consumed. fn is called zero times (nothing available), once, or
// twice when the values wrap around the end of the ring; each slice is valid
// only until fn returns and must not be retained. If fn panics, the values are
// not consumed. Poll returns the number of values consumed. Consumer only.
func (r *MPSC[T]) Poll(limit int, fn func(batch []T)) int {
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
func (r *MPSC[T]) Wait() error {
	if ok, err := r.readable(); ok || err != nil {
		return err
	}
	return r.wait.await(&r.notEmpty, r.done, -1, r.readable)
}

// WaitTimeout is Wait with a limit: it returns ErrTimeout if nothing is
// available and the ring is not closed after d. d <= 0 checks once without
// waiting. An engine loop that also runs timers passes the time to its next
// timer. How late past d it returns depends on the strategy: microseconds
// under Spin and Yield, up to about a millisecond under Park (see Park).
// Consumer only.
func (r *MPSC[T]) WaitTimeout(d time.Duration) error {
	if ok, err := r.readable(); ok || err != nil {
		return err
	}
	return r.wait.await(&r.notEmpty, r.done, max(d, 0), r.readable)
}

// readable is the consumer's wait condition. A closed ring is drained only
// when every claimed position is consumed: a producer that claimed before
// Close is still writing, and its value will be delivered.
func (r *MPSC[T]) readable() (bool, error) {
	h := r.chead
	if r.seq[h&r.mask].Load() == h+1 {
		return true, nil
	}
	if t := r.tail.Load(); t&closedBit != 0 && t&^closedBit == h {
		return false, ErrClosed
	}
	return false, nil
}

// available returns how many values, at most want, are published in a row
// from the consumer's position.
func (r *MPSC[T]) available(want uint64) uint64 {
	h := r.chead
	n := uint64(0)
	for n < want && r.seq[(h+n)&r.mask].Load() == h+n+1 {
		n++
	}
	return n
}

// release hands slots before position h back to the producers.
func (r *MPSC[T]) release(h uint64) {
	r.chead = h
	r.head.Store(h)
	r.notFull.wake()
}
