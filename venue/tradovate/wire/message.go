package wire

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// Event names ("e") Tradovate sends.
const (
	EventProps    = "props"    // entity created/updated/deleted, after user/syncrequest
	EventMD       = "md"       // quotes, DOMs, histograms
	EventChart    = "chart"    // chart and tick-chart packets
	EventClock    = "clock"    // replay clock; d is a JSON-encoded string
	EventShutdown = "shutdown" // the server is about to close the socket; d is Shutdown
)

// Message is one element of an array frame: a response {s,i,d} when Event
// is empty, an event {e,d} otherwise.
type Message struct {
	Event  string // event name; "" for a response
	Status int    // response status ("s"), HTTP-like
	ID     int64  // response request id ("i")
	HasID  bool   // "i" was present and an integer
	// Data is "d", raw; it aliases the frame. For a 2xx response it is the
	// REST body; for an error response a JSON string with the error text.
	// Nil when absent.
	Data json.RawMessage
}

// IsEvent reports whether m is an event.
func (m *Message) IsEvent() bool { return m.Event != "" }

// knownEvent interns the usual event names so parsing them does not allocate.
func knownEvent(b []byte) string {
	switch string(b) {
	case EventProps:
		return EventProps
	case EventMD:
		return EventMD
	case EventChart:
		return EventChart
	case EventClock:
		return EventClock
	case EventShutdown:
		return EventShutdown
	}
	return string(b)
}

// ParseMessage reads one message object. It does not allocate for
// responses and for the usual events. A missing or non-integer "i"
// (partner docs show "i":"request_id") leaves HasID false.
func ParseMessage(b []byte) (Message, error) {
	var m Message
	var sawS, sawE bool
	err := EachField(b, func(k, v []byte) error {
		switch string(k) {
		case "e":
			s, ok := unquoteSimple(v)
			if !ok {
				var name string
				if err := json.Unmarshal(v, &name); err != nil {
					return fmt.Errorf("%w: event name %s", ErrSyntax, v)
				}
				m.Event, sawE = name, true
				return nil
			}
			m.Event, sawE = knownEvent(s), true
		case "s":
			n, ok := parseInt(v)
			if !ok || n < 0 || n > 999 {
				return fmt.Errorf("%w: status %s", ErrSyntax, v)
			}
			m.Status, sawS = int(n), true
		case "i":
			if n, ok := parseInt(v); ok {
				m.ID, m.HasID = n, true
			} else if s, ok := unquoteSimple(v); ok {
				if n, err := strconv.ParseInt(string(s), 10, 64); err == nil {
					m.ID, m.HasID = n, true
				}
			}
		case "d":
			m.Data = v
		}
		return nil
	})
	if err != nil {
		return Message{}, err
	}
	if sawE && m.Event == "" {
		return Message{}, fmt.Errorf("%w: empty event name", ErrSyntax)
	}
	if !sawE && !sawS {
		return Message{}, fmt.Errorf("%w: message has neither \"e\" nor \"s\"", ErrSyntax)
	}
	return m, nil
}

// Err returns nil for an event or a 2xx response and a *StatusError for
// any other response, with the error text from d.
func (m *Message) Err() error {
	if m.IsEvent() || (m.Status >= 200 && m.Status < 300) {
		return nil
	}
	return &StatusError{Status: m.Status, Text: errorText(m.Data)}
}

// Decode checks a response and decodes its d into v (v may be nil to only
// check): a non-2xx status is a *StatusError, a 2xx body that reports a
// failure is the typed error Check returns.
func (m *Message) Decode(v any) error {
	if m.IsEvent() {
		return fmt.Errorf("wire: decode: %q is an event, not a response", m.Event)
	}
	return Decode(m.Status, m.Data, v)
}

// errorText turns an error body into text: a JSON string is unquoted, an
// object with errorText gives that, anything else is used as it is.
func errorText(d []byte) string {
	if len(d) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(d, &s) == nil {
		return s
	}
	var o struct {
		ErrorText string `json:"errorText"`
	}
	if json.Unmarshal(d, &o) == nil && o.ErrorText != "" {
		return o.ErrorText
	}
	return string(d)
}

// AppendResponse appends {"s":status,"i":id,"d":data}; d is left out when
// data is nil. data must be valid JSON.
func AppendResponse(b []byte, id int64, status int, data []byte) []byte {
	b = append(b, `{"s":`...)
	b = strconv.AppendInt(b, int64(status), 10)
	b = append(b, `,"i":`...)
	b = strconv.AppendInt(b, id, 10)
	if data != nil {
		b = append(b, `,"d":`...)
		b = append(b, data...)
	}
	return append(b, '}')
}

// AppendErrorResponse appends {"s":status,"i":id,"d":"text"}, the form
// every non-2xx websocket response takes.
func AppendErrorResponse(b []byte, id int64, status int, text string) []byte {
	b = append(b, `{"s":`...)
	b = strconv.AppendInt(b, int64(status), 10)
	b = append(b, `,"i":`...)
	b = strconv.AppendInt(b, id, 10)
	b = append(b, `,"d":`...)
	b = appendString(b, text)
	return append(b, '}')
}

// AppendEvent appends {"e":name,"d":data}. data must be valid JSON.
func AppendEvent(b []byte, name string, data []byte) []byte {
	b = append(b, `{"e":`...)
	b = appendString(b, name)
	b = append(b, `,"d":`...)
	b = append(b, data...)
	return append(b, '}')
}

// Event is an {e,d} message for encoding with encoding/json.
type Event struct {
	Name string `json:"e"`
	Data any    `json:"d"`
}

// Response is an {s,i,d} message for encoding with encoding/json. Data
// is the body for a 2xx status and the error text (a string) otherwise.
type Response struct {
	Status int   `json:"s"`
	ID     int64 `json:"i"`
	Data   any   `json:"d,omitempty"`
}

// errNoData is returned by Decode for a 2xx response without a body when
// the caller wanted one.
var errNoData = errors.New("wire: response has no body")
