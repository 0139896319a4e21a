package ring_test

import (
	"time"

	"github.com/keeltrade/keel/engine/ring"
)

// queue is the API SPSC and MPSC share, so one table covers both.
type queue[T any] interface {
	Publish(v T) error
	TryPublish(v T) bool
	PublishBatch(src []T) (int, error)
	TryPublishBatch(src []T) int
	TryConsume(dst []T) int
	Consume(dst []T) (int, error)
	Poll(limit int, fn func(batch []T)) int
	Wait() error
	WaitTimeout(d time.Duration) error
	Close()
	Closed() bool
	Len() int
	Cap() int
}

var (
	_ queue[int] = (*ring.SPSC[int])(nil)
	_ queue[int] = (*ring.MPSC[int])(nil)
)

type kind[T any] struct {
	name string
	new  func(capacity int, opts ...ring.Option) (queue[T], error)
}

func kinds[T any]() []kind[T] {
	return []kind[T]{
		{"spsc", func(c int, o ...ring.Option) (queue[T], error) {
			r, err := ring.NewSPSC[T](c, o...)
			if err != nil {
				return nil, err
			}
			return r, nil
		}},
		{"mpsc", func(c int, o ...ring.Option) (queue[T], error) {
			r, err := ring.NewMPSC[T](c, o...)
			if err != nil {
				return nil, err
			}
			return r, nil
		}},
	}
}

// strategies are the wait strategies every behavioural test runs under.
func strategies() []ring.WaitStrategy {
	return []ring.WaitStrategy{ring.Spin(), ring.Yield(), ring.Park(50 * time.Microsecond), {}}
}

// seq returns the values from, from+1, ..., from+n-1.
func seq(from, n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = from + i
	}
	return s
}

// drain consumes until the ring reports closed and drained.
func drain(q queue[int]) ([]int, error) {
	var got []int
	dst := make([]int, 7)
	for {
		n, err := q.Consume(dst)
		if err != nil {
			return got, err
		}
		got = append(got, dst[:n]...)
	}
}
