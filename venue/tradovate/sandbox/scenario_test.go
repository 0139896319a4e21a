package sandbox_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue/tradovate/sandbox"
)

func TestLoadScenario(t *testing.T) {
	sc, err := sandbox.LoadScenario("testdata/scenario_soak.yaml")
	require.NoError(t, err)
	assert.Equal(t, "flaky-demo", sc.Name)
	assert.True(t, sc.Loop)
	assert.Equal(t, time.Minute, sc.Period)
	require.Len(t, sc.Steps, 7)
	assert.Equal(t, sandbox.Step{At: 5 * time.Second, Fault: sandbox.Fault{Kind: sandbox.FaultDrop, Target: sandbox.Target{Service: sandbox.Demo}}}, sc.Steps[0])
	assert.Equal(t, sandbox.Fault{
		Kind: sandbox.FaultDelay, Kinds: []sandbox.MessageKind{sandbox.KindResponses, sandbox.KindProps},
		Delay: 250 * time.Millisecond, Probability: 0.5, Seed: 7, For: 3 * time.Second,
		Target: sandbox.Target{Service: sandbox.Demo, User: "keeltest"},
	}, sc.Steps[1].Fault)
	assert.Equal(t, sandbox.Step{At: 30 * time.Second, Every: 5 * time.Second, Times: 3, Fault: sandbox.Fault{
		Kind: sandbox.FaultReject, RejectReason: "NoQuote", CommandStatus: "ExecutionRejected",
	}}, sc.Steps[3])
	assert.Equal(t, sandbox.RenewSucceeds, sc.Steps[6].Fault.Renew)

	_, err = sandbox.LoadScenario("testdata/missing.yaml")
	assert.ErrorContains(t, err, "no such file")
}

func TestParseScenario(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		fields     []string // the field errors expected, in order; nil: valid
	}{
		{"minimal", "steps: [{at: 0s, fault: drop}]", nil},
		{"json", `{"steps":[{"at":"1s","fault":"close","code":4000,"target":{"conn":3}}]}`, nil},
		{"repeat", "repeat: 3\nsteps: [{at: 10ms, fault: stop-heartbeats, for: 20ms}]", nil},
		{"empty", "", []string{"steps"}},
		{"no steps", "name: x", []string{"steps"}},
		{"unknown fault", "steps: [{at: 1s, fault: explode}]", []string{"steps[0].fault"}},
		{"missing fault", "steps: [{at: 1s}]", []string{"steps[0].fault"}},
		{"negative at", "steps: [{at: -1s, fault: drop}]", []string{"steps[0].at"}},
		{"negative for", "steps: [{at: 1s, fault: stop-heartbeats, for: -2s}]", []string{"steps[0].for"}},
		{"negative delay", "steps: [{at: 1s, fault: delay, delay: -5ms}]", []string{"steps[0].delay"}},
		{"bad duration", "steps: [{at: soon, fault: drop}]", []string{"steps[0].at"}},
		{"bare number", "steps: [{at: 5, fault: drop}]", []string{"steps[0].at"}},
		{"bad delay string", "steps: [{at: 1s, fault: delay, delay: fast}]", []string{"steps[0].delay"}},
		{"bad service", "steps: [{at: 1s, fault: drop, target: {service: prod}}]", []string{"steps[0].target.service"}},
		{"bad conn", "steps: [{at: 1s, fault: drop, target: {conn: -2}}]", []string{"steps[0].target.conn"}},
		{"unknown target key", "steps: [{at: 1s, fault: drop, target: {svc: demo}}]", []string{"steps[0].target.svc"}},
		{"target not a mapping", "steps: [{at: 1s, fault: drop, target: demo}]", []string{"steps[0].target"}},
		{"unknown step key", "steps: [{at: 1s, fault: delay, dealy: 1s}]", []string{"steps[0].dealy"}},
		{"unknown top key", "loops: true\nsteps: [{at: 1s, fault: drop}]", []string{"loops"}},
		{"steps not a list", "steps: {at: 1s}", []string{"steps"}},
		{"parameter of another fault", "steps: [{at: 1s, fault: drop, chunk: 2}]", []string{"steps[0].chunk"}},
		{"unknown kind", "steps: [{at: 1s, fault: duplicate, kinds: [quotes]}]", []string{"steps[0].kinds[0]"}},
		{"times without every", "steps: [{at: 1s, times: 3, fault: drop}]", []string{"steps[0].every"}},
		{"negative times", "steps: [{at: 1s, times: -1, fault: drop}]", []string{"steps[0].times"}},
		{"loop and repeat", "loop: true\nrepeat: 2\nperiod: 1s\nsteps: [{at: 1s, fault: drop}]", []string{"repeat"}},
		{"loop without time", "loop: true\nsteps: [{at: 0s, fault: drop}]", []string{"period"}},
		{"short period", "period: 1s\nsteps: [{at: 2s, fault: drop}]", []string{"period"}},
		{"negative period", "period: -1s\nsteps: [{at: 0s, fault: drop}]", []string{"period"}},
		{"several", "steps: [{at: -1s, fault: drop}, {at: 1s, fault: partial-fill}]", []string{"steps[0].at", "steps[1].chunk"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sc, err := sandbox.ParseScenario([]byte(tc.yaml))
			if tc.fields == nil {
				require.NoError(t, err)
				require.NotEmpty(t, sc.Steps)
				return
			}
			require.Error(t, err)
			var got []string
			for _, fe := range sandbox.FieldErrors(err) {
				got = append(got, fe.Field)
			}
			assert.Equal(t, tc.fields, got, err.Error())
		})
	}
	// Type errors name the line.
	_, err := sandbox.ParseScenario([]byte("steps: [{at: 1s, fault: drop, count: many}]"))
	assert.ErrorContains(t, err, "line 1")
}

