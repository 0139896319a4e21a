package sandbox

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Scenario is a timed script of faults for soak tests: each pass fires its
// steps at their offsets, and the scenario runs Repeat passes (or loops)
// of Period each. Run one with NewScenarioRunner (or POST
// /admin/scenario); read one from YAML with ParseScenario or LoadScenario:
//
//	name: flaky-demo
//	repeat: 3              # passes; or loop: true to run until stopped
//	period: 20s            # one pass; default: when its last step ends
//	steps:
//	  - at: 5s
//	    fault: drop
//	    target: {service: demo}
//	  - at: 10s
//	    fault: delay
//	    kinds: [responses, props]
//	    delay: 250ms
//	    for: 3s
//	  - at: 1s
//	    every: 4s            # fire again every 4s…
//	    times: 3             # …three times in all
//	    fault: reject
//	    rejectReason: NoQuote
//
// A step is a fault as POST /admin/faults takes it (see ParseFault) plus
// at, every and times.
type Scenario struct {
	Name  string
	Steps []Step
	// Repeat is how many passes to run; 0 means 1.
	Repeat int
	// Loop runs passes until the runner is stopped; it excludes Repeat.
	Loop bool
	// Period is the length of a pass; 0 means until its last step ends (the
	// latest at + for). It must be positive when passes repeat.
	Period time.Duration
}

// Step is one fault of a scenario.
type Step struct {
	// At is the offset from the start of the pass.
	At time.Duration
	// Every and Times fire the step Times times in all, Every apart.
	Every time.Duration
	Times int
	// Fault is the fault to inject; Fault.For ends a lasting one.
	Fault Fault
}

// Limits that keep a scenario from spinning or allocating without bound.
const (
	maxTimes  = 10_000
	minPeriod = time.Millisecond
)

// occurrence is one firing of a step within a pass.
type occurrence struct {
	at   time.Duration
	step int
}

// timeline returns the firings of one pass in time order (step order among
// equal times).
func (sc *Scenario) timeline() []occurrence {
	var occ []occurrence
	for i, st := range sc.Steps {
		for k := range max(st.Times, 1) {
			occ = append(occ, occurrence{at: st.At + time.Duration(k)*st.Every, step: i})
		}
	}
	slices.SortStableFunc(occ, func(a, b occurrence) int {
		switch {
		case a.at < b.at:
			return -1
		case a.at > b.at:
			return 1
		}
		return a.step - b.step
	})
	return occ
}

// period returns the length of one pass.
func (sc *Scenario) period() time.Duration {
	if sc.Period > 0 {
		return sc.Period
	}
	var end time.Duration
	for _, o := range sc.timeline() {
		end = max(end, o.at+sc.Steps[o.step].Fault.For)
	}
	return end
}

