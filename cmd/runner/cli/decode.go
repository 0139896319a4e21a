package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/tradovate"
	"github.com/keeltrade/keel/venue/tradovate/wire"
)

func init() {
	commands["decode"] = command{summary: "decode logged Tradovate websocket frames (stdin) into one JSON object per message, failures explained", run: runDecode}
}

const decodeUsage = `usage: runner decode [FILE...] < frames

Reads Tradovate websocket traffic one frame a line, as it appears in logs,
from the files named or from stdin, and prints one JSON object per message.

A line may be a server frame (o, h, a[...], c[code,"reason"]), a bare JSON
array or object (a message list, one message, or a REST body), a client
request ("endpoint\n<id>\n<query>\n<body>", escaped), any of these inside a
Python bytes or str literal (b'...', '...', with \n, \xNN, \' escapes) or
a JSON string, or a Python repr such as [{'s': 401, 'i': 2, 'd': 'Access is
denied'}]. Text before a frame on the line (a log prefix) is skipped. Blank
lines and lines starting with # are ignored.

Each object has the input "line" and a "type": open, heartbeat, close,
response, event, request or body. Responses carry id and status (and the
endpoint, when the request was seen earlier in the input); events the
event name, the entity and event type of props, the kind of md data, and
decoded ticks with exact prices. Failures get "error", "error_type" and a
plain-English "explain". A line that cannot be read prints {"line":N,
"error":...} and decoding goes on.

Tokens, passwords and API secrets are never printed: the body of an
authorize request and every accessToken, mdAccessToken, password and sec
value print as "***", and unreadable lines are not echoed.

Exit status: 0 once all input is read, however many lines failed to
decode; 1 if the input cannot be read; 2 for bad usage.
`

