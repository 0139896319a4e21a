package sandbox

import (
	"context"
	"sync"
	"time"

	"github.com/keeltrade/keel/venue"
)

// Limits of the md streaming path.
const (
	maxFrameEvents   = 512      // events per "a[…]" frame
	maxFrameBytes    = 64 << 10 // a frame is closed once it is this large
	maxPendingEvents = 1 << 16  // events waiting for one socket before it is dropped as a slow consumer
	writerBackoff    = 100 * time.Microsecond
)

// Kinds of pending md items.
const (
	itemQuote uint8 = iota + 1 // a quote event of q
	itemDOM                    // a DOM event of q
	itemRaw                    // raw: a complete event
)

// mdItem is one event waiting to be written. Quotes and DOMs are kept as
// snapshots and encoded by the socket's goroutine, off the feed's path.
type mdItem struct {
	kind uint8
	q    quoteSnap
	raw  []byte
}

// mdSub is one socket's market-data subscriptions on one market and the
// goroutine (owned by the socket, see Conn.Go) that writes their events.
// Events are batched: every wake-up writes what has piled up, several
// events per frame, and while the socket's writer still has frames queued
// the goroutine waits, so a fast feed makes fewer, larger frames instead
// of an ever longer queue.
type mdSub struct {
	m    *market
	conn *Conn
	wake chan struct{}

	// Guarded by market.mu.
	quotes, doms, hists map[venue.ContractID]bool
	charts              map[int64]*chartSub // by historicalId and realtimeId
	gone                bool                // the socket closed: register nothing more

	// sendMu is held while pending events are taken and sent, and by
	// handlers around their reply, so a response keeps its place among the
	// events: nothing a subscription produced after its response is
	// written before it, nothing produced before an unsubscribe after it.
	sendMu sync.Mutex
	times  timeCache // guarded by sendMu

	mu      sync.Mutex // guards the fields below and every chartSub's realtime state
	items   []mdItem
	spare   []mdItem
	dirty   []*chartSub // charts with realtime data to write
	dropped bool
}

// subFor returns c's subscriber on m, starting its goroutine on first use.
func (m *market) subFor(c *Conn) *mdSub {
	m.mu.Lock()
	s := m.subs[c]
	created := s == nil
	if created {
		s = &mdSub{
			m: m, conn: c, wake: make(chan struct{}, 1),
			quotes: map[venue.ContractID]bool{}, doms: map[venue.ContractID]bool{}, hists: map[venue.ContractID]bool{},
			charts: map[int64]*chartSub{},
		}
		m.subs[c] = s
	}
	m.mu.Unlock()
	if created {
		c.Go(s.run)
		// Go does not run fn once the socket is closing, which it only does
		// after cancelling the context: then clean up here.
		if c.Context().Err() != nil {
			m.dropSub(s)
		}
	}
	return s
}

// existingSub returns c's subscriber on m, or nil.
func (m *market) existingSub(c *Conn) *mdSub {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.subs[c]
}

// dropSub removes every subscription of s. It is idempotent.
func (m *market) dropSub(s *mdSub) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if s.gone {
		return
	}
	s.gone = true
	if m.subs[s.conn] == s {
		delete(m.subs, s.conn)
	}
	for id := range s.quotes {
		if cm := m.contracts[id]; cm != nil {
			cm.quoteSubs = without(cm.quoteSubs, s)
		}
	}
	for id := range s.doms {
		if cm := m.contracts[id]; cm != nil {
			cm.domSubs = without(cm.domSubs, s)
		}
	}
	for id := range s.hists {
		if cm := m.contracts[id]; cm != nil {
			cm.histSubs = without(cm.histSubs, s)
		}
	}
	for _, ch := range s.charts {
		ch.cm.charts = without(ch.cm.charts, ch)
	}
	clear(s.charts)
}

func without[T comparable](list []T, v T) []T {
	for i, x := range list {
		if x == v {
			last := len(list) - 1
			list[i] = list[last]
			var zero T
			list[last] = zero
			return list[:last]
		}
	}
	return list
}

