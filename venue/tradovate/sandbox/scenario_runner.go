package sandbox

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"
)

// ScenarioRunner plays a Scenario against a server in a goroutine it owns.
// Start starts it; Stop (or the server's Close) stops it and waits for the
// goroutine. Its methods are safe for concurrent use.
type ScenarioRunner struct {
	srv *Server
	sc  Scenario

	mu       sync.Mutex
	id       int64
	started  bool
	stopped  bool
	cancel   context.CancelFunc
	done     chan struct{}
	fired    int
	injected []int64 // lasting faults it injected
	errs     []error
}

// NewScenarioRunner returns a runner of sc on s; sc is copied (nil is an
// empty scenario, which Start refuses).
func NewScenarioRunner(s *Server, sc *Scenario) *ScenarioRunner {
	var cp Scenario
	if sc != nil {
		cp = *sc
		cp.Steps = slices.Clone(sc.Steps)
	}
	return &ScenarioRunner{srv: s, sc: cp, done: make(chan struct{})}
}

// Start validates the scenario (also against the server: target users must
// exist) and starts playing it; the first pass begins now. A runner starts
// once.
func (r *ScenarioRunner) Start() error {
	if err := r.sc.Validate(); err != nil {
		return err
	}
	var errs []error
	for i, st := range r.sc.Steps {
		if st.Fault.Target.User == "" {
			continue
		}
		t := Target{User: st.Fault.Target.User}
		errs = append(errs, r.srv.faults.resolve(&t, fmt.Sprintf("steps[%d].target", i))...)
	}
	if len(errs) > 0 {
		return joinErrors(errs)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.started || r.stopped {
		return errors.New("sandbox: scenario: a runner starts once; make a new one")
	}
	s := r.srv
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return errors.New("sandbox: scenario: the server is closed")
	}
	s.wg.Add(1)
	s.mu.Unlock()
	ctx, cancel := context.WithCancel(s.ctx)
	r.started, r.cancel = true, cancel
	r.id = s.faults.addRunner(r)
	go func() {
		defer s.wg.Done()
		defer close(r.done)
		defer s.faults.removeRunner(r.id)
		r.run(ctx)
	}()
	s.log.Info("sandbox: scenario started", "id", r.id, "name", r.sc.Name, "steps", len(r.sc.Steps))
	return nil
}

// Stop stops the scenario, waits for its goroutine, and clears the lasting
// faults it injected that are still active. It is idempotent; a runner
// never started just becomes unstartable.
func (r *ScenarioRunner) Stop() {
	r.mu.Lock()
	r.stopped = true
	started, cancel := r.started, r.cancel
	r.mu.Unlock()
	if !started {
		return
	}
	cancel()
	<-r.done
	r.mu.Lock()
	ids := r.injected
	r.injected = nil
	r.mu.Unlock()
	for _, id := range ids {
		r.srv.ClearFault(id)
	}
}

// Done is closed when the scenario has ended: its last pass is over (Period
// after it began) or it was stopped.
func (r *ScenarioRunner) Done() <-chan struct{} { return r.done }

// ID is the runner's id on its server (GET /admin/scenario); 0 before Start.
func (r *ScenarioRunner) ID() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.id
}

// Fired returns how many steps have fired.
func (r *ScenarioRunner) Fired() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.fired
}

// Err returns the errors of steps that could not be injected (a socket id
// no longer open), joined; nil if none.
func (r *ScenarioRunner) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return errors.Join(r.errs...)
}

// Scenario returns a copy of the scenario being played.
func (r *ScenarioRunner) Scenario() Scenario {
	sc := r.sc
	sc.Steps = slices.Clone(sc.Steps)
	return sc
}

func (r *ScenarioRunner) run(ctx context.Context) {
	occ := r.sc.timeline()
	period := r.sc.period()
	passes := max(r.sc.Repeat, 1)
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	wait := func(until time.Time) bool {
		t.Reset(time.Until(until))
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
			return true
		}
	}
	begin := time.Now()
	for pass := 0; r.sc.Loop || pass < passes; pass++ {
		base := begin.Add(time.Duration(pass) * period)
		for _, o := range occ {
			if !wait(base.Add(o.at)) {
				return
			}
			r.fire(pass, o.step)
		}
		if !wait(base.Add(period)) {
			return
		}
	}
}

func (r *ScenarioRunner) fire(pass, step int) {
	st := r.sc.Steps[step]
	inj, err := r.srv.Inject(st.Fault)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fired++
	if err != nil {
		if len(r.errs) < 100 {
			r.errs = append(r.errs, fmt.Errorf("pass %d, steps[%d]: %w", pass, step, err))
		}
		r.srv.log.Warn("sandbox: scenario step failed", "scenario", r.id, "step", step, "err", err)
		return
	}
	if st.Fault.lasting() {
		r.injected = append(r.injected, inj.ID)
		if len(r.injected) >= 1024 {
			// A long loop: forget faults that have ended.
			r.injected = r.srv.faults.stillActive(r.injected)
		}
	}
}

func (f *faultSet) addRunner(r *ScenarioRunner) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextRunner++
	f.runners[f.nextRunner] = r
	return f.nextRunner
}

func (f *faultSet) removeRunner(id int64) {
	f.mu.Lock()
	delete(f.runners, id)
	f.mu.Unlock()
}

// ScenarioRunners returns the runners now playing, by id.
func (s *Server) ScenarioRunners() []*ScenarioRunner {
	f := s.faults
	f.mu.Lock()
	defer f.mu.Unlock()
	ids := slices.Sorted(maps.Keys(f.runners))
	out := make([]*ScenarioRunner, len(ids))
	for i, id := range ids {
		out[i] = f.runners[id]
	}
	return out
}

// stillActive keeps the ids of faults still active.
func (f *faultSet) stillActive(ids []int64) []int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.prune(time.Now())
	return slices.DeleteFunc(ids, func(id int64) bool {
		return !slices.ContainsFunc(f.active, func(a *activeFault) bool { return a.id == id })
	})
}
