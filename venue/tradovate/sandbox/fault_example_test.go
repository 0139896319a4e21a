package sandbox_test

import (
	"fmt"
	"time"

	"github.com/keeltrade/keel/venue/tradovate/sandbox"
)

func ExampleServer_Inject() {
	s, err := sandbox.New(sandbox.Config{})
	if err != nil {
		panic(err)
	}
	defer s.Close()

	// Delay the next five props events of demo sockets by 250 ms.
	inj, err := s.Inject(sandbox.Fault{
		Kind:   sandbox.FaultDelay,
		Target: sandbox.Target{Service: sandbox.Demo},
		Kinds:  []sandbox.MessageKind{sandbox.KindProps},
		Delay:  250 * time.Millisecond,
		Count:  5,
	})
	fmt.Println(err, len(s.Faults()), s.Faults()[0].Left)
	s.ClearFault(inj.ID)

	_, err = s.Inject(sandbox.Fault{Kind: sandbox.FaultReject, RejectReason: "Later"})
	fmt.Println(err)
	// Output:
	// <nil> 1 5
	// sandbox: rejectReason: "Later": not a Tradovate RejectReason (e.g. NoQuote, MaxPosLimitReached, TradingLocked, UnknownReason)
}

func ExampleParseScenario() {
	sc, err := sandbox.ParseScenario([]byte(`
steps:
  - {at: 5s, fault: drop, target: {service: demo}}
  - {at: 10s, fault: delay, kinds: [responses], delay: 250ms, for: 3s}
`))
	fmt.Println(err, len(sc.Steps), sc.Steps[1].Fault.Delay)

	_, err = sandbox.ParseScenario([]byte(`steps: [{at: -5s, fault: dorp}]`))
	for _, fe := range sandbox.FieldErrors(err) {
		fmt.Println(fe.Field, "-", fe.Reason)
	}
	// Output:
	// <nil> 2 250ms
	// steps[0].at - must not be negative
	// steps[0].fault - unknown fault; want one of drop, shutdown, close, stop-heartbeats, delay, drop-messages, duplicate, reorder, reject, partial-fill, expire-tokens
}
