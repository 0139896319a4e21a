package sandbox

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/keeltrade/keel/venue/tradovate/wire"
)

// FaultKind names a fault the server can inject (Server.Inject, POST
// /admin/faults, a scenario step).
type FaultKind string

// Socket actions happen at once to every matching open socket.
const (
	// FaultDrop closes the TCP connection: no c[…] frame, no websocket
	// close; frames still queued are lost. The client sees close 1006
	// (abnormal closure), or a connection reset if it had sent data the
	// server had not read yet.
	FaultDrop FaultKind = "drop"
	// FaultShutdown sends {"e":"shutdown","d":{reasonCode,reason}}, then
	// c[3000,reason or reasonCode], then closes.
	FaultShutdown FaultKind = "shutdown"
	// FaultClose sends c[code,"reason"] after the frames already queued,
	// then closes (websocket close code = code).
	FaultClose FaultKind = "close"
)

// Lasting faults stay active until cleared, used up (Count) or expired
// (For).
const (
	// FaultStopHeartbeats stops the "h" frames of matching sockets; clearing
	// the fault resumes them.
	FaultStopHeartbeats FaultKind = "stop-heartbeats"
	// FaultDelay sends each affected message Delay late, alone in its own
	// frame; messages not affected are not held back, so they overtake it.
	FaultDelay FaultKind = "delay"
	// FaultDropMessages never sends the affected messages.
	FaultDropMessages FaultKind = "drop-messages"
	// FaultDuplicate sends each affected message twice, the copy right
	// after the original in the same frame.
	FaultDuplicate FaultKind = "duplicate"
	// FaultReorder holds each affected message back until the next message
	// of the same kind on that socket, and sends it right after that one:
	// the pair arrives swapped. A held message whose partner does not come
	// within Window is sent alone.
	FaultReorder FaultKind = "reorder"
	// FaultReject rejects orders (order/placeorder, placeoso, placeoco): as
	// a commandReport with CommandStatus and RejectReason after the order
	// was created, or with Sync as a synchronous {failureReason,
	// failureText} answer that creates nothing.
	FaultReject FaultKind = "reject"
	// FaultPartialFill fills orders in chunks of Chunk contracts, each chunk
	// its own executionReport (Trade), fill, position and cashBalance
	// frame; the order stays Working until the last chunk.
	FaultPartialFill FaultKind = "partial-fill"
)

// FaultExpireTokens expires access tokens (and mdAccessTokens) now: the
// next REST call with one answers 401 "Expired access token", a new socket
// cannot authorize with it (sockets already authorized stay open, as on
// Tradovate). Renew says what the next renewal does.
const FaultExpireTokens FaultKind = "expire-tokens"

// FaultKinds lists every fault kind.
func FaultKinds() []FaultKind {
	return []FaultKind{
		FaultDrop, FaultShutdown, FaultClose, FaultStopHeartbeats, FaultDelay, FaultDropMessages,
		FaultDuplicate, FaultReorder, FaultReject, FaultPartialFill, FaultExpireTokens,
	}
}

// MessageKind is a class of messages the message faults (delay,
// drop-messages, duplicate, reorder) act on.
type MessageKind string

// Message kinds. Other events (shutdown) are never touched.
const (
	KindResponses MessageKind = "responses" // {s,i,d}, errors included
	KindProps     MessageKind = "props"     // {"e":"props"}
	KindMD        MessageKind = "md"        // {"e":"md"}
	KindChart     MessageKind = "chart"     // {"e":"chart"}
	KindClock     MessageKind = "clock"     // {"e":"clock"}
)

// MessageKinds lists every message kind.
func MessageKinds() []MessageKind {
	return []MessageKind{KindResponses, KindProps, KindMD, KindChart, KindClock}
}

// Renewal is what the next token renewal does after FaultExpireTokens.
type Renewal string

// Renewals.
const (
	// RenewFails (the default): a REST renewal with an expired token answers
	// 401, and the next auth/renewaccesstoken over an authorized socket of
	// the session answers 401 "Expired access token" once.
	RenewFails Renewal = "fail"
	// RenewSucceeds: each expired token may still renew once over REST,
	// which gives a new working token; the expired one stays expired.
	RenewSucceeds Renewal = "succeed"
)