// enqueue adds an event and wakes the goroutine. A socket that lets
// maxPendingEvents pile up is closed as a slow consumer.
func (s *mdSub) enqueue(its ...mdItem) {
	if len(its) == 0 {
		return
	}
	s.mu.Lock()
	if s.dropped {
		s.mu.Unlock()
		return
	}
	s.items = append(s.items, its...)
	if len(s.items) > maxPendingEvents {
		s.dropped = true
		s.items = nil
		s.mu.Unlock()
		s.conn.Close(ClosePolicy, "Slow consumer")
		return
	}
	s.mu.Unlock()
	s.signal()
}

// enqueueTick adds what one tick means to this socket, in one batch: the
// quote (when quote), the DOM (when subscribed) and the histogram event
// (hist, when subscribed). Called with market.mu held.
func (s *mdSub) enqueueTick(id venue.ContractID, q *quoteSnap, quote bool, hist []byte) {
	var its [3]mdItem
	n := 0
	if quote {
		its[n] = mdItem{kind: itemQuote, q: *q}
		n++
	}
	if q != nil && s.doms[id] {
		its[n] = mdItem{kind: itemDOM, q: *q}
		n++
	}
	if hist != nil && s.hists[id] {
		its[n] = mdItem{kind: itemRaw, raw: hist}
		n++
	}
	s.enqueue(its[:n]...)
}

func (s *mdSub) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// run writes pending events until the socket closes, then drops the
// subscriptions.
func (s *mdSub) run(ctx context.Context) {
	defer s.m.dropSub(s)
	backoff := time.NewTimer(time.Hour)
	defer backoff.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		}
		for s.conn.queued() > 0 {
			backoff.Reset(writerBackoff)
			select {
			case <-ctx.Done():
				return
			case <-backoff.C:
			}
		}
		s.flush()
	}
}

func (s *mdSub) flush() {
	s.sendMu.Lock()
	defer s.sendMu.Unlock()
	s.flushLocked()
}

// flushLocked writes every pending event, in order, in as few frames as
// the limits allow. Called with sendMu held.
func (s *mdSub) flushLocked() {
	s.mu.Lock()
	items := s.items
	s.items, s.spare = s.spare[:0], nil
	for _, ch := range s.dirty {
		if ev := ch.appendRealtime(nil); ev != nil {
			items = append(items, mdItem{kind: itemRaw, raw: ev})
		}
	}
	clear(s.dirty)
	s.dirty = s.dirty[:0]
	s.mu.Unlock()
	if len(items) == 0 {
		s.giveBack(items)
		return
	}
	levels := s.m.cfg.DOMLevels
	frame := newFrame(len(items))
	n := 0
	for i := range items {
		it := &items[i]
		if n > 0 {
			frame = append(frame, ',')
		}
		switch it.kind {
		case itemQuote:
			frame = appendQuoteEvent(frame, &it.q, &s.times)
		case itemDOM:
			frame = appendDOMEvent(frame, &it.q, levels, &s.times)
		default:
			frame = append(frame, it.raw...)
		}
		n++
		if n == maxFrameEvents || len(frame) >= maxFrameBytes {
			s.conn.Send(append(frame, ']'))
			frame, n = newFrame(len(items)-i-1), 0
		}
	}
	if n > 0 {
		s.conn.Send(append(frame, ']'))
	}
	s.giveBack(items)
}

func newFrame(events int) []byte {
	b := make([]byte, 0, min(events*240+8, maxFrameBytes+4096))
	return append(b, 'a', '[')
}

// giveBack keeps the drained slice for the next batch.
func (s *mdSub) giveBack(items []mdItem) {
	clear(items)
	s.mu.Lock()
	if s.spare == nil && cap(items) <= maxPendingEvents {
		s.spare = items[:0]
	}
	s.mu.Unlock()
}

// queued returns how many frames wait for the socket's writer.
func (c *Conn) queued() int {
	c.qmu.Lock()
	defer c.qmu.Unlock()
	return len(c.queue)
}
