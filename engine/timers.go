package engine

import (
	"container/heap"

	"github.com/keeltrade/keel/strategy"
)

type timer struct {
	at    int64
	id    strategy.TimerID
	tag   string
	owner *runner
	fn    func() // an engine timer (a flatten retry): called instead of a strategy
	dead  bool
}

// timerHeap orders timers by due time, then by id, so simultaneous timers
// fire in the order they were set.
type timerHeap []*timer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if h[i].at != h[j].at {
		return h[i].at < h[j].at
	}
	return h[i].id < h[j].id
}
func (h timerHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *timerHeap) Push(x any)   { *h = append(*h, x.(*timer)) }
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return t
}

type timers struct {
	heap    timerHeap
	nextID  strategy.TimerID
	pending map[strategy.TimerID]*timer
}

func (ts *timers) add(owner *runner, fn func(), at int64, tag string) strategy.TimerID {
	if ts.pending == nil {
		ts.pending = map[strategy.TimerID]*timer{}
	}
	ts.nextID++
	t := &timer{at: at, id: ts.nextID, tag: tag, owner: owner, fn: fn}
	heap.Push(&ts.heap, t)
	ts.pending[t.id] = t
	return t.id
}

// cancel marks a timer dead; it stays in the heap and is skipped when due.
func (ts *timers) cancel(id strategy.TimerID) bool {
	t, ok := ts.pending[id]
	if !ok {
		return false
	}
	delete(ts.pending, id)
	t.dead = true
	return true
}

// next returns the due time of the earliest timer, or maxTime.
func (ts *timers) next() int64 {
	for len(ts.heap) > 0 && ts.heap[0].dead {
		heap.Pop(&ts.heap)
	}
	if len(ts.heap) == 0 {
		return maxTime
	}
	return ts.heap[0].at
}

// pop removes and returns the earliest live timer.
func (ts *timers) pop() *timer {
	if ts.next() == maxTime {
		return nil
	}
	t := heap.Pop(&ts.heap).(*timer)
	delete(ts.pending, t.id)
	return t
}

// addTimer schedules a timer and keeps the engine's next-due bound.
func (e *Engine) addTimer(owner *runner, at int64, tag string) strategy.TimerID {
	e.due = min(e.due, at)
	return e.timers.add(owner, nil, at, tag)
}

// after runs fn on the loop d from now, in clock order with strategy timers.
func (e *Engine) after(d int64, fn func()) {
	at := e.clock.Now() + d
	e.due = min(e.due, at)
	e.timers.add(nil, fn, at, "")
}