// Target picks what a fault applies to. Every field set narrows it; the
// zero Target is everything.
type Target struct {
	// Service is a service's sockets (and, for order faults, its orders).
	Service Service
	// User is a user name (case-insensitive): the sockets authorized as
	// that user, the user's orders, the user's tokens.
	User string
	// Conn is one socket; ConnID picks it by id (Conn.ID, GET /admin/conns).
	Conn   *Conn
	ConnID int64
}

func (t Target) matchesConn(c *Conn) bool {
	if t.Conn != nil && t.Conn != c {
		return false
	}
	if t.Service != "" && c.svc != t.Service {
		return false
	}
	if t.User != "" {
		sess := c.Session()
		if sess == nil || !strings.EqualFold(sess.UserName(), t.User) {
			return false
		}
	}
	return true
}

func (t Target) matchesCall(c *Call) bool {
	if t.Conn != nil && t.Conn != c.Conn {
		return false
	}
	if t.Service != "" && c.Service != t.Service {
		return false
	}
	if t.User != "" && (c.Session == nil || !strings.EqualFold(c.Session.UserName(), t.User)) {
		return false
	}
	return true
}

// Fault is one fault to inject. Kind says which; the other fields are its
// parameters, each meaningful for some kinds only (Validate refuses the
// others). Durations are real time, like the socket timers.
type Fault struct {
	Kind   FaultKind
	Target Target
	// For ends a lasting fault this long after injection; 0 means until
	// cleared or used up.
	For time.Duration

	// Kinds are the messages a message fault acts on; empty means all.
	Kinds []MessageKind
	// Delay is how late FaultDelay sends a message; required.
	Delay time.Duration
	// Window is how long FaultReorder holds a message waiting for its
	// partner; default 1 s.
	Window time.Duration
	// Count is how many messages (message faults) or orders (order faults)
	// the fault affects before it is used up and removed. 0 means no limit,
	// except that an order fault with neither Count nor For affects one
	// order: the next.
	Count int
	// Probability, in (0, 1], is the chance each candidate message or order
	// is affected, drawn from an RNG seeded with Seed, so a run is
	// repeatable; 0 means 1 (every one).
	Probability float64
	Seed        uint64

	// ReasonCode is FaultShutdown's reasonCode: Maintenance (default),
	// ConnectionQuotaReached or IPQuotaReached. Reason is the optional
	// shutdown reason, or FaultClose's close reason (default "Go away!").
	ReasonCode string
	Reason     string
	// Code is FaultClose's close code, 1000-4999; default 3000.
	Code int

	// Sync makes FaultReject answer the request itself with
	// {failureReason: RejectReason, failureText: Text} and create nothing.
	// Otherwise the order is created and then rejected with a
	// commandReport of CommandStatus (RiskRejected, the default, or
	// ExecutionRejected), RejectReason (default UnknownReason) and Text.
	Sync          bool
	CommandStatus string
	RejectReason  string
	Text          string

	// Chunk is FaultPartialFill's fill size in contracts; required.
	Chunk int64

	// Renew is what the next renewal does after FaultExpireTokens; default
	// RenewFails.
	Renew Renewal
}

// Defaults applied by Inject.
const (
	defaultReorderWindow = time.Second
	defaultCloseCode     = ClosePolicy
	defaultCloseReason   = "Go away!"
	defaultRejectText    = "Rejected by the sandbox (fault injection)"
)

func (f Fault) lasting() bool {
	switch f.Kind {
	case FaultDrop, FaultShutdown, FaultClose, FaultExpireTokens:
		return false
	}
	return true
}

func (f Fault) messageFault() bool {
	switch f.Kind {
	case FaultDelay, FaultDropMessages, FaultDuplicate, FaultReorder:
		return true
	}
	return false
}

func (f Fault) orderFault() bool { return f.Kind == FaultReject || f.Kind == FaultPartialFill }

