package ring_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/keeltrade/keel/engine/ring"
)

func ExampleSPSC() {
	r, err := ring.NewSPSC[int64](1024)
	if err != nil {
		panic(err)
	}
	go func() {
		defer r.Close() // the consumer still gets everything published before
		for i := range int64(5) {
			if err := r.Publish(i); err != nil {
				return
			}
		}
	}()

	var sum int64
	for {
		err := r.Wait()
		if errors.Is(err, ring.ErrClosed) {
			break // closed and drained
		}
		r.Poll(0, func(batch []int64) {
			for _, v := range batch {
				sum += v
			}
		})
	}
	fmt.Println(sum)
	// Output: 10
}

// An engine loop reads events from producers on other goroutines and fires
// timers in between, sleeping only until the next timer is due.
func ExampleMPSC_WaitTimeout() {
	events, err := ring.NewMPSC[string](64, ring.WithWait(ring.Park(time.Millisecond)))
	if err != nil {
		panic(err)
	}
	if err := events.Publish("fill"); err != nil {
		panic(err)
	}

	nextTimer := 5 * time.Millisecond
	for range 2 {
		err := events.WaitTimeout(nextTimer)
		switch {
		case errors.Is(err, ring.ErrTimeout):
			fmt.Println("timer due")
		case err != nil:
			return
		}
		events.Poll(256, func(batch []string) {
			for _, e := range batch {
				fmt.Println("event:", e)
			}
		})
	}
	events.Close()
	// Output:
	// event: fill
	// timer due
}
