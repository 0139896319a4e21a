package data

import (
	"errors"
	"io"

	"github.com/keeltrade/keel/venue"
)

// barMerger is MergeBars' source.
type barMerger struct {
	srcs []BarSource
	head []venue.Bar
	live []bool
	err  error
	init bool
}

// MergeBars interleaves bar sources by end time; equal ends keep source order.
func MergeBars(srcs ...BarSource) BarSource {
	return &barMerger{srcs: srcs, head: make([]venue.Bar, len(srcs)), live: make([]bool, len(srcs))}
}

func (m *barMerger) fill(i int) error {
	err := m.srcs[i].Next(&m.head[i])
	switch {
	case err == nil:
		m.live[i] = true
	case errors.Is(err, io.EOF):
		m.live[i] = false
	default:
		m.live[i] = false
		return err
	}
	return nil
}

// Next implements BarSource. With a handful of files a linear scan beats a heap.
func (m *barMerger) Next(b *venue.Bar) error {
	if m.err != nil {
		return m.err
	}
	if !m.init {
		m.init = true
		for i := range m.srcs {
			if err := m.fill(i); err != nil {
				m.err = err
				return err
			}
		}
	}
	best := -1
	for i, ok := range m.live {
		if ok && (best < 0 || m.head[i].End < m.head[best].End) {
			best = i
		}
	}
	if best < 0 {
		return io.EOF
	}
	*b = m.head[best]
	if err := m.fill(best); err != nil {
		m.err = err
	}
	return nil
}

func (m *barMerger) Close() error {
	var errs []error
	for _, s := range m.srcs {
		errs = append(errs, s.Close())
	}
	return errors.Join(errs...)
}
