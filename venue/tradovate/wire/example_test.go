package wire_test

import (
	"errors"
	"fmt"

	"github.com/keeltrade/keel/venue/tradovate/wire"
)

func ExampleParseRequest() {
	// What the official JavaScript sample sends for a request without a body.
	r, err := wire.ParseRequest([]byte("Account/List\n3\n\nundefined"))
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s id=%d body=%v\n", r.Key(), r.ID, r.Body == nil)
	// Output: account/list id=3 body=true
}

func ExampleDecode() {
	// HTTP 200, but the order failed.
	err := wire.Decode(200, []byte(`{"failureReason":"UnknownReason","failureText":"Access is denied"}`), new(wire.PlaceOrderResult))
	var fe *wire.FailureError
	fmt.Println(errorsAs(err, &fe), fe.Reason)
	// Output: true UnknownReason
}

func ExampleFrame_Messages() {
	f, _ := wire.ParseFrame([]byte(`a[{"s":200,"i":2},{"e":"props","d":{}}]`))
	_ = f.Messages(func(b []byte) error {
		m, _ := wire.ParseMessage(b)
		fmt.Printf("event=%v status=%d name=%q\n", m.IsEvent(), m.Status, m.Event)
		return nil
	})
	// Output:
	// event=false status=200 name=""
	// event=true status=0 name="props"
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }
