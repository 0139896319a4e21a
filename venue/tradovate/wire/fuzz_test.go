package wire_test

import (
	"testing"

	"github.com/keeltrade/keel/venue/tradovate/wire"
)

// FuzzParseFrame: no input panics, and an array frame's messages parse or
// fail cleanly.
func FuzzParseFrame(f *testing.F) {
	for _, s := range []string{"o", "h", f3Response, f3Props, f3Empty, f3Close, "a[]", "a[1,2", `a["\"]`, "c[1000]", `a[{"e":"clock","d":"{\"t\":1}"}]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fr, err := wire.ParseFrame(b)
		if err != nil || fr.Type != wire.FrameArray {
			return
		}
		_ = fr.Messages(func(m []byte) error {
			msg, err := wire.ParseMessage(m)
			if err == nil {
				_ = msg.Err()
				_ = msg.Decode(nil)
			}
			return nil
		})
	})
}

// FuzzParseRequest: no input panics; a parsed request formats and parses
// back to itself.
func FuzzParseRequest(f *testing.F) {
	for _, s := range []string{
		"executionReport/list\n4\n\n", "tradingPermission/ldeps\n8\nmasterids=1\n", "authorize\n2\n\ntoken",
		"account/list\n3\n\nundefined", "user/syncrequest\n1\nundefined\n{\"users\":[1]}", "x\ny\n", "\n\n\n", "a\n1\r\n?q\r\n null ",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := wire.ParseRequest(b)
		if err != nil {
			return
		}
		_ = r.String()
		again, err := wire.ParseRequest(r.AppendText(nil))
		if err != nil {
			t.Fatalf("re-parse of %q: %v", r.AppendText(nil), err)
		}
		if again.Key() != r.Key() || again.ID != r.ID || again.Query != r.Query || string(again.Body) != string(r.Body) {
			t.Fatalf("round trip: %+v != %+v", again, r)
		}
	})
}

// FuzzCheck: the failure decoder never panics on a body.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{`{"p-ticket":"x","p-time":1e400}`, `{"violations":3}`, `{"ok":false}`, `{"errorText":"x"}`, `{"failureReason":"X"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		_ = wire.Check(b)
		_ = wire.Decode(200, b, new(wire.PlaceOrderResult))
		_ = wire.Decode(401, b, nil)
	})
}
