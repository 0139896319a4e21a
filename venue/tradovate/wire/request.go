package wire

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// Request is one client-to-server websocket request:
//
//	<endpoint>\n<id>\n<query>\n<body>
//
// e.g. "order/placeorder\n7\n\n{...}" or "authorize\n0\n\n<token>".
type Request struct {
	// Endpoint is the REST path without the leading '/', as sent
	// ("md/getChart"). Match on Key, its lower-case form.
	Endpoint string
	// ID is echoed back as the response's "i".
	ID int64
	// Query is the REST query string without '?', "" when absent.
	Query string
	// Body is the JSON body (the raw token for authorize), nil when absent.
	Body []byte
}

// Key returns the endpoint in lower case, the form servers match on.
func (r Request) Key() string { return lower(r.Endpoint) }

// lower is strings.ToLower that does not allocate for text already in
// lower case, the common case.
func lower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

// String describes the request for logs. The body of an authorize request
// (a token) is never printed.
func (r Request) String() string {
	body := string(r.Body)
	if r.Key() == "authorize" && len(r.Body) > 0 {
		body = "***"
	} else if len(body) > 200 {
		body = body[:200] + "…"
	}
	return fmt.Sprintf("%s #%d query=%q body=%s", r.Endpoint, r.ID, r.Query, body)
}

// RequestError says why a client frame is not a request. HasID tells
// whether ID was read, so a server can still answer with "i".
type RequestError struct {
	Endpoint string
	ID       int64
	HasID    bool
	Reason   string
}

func (e *RequestError) Error() string {
	if e.Endpoint == "" {
		return "wire: bad request: " + e.Reason
	}
	return fmt.Sprintf("wire: bad request %s: %s", e.Endpoint, e.Reason)
}

// absent reports whether a query or body line means "nothing": empty,
// or the literal text undefined or null that JavaScript clients send.
func absent(b []byte) bool {
	return len(b) == 0 || string(b) == "undefined" || string(b) == "null"
}

// cutLine splits b at the first '\n', dropping a '\r' before it.
func cutLine(b []byte) (line, rest []byte, found bool) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return b, nil, false
	}
	line = b[:i]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, b[i+1:], true
}

// ParseRequest parses a client request frame. The endpoint must be
// non-empty and the id an integer; a missing query or body line, an empty
// one, or the texts "undefined" and "null" mean absent. The body is
// everything after the third line break (it may hold line breaks itself).
// Body aliases b.
func ParseRequest(b []byte) (Request, error) {
	line, rest, ok := cutLine(b)
	ep := strings.TrimLeft(string(bytes.TrimSpace(line)), "/")
	if ep == "" {
		return Request{}, &RequestError{Reason: "empty endpoint; want <endpoint>\\n<id>\\n<query>\\n<body>"}
	}
	for i := 0; i < len(ep); i++ {
		if c := ep[i]; c <= ' ' || c == 0x7f {
			return Request{}, &RequestError{Reason: fmt.Sprintf("endpoint %q contains a space or control character", ep)}
		}
	}
	r := Request{Endpoint: ep}
	if !ok {
		return r, &RequestError{Endpoint: ep, Reason: "no request id line"}
	}
	line, rest, ok = cutLine(rest)
	idText := bytes.TrimSpace(line)
	id, err := strconv.ParseInt(string(idText), 10, 64)
	if err != nil {
		return r, &RequestError{Endpoint: ep, Reason: fmt.Sprintf("request id %q is not an integer", idText)}
	}
	r.ID = id
	if !ok {
		return r, nil
	}
	line, rest, ok = cutLine(rest)
	q := bytes.TrimSpace(bytes.TrimLeft(bytes.TrimSpace(line), "?"))
	if !absent(q) {
		r.Query = string(q)
	}
	if !ok {
		return r, nil
	}
	if body := bytes.TrimSpace(rest); !absent(body) {
		r.Body = body
	}
	return r, nil
}

// AppendText appends the request in wire form. An absent query or body is
// written as an empty line, as Tradovate's own C# client does.
func (r Request) AppendText(b []byte) []byte {
	b = append(b, r.Endpoint...)
	b = append(b, '\n')
	b = strconv.AppendInt(b, r.ID, 10)
	b = append(b, '\n')
	b = append(b, r.Query...)
	b = append(b, '\n')
	return append(b, r.Body...)
}

// MarshalText implements encoding.TextMarshaler with AppendText.
func (r Request) MarshalText() ([]byte, error) { return r.AppendText(nil), nil }
