package sandbox_test

import (
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/keeltrade/keel/venue/tradovate/sandbox"
	"github.com/keeltrade/keel/venue/tradovate/wire"
)

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkAuthorizedSockets holds 100 authorized sockets open with a 10 ms
// heartbeat (250 times Tradovate's rate); each client answers every "h"
// with "[]". One op is one heartbeat round on all 100 sockets, so ns/op
// near 10 ms means the server keeps the cadence under load. Metrics: CPU per heartbeat (server and
// client ends together, both run in this process), heap and goroutines
// per socket (also both ends).
func BenchmarkAuthorizedSockets(b *testing.B) {
	const sockets = 100
	const interval = 10 * time.Millisecond
	s, _ := start(b, sandbox.WithHeartbeat(interval), sandbox.WithClientTimeout(time.Minute))
	tok := login(b, s, s.Credentials())

	runtime.GC()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	g0 := runtime.NumGoroutine()
	conns := make([]*websocket.Conn, sockets)
	for i := range conns {
		c := dial(b, s.WebSocketURL(sandbox.Demo))
		c.authorize(tok.AccessToken)
		conns[i] = c.ws
	}
	runtime.GC()
	runtime.ReadMemStats(&m1)
	g1 := runtime.NumGoroutine()

	b.ReportAllocs()
	cpu0 := cpuTime()
	b.ResetTimer()
	var wg sync.WaitGroup
	errs := make(chan error, sockets)
	for _, ws := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < b.N; {
				_ = ws.SetReadDeadline(time.Now().Add(5 * time.Second))
				_, msg, err := ws.ReadMessage()
				if err != nil {
					errs <- err
					return
				}
				if string(msg) == "h" {
					n++
					if err := ws.WriteMessage(websocket.TextMessage, []byte("[]")); err != nil {
						errs <- err
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	cpu := cpuTime() - cpu0
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N*sockets), "cpu-ns/heartbeat")
	b.ReportMetric(float64(m1.HeapAlloc-m0.HeapAlloc)/sockets, "heap-B/socket")
	b.ReportMetric(float64(g1-g0)/sockets, "goroutines/socket")
}

// BenchmarkOrderRoundTrip measures one market order over an authorized,
// synced socket: request, response and the props frames up to the fill.
func BenchmarkOrderRoundTrip(b *testing.B) {
	s, _ := start(b)
	tok := login(b, s, s.Credentials())
	c := dial(b, s.WebSocketURL(sandbox.Demo))
	c.authorize(tok.AccessToken)
	snap := decode[wire.SyncMessage](b, c.call("user/syncrequest", "", nil))
	quote(b, s, "ESM6", "4800", "4800.25")
	buy := mustJSON(b, wire.PlaceOrder{AccountID: snap.Accounts[0].ID, Action: "Buy", Symbol: "ESM6", OrderQty: 1, OrderType: "Market", IsAutomated: true})
	sell := mustJSON(b, wire.PlaceOrder{AccountID: snap.Accounts[0].ID, Action: "Sell", Symbol: "ESM6", OrderQty: 1, OrderType: "Market", IsAutomated: true})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		body := buy
		if i%2 == 1 {
			body = sell
		}
		c.send("order/placeorder", "", body)
		for range 5 { // response, order, command+version, accepted, filled
			c.frame()
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "orders/s")
}
