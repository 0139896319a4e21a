package wire

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// FrameType is the first character of a server frame.
type FrameType byte

// Server frame types, inherited from SockJS.
const (
	FrameOpen      FrameType = 'o' // sent once, right after the socket opens
	FrameHeartbeat FrameType = 'h' // sent about every 2.5 s while the server has nothing else to send
	FrameArray     FrameType = 'a' // a JSON array of responses and events
	FrameClose     FrameType = 'c' // c[code,"reason"], sent before the server closes the socket
)

// String returns "open", "heartbeat", "array" or "close".
func (t FrameType) String() string {
	switch t {
	case FrameOpen:
		return "open"
	case FrameHeartbeat:
		return "heartbeat"
	case FrameArray:
		return "array"
	case FrameClose:
		return "close"
	}
	return fmt.Sprintf("FrameType(%q)", byte(t))
}

// ErrFrame is wrapped by every ParseFrame error.
var ErrFrame = errors.New("wire: malformed frame")

// Frame is one server-to-client websocket text message.
type Frame struct {
	Type FrameType
	// Data is, for an array frame, the JSON array text after the 'a'; it
	// aliases the parsed bytes. Use Messages to walk it.
	Data []byte
	// Code and Reason are the close frame's code and reason.
	Code   int
	Reason string
}

// ParseFrame parses one server frame. It does not allocate for open,
// heartbeat and array frames; array contents are checked lazily by
// Messages. Leading and trailing whitespace is ignored.
func ParseFrame(b []byte) (Frame, error) {
	i := skipSpace(b, 0)
	j := len(b)
	for j > i && isSpace(b[j-1]) {
		j--
	}
	if i == j {
		return Frame{}, fmt.Errorf("%w: empty", ErrFrame)
	}
	t := FrameType(b[i])
	rest := b[i+1 : j]
	switch t {
	case FrameOpen, FrameHeartbeat:
		if len(rest) != 0 {
			return Frame{}, fmt.Errorf("%w: %s frame with data", ErrFrame, t)
		}
		return Frame{Type: t}, nil
	case FrameArray:
		k := skipSpace(rest, 0)
		if k >= len(rest) || rest[k] != '[' || rest[len(rest)-1] != ']' {
			return Frame{}, fmt.Errorf("%w: array frame without a JSON array", ErrFrame)
		}
		return Frame{Type: t, Data: rest}, nil
	case FrameClose:
		var parts []json.RawMessage
		if err := json.Unmarshal(rest, &parts); err != nil || len(parts) == 0 {
			return Frame{}, fmt.Errorf("%w: close frame wants [code,\"reason\"]", ErrFrame)
		}
		f := Frame{Type: t}
		code, ok := parseInt(parts[0])
		if !ok || code < 0 || code > 65535 {
			return Frame{}, fmt.Errorf("%w: close code %s", ErrFrame, parts[0])
		}
		f.Code = int(code)
		if len(parts) > 1 {
			if err := json.Unmarshal(parts[1], &f.Reason); err != nil {
				return Frame{}, fmt.Errorf("%w: close reason %s", ErrFrame, parts[1])
			}
		}
		return f, nil
	}
	return Frame{}, fmt.Errorf("%w: unknown frame type %q", ErrFrame, b[i])
}

// Messages calls fn with every message (response or event object) of an
// array frame, in order, without allocating. It fails on other frame types.
func (f Frame) Messages(fn func(msg []byte) error) error {
	if f.Type != FrameArray {
		return fmt.Errorf("%w: %s frame has no messages", ErrFrame, f.Type)
	}
	return EachElement(f.Data, fn)
}

// Encoded frames that never change.
var (
	OpenFrame      = []byte{byte(FrameOpen)}
	HeartbeatFrame = []byte{byte(FrameHeartbeat)}
)

// AppendArrayFrame appends an array frame holding msgs, each a complete
// JSON value (see AppendResponse, AppendEvent).
func AppendArrayFrame(b []byte, msgs ...[]byte) []byte {
	b = append(b, 'a', '[')
	for i, m := range msgs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, m...)
	}
	return append(b, ']')
}

// AppendCloseFrame appends c[code,"reason"].
func AppendCloseFrame(b []byte, code int, reason string) []byte {
	b = append(b, 'c', '[')
	b = strconv.AppendInt(b, int64(code), 10)
	b = append(b, ',')
	b = appendString(b, reason)
	return append(b, ']')
}

// IsHeartbeat reports whether a client frame is the heartbeat "[]"
// (whitespace allowed).
func IsHeartbeat(b []byte) bool {
	i := skipSpace(b, 0)
	if i+1 >= len(b) || b[i] != '[' {
		return false
	}
	j := skipSpace(b, i+1)
	return j < len(b) && b[j] == ']' && skipSpace(b, j+1) == len(b)
}
