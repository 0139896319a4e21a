package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/keeltrade/keel/engine/ring"
	"github.com/keeltrade/keel/venue"
)

// Feed is what a live loop consumes: ticks from one market-data producer and
// events from any number of venue goroutines.
type Feed struct {
	Ticks  *ring.SPSC[venue.Tick]
	Events *ring.MPSC[venue.Event]
	// IdleWake bounds how long the loop sleeps on the tick ring before it
	// checks the event ring and the clock (timers, bar closes). Default 1ms.
	IdleWake time.Duration

	calls chan func()   // Call's functions, run on the loop
	done  chan struct{} // closed when Run returns
}

// ErrLoopEnded is Call's error once the loop has returned.
var ErrLoopEnded = errors.New("engine: the loop has ended")

// Call runs fn on the loop goroutine, between batches, and waits for it:
// the way other goroutines (signal handlers, the session) use Engine
// methods, which are not safe for concurrent use. It returns ctx's error
// if ctx ends first, and ErrLoopEnded if the loop is not running (fn then
// does not run). Within a millisecond or so (IdleWake) of an idle loop.
func (f *Feed) Call(ctx context.Context, fn func()) error {
	ran := make(chan struct{})
	wrapped := func() { defer close(ran); fn() }
	select {
	case f.calls <- wrapped:
	case <-f.done:
		return ErrLoopEnded
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-ran:
		return nil
	case <-f.done:
		// Run drains pending calls before it closes done.
		select {
		case <-ran:
			return nil
		default:
			return ErrLoopEnded
		}
	case <-ctx.Done():
		return ctx.Err()
	}
}

// NewFeed makes a Feed with rings of the given capacities (rounded up to
// powers of two) and the given wait strategy.
func NewFeed(tickCap, eventCap int, wait ring.WaitStrategy) (*Feed, error) {
	ticks, err := ring.NewSPSC[venue.Tick](tickCap, ring.WithWait(wait))
	if err != nil {
		return nil, fmt.Errorf("engine: tick ring: %w", err)
	}
	events, err := ring.NewMPSC[venue.Event](eventCap, ring.WithWait(wait))
	if err != nil {
		return nil, fmt.Errorf("engine: event ring: %w", err)
	}
	return &Feed{Ticks: ticks, Events: events, calls: make(chan func(), 16), done: make(chan struct{})}, nil
}

// Run owns the loop goroutine: it starts the engine (binding a venue that is
// not in-loop to the feed's event ring), then processes ticks and events
// until ctx is done or the tick ring is closed and drained, and stops the
// engine. Between batches it advances the clock, so timers and time bars
// fire on time even when no data arrives. It returns ctx's error, or nil
// after a drained close.
func (e *Engine) Run(ctx context.Context, f *Feed) error {
	if f == nil || f.Ticks == nil || f.Events == nil {
		return errors.New("engine: Run needs a Feed with both rings")
	}
	if e.started {
		return errors.New("engine: Run must start the engine itself; do not call Start first")
	}
	if f.calls == nil {
		f.calls, f.done = make(chan func(), 16), make(chan struct{})
	}
	defer func() {
		close(f.done)
		// A call that got in before done closed still runs: on a stopped
		// engine, whose methods then refuse or do nothing.
		for {
			select {
			case fn := <-f.calls:
				fn()
			default:
				return
			}
		}
	}()
	events := f.Events
	e.async = func(ev venue.Event) {
		if err := events.Publish(ev); err != nil {
			e.log.Error("venue event dropped: engine event ring closed", "event", ev.String())
		}
	}
	if err := e.Start(); err != nil {
		return err
	}
	defer func() {
		// Stop may cancel orders; give their events a moment to come back,
		// then close the ring so venue goroutines can no longer block on it.
		e.Stop()
		evs := make([]venue.Event, 64)
		deadline := time.Now().Add(100 * time.Millisecond)
		for time.Now().Before(deadline) {
			if events.WaitTimeout(10*time.Millisecond) != nil {
				break
			}
			for m := events.TryConsume(evs); m > 0; m = events.TryConsume(evs) {
				for i := range m {
					e.applyAfterStop(evs[i])
				}
			}
		}
		events.Close()
	}()
	idle := f.IdleWake
	if idle <= 0 {
		idle = time.Millisecond
	}
	ticks := make([]venue.Tick, 256)
	evs := make([]venue.Event, 64)
	// What the venue reported while it started (its account snapshot: on a
	// restart the earlier session's orders and fills, Config.Adopt) is
	// applied before the first tick or timer, so strategies see their
	// positions before they decide anything.
	for m := events.TryConsume(evs); m > 0; m = events.TryConsume(evs) {
		for i := range m {
			e.OnEvent(evs[i])
			evs[i] = venue.Event{}
			e.drain()
		}
	}
	for batches := 0; ; batches++ {
		if batches&1023 == 0 && ctx.Err() != nil {
			return ctx.Err() // a busy feed still notices cancellation
		}
		n := f.Ticks.TryConsume(ticks)
		for i := range n {
			e.OnTick(&ticks[i])
		}
		m := events.TryConsume(evs)
		for i := range m {
			e.OnEvent(evs[i])
			evs[i] = venue.Event{}
			e.drain()
		}
		select {
		case fn := <-f.calls:
			fn()
			e.drain()
			continue
		default:
		}
		if n > 0 || m > 0 {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		e.advance(e.clock.Now())
		wait := idle
		if due := min(e.nextBar, e.timers.next()); due != maxTime && e.sim == nil {
			wait = min(wait, max(time.Duration(due-e.clock.Now()), 0))
		}
		if err := f.Ticks.WaitTimeout(wait); errors.Is(err, ring.ErrClosed) {
			// Closed and drained: deliver what venues sent, then stop.
			for m := events.TryConsume(evs); m > 0; m = events.TryConsume(evs) {
				for i := range m {
					e.OnEvent(evs[i])
					e.drain()
				}
			}
			return nil
		}
	}
}
