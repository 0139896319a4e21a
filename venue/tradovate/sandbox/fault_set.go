package sandbox

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// activeFault is the registry's record of a lasting fault.
type activeFault struct {
	id      int64
	f       Fault
	kinds   kindSet
	expires time.Time
	left    int // -1: no limit
	fired   int
	rng     *rand.Rand
}

// fire reports whether the fault affects one more candidate, and uses it
// up if so. Called with faultSet.mu held.
func (a *activeFault) fire() bool {
	if a.left == 0 {
		return false
	}
	if a.f.Probability < 1 && a.rng.Float64() >= a.f.Probability {
		return false
	}
	a.fired++
	if a.left > 0 {
		a.left--
	}
	return true
}

// kindSet is a set of MessageKinds.
type kindSet uint8

func kindBit(k MessageKind) kindSet {
	for i, m := range MessageKinds() {
		if m == k {
			return 1 << i
		}
	}
	return 0
}

// faultSet is a server's fault injection state: the lasting faults, the
// messages held back per socket, socket ids, token renewal marks and the
// scenario runners.
type faultSet struct {
	srv     *Server
	install sync.Once

	mu         sync.Mutex
	nextID     int64
	active     []*activeFault // injection order
	deliveries map[*Conn]*delivery
	connIDs    map[*Conn]int64
	byConnID   map[int64]*Conn
	nextConn   int64
	renewOnce  map[string]bool   // expired tokens that may renew once over REST
	renewFail  map[*Session]bool // sessions whose next socket renewal fails
	runners    map[int64]*ScenarioRunner
	nextRunner int64

	// Fast paths, updated under mu: Send, the heartbeat timer and the
	// middleware skip the registry while these are zero.
	sendPath  atomic.Int32 // message faults + sockets with held messages
	heartbeat atomic.Int32 // heartbeat faults
	calls     atomic.Int32 // order faults + renewal marks
}

func newFaultSet(s *Server) *faultSet {
	return &faultSet{
		srv: s, deliveries: map[*Conn]*delivery{}, connIDs: map[*Conn]int64{}, byConnID: map[int64]*Conn{},
		renewOnce: map[string]bool{}, renewFail: map[*Session]bool{}, runners: map[int64]*ScenarioRunner{},
	}
}

// recount refreshes the fast-path counters. Called with f.mu held.
func (f *faultSet) recount() {
	var msg, hb, calls int32
	for _, a := range f.active {
		switch {
		case a.f.messageFault():
			msg++
		case a.f.Kind == FaultStopHeartbeats:
			hb++
		case a.f.orderFault():
			calls++
		}
	}
	f.sendPath.Store(msg + int32(len(f.deliveries)))
	f.heartbeat.Store(hb)
	f.calls.Store(calls + int32(len(f.renewOnce)+len(f.renewFail)))
}

// prune drops expired and used-up faults, and those of closed sockets.
// Called with f.mu held.
func (f *faultSet) prune(now time.Time) {
	n := len(f.active)
	f.active = slices.DeleteFunc(f.active, func(a *activeFault) bool {
		if c := a.f.Target.Conn; c != nil {
			select {
			case <-c.done:
				return true
			default:
			}
		}
		return a.left == 0 || (!a.expires.IsZero() && !now.Before(a.expires))
	})
	if len(f.active) != n {
		f.recount()
	}
}

func (a *activeFault) public() ActiveFault {
	f := a.f
	f.Kinds = slices.Clone(f.Kinds)
	return ActiveFault{ID: a.id, Fault: f, Fired: a.fired, Left: max(a.left, 0), Expires: a.expires}
}

// connID returns c's id, giving out the next one on first use and
// forgetting the ids of closed sockets.
func (f *faultSet) connID(c *Conn) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	if id, ok := f.connIDs[c]; ok {
		return id
	}
	for old, id := range f.connIDs {
		select {
		case <-old.done:
			delete(f.connIDs, old)
			delete(f.byConnID, id)
		default:
		}
	}
	f.nextConn++
	f.connIDs[c], f.byConnID[f.nextConn] = f.nextConn, c
	return f.nextConn
}

// resolve checks a target against the server: the user must exist, a
// socket id must be open. field prefixes the errors.
func (f *faultSet) resolve(t *Target, field string) []error {
	var errs []error
	if t.User != "" {
		f.srv.auth.mu.Lock()
		_, ok := f.srv.auth.byName[lower(t.User)]
		f.srv.auth.mu.Unlock()
		if !ok {
			errs = append(errs, &FieldError{Field: field + ".user", Value: fmt.Sprintf("%q", t.User), Reason: "unknown user; target a configured user name"})
		}
	}
	if t.ConnID != 0 {
		f.mu.Lock()
		c := f.byConnID[t.ConnID]
		f.mu.Unlock()
		open := false
		if c != nil {
			select {
			case <-c.closing:
			default:
				open = true
			}
		}
		if !open {
			errs = append(errs, &FieldError{Field: field + ".conn", Value: fmt.Sprint(t.ConnID), Reason: "no open socket has this id; GET /admin/conns lists them"})
		} else {
			t.Conn = c
		}
	}
	return errs
}

func (f *faultSet) inject(ft Fault) (Injection, error) {
	if err := ft.Validate(); err != nil {
		return Injection{}, err
	}
	if errs := f.resolve(&ft.Target, "target"); len(errs) > 0 {
		return Injection{}, joinErrors(errs)
	}
	ft = ft.withDefaults()
	if ft.orderFault() {
		f.installMiddleware()
	}
	now := time.Now()
	f.mu.Lock()
	f.nextID++
	inj := Injection{ID: f.nextID}
	if ft.lasting() {
		a := &activeFault{id: inj.ID, f: ft, left: -1, rng: rand.New(rand.NewPCG(ft.Seed, ft.Seed^0x9e3779b97f4a7c15))}
		for _, k := range ft.Kinds {
			a.kinds |= kindBit(k)
		}
		if ft.For > 0 {
			a.expires = now.Add(ft.For)
		}
		switch {
		case ft.Count > 0:
			a.left = ft.Count
		case ft.orderFault() && ft.For == 0:
			a.left = 1
		}
		f.active = append(f.active, a)
		f.recount()
		f.mu.Unlock()
		f.srv.log.Info("sandbox: fault injected", "id", inj.ID, "fault", ft.Kind, "target", ft.Target.String())
		return inj, nil
	}
	f.mu.Unlock()

	switch ft.Kind {
	case FaultExpireTokens:
		inj.Affected = f.expireTokens(ft)
	default:
		for _, c := range f.srv.Conns() {
			if !ft.Target.matchesConn(c) {
				continue
			}
			inj.Affected++
			switch ft.Kind {
			case FaultDrop:
				c.Drop()
			case FaultShutdown:
				c.Shutdown(ft.ReasonCode, ft.Reason)
			case FaultClose:
				c.Close(ft.Code, ft.Reason)
			}
		}
	}
	f.srv.log.Info("sandbox: fault injected", "id", inj.ID, "fault", ft.Kind, "target", ft.Target.String(), "affected", inj.Affected)
	return inj, nil
}

// heartbeatsStopped reports whether a heartbeat fault silences c.
func (f *faultSet) heartbeatsStopped(c *Conn) bool {
	if f.heartbeat.Load() == 0 {
		return false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.prune(time.Now())
	for _, a := range f.active {
		if a.f.Kind == FaultStopHeartbeats && a.f.Target.matchesConn(c) {
			return true
		}
	}
	return false
}