// withDefaults fills the defaults of a valid fault.
func (f Fault) withDefaults() Fault {
	if f.messageFault() && len(f.Kinds) == 0 {
		f.Kinds = MessageKinds()
	}
	if f.Probability == 0 {
		f.Probability = 1
	}
	switch f.Kind {
	case FaultReorder:
		if f.Window == 0 {
			f.Window = defaultReorderWindow
		}
	case FaultShutdown:
		if f.ReasonCode == "" {
			f.ReasonCode = wire.ShutdownMaintenance
		}
	case FaultClose:
		if f.Code == 0 {
			f.Code = defaultCloseCode
		}
		if f.Reason == "" {
			f.Reason = defaultCloseReason
		}
	case FaultReject:
		if !f.Sync && f.CommandStatus == "" {
			f.CommandStatus = wire.CommandStatusRiskRejected
		}
		if f.RejectReason == "" {
			f.RejectReason = wire.RejectUnknownReason
		}
		if f.Text == "" {
			f.Text = defaultRejectText
		}
	case FaultExpireTokens:
		if f.Renew == "" {
			f.Renew = RenewFails
		}
	}
	return f
}

// Injection is what Inject did.
type Injection struct {
	// ID identifies a lasting fault (Faults, ClearFault); actions get one
	// too, for the logs.
	ID int64
	// Affected counts, for an action, the sockets it closed (drop,
	// shutdown, close) or the sessions whose tokens it expired.
	Affected int
}

// ActiveFault is a lasting fault in force.
type ActiveFault struct {
	ID    int64
	Fault Fault // with defaults filled in
	// Fired is how many messages or orders it has affected (always 0 for
	// FaultStopHeartbeats).
	Fired int
	// Left is how many more it will affect; 0 means no limit.
	Left int
	// Expires is when For ends it; zero if it does not expire.
	Expires time.Time
}

// Inject injects a fault: an action (drop, shutdown, close, expire-tokens)
// happens at once; a lasting fault is active until ClearFault, its Count
// or its For. An invalid fault (see Fault.Validate), an unknown target
// user or a socket id that is not open is an error and injects nothing.
func (s *Server) Inject(f Fault) (Injection, error) { return s.faults.inject(f) }

// Faults returns the lasting faults in force, oldest first.
func (s *Server) Faults() []ActiveFault {
	f := s.faults
	f.mu.Lock()
	defer f.mu.Unlock()
	f.prune(time.Now())
	out := make([]ActiveFault, 0, len(f.active))
	for _, a := range f.active {
		out = append(out, a.public())
	}
	return out
}

// ClearFault ends a lasting fault (heartbeats resume, messages flow
// normally); false if no fault with that id is active. Messages already
// delayed or held are still sent when due.
func (s *Server) ClearFault(id int64) bool {
	f := s.faults
	f.mu.Lock()
	defer f.mu.Unlock()
	i := slices.IndexFunc(f.active, func(a *activeFault) bool { return a.id == id })
	if i < 0 {
		return false
	}
	f.active = slices.Delete(f.active, i, i+1)
	f.recount()
	return true
}

// ClearFaults ends every lasting fault and forgets pending renewal
// outcomes of expired tokens; it returns how many faults it ended.
// Scenario runners keep running (stop them with ScenarioRunner.Stop).
func (s *Server) ClearFaults() int {
	f := s.faults
	f.mu.Lock()
	defer f.mu.Unlock()
	n := len(f.active)
	f.active = nil
	clear(f.renewOnce)
	clear(f.renewFail)
	f.recount()
	return n
}

// ID returns the socket's id, the one GET /admin/conns lists and
// Target.ConnID takes. Ids are given out on first use and never reused.
func (c *Conn) ID() int64 { return c.srv.faults.connID(c) }

// Drop closes the socket's TCP connection at once, with no c[…] frame and
// no websocket close, as a network failure would; queued frames are lost.
func (c *Conn) Drop() { c.closeWith(closeAbort, "") }

// String describes the target for logs: "all", "service=demo user=x conn=3".
func (t Target) String() string {
	var parts []string
	if t.Service != "" {
		parts = append(parts, "service="+string(t.Service))
	}
	if t.User != "" {
		parts = append(parts, "user="+t.User)
	}
	switch {
	case t.Conn != nil:
		parts = append(parts, fmt.Sprintf("conn=%d", t.Conn.ID()))
	case t.ConnID != 0:
		parts = append(parts, fmt.Sprintf("conn=%d", t.ConnID))
	}
	if len(parts) == 0 {
		return "all"
	}
	return strings.Join(parts, " ")
}
