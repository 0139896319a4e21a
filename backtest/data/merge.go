package data

import (
	"errors"
	"io"

	"github.com/keeltrade/keel/venue"
)

// Merge interleaves sources into one TickSource ordered by Tick.Time. It is
// stable: ticks with equal times come in source order (all of the first
// source's, then the second's, ...) and each source's own order is kept. It
// keeps one pending tick per source in a small binary heap, reads a source
// only when its pending tick has been handed out, and allocates nothing per
// tick. A source's error (other than io.EOF) ends the merged stream with
// that error. Close closes every source.
func Merge(sources ...TickSource) TickSource {
	return &merger{
		srcs:  sources,
		heads: make([]venue.Tick, len(sources)),
		heap:  make([]int, 0, len(sources)),
		taken: -1,
	}
}

type merger struct {
	srcs    []TickSource
	heads   []venue.Tick // each live source's next tick
	heap    []int        // indexes of live sources; heap[0] has the earliest head
	started bool
	taken   int // source whose head the last Next returned; refilled lazily
	err     error
}

func (m *merger) Next(t *venue.Tick) error {
	if m.err != nil {
		return m.err
	}
	if !m.started {
		m.started = true
		for i, s := range m.srcs {
			switch err := s.Next(&m.heads[i]); err {
			case nil:
				m.heap = append(m.heap, i)
			case io.EOF:
			default:
				m.err = err
				return err
			}
		}
		for i := len(m.heap)/2 - 1; i >= 0; i-- {
			m.down(i)
		}
	} else if i := m.taken; i >= 0 {
		m.taken = -1
		switch err := m.srcs[i].Next(&m.heads[i]); err {
		case nil:
			m.down(0)
		case io.EOF:
			n := len(m.heap) - 1
			m.heap[0] = m.heap[n]
			m.heap = m.heap[:n]
			m.down(0)
		default:
			m.err = err
			return err
		}
	}
	if len(m.heap) == 0 {
		m.err = io.EOF
		return io.EOF
	}
	i := m.heap[0]
	*t = m.heads[i]
	m.taken = i
	return nil
}

// less orders sources by their head's time, then by source index.
func (m *merger) less(a, b int) bool {
	ta, tb := m.heads[a].Time, m.heads[b].Time
	return ta < tb || (ta == tb && a < b)
}

func (m *merger) down(i int) {
	h := m.heap
	n := len(h)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		c := l
		if r := l + 1; r < n && m.less(h[r], h[l]) {
			c = r
		}
		if !m.less(h[c], h[i]) {
			return
		}
		h[i], h[c] = h[c], h[i]
		i = c
	}
}

func (m *merger) Close() error {
	if m.err == errClosed {
		return nil
	}
	m.err = errClosed
	var errs []error
	for _, s := range m.srcs {
		if err := s.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
