// Package ring moves fixed-size values between goroutines through bounded,
// preallocated, lock-free ring buffers. It is the only way I/O goroutines
// (socket readers, decoders, journal writers) hand work to keel's engine loop.
//
// # Shapes
//
// [SPSC] has exactly one producer goroutine and one consumer goroutine.
// [MPSC] has any number of producer goroutines and exactly one consumer
// goroutine; producers claim positions with a compare-and-swap on a shared
// cursor and mark each slot published with a per-slot sequence number
// (Vyukov's bounded queue), so the consumer never sees a claimed but unwritten
// slot. Both preallocate every slot at construction: publishing and consuming
// never allocate, and values are copied in and out, so T should be a small
// value type (keel moves pointer-free Tick structs). Cursors live on their own
// 128-byte blocks so the producer's and consumer's writes never share a cache
// line, and each side caches the other side's cursor so it reads it only when
// the cached value says the ring is full (producer) or empty (consumer).
//
// # Producing and consuming
//
// Producers call Publish (blocks while full), TryPublish (never blocks) or
// PublishBatch / TryPublishBatch (many values for one cursor update). The
// consumer takes everything available, up to a limit, in one call: TryConsume
// and Consume copy into a caller's slice, Poll hands out the ring's own slots
// without copying. Wait blocks until something is available; WaitTimeout does
// the same with a deadline, which is how an engine loop that also has timers
// sleeps without missing either:
//
//	for {
//		err := in.WaitTimeout(timers.Next())
//		if errors.Is(err, ring.ErrClosed) {
//			return // closed and drained
//		}
//		in.Poll(256, handle) // ErrTimeout: nothing to poll, fall through
//		timers.FireDue()
//	}
//
// Items are delivered exactly once, in the order they were published: for
// MPSC, in the order each producer published them (items of different
// producers interleave in claim order).
//
// # Waiting
//
// A side that cannot proceed (producer: full; consumer: empty) waits
// according to the ring's [WaitStrategy], chosen with [WithWait]:
//
//   - [Spin] busy-polls. Lowest latency, burns a core; it yields the
//     processor every 1024 polls so it cannot starve a goroutine that shares
//     its P.
//   - [Yield] calls runtime.Gosched between polls: it gives way to other
//     goroutines but never sleeps.
//   - [Park] (the default, with [DefaultMaxSleep]) spins briefly, then yields
//     a few times, then parks the goroutine. A parked side is woken within
//     microseconds by the other side's next publish (or consume) and by
//     Close; in any case it re-checks after at most maxSleep, which bounds its
//     wake latency. Waking is signalled only when a side is actually parked,
//     so the fast path costs one extra atomic load. Timed sleeps (maxSleep,
//     WaitTimeout deadlines) run on Go timers and may fire up to about a
//     millisecond late on an idle process.
//
// # Closing and draining
//
// Close may be called by any goroutine, any number of times; only the first
// call has an effect. It atomically marks the producer cursor closed, so every
// publish is ordered either before or after it:
//
//   - A publish ordered before Close completed successfully (nil error, true,
//     or a count): its items are delivered to the consumer, all of them and in
//     order. PublishBatch that is cut short by Close reports how many of its
//     items got in; exactly those are delivered.
//   - A publish ordered after Close publishes nothing: Publish and
//     PublishBatch return [ErrClosed], TryPublish returns false,
//     TryPublishBatch returns 0. Producers blocked because the ring is full
//     wake and return ErrClosed.
//   - The consumer keeps receiving the remaining items after Close. Once the
//     ring is closed and drained, Wait, WaitTimeout and Consume return
//     [ErrClosed] (and keep returning it); TryConsume and Poll return 0. A
//     consumer blocked in Wait wakes on Close.
//
// Nothing is lost and nothing is delivered twice, across Close included; the
// package's stress tests check this over millions of items under every wait
// strategy, with -race.
//
// # Concurrency contract
//
// For SPSC, all producer methods (Publish, TryPublish, PublishBatch,
// TryPublishBatch) must be called from one goroutine at a time, and all
// consumer methods (TryConsume, Consume, Poll, Wait, WaitTimeout) from one
// goroutine at a time; the two may differ. For MPSC, producer methods may be
// called concurrently from any number of goroutines; consumer methods as for
// SPSC. Close, Len, Cap and Closed are safe from any goroutine. Calling a
// consumer method concurrently with another consumer method is a data race.
package ring
