package sandbox

import (
	"bytes"
	"context"
	"time"

	"github.com/keeltrade/keel/venue/tradovate/wire"
)

// Message faults act on single messages inside the frames a socket sends.
// Conn.Send hands every frame here while a message fault is active or a
// socket has messages held back; otherwise frames go straight to the
// writer. Decisions and queueing happen under faultSet.mu, so what a
// client receives is exactly what was decided, in that order.

// intercepts reports whether Send must go through send.
func (f *faultSet) intercepts() bool { return f.sendPath.Load() > 0 }

// delivery is one socket's messages held back by delay and reorder faults,
// sent by a goroutine the socket owns.
type delivery struct {
	conn  *Conn
	timed []timedMsg          // delayed, by due time (FIFO among equals)
	held  [numKinds]*timedMsg // reorder: waiting for the next message of the kind
	wake  chan struct{}       // a deadline was added
}

const numKinds = 5

type timedMsg struct {
	due time.Time
	msg []byte
}

func kindIndex(k MessageKind) int {
	for i, m := range MessageKinds() {
		if m == k {
			return i
		}
	}
	return -1
}

// classify returns a message's kind; false for messages no fault touches
// (shutdown and unknown events, unparsable text).
func classify(msg []byte) (MessageKind, bool) {
	m, err := wire.ParseMessage(msg)
	if err != nil {
		return "", false
	}
	switch m.Event {
	case "":
		return KindResponses, true
	case wire.EventProps:
		return KindProps, true
	case wire.EventMD:
		return KindMD, true
	case wire.EventChart:
		return KindChart, true
	case wire.EventClock:
		return KindClock, true
	}
	return "", false
}

// send applies the message faults matching c to frame and queues what is
// left. It returns what Conn.Send returns.
func (f *faultSet) send(c *Conn, frame []byte) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := time.Now()
	f.prune(now)
	var faults []*activeFault
	for _, a := range f.active {
		if a.f.messageFault() && a.f.Target.matchesConn(c) {
			faults = append(faults, a)
		}
	}
	d := f.deliveries[c]
	if len(faults) == 0 && (d == nil || !d.holding()) {
		return c.enqueue(frame)
	}
	fr, err := wire.ParseFrame(frame)
	if err != nil || fr.Type != wire.FrameArray {
		return c.enqueue(frame)
	}
	var msgs [][]byte
	if fr.Messages(func(m []byte) error { msgs = append(msgs, m); return nil }) != nil {
		return c.enqueue(frame)
	}
	out := make([][]byte, 0, len(msgs)+1)
	changed := false
	for _, m := range msgs {
		kind, ok := classify(m)
		if !ok {
			out = append(out, m)
			continue
		}
		i := kindIndex(kind)
		if d != nil && d.held[i] != nil {
			// m is the partner of a held message: the pair goes out swapped.
			out = append(out, m, d.held[i].msg)
			d.held[i] = nil
			changed = true
			continue
		}
		a := pick(faults, kind)
		if a == nil {
			out = append(out, m)
			continue
		}
		changed = true
		switch a.f.Kind {
		case FaultDropMessages:
		case FaultDuplicate:
			out = append(out, m, m)
		case FaultDelay:
			if d = f.delivery(c, d); d != nil {
				d.schedule(timedMsg{due: now.Add(a.f.Delay), msg: bytes.Clone(m)})
			}
		case FaultReorder:
			if d = f.delivery(c, d); d != nil {
				d.held[i] = &timedMsg{due: now.Add(a.f.Window), msg: bytes.Clone(m)}
				d.poke()
			}
		}
	}
	f.recount()
	if !changed {
		return c.enqueue(frame)
	}
	if len(out) == 0 {
		return true
	}
	return c.enqueue(wire.AppendArrayFrame(nil, out...))
}

// pick returns the first fault (in injection order) acting on kind that
// fires for this message, or nil.
func pick(faults []*activeFault, kind MessageKind) *activeFault {
	bit := kindBit(kind)
	for _, a := range faults {
		if a.kinds&bit != 0 && a.fire() {
			return a
		}
	}
	return nil
}

func (d *delivery) holding() bool {
	if d == nil {
		return false
	}
	for _, h := range d.held {
		if h != nil {
			return true
		}
	}
	return false
}

func (d *delivery) empty() bool { return len(d.timed) == 0 && !d.holding() }

func (d *delivery) schedule(m timedMsg) {
	i := len(d.timed)
	for i > 0 && d.timed[i-1].due.After(m.due) {
		i--
	}
	d.timed = append(d.timed, timedMsg{})
	copy(d.timed[i+1:], d.timed[i:])
	d.timed[i] = m
	d.poke()
}

func (d *delivery) poke() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// delivery returns c's delivery, starting its goroutine if need be; nil
// when the socket is closing (the message is then lost with the socket).
// Called with f.mu held.
func (f *faultSet) delivery(c *Conn, d *delivery) *delivery {
	if d != nil {
		return d
	}
	d = &delivery{conn: c, wake: make(chan struct{}, 1)}
	if !c.goTask(func(ctx context.Context) { f.deliver(ctx, d) }) {
		return nil
	}
	f.deliveries[c] = d
	return d
}

// deliver sends d's messages when due, each alone in its own frame, and
// returns once nothing is held or the socket closes.
func (f *faultSet) deliver(ctx context.Context, d *delivery) {
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for {
		f.mu.Lock()
		next, more := f.release(d, time.Now())
		if !more {
			if f.deliveries[d.conn] == d {
				delete(f.deliveries, d.conn)
			}
			f.recount()
			f.mu.Unlock()
			return
		}
		f.mu.Unlock()
		t.Reset(time.Until(next))
		select {
		case <-ctx.Done():
			f.mu.Lock()
			if f.deliveries[d.conn] == d {
				delete(f.deliveries, d.conn)
			}
			f.recount()
			f.mu.Unlock()
			return
		case <-t.C:
		case <-d.wake:
		}
	}
}

// release sends what is due at now and returns the next deadline, or false
// when nothing is left. Called with f.mu held.
func (f *faultSet) release(d *delivery, now time.Time) (time.Time, bool) {
	n := 0
	for n < len(d.timed) && !d.timed[n].due.After(now) {
		d.conn.enqueue(wire.AppendArrayFrame(nil, d.timed[n].msg))
		n++
	}
	d.timed = append(d.timed[:0], d.timed[n:]...)
	for i, h := range d.held {
		if h != nil && !h.due.After(now) {
			d.conn.enqueue(wire.AppendArrayFrame(nil, h.msg))
			d.held[i] = nil
		}
	}
	if d.empty() {
		return time.Time{}, false
	}
	var next time.Time
	if len(d.timed) > 0 {
		next = d.timed[0].due
	}
	for _, h := range d.held {
		if h != nil && (next.IsZero() || h.due.Before(next)) {
			next = h.due
		}
	}
	return next, true
}

// goTask is Conn.Go that reports whether fn was started (false once the
// socket is closing).
func (c *Conn) goTask(fn func(ctx context.Context)) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.noTasks || c.ctx.Err() != nil {
		return false
	}
	c.tasks.Add(1)
	go func() {
		defer c.tasks.Done()
		fn(c.ctx)
	}()
	return true
}