// Validate checks the scenario on its own (NewScenarioRunner's Start also
// checks targets against the server): at least one step, every fault
// valid, no negative times, a positive period when passes repeat. Every
// problem is a *FieldError naming the field ("steps[1].delay"); they come
// joined.
func (sc *Scenario) Validate() error {
	var errs []error
	bad := func(field, value, reason string) {
		errs = append(errs, &FieldError{Field: field, Value: value, Reason: reason})
	}
	if len(sc.Steps) == 0 {
		bad("steps", "", "missing; a scenario needs at least one step")
	}
	if sc.Repeat < 0 {
		bad("repeat", strconv.Itoa(sc.Repeat), "must not be negative")
	}
	if sc.Loop && sc.Repeat > 1 {
		bad("repeat", strconv.Itoa(sc.Repeat), "loop runs until stopped; drop repeat or loop")
	}
	checkDuration("period", sc.Period, &errs)
	for i, st := range sc.Steps {
		p := fmt.Sprintf("steps[%d].", i)
		checkDuration(p+"at", st.At, &errs)
		checkDuration(p+"every", st.Every, &errs)
		switch {
		case st.Times < 0:
			bad(p+"times", strconv.Itoa(st.Times), "must not be negative")
		case st.Times > maxTimes:
			bad(p+"times", strconv.Itoa(st.Times), fmt.Sprintf("at most %d; use a looping scenario for more", maxTimes))
		case st.Times > 1 && st.Every <= 0:
			bad(p+"every", st.Every.String(), "must be positive when times is more than 1")
		case st.Times > 1 && st.Every > maxDuration/time.Duration(st.Times-1):
			bad(p+"every", st.Every.String(), "the step's last firing would be more than a year after its first")
		}
		errs = append(errs, st.Fault.validate(p)...)
	}
	if len(errs) == 0 {
		occ := sc.timeline()
		last := occ[len(occ)-1].at
		switch {
		case sc.Period > 0 && sc.Period < last:
			bad("period", sc.Period.String(), fmt.Sprintf("shorter than the last step's time %s", last))
		case (sc.Loop || sc.Repeat > 1) && sc.period() < minPeriod:
			bad("period", sc.period().String(), fmt.Sprintf("a repeating scenario's pass lasts at least %s; set period", minPeriod))
		}
	}
	return joinErrors(errs)
}

// scenarioYAML and stepYAML are a scenario as YAML spells it.
type scenarioYAML struct {
	Name   string     `yaml:"name"`
	Repeat int        `yaml:"repeat"`
	Loop   bool       `yaml:"loop"`
	Period string     `yaml:"period"`
	Steps  []stepYAML `yaml:"steps"`
}

type stepYAML struct {
	At        string `yaml:"at"`
	Every     string `yaml:"every"`
	Times     int    `yaml:"times"`
	faultJSON `yaml:",inline"`
}

var (
	scenarioKeys = []string{"name", "repeat", "loop", "period", "steps"}
	stepKeys     = append([]string{"at", "every", "times"}, faultKeys...)
)

// ParseScenario reads a scenario from YAML (JSON works too) and validates
// it. Unknown keys, malformed durations and invalid faults are
// *FieldErrors naming the field.
func ParseScenario(data []byte) (*Scenario, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("sandbox: scenario: %w", err)
	}
	if len(root.Content) == 0 {
		return nil, &FieldError{Field: "steps", Reason: "missing; the scenario is empty"}
	}
	doc := root.Content[0]
	if doc.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("sandbox: scenario: line %d: want a mapping with steps", doc.Line)
	}
	if errs := checkScenarioKeys(doc); len(errs) > 0 {
		return nil, joinErrors(errs)
	}
	var raw scenarioYAML
	if err := doc.Decode(&raw); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			return nil, typeErrors(doc, te)
		}
		return nil, fmt.Errorf("sandbox: scenario: %w", err)
	}
	// Unparsable durations first; Validate then reports the rest, except
	// for those fields (a bad duration reads as zero).
	var errs []error
	sc := &Scenario{Name: raw.Name, Repeat: raw.Repeat, Loop: raw.Loop, Period: parseDuration("period", raw.Period, &errs)}
	for i, s := range raw.Steps {
		p := fmt.Sprintf("steps[%d].", i)
		st := Step{At: parseDuration(p+"at", s.At, &errs), Every: parseDuration(p+"every", s.Every, &errs), Times: s.Times}
		st.Fault = s.convert(p, &errs)
		sc.Steps = append(sc.Steps, st)
	}
	seen := map[string]bool{}
	for _, fe := range FieldErrors(joinErrors(errs)) {
		seen[fe.Field] = true
	}
	for _, fe := range FieldErrors(sc.Validate()) {
		if !seen[fe.Field] {
			errs = append(errs, fe)
		}
	}
	if len(errs) > 0 {
		return nil, joinErrors(errs)
	}
	return sc, nil
}

// LoadScenario reads a scenario file; see ParseScenario.
func LoadScenario(path string) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("sandbox: scenario: %w", err)
	}
	sc, err := ParseScenario(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return sc, nil
}