func runDecode(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("decode", stderr)
	fs.Usage = func() { fmt.Fprint(stderr, decodeUsage) }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	bw := bufio.NewWriter(stdout)
	defer bw.Flush()
	d := newDecodeStream(bw)
	if fs.NArg() == 0 {
		return d.decodeAll(os.Stdin)
	}
	for _, name := range fs.Args() {
		if name == "-" {
			if err := d.decodeAll(os.Stdin); err != nil {
				return err
			}
			continue
		}
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		err = d.decodeAll(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

// decodeStream holds what decoding a stream needs across lines: the quote
// decoder's per-contract state and the endpoints of requests seen, by id.
type decodeStream struct {
	enc       *json.Encoder
	quotes    *tradovate.QuoteDecoder
	endpoints map[int64]string
	line      int
}

func newDecodeStream(w io.Writer) *decodeStream {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return &decodeStream{enc: enc, quotes: tradovate.NewQuoteDecoder(16), endpoints: map[int64]string{}}
}

// decodeAll decodes r line by line; only a read error stops it.
func (d *decodeStream) decodeAll(r io.Reader) error {
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 {
			d.line++
			d.decodeLine(line)
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read input after line %d: %w", d.line, err)
		}
	}
}

// decodeOut is one printed object. Field order is the print order.
type decodeOut struct {
	Line       int                 `json:"line"`
	Msg        int                 `json:"msg,omitempty"` // 1-based position in a frame of several messages
	Type       string              `json:"type,omitempty"`
	From       string              `json:"from,omitempty"`
	ID         *int64              `json:"id,omitempty"`
	Status     int                 `json:"status,omitempty"`
	Endpoint   string              `json:"endpoint,omitempty"`
	Query      string              `json:"query,omitempty"`
	Event      string              `json:"event,omitempty"`
	Kind       string              `json:"kind,omitempty"`
	EntityType string              `json:"entity_type,omitempty"`
	EventType  string              `json:"event_type,omitempty"`
	Code       int                 `json:"code,omitempty"`
	ReasonCode string              `json:"reason_code,omitempty"`
	Reason     string              `json:"reason,omitempty"`
	Clock      *decodeClock        `json:"clock,omitempty"`
	Ticks      []decodeQuote       `json:"ticks,omitempty"`
	Packets    []decodeChartPacket `json:"packets,omitempty"`
	OK         *bool               `json:"ok,omitempty"`
	Error      string              `json:"error,omitempty"`
	ErrorType  string              `json:"error_type,omitempty"`
	Explain    string              `json:"explain,omitempty"`
	Body       any                 `json:"body,omitempty"`
	Data       any                 `json:"data,omitempty"`
}

type decodeClock struct {
	Time  string `json:"time"`
	Speed int    `json:"speed"`
}

// decodeQuote is a venue.Tick from an md quote: the book when the quote had
// one, the trade when the volume rose.
type decodeQuote struct {
	Contract  int64        `json:"contract"`
	Time      string       `json:"time,omitempty"`
	Bid       *venue.Price `json:"bid,omitempty"`
	BidSize   *int32       `json:"bid_size,omitempty"`
	Ask       *venue.Price `json:"ask,omitempty"`
	AskSize   *int32       `json:"ask_size,omitempty"`
	Price     *venue.Price `json:"price,omitempty"`
	Size      int32        `json:"size,omitempty"`
	Aggressor string       `json:"aggressor,omitempty"`
}

// decodeChartPacket is one chart packet: decoded ticks, bars, or the end of history.
type decodeChartPacket struct {
	ID    int64             `json:"id"`
	EOH   bool              `json:"eoh,omitempty"`
	Ticks []decodeChartTick `json:"ticks,omitempty"`
	Bars  []wire.Bar        `json:"bars,omitempty"`
	Error string            `json:"error,omitempty"`
}

type decodeChartTick struct {
	ID      int64         `json:"id"`
	Time    string        `json:"time"`
	Price   venue.Price   `json:"price"`
	Size    wire.Decimal  `json:"size"`
	Bid     *venue.Price  `json:"bid,omitempty"`
	BidSize *wire.Decimal `json:"bid_size,omitempty"`
	Ask     *venue.Price  `json:"ask,omitempty"`
	AskSize *wire.Decimal `json:"ask_size,omitempty"`
}

func (d *decodeStream) print(o *decodeOut) {
	o.Line = d.line
	_ = d.enc.Encode(o) // a write error shows up when the buffer is flushed
}

func (d *decodeStream) fail(err error) {
	d.print(&decodeOut{Error: err.Error()})
}

func (d *decodeStream) decodeLine(raw []byte) {
	line := bytes.TrimSpace(raw)
	if len(line) == 0 || line[0] == '#' {
		return
	}
	err := d.decodeText(line)
	if err == nil {
		return
	}
	// A log prefix: retry from each place a frame could start.
	for i := 1; i < len(line); i++ {
		if p := line[i-1]; p != ' ' && p != '\t' && p != ':' && p != '=' && p != '>' {
			continue
		}
		if rest := line[i:]; decFrameStart(rest) && d.decodeText(rest) == nil {
			return
		}
	}
	d.fail(err)
}

// decFrameStart reports whether b starts like something decodeText reads.
func decFrameStart(b []byte) bool {
	for _, p := range []string{"b'", `b"`, "a[", "c[", "[{", "[]", `{"`, "{'", "'", `"`} {
		if bytes.HasPrefix(b, []byte(p)) {
			return true
		}
	}
	return string(b) == "o" || string(b) == "h"
}

// decodeText decodes one line (or the part after a log prefix). It prints
// nothing when it returns an error.
func (d *decodeStream) decodeText(b []byte) error {
	content, err := decUnwrapLiteral(b)
	if err != nil {
		return err
	}
	content = bytes.TrimSpace(content)
	if len(content) == 0 {
		return errors.New("empty frame")
	}
	switch c := content[0]; {
	case string(content) == "o" || string(content) == "h" || ((c == 'a' || c == 'c') && len(content) > 1 && content[1] == '['):
		return d.decodeFrame(content)
	case c == '[' || c == '{':
		j, err := decToJSON(content)
		if err != nil {
			return err
		}
		return d.decodeJSON(j)
	case bytes.IndexByte(content, '\n') > 0:
		return d.decodeRequest(content)
	case decLooksEscapedRequest(content):
		un, err := decPyUnescape(content, false)
		if err != nil {
			return err
		}
		return d.decodeRequest(un)
	}
	return errors.New("not a Tradovate frame, message or request (want o, h, a[...], c[...], JSON, or a request text)")
}

// decUnwrapLiteral returns the contents of a Python bytes or str literal or
// a JSON string, and b itself otherwise.
func decUnwrapLiteral(b []byte) ([]byte, error) {
	bytesLit := false
	s := b
	if len(s) > 0 && (s[0] == 'b' || s[0] == 'B') && len(s) > 1 && (s[1] == '\'' || s[1] == '"') {
		bytesLit, s = true, s[1:]
	}
	if len(s) < 2 || (s[0] != '\'' && s[0] != '"') {
		return b, nil
	}
	q := s[0]
	if s[len(s)-1] != q {
		return nil, fmt.Errorf("unterminated %c-quoted literal", q)
	}
	if q == '"' && !bytesLit {
		var str string
		if json.Unmarshal(s, &str) == nil {
			return []byte(str), nil
		}
	}
	return decPyUnescape(s[1:len(s)-1], !bytesLit)
}

// decPyUnescape decodes Python string escapes (\n \t \r \\ \' \" \xNN \NNN
// octal, and \uXXXX \UXXXXXXXX in str literals). Unknown escapes stay, as
// in Python.
func decPyUnescape(s []byte, str bool) ([]byte, error) {
	if bytes.IndexByte(s, '\\') < 0 {
		return s, nil
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		if i+1 >= len(s) {
			return nil, errors.New("literal ends with a backslash")
		}
		i++
		switch e := s[i]; e {
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'a':
			out = append(out, 7)
		case 'b':
			out = append(out, 8)
		case 'f':
			out = append(out, 12)
		case 'v':
			out = append(out, 11)
		case '\\', '\'', '"':
			out = append(out, e)
		case 'x':
			if i+2 >= len(s) {
				return nil, errors.New(`truncated \x escape`)
			}
			n, err := strconv.ParseUint(string(s[i+1:i+3]), 16, 8)
			if err != nil {
				return nil, fmt.Errorf(`bad \x escape %q`, s[i-1:i+3])
			}
			out = append(out, byte(n))
			i += 2
		case 'u', 'U':
			if !str {
				out = append(out, '\\', e)
				continue
			}
			n := 4
			if e == 'U' {
				n = 8
			}
			if i+n >= len(s) {
				return nil, fmt.Errorf(`truncated \%c escape`, e)
			}
			r, err := strconv.ParseUint(string(s[i+1:i+1+n]), 16, 32)
			if err != nil || !utf8.ValidRune(rune(r)) {
				return nil, fmt.Errorf(`bad \%c escape %q`, e, s[i-1:i+1+n])
			}
			out = utf8.AppendRune(out, rune(r))
			i += n
		default:
			if e >= '0' && e <= '7' {
				j, v := i, 0
				for ; j < len(s) && j < i+3 && s[j] >= '0' && s[j] <= '7'; j++ {
					v = v*8 + int(s[j]-'0')
				}
				out = append(out, byte(v))
				i = j - 1
				continue
			}
			out = append(out, '\\', e)
		}
	}
	return out, nil
}

// decLooksEscapedRequest reports whether b is a request whose line breaks
// were logged as \n: an endpoint, \n, an integer id.
func decLooksEscapedRequest(b []byte) bool {
	ep, rest, ok := bytes.Cut(b, []byte(`\n`))
	if !ok || len(ep) == 0 || bytes.ContainsAny(ep, " \t{}[]\"'") {
		return false
	}
	id, _, _ := bytes.Cut(rest, []byte(`\`))
	_, err := strconv.ParseInt(string(id), 10, 64)
	return err == nil
}

// decToJSON returns b if it is JSON, else b read as a Python literal (single
// quotes, True/False/None) and rewritten as JSON.
func decToJSON(b []byte) ([]byte, error) {
	if json.Valid(b) {
		return b, nil
	}
	j, err := decPyToJSON(b)
	if err != nil {
		return nil, fmt.Errorf("neither JSON nor a Python literal: %w", err)
	}
	if !json.Valid(j) {
		return nil, errors.New("neither JSON nor a Python literal")
	}
	return j, nil
}

func decPyToJSON(b []byte) ([]byte, error) {
	out := make([]byte, 0, len(b)+16)
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',' || c == ':' || c == '{' || c == '}' || c == '[' || c == ']':
			out = append(out, c)
			i++
		case c == '(':
			out = append(out, '[')
			i++
		case c == ')':
			out = append(out, ']')
			i++
		case c == '\'' || c == '"' || ((c == 'b' || c == 'u' || c == 'r' || c == 'B' || c == 'U' || c == 'R') && i+1 < len(b) && (b[i+1] == '\'' || b[i+1] == '"')):
			raw, str := false, true
			if c != '\'' && c != '"' {
				raw, str = c == 'r' || c == 'R', c != 'b' && c != 'B'
				i++
			}
			q := b[i]
			j := i + 1
			for ; j < len(b) && b[j] != q; j++ {
				if b[j] == '\\' {
					j++
				}
			}
			if j >= len(b) {
				return nil, fmt.Errorf("unterminated string at offset %d", i)
			}
			v := b[i+1 : j]
			if !raw {
				var err error
				if v, err = decPyUnescape(v, str); err != nil {
					return nil, err
				}
			}
			out = wire.AppendString(out, string(v))
			i = j + 1
		case c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z':
			j := i
			for j < len(b) && (b[j] >= 'A' && b[j] <= 'Z' || b[j] >= 'a' && b[j] <= 'z') {
				j++
			}
			switch string(b[i:j]) {
			case "True":
				out = append(out, "true"...)
			case "False":
				out = append(out, "false"...)
			case "None":
				out = append(out, "null"...)
			default:
				return nil, fmt.Errorf("unexpected word at offset %d", i) // not echoed: it may be a token
			}
			i = j
		case c == '-' || c == '+' || c == '.' || c >= '0' && c <= '9':
			j := i
			for j < len(b) && strings.IndexByte("+-.0123456789eE", b[j]) >= 0 {
				j++
			}
			out = append(out, b[i:j]...)
			i = j
		default:
			return nil, fmt.Errorf("unexpected character at offset %d", i)
		}
	}
	return out, nil
}

// decodeFrame decodes a server frame.
func (d *decodeStream) decodeFrame(b []byte) error {
	f, err := wire.ParseFrame(b)
	if err != nil {
		return err
	}
	switch f.Type {
	case wire.FrameOpen:
		d.print(&decodeOut{Type: "open", Explain: "the socket is open; the client must send authorize next"})
	case wire.FrameHeartbeat:
		d.print(&decodeOut{Type: "heartbeat", From: "server"})
	case wire.FrameClose:
		d.print(&decodeOut{Type: "close", Code: f.Code, Reason: f.Reason,
			Explain: "the server is closing the socket; reconnect with backoff, authorize again, re-send user/syncrequest and re-subscribe market data: nothing missed is replayed"})
	case wire.FrameArray:
		return d.decodeMessages(f.Data)
	}
	return nil
}

// decodeJSON decodes a bare JSON line: [] (the client heartbeat), a
// message array, one message, or a REST body.
func (d *decodeStream) decodeJSON(j []byte) error {
	if j[0] == '[' {
		if wire.IsHeartbeat(j) {
			d.print(&decodeOut{Type: "heartbeat", From: "client"})
			return nil
		}
		return d.decodeMessages(j)
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(j, &probe); err != nil {
		return err
	}
	_, e := probe["e"]
	_, s := probe["s"]
	if e || s {
		return d.decodeMessages(append(append([]byte{'['}, j...), ']'))
	}
	o := &decodeOut{Type: "body", Data: decRedact(j)}
	if err := wire.Check(j); err != nil {
		decSetError(o, err, "")
	} else {
		o.OK = decPtr(true)
	}
	d.print(o)
	return nil
}

func (d *decodeStream) decodeMessages(arr []byte) error {
	var msgs [][]byte
	if err := wire.EachElement(arr, func(m []byte) error {
		msgs = append(msgs, m)
		return nil
	}); err != nil {
		return err
	}
	for i, m := range msgs {
		o := &decodeOut{}
		if len(msgs) > 1 {
			o.Msg = i + 1
		}
		d.decodeMessage(m, o)
		d.print(o)
	}
	return nil
}

func (d *decodeStream) decodeMessage(b []byte, o *decodeOut) {
	m, err := wire.ParseMessage(b)
	if err != nil {
		o.Error = err.Error()
		return
	}
	if !m.IsEvent() {
		d.decodeResponse(&m, o)
		return
	}
	o.Type, o.Event = "event", m.Event
	var derr error
	switch m.Event {
	case wire.EventMD:
		derr = d.decodeMD(b, &m, o)
	case wire.EventChart:
		derr = decChart(&m, o)
	case wire.EventProps:
		derr = decProps(&m, o)
	case wire.EventClock:
		c, err := wire.ParseClock(m.Data)
		if derr = err; err == nil {
			o.Clock = &decodeClock{Time: c.T.UTC().Format(wire.TimeLayout), Speed: c.S}
			if c.S == 0 {
				o.Explain = "speed 0: the replay is paused (the server pauses it when it falls behind); resume with replay/changespeed {\"speed\":N}"
			}
		}
	case wire.EventShutdown:
		var s wire.Shutdown
		if derr = json.Unmarshal(m.Data, &s); derr == nil {
			o.ReasonCode, o.Reason, o.Explain = s.ReasonCode, s.Reason, decExplainShutdown(s.ReasonCode)
		}
	default:
		o.Data = decRedact(m.Data)
	}
	if derr != nil {
		o.Error = derr.Error()
	}
}

func (d *decodeStream) decodeResponse(m *wire.Message, o *decodeOut) {
	o.Type, o.Status = "response", m.Status
	if m.HasID {
		o.ID = decPtr(m.ID)
		o.Endpoint = d.endpoints[m.ID]
	}
	if len(m.Data) > 0 && (m.Status/100 == 2 || m.Data[0] != '"') {
		o.Data = decRedact(m.Data) // an error's text is already in "error"
	}
	if err := m.Decode(nil); err != nil {
		decSetError(o, err, o.Endpoint)
		return
	}
	o.OK = decPtr(true)
}

func (d *decodeStream) decodeMD(msg []byte, m *wire.Message, o *decodeOut) error {
	var kinds []string
	if len(m.Data) > 0 && m.Data[0] == '{' {
		_ = wire.EachField(m.Data, func(k, _ []byte) error {
			kinds = append(kinds, string(k))
			return nil
		})
	}
	o.Kind = strings.Join(kinds, ",")
	ticks, err := d.quotes.DecodeMessage(msg, 0, nil)
	for _, t := range ticks {
		o.Ticks = append(o.Ticks, decQuoteTick(t))
	}
	if o.Kind != "quotes" {
		o.Data = decRedact(m.Data)
	}
	return err
}

func decQuoteTick(t venue.Tick) decodeQuote {
	q := decodeQuote{Contract: int64(t.Contract)}
	if t.Time != 0 {
		q.Time = t.At().Format(wire.TimeLayout)
	}
	if t.IsQuote() {
		q.Bid, q.BidSize, q.Ask, q.AskSize = decPtr(t.Bid), decPtr(t.BidSize), decPtr(t.Ask), decPtr(t.AskSize)
	}
	if t.IsTrade() {
		q.Price, q.Size, q.Aggressor = decPtr(t.Price), t.Size, t.Aggressor.String()
	}
	return q
}

func decChart(m *wire.Message, o *decodeOut) error {
	var ev wire.ChartEvent
	if err := json.Unmarshal(m.Data, &ev); err != nil {
		return err
	}
	var kinds []string
	for i := range ev.Charts {
		p := &ev.Charts[i]
		c := decodeChartPacket{ID: p.ID, EOH: p.EOH, Bars: p.Bars}
		ticks, err := p.DecodeTicks()
		if err != nil {
			c.Error = err.Error()
		}
		for _, t := range ticks {
			ct := decodeChartTick{ID: t.ID, Time: t.Time.Format(wire.TimeLayout), Price: t.Price, Size: t.Size}
			if t.HasBid {
				ct.Bid, ct.BidSize = decPtr(t.Bid), decPtr(t.BidSize)
			}
			if t.HasAsk {
				ct.Ask, ct.AskSize = decPtr(t.Ask), decPtr(t.AskSize)
			}
			c.Ticks = append(c.Ticks, ct)
		}
		switch {
		case len(p.Ticks) > 0:
			kinds = decAppendOnce(kinds, "ticks")
		case len(p.Bars) > 0:
			kinds = decAppendOnce(kinds, "bars")
		case p.EOH:
			kinds = decAppendOnce(kinds, "eoh")
		}
		o.Packets = append(o.Packets, c)
	}
	o.Kind = strings.Join(kinds, ",")
	return nil
}

func decAppendOnce(s []string, v string) []string {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}

func decProps(m *wire.Message, o *decodeOut) error {
	o.Data = decRedact(m.Data)
	var p wire.PropsEvent
	if err := json.Unmarshal(m.Data, &p); err != nil {
		return err
	}
	o.EntityType, o.EventType = p.EntityType, p.EventType
	switch p.EntityType {
	case wire.EntityCommandReport:
		reps, err := wire.DecodeEntities[wire.CommandReport](p)
		if err != nil {
			return err
		}
		for _, r := range reps {
			if r.CommandStatus == wire.CommandStatusRiskRejected || r.CommandStatus == wire.CommandStatusExecutionRejected || r.RejectReason != "" && r.RejectReason != wire.RejectSuccess {
				o.Explain = fmt.Sprintf("command %d rejected (%s, %s): %s", r.CommandID, r.CommandStatus, r.RejectReason, decExplainReject(r.RejectReason, r.Text))
			}
		}
	case wire.EntityExecutionReport:
		reps, err := wire.DecodeEntities[wire.ExecutionReport](p)
		if err != nil {
			return err
		}
		for _, r := range reps {
			if r.ExecType == wire.ExecRejected {
				o.Explain = fmt.Sprintf("order %d rejected (%s): %s", r.OrderID, r.RejectReason, decExplainReject(r.RejectReason, r.Text))
			}
		}
	}
	return nil
}

func (d *decodeStream) decodeRequest(b []byte) error {
	r, err := wire.ParseRequest(b)
	if err != nil {
		// wire's message quotes the line's text, which may be a token.
		return errors.New(`not a request: want <endpoint>\n<integer id>\n<query>\n<body>`)
	}
	d.endpoints[r.ID] = r.Endpoint
	o := &decodeOut{Type: "request", From: "client", ID: decPtr(r.ID), Endpoint: r.Endpoint, Query: r.Query}
	switch {
	case r.Body == nil:
	case r.Key() == "authorize":
		o.Body = "***"
	default:
		o.Body = decRedact(r.Body)
	}
	d.print(o)
	return nil
}

// decSecretKeys are the fields whose values are never printed.
var decSecretKeys = []string{"accessToken", "mdAccessToken", "password", "sec"}

// decRedact returns v with secret values replaced by "***", as JSON when
// v is JSON and as a string otherwise (a request body that is not JSON).
func decRedact(v []byte) any {
	v = bytes.TrimSpace(v)
	if !json.Valid(v) {
		return string(v)
	}
	var s wire.Scanner
	s.Reset(v)
	out := decRedactInto(nil, &s)
	if s.End() != nil || !json.Valid(out) {
		return "***" // cannot tell what is secret in it
	}
	return json.RawMessage(out)
}

func decRedactInto(out []byte, s *wire.Scanner) []byte {
	switch s.Peek() {
	case '{':
		out = append(out, '{')
		n := 0
		for k, ok := s.NextField(); ok; k, ok = s.NextField() {
			if n++; n > 1 {
				out = append(out, ',')
			}
			out = append(append(append(out, '"'), k...), '"', ':')
			if decIsSecretKey(k) {
				s.Skip()
				out = append(out, `"***"`...)
				continue
			}
			out = decRedactInto(out, s)
		}
		return append(out, '}')
	case '[':
		out = append(out, '[')
		n := 0
		for s.NextElement() {
			if n++; n > 1 {
				out = append(out, ',')
			}
			out = decRedactInto(out, s)
		}
		return append(out, ']')
	}
	return append(out, s.Value()...)
}

func decIsSecretKey(k []byte) bool {
	key := string(k)
	if bytes.IndexByte(k, '\\') >= 0 {
		_ = json.Unmarshal(append(append([]byte{'"'}, k...), '"'), &key)
	}
	for _, s := range decSecretKeys {
		if strings.EqualFold(key, s) {
			return true
		}
	}
	return false
}

// decSetError fills error, error_type and explain from a wire error.
func decSetError(o *decodeOut, err error, endpoint string) {
	o.OK = decPtr(false)
	o.Error = err.Error()
	var (
		se *wire.StatusError
		fe *wire.FailureError
		pe *wire.PenaltyError
		ae *wire.APIError
		ve *wire.ViolationError
	)
	switch {
	case errors.As(err, &se):
		o.ErrorType, o.Explain = "StatusError", decExplainStatus(se, endpoint)
	case errors.As(err, &pe):
		o.ErrorType, o.Explain = "PenaltyError", decExplainPenalty(pe)
	case errors.As(err, &ve):
		o.ErrorType = "ViolationError"
		o.Explain = "Tradovate refused the request body; fix the fields named (an order without accountId gives this too) and send it again"
	case errors.As(err, &fe):
		o.ErrorType, o.Explain = "FailureError", decExplainReject(fe.Reason, fe.Text)
	case errors.As(err, &ae):
		o.ErrorType, o.Explain = "APIError", decExplainAPIError(ae.Text)
	}
}

// The probable causes of a live "Access is denied", in the order they
// are found in practice (reference §2.8).
const decAccessDenied = "probable causes, in order: " +
	"(1) live only: this device id is not approved — keel keeps one device id per machine; approve it from Tradovate's e-mail or the Trader app and keep sending the same id, as a string; " +
	"(2) the API key lacks permission for this operation — every permission starts as none; set it in Trader → Application Settings → API Access (live API use also needs the API Access subscription and a funded live account); " +
	"(3) outdated terms: outdatedTaC or outdatedLiquidationPolicy in the login answer — log in to the Trader web app and accept them; " +
	"(4) wrong account: accountId must be an account id from account/list (not the user id) in the same environment (live or demo) as the token; " +
	"(5) the symbol is not tradable: unknown or expired contract, or no permission for its exchange"

func decExplainStatus(e *wire.StatusError, endpoint string) string {
	ep := strings.ToLower(endpoint)
	switch s := e.Status; {
	case s == 401 && (ep == "authorize" || e.Text == "Invalid access token"):
		return "the socket's token was refused: it expired (tokens live 90 minutes; renew about 15 minutes before expirationTime), was evicted by a newer login (2 sessions per user, the oldest is closed), or is the wrong one for this socket (md and replay sockets take mdAccessToken, the trading socket accessToken); get a fresh token and reconnect"
	case s == 401:
		return decAccessDenied
	case s == 400:
		return "Tradovate could not use the request: check the body against the endpoint's fields; over REST an expired token also gives 400 — renew it"
	case s == 404 && strings.HasPrefix(e.Text, "Not found"):
		return "no such endpoint on this socket: md/* requests go to the md socket, trading requests to the trading socket, replay/* to the replay socket; check the spelling; a live id used against demo (or the reverse) also gives 404"
	case s == 404:
		return "not found: the id or name does not exist in this environment (live and demo ids differ)"
	case s == 408 || s == 502:
		return "probably an evicted session: Tradovate keeps 2 sessions per user and closes the oldest when another login starts (Trader web, desktop, mobile or another bot); stop the other logins and get a new token"
	case s == 423:
		return "locked out after repeated failures (usually failed logins): stop every call for an hour, fix the credentials, then retry once"
	case s == 429:
		return "too many requests: slow down (limits are per user, about 5,000 an hour, and per endpoint, e.g. 5 failed logins and 300 syncrequests an hour per IP); if it goes on Tradovate locks the user out for an hour"
	case s >= 500:
		return "Tradovate server error: retry with backoff; check whether it is a maintenance window (CT: Mon–Thu 16:00–17:00, Fri 16:00–20:00, Sat 22:00 – Sun 06:30)"
	}
	return ""
}

func decExplainPenalty(e *wire.PenaltyError) string {
	if e.Captcha {
		return "p-captcha: Tradovate wants a captcha, which a program cannot answer (usually after repeated failed logins); stop, check the credentials, and retry in an hour"
	}
	secs := strconv.FormatFloat(e.Wait.Seconds(), 'f', -1, 64)
	return "time penalty: the request was not executed; wait p-time (" + secs + " s) and send the same request once more with \"p-ticket\" added to its body; do not retry sooner"
}

func decExplainReject(reason, text string) string {
	switch reason {
	case wire.RejectUnknownReason, "":
		if strings.Contains(strings.ToLower(text), "access is denied") {
			return "an order answered 200 with Access is denied: first check the symbol (it does not exist or has expired — find it with contract/find) and that accountId is an account id from account/list, not the user id; then " + decAccessDenied
		}
		return "Tradovate gave no reason; read failureText, and check the symbol, the account and the price"
	case wire.RejectSessionClosed:
		return "the contract's session is closed (the daily 16:00–17:00 CT break, a weekend or a holiday); send it when the session opens"
	case wire.RejectMaxPosLimitReached, "MaxTotalPosLimitReached":
		return "the account's position limit (Tradovate risk settings) is reached; reduce the position or raise the limit"
	case wire.RejectInvalidContract:
		return "the contract is unknown or expired; roll to the front month"
	case wire.RejectInvalidPrice:
		return "the price is off the contract's tick grid or outside the exchange's price band"
	case wire.RejectNoQuote:
		return "there is no market data for the contract yet (closed market or no data subscription)"
	case wire.RejectTradingLocked:
		return "trading is locked on the account (daily loss limit, auto-liquidation or an admin lock); see accountRiskStatus"
	case wire.RejectLiquidationOnly, "LiquidationOnlyBeforeExpiration":
		return "the account (or the expiring contract) is liquidation-only: only orders that reduce the position are accepted"
	case wire.RejectAnotherCommandPending:
		return "an earlier modify or cancel of this order is still pending; wait for its commandReport"
	case wire.RejectTooLate:
		return "too late: the order is already filled, cancelled or expired"
	case wire.RejectUnauthorized:
		return "not allowed: the API key or user lacks permission for this account or operation; " + decAccessDenied
	case wire.RejectAccountClosed:
		return "the account is closed"
	case wire.RejectUnsupported:
		return "the order type or parameters are not supported for this contract"
	}
	return "Tradovate rejected it with " + reason + "; see its text"
}

func decExplainAPIError(text string) string {
	switch t := strings.ToLower(text); {
	case strings.Contains(t, "password") || strings.Contains(t, "incorrect"):
		return "login refused: check name and password (case-sensitive; an API key may have its own password), cid and sec; three failed logins lock the API user for an hour"
	case strings.Contains(t, "operation failed"):
		return "Tradovate reported a failure in a 200 answer; the request did not take effect"
	}
	return "Tradovate answered 200 with an error text; the request did not take effect"
}

func decExplainShutdown(code string) string {
	switch code {
	case wire.ShutdownMaintenance:
		return "Tradovate is closing connections for maintenance (CT: Mon–Thu 16:00–17:00, Fri 16:00–20:00, Sat 22:00 – Sun 06:30); reconnect with backoff after the window"
	case wire.ShutdownConnectionQuotaReached:
		return "too many connections for this user: Tradovate allows 2 sessions and closes the oldest; close other logins (Trader web, desktop, mobile, other bots) and use one socket of each kind per process"
	case wire.ShutdownIPQuotaReached:
		return "too many connections from this IP address: stop other processes on this machine or network that connect, and do not open a socket per strategy"
	}
	return "the server is about to close the socket; reconnect with backoff"
}

func decPtr[T any](v T) *T { return &v }
