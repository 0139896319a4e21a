package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/keeltrade/keel/engine"
	"github.com/keeltrade/keel/strategy"
)

// runConfig is keel.yaml: a live session (keel.example.yaml documents
// every key).
type runConfig struct {
	Env         string        `yaml:"env"`
	ConfirmLive bool          `yaml:"confirm_live"`
	Tradovate   string        `yaml:"tradovate"` // a YAML file of TRADOVATE_* settings; the environment wins
	Account     string        `yaml:"account"`
	Risk        string        `yaml:"risk"`
	Journal     string        `yaml:"journal"`
	JournalSync string        `yaml:"journal_sync"`
	OnStop      string        `yaml:"on_stop"`
	OnFailure   string        `yaml:"on_failure"`
	StopTimeout time.Duration `yaml:"stop_timeout"`
	Duration    time.Duration `yaml:"duration"`
	StateDir    string        `yaml:"state_dir"`
	LogLevel    string        `yaml:"log_level"`
	Replay      replayConfig  `yaml:"replay"`
	Strategies  []runStrategy `yaml:"strategies"`

	lines map[string]int // key path → line, for messages
	dir   string         // the file's directory: relative paths are from there
}

type replayConfig struct {
	From  string `yaml:"from"`
	To    string `yaml:"to"`
	Speed int    `yaml:"speed"`

	from, to time.Time
}

type runStrategy struct {
	Name     string    `yaml:"name"`
	Strategy string    `yaml:"strategy"`
	Params   yaml.Node `yaml:"params"`

	params *strategy.Params
	strat  strategy.Strategy
}

// configError is a keel.yaml error naming its key and line.
type configError struct {
	file, key string
	line      int
	reason    string
}

func (e *configError) Error() string {
	if e.line > 0 {
		return fmt.Sprintf("%s: line %d: %s: %s", e.file, e.line, e.key, e.reason)
	}
	return fmt.Sprintf("%s: %s: %s", e.file, e.key, e.reason)
}

// loadRunConfig reads and checks keel.yaml. Unknown keys, wrong types and
// impossible values are errors naming the key and its line; nothing of a
// half-valid file is used.
func loadRunConfig(path string) (*runConfig, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	cfg := &runConfig{lines: map[string]int{}, dir: filepath.Dir(path)}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	collectLines(&root, "", cfg.lines)
	if err := cfg.check(path); err != nil {
		return nil, err
	}
	return cfg, nil
}

// collectLines records the line of every mapping key, by dotted path
// (list items by index: strategies.0.name).
func collectLines(n *yaml.Node, prefix string, out map[string]int) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			collectLines(c, prefix, out)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := prefix + n.Content[i].Value
			out[k] = n.Content[i].Line
			collectLines(n.Content[i+1], k+".", out)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			k := fmt.Sprintf("%s%d", prefix, i)
			out[k] = c.Line
			collectLines(c, k+".", out)
		}
	}
}

// check validates the values and fills defaults.
func (c *runConfig) check(file string) error {
	var errs []error
	bad := func(key, format string, args ...any) {
		line := 0
		for k := key; k != "" && line == 0; { // the key's line, else its nearest parent's
			line = c.lines[k]
			i := strings.LastIndexByte(k, '.')
			if i < 0 {
				break
			}
			k = k[:i]
		}
		errs = append(errs, &configError{file: file, key: key, line: line, reason: fmt.Sprintf(format, args...)})
	}
	switch c.Env {
	case "demo", "live", "replay":
	case "":
		bad("env", "required: demo, live or replay (keel has no default environment)")
	default:
		bad("env", "%q: want demo, live or replay", c.Env)
	}
	switch c.OnStop {
	case "":
		c.OnStop = string(engine.FlattenOnFailure)
	case string(engine.FlattenOnFailure), string(engine.KeepExits):
	default:
		bad("on_stop", "%q: want %s or %s", c.OnStop, engine.FlattenOnFailure, engine.KeepExits)
	}
	switch c.OnFailure {
	case "", string(engine.FlattenOnFailure), string(engine.KeepExits):
	default:
		bad("on_failure", "%q: want %s or %s", c.OnFailure, engine.FlattenOnFailure, engine.KeepExits)
	}
	switch strings.ToLower(c.JournalSync) {
	case "", "normal", "full":
	default:
		bad("journal_sync", "%q: want normal or full", c.JournalSync)
	}
	switch c.LogLevel {
	case "", "debug", "info", "warn", "error":
	default:
		bad("log_level", "%q: want debug, info, warn or error", c.LogLevel)
	}
	if c.StopTimeout < 0 {
		bad("stop_timeout", "%s: must not be negative", c.StopTimeout)
	} else if c.StopTimeout == 0 {
		c.StopTimeout = 15 * time.Second
	}
	if c.Duration < 0 {
		bad("duration", "%s: must not be negative", c.Duration)
	}
	if c.Env == "replay" {
		var err error
		if c.Replay.from, err = time.Parse(time.RFC3339, c.Replay.From); err != nil {
			bad("replay.from", "%q: want an RFC3339 time (a replay needs from and to)", c.Replay.From)
		}
		if c.Replay.to, err = time.Parse(time.RFC3339, c.Replay.To); err != nil {
			bad("replay.to", "%q: want an RFC3339 time", c.Replay.To)
		} else if !c.Replay.to.After(c.Replay.from) {
			bad("replay.to", "%s must be after replay.from", c.Replay.To)
		}
		if c.Replay.Speed < 0 || c.Replay.Speed > 400 {
			bad("replay.speed", "%d: want 1–400 (percent of real time)", c.Replay.Speed)
		}
	} else if c.Replay.From != "" || c.Replay.To != "" {
		bad("replay", "only for env: replay")
	}
	if len(c.Strategies) == 0 {
		bad("strategies", "required: at least one strategy to run")
	}
	names := map[string]bool{}
	for i := range c.Strategies {
		s := &c.Strategies[i]
		key := fmt.Sprintf("strategies.%d", i)
		if s.Strategy == "" {
			bad(key+".strategy", "required: a registered strategy's name (%s)", strings.Join(strategy.Names(), ", "))
			continue
		}
		if s.Name == "" {
			s.Name = s.Strategy
		}
		if strings.ContainsAny(s.Name, " -/") {
			bad(key+".name", "%q may not contain spaces, '-' or '/'", s.Name)
		}
		if names[s.Name] {
			bad(key+".name", "%q is used twice; give each instance its own name", s.Name)
		}
		names[s.Name] = true
		p, err := strategy.ParamsFromYAMLNode(&s.Params)
		if s.Params.Kind == 0 {
			p, err = strategy.NewParams(nil), nil
		}
		if err != nil {
			bad(key+".params", "%v", err)
			continue
		}
		s.params = p
		// Built now, so unknown strategies and parameters stop the start.
		if s.strat, err = strategy.New(s.Strategy, p); err != nil {
			bad(key, "%v", err)
		}
	}
	for _, k := range []*string{&c.Tradovate, &c.Risk, &c.Journal, &c.StateDir} {
		if *k != "" && !filepath.IsAbs(*k) {
			*k = filepath.Join(c.dir, *k)
		}
	}
	return errors.Join(errs...)
}