// A short timed scenario against real sockets: a delay window, then a
// close at its time; the runner ends when the pass does.
func TestScenarioRun(t *testing.T) {
	s, _ := start(t)
	tok := login(t, s, s.Credentials())
	c := authed(t, s, sandbox.Demo, tok.AccessToken)
	r := collect(t, c)
	sc, err := sandbox.ParseScenario([]byte(`
name: short
steps:
  - at: 0s
    fault: delay
    kinds: [responses]
    delay: 60ms
    for: 40ms
  - at: 120ms
    fault: close
    code: 4002
    reason: scenario over
    target: {service: demo}
`))
	require.NoError(t, err)
	run := sandbox.NewScenarioRunner(s, sc)
	begin := time.Now()
	require.NoError(t, run.Start())
	defer run.Stop()
	require.Eventually(t, func() bool { return run.Fired() == 1 }, time.Second, time.Millisecond)
	sendCall(c, "auth/me")
	r.data()
	assert.GreaterOrEqual(t, time.Since(begin), 60*time.Millisecond, "delayed while the first step lasts")
	frames, ce := r.closed()
	assert.Equal(t, []string{`c[4002,"scenario over"]`}, frames)
	assert.Equal(t, 4002, ce.Code)
	assert.GreaterOrEqual(t, time.Since(begin), 120*time.Millisecond)
	select {
	case <-run.Done():
	case <-time.After(2 * time.Second):
		t.Fatal("the runner did not end")
	}
	assert.Equal(t, 2, run.Fired())
	assert.NoError(t, run.Err())
	assert.Empty(t, s.Faults(), "the delay expired")
	assert.Empty(t, s.ScenarioRunners())
}

// A looping scenario repeats its steps (every/times included) until
// stopped; Stop clears the lasting faults it left, and a runner starts once.
func TestScenarioLoopStop(t *testing.T) {
	s, _ := start(t)
	sc := &sandbox.Scenario{Name: "loop", Loop: true, Period: 15 * time.Millisecond, Steps: []sandbox.Step{
		{At: 0, Every: 5 * time.Millisecond, Times: 2, Fault: sandbox.Fault{Kind: sandbox.FaultStopHeartbeats}},
	}}
	run := sandbox.NewScenarioRunner(s, sc)
	require.NoError(t, run.Start())
	require.Eventually(t, func() bool { return run.Fired() >= 6 }, 2*time.Second, time.Millisecond)
	require.Len(t, s.ScenarioRunners(), 1)
	assert.Equal(t, run, s.ScenarioRunners()[0])
	assert.NotEmpty(t, s.Faults())
	run.Stop()
	<-run.Done()
	assert.Empty(t, s.Faults(), "Stop clears what the scenario injected")
	assert.Empty(t, s.ScenarioRunners())
	run.Stop() // idempotent
	assert.ErrorContains(t, run.Start(), "starts once")

	// Repeat runs a fixed number of passes.
	sc = &sandbox.Scenario{Repeat: 3, Steps: []sandbox.Step{{At: 5 * time.Millisecond, Fault: sandbox.Fault{Kind: sandbox.FaultDrop}}}}
	run = sandbox.NewScenarioRunner(s, sc)
	require.NoError(t, run.Start())
	<-run.Done()
	assert.Equal(t, 3, run.Fired())
}

