package engine

import "time"

// Clock tells the engine what time it is, in Unix nanoseconds.
type Clock interface {
	Now() int64
}

// WallClock is the real clock, for live sessions.
type WallClock struct{}

// Now implements Clock.
func (WallClock) Now() int64 { return time.Now().UnixNano() }

// SimClock is a data-driven clock: the engine sets it from each tick's
// exchange time, so backtests and their timers are deterministic. It never
// moves backwards.
type SimClock struct {
	now int64
}

// NewSimClock returns a SimClock starting at start (Unix ns).
func NewSimClock(start int64) *SimClock { return &SimClock{now: start} }

// Now implements Clock.
func (c *SimClock) Now() int64 { return c.now }

// Set moves the clock to t if t is later than the current time.
func (c *SimClock) Set(t int64) {
	if t > c.now {
		c.now = t
	}
}