// checkScenarioKeys reports unknown keys anywhere in the scenario, with
// their paths.
func checkScenarioKeys(doc *yaml.Node) []error {
	var errs []error
	keys := func(n *yaml.Node, prefix string, known []string) map[string]*yaml.Node {
		m := map[string]*yaml.Node{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			m[k] = n.Content[i+1]
			if !slices.Contains(known, k) {
				errs = append(errs, &FieldError{Field: prefix + k, Value: fmt.Sprintf("line %d", n.Content[i].Line), Reason: "unknown key; want one of " + strings.Join(known, ", ")})
			}
		}
		return m
	}
	top := keys(doc, "", scenarioKeys)
	steps := top["steps"]
	if steps == nil {
		return errs
	}
	if steps.Kind != yaml.SequenceNode {
		return append(errs, &FieldError{Field: "steps", Value: fmt.Sprintf("line %d", steps.Line), Reason: "want a list of steps"})
	}
	for i, st := range steps.Content {
		p := fmt.Sprintf("steps[%d]", i)
		if st.Kind != yaml.MappingNode {
			errs = append(errs, &FieldError{Field: p, Value: fmt.Sprintf("line %d", st.Line), Reason: "want a mapping like {at: 5s, fault: drop}"})
			continue
		}
		m := keys(st, p+".", stepKeys)
		if t := m["target"]; t != nil {
			if t.Kind != yaml.MappingNode {
				errs = append(errs, &FieldError{Field: p + ".target", Value: fmt.Sprintf("line %d", t.Line), Reason: "want a mapping like {service: demo, user: name, conn: 3}"})
				continue
			}
			keys(t, p+".target.", targetKeys)
		}
	}
	return errs
}

// typeErrors turns YAML's type errors ("line 5: cannot unmarshal !!str
// `many` into int", several in one error) into one *FieldError each,
// naming the field the value is for: the document's node on that line
// with that value.
func typeErrors(doc *yaml.Node, te *yaml.TypeError) error {
	type leaf struct {
		path string
		n    *yaml.Node
	}
	var leaves []leaf
	var walk func(n *yaml.Node, path string)
	walk = func(n *yaml.Node, path string) {
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				p := n.Content[i].Value
				if path != "" {
					p = path + "." + p
				}
				leaves = append(leaves, leaf{p, n.Content[i+1]})
				walk(n.Content[i+1], p)
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				p := fmt.Sprintf("%s[%d]", path, i)
				leaves = append(leaves, leaf{p, c})
				walk(c, p)
			}
		}
	}
	walk(doc, "")
	used := map[*yaml.Node]bool{}
	var errs []error
	for _, msg := range te.Errors {
		line, reason := 0, msg
		if head, rest, ok := strings.Cut(msg, ": "); ok {
			if _, err := fmt.Sscanf(head, "line %d", &line); err == nil {
				reason = rest
			}
		}
		// The value as YAML quotes it: `many`, or `abcdefg...` when long;
		// collections are quoted without one.
		value := ""
		if _, rest, ok := strings.Cut(reason, "`"); ok {
			value, _, _ = strings.Cut(rest, "`")
		}
		field := ""
		for _, l := range leaves {
			if used[l.n] || l.n.Line != line || (l.n.Kind == yaml.ScalarNode) != (value != "") {
				continue
			}
			short, cut := strings.CutSuffix(value, "...")
			if value != "" && l.n.Value != value && !(cut && len(l.n.Value) > 10 && strings.HasPrefix(l.n.Value, short)) {
				continue
			}
			field, used[l.n] = l.path, true
			break
		}
		if field == "" {
			errs = append(errs, fmt.Errorf("sandbox: scenario: %s", msg))
			continue
		}
		errs = append(errs, &FieldError{Field: field, Value: fmt.Sprintf("line %d", line), Reason: reason})
	}
	return joinErrors(errs)
}