func TestScenarioStartErrors(t *testing.T) {
	s, _ := start(t)
	run := sandbox.NewScenarioRunner(s, &sandbox.Scenario{Steps: []sandbox.Step{{Fault: sandbox.Fault{Kind: sandbox.FaultDrop, Target: sandbox.Target{User: "ghost"}}}}})
	err := run.Start()
	require.Error(t, err)
	require.Len(t, sandbox.FieldErrors(err), 1)
	assert.Equal(t, "steps[0].target.user", sandbox.FieldErrors(err)[0].Field)
	assert.Error(t, sandbox.NewScenarioRunner(s, &sandbox.Scenario{}).Start())

	// A step whose socket is gone is recorded, and the scenario goes on.
	run = sandbox.NewScenarioRunner(s, &sandbox.Scenario{Steps: []sandbox.Step{
		{Fault: sandbox.Fault{Kind: sandbox.FaultDrop, Target: sandbox.Target{ConnID: 42}}},
		{At: time.Millisecond, Fault: sandbox.Fault{Kind: sandbox.FaultDrop}},
	}})
	require.NoError(t, run.Start())
	<-run.Done()
	assert.Equal(t, 2, run.Fired())
	assert.ErrorContains(t, run.Err(), "steps[0]")
}

// Close stops a running scenario and waits for it (goleak checks the rest).
func TestScenarioStopsOnClose(t *testing.T) {
	s, err := sandbox.New(sandbox.Config{})
	require.NoError(t, err)
	require.NoError(t, s.Start())
	run := sandbox.NewScenarioRunner(s, &sandbox.Scenario{Loop: true, Period: time.Hour, Steps: []sandbox.Step{{At: time.Minute, Fault: sandbox.Fault{Kind: sandbox.FaultDrop}}}})
	require.NoError(t, run.Start())
	require.NoError(t, s.Close())
	select {
	case <-run.Done():
	default:
		t.Fatal("Close returned with the scenario still running")
	}
	run.Stop()
	assert.ErrorContains(t, sandbox.NewScenarioRunner(s, &sandbox.Scenario{Steps: []sandbox.Step{{Fault: sandbox.Fault{Kind: sandbox.FaultDrop}}}}).Start(), "closed")
}

func FuzzParseScenario(f *testing.F) {
	data, err := os.ReadFile("testdata/scenario_soak.yaml")
	if err == nil {
		f.Add(data)
	}
	for _, s := range []string{"steps: [{at: 1s, fault: drop}]", "steps: {x: [1, {y: z}]}", "", "[]", "steps: [[]]", "steps: [{target: [1]}]"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		sc, err := sandbox.ParseScenario(b)
		if err == nil {
			require.NoError(t, sc.Validate(), "a parsed scenario is valid")
		}
	})
}

func FuzzParseFault(f *testing.F) {
	for _, s := range []string{
		`{"fault":"drop","target":{"service":"demo"}}`, `{"fault":"delay","delay":"1s","kinds":["props"]}`,
		`{"fault":"reject","sync":true,"rejectReason":"NoQuote"}`, `[]`, `{"target":[]}`, `{"count":"x"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ft, err := sandbox.ParseFault(b)
		if err == nil {
			require.NoError(t, ft.Validate())
		} else {
			require.False(t, strings.Contains(err.Error(), "panic"))
		}
	})
}

// A YAML type error is reported in full: every wrong value with its line
// and the field it is for, over HTTP too — not cut at "yaml: unmarshal
// errors:".
func TestScenarioTypeErrors(t *testing.T) {
	const doc = "name: x\nsteps:\n  - at: 1s\n    fault: drop\n    times: many\n  - at: 2s\n    fault: close\n    code: big\n    target: {conn: three}\n"
	_, err := sandbox.ParseScenario([]byte(doc))
	require.Error(t, err)
	var got []string
	for _, fe := range sandbox.FieldErrors(err) {
		got = append(got, fe.Field+" "+fe.Value)
		assert.Contains(t, fe.Reason, "cannot unmarshal", fe.Field)
	}
	assert.Equal(t, []string{"steps[0].times line 5", "steps[1].code line 8", "steps[1].target.conn line 9"}, got, err.Error())
	for _, want := range []string{"line 5", "`many`", "line 8", "`big`", "line 9", "`three`"} {
		assert.Contains(t, err.Error(), want)
	}

	s, _ := start(t)
	status, out := admin(t, s, "POST", "scenario", doc)
	assert.Equal(t, 400, status)
	assert.Equal(t, []string{"steps[0].times", "steps[1].code", "steps[1].target.conn"}, fieldsOf(out), out)
	assert.Contains(t, out["errorText"], "3 problems")

	// One wrong value: its whole message is the errorText.
	status, out = admin(t, s, "POST", "scenario", "steps:\n  - {at: 1s, fault: drop, times: many}\n")
	assert.Equal(t, 400, status)
	assert.Contains(t, out["errorText"], "steps[0].times: line 2: cannot unmarshal !!str `many` into int", out)
	// A syntax error keeps its line.
	status, out = admin(t, s, "POST", "scenario", "steps: [\n")
	assert.Equal(t, 400, status)
	assert.Contains(t, out["errorText"], "line ", out)
}
