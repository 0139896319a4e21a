package ring

import (
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// DefaultMaxSleep is the longest a parked side of a ring built without
// WithWait sleeps before it re-checks, whether or not it was woken. It matches
// the granularity of Go's timers on an idle process (see Park).
const DefaultMaxSleep = time.Millisecond

const (
	// parkSpins and parkYields are Park's busy phases: long enough to ride
	// out the gap between two batches of a busy producer (a few µs)
	// without a park/unpark round trip, short enough that an idle side gets
	// off the CPU quickly on a machine with few cores.
	parkSpins  = 256
	parkYields = 16

	// spinYieldMask makes Spin call runtime.Gosched every 1024 polls, so a
	// spinner cannot starve the goroutine it waits for when both share a P.
	spinYieldMask = 1024 - 1
)

type waitKind uint8

const (
	waitSpin waitKind = iota + 1
	waitYield
	waitPark
)

// WaitStrategy is what a side of a ring does while it cannot proceed: the
// producer while the ring is full, the consumer while it is empty. Build one
// with Spin, Yield or Park and pass it to WithWait. The zero value means the
// default, Park(DefaultMaxSleep).
type WaitStrategy struct {
	kind     waitKind
	spins    int // polls before yielding
	yields   int // runtime.Gosched calls before parking
	maxSleep time.Duration
}

// Spin busy-polls: the lowest wake latency, at the cost of a fully busy core
// per waiting side. Every 1024 polls it calls runtime.Gosched so it stays
// live when goroutines outnumber processors. It never sleeps.
func Spin() WaitStrategy {
	return WaitStrategy{kind: waitSpin, spins: math.MaxInt}
}

// Yield calls runtime.Gosched between polls: other goroutines run, but the
// waiting side stays runnable and never sleeps, so an idle ring still costs
// CPU.
func Yield() WaitStrategy {
	return WaitStrategy{kind: waitYield, yields: math.MaxInt}
}

// Park spins a little (256 polls), then yields a little (16 times), then
// parks the goroutine. A parked side is woken as soon as the other side makes
// progress (a publish wakes a parked consumer, a consume wakes a parked
// producer) or the ring is closed: typically within a few microseconds, the
// time the Go scheduler takes to run a goroutine made ready by a channel
// send. Independently, each park ends after maxSleep, when the side re-checks,
// so maxSleep bounds the wake latency even for a waiter nobody signals.
// maxSleep <= 0 selects DefaultMaxSleep. This is the default strategy:
// near-spin latency under load, no CPU when idle.
//
// Timed sleeps use Go timers, which on an otherwise idle process fire up to
// about a millisecond late (the runtime's netpoller sleeps in whole
// milliseconds). So a maxSleep below 1ms, or a WaitTimeout deadline, is met
// within roughly 1ms under Park; use Spin or Yield where a sub-millisecond
// deadline must be met precisely.
func Park(maxSleep time.Duration) WaitStrategy {
	if maxSleep <= 0 {
		maxSleep = DefaultMaxSleep
	}
	return WaitStrategy{kind: waitPark, spins: parkSpins, yields: parkYields, maxSleep: maxSleep}
}

// String names the strategy, e.g. "spin", "yield", "park(1ms)".
func (w WaitStrategy) String() string {
	switch w.kind {
	case waitSpin:
		return "spin"
	case waitYield:
		return "yield"
	case waitPark:
		return fmt.Sprintf("park(%s)", w.maxSleep)
	default:
		return Park(DefaultMaxSleep).String()
	}
}

// parker is where one side of a ring sleeps under Park. The sleeping side
// announces itself in sleepers before its final re-check; the other side
// loads sleepers after publishing its progress. Both are sequentially
// consistent atomics, so at least one of them sees the other: either the
// sleeper's re-check sees the progress, or the waker sees the sleeper and
// signals. No wake-up is lost, and the waker pays one atomic load when nobody
// sleeps.
type parker struct {
	sleepers atomic.Int32
	ch       chan struct{} // capacity 1: a pending wake-up
}

// parkerSize lets rings pad a parker to its own cacheLine.
const parkerSize = unsafe.Sizeof(parker{})

func newParker() parker {
	return parker{ch: make(chan struct{}, 1)}
}

// wake lets one parked waiter (if any) re-check.
func (p *parker) wake() {
	if p.sleepers.Load() != 0 {
		select {
		case p.ch <- struct{}{}:
		default:
		}
	}
}

// timers recycles the timers bounding each park, so parking does not
// allocate.
var timers = sync.Pool{New: func() any {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return t
}}

// sleep parks for at most d, until woken or done is closed.
func (p *parker) sleep(d time.Duration, done <-chan struct{}) {
	t := timers.Get().(*time.Timer)
	t.Reset(d)
	select {
	case <-p.ch:
	case <-done:
	case <-t.C:
	}
	t.Stop() // since Go 1.23 no stale tick can be received after Stop
	timers.Put(t)
}

// await waits per w until ready reports true or an error. timeout < 0 waits
// without limit; otherwise await returns ErrTimeout once timeout has elapsed.
// ready is re-evaluated after every spin, yield and park.
func (w *WaitStrategy) await(p *parker, done <-chan struct{}, timeout time.Duration, ready func() (bool, error)) error {
	timed := timeout >= 0
	var deadline time.Time
	if timed {
		deadline = time.Now().Add(timeout)
	}
	for i := 0; ; i++ {
		if ok, err := ready(); ok || err != nil {
			return err
		}
		spinning := i < w.spins
		if timed && (!spinning || i&63 == 0) && !time.Now().Before(deadline) {
			return ErrTimeout
		}
		switch {
		case spinning:
			if i&spinYieldMask == spinYieldMask {
				runtime.Gosched()
			}
		case i-w.spins < w.yields:
			runtime.Gosched()
		default:
			d := w.maxSleep
			if timed {
				d = min(d, time.Until(deadline))
			}
			p.sleepers.Add(1)
			ok, err := ready()
			if !ok && err == nil {
				p.sleep(d, done)
			}
			p.sleepers.Add(-1)
			if ok || err != nil {
				return err
			}
		}
	}
}
