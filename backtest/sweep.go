package backtest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"runtime"
	"strings"

	"github.com/keeltrade/keel/backtest/report"
	"github.com/shopspring/decimal"
	"golang.org/x/sync/errgroup"
)

// Axis is one swept parameter and the values it takes.
type Axis struct {
	Name   string
	Values []string
}

// maxSweepRuns bounds a grid so a typo (step 0.0001) cannot start millions of runs.
const maxSweepRuns = 10_000

// ParseSweep parses "fast=5:20:5,slow=30:90:30" into axes. Each range is
// start:end:step, inclusive of end when the steps land on it, computed in
// exact decimal (so 0.1 steps do not drift); a single value ("qty=2") is an
// axis of one. Values may also be listed with '|' ("mode=a|b").
func ParseSweep(spec string) ([]Axis, error) {
	var axes []Axis
	seen := map[string]bool{}
	runs := 1
	for part := range strings.SplitSeq(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, rng, ok := strings.Cut(part, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" || rng == "" {
			return nil, fmt.Errorf("sweep %q: want name=start:end:step", part)
		}
		if seen[name] {
			return nil, fmt.Errorf("sweep: parameter %q given twice", name)
		}
		seen[name] = true
		vals, err := axisValues(rng)
		if err != nil {
			return nil, fmt.Errorf("sweep %s: %w", name, err)
		}
		runs *= len(vals)
		if runs > maxSweepRuns {
			return nil, fmt.Errorf("sweep: the grid has more than %d runs; narrow it or use a larger step", maxSweepRuns)
		}
		axes = append(axes, Axis{Name: name, Values: vals})
	}
	if len(axes) == 0 {
		return nil, fmt.Errorf("sweep %q: no parameters", spec)
	}
	return axes, nil
}

func axisValues(rng string) ([]string, error) {
	if strings.Contains(rng, "|") {
		return strings.Split(rng, "|"), nil
	}
	f := strings.Split(rng, ":")
	switch len(f) {
	case 1:
		return []string{f[0]}, nil
	case 3:
	default:
		return nil, fmt.Errorf("range %q: want start:end:step", rng)
	}
	var d [3]decimal.Decimal
	for i, s := range f {
		v, err := decimal.NewFromString(strings.TrimSpace(s))
		if err != nil {
			return nil, fmt.Errorf("range %q: %q is not a number", rng, s)
		}
		d[i] = v
	}
	start, end, step := d[0], d[1], d[2]
	if !step.IsPositive() {
		return nil, fmt.Errorf("range %q: step must be positive", rng)
	}
	if end.LessThan(start) {
		return nil, fmt.Errorf("range %q: end is before start", rng)
	}
	var out []string
	for v := start; !v.GreaterThan(end); v = v.Add(step) {
		out = append(out, v.String())
		if len(out) > maxSweepRuns {
			return nil, fmt.Errorf("range %q has more than %d values", rng, maxSweepRuns)
		}
	}
	return out, nil
}

// Sweep runs base once per point of the grid, in parallel on up to workers
// goroutines (default GOMAXPROCS), and returns the results in grid order
// (rank them with report.Rank). Each run has its own engine, simulator,
// gate and recorder; the equity series is dropped to keep memory small.
// The first failing run cancels the rest and its error is returned.
func Sweep(ctx context.Context, base Config, axes []Axis, workers int) ([]report.SweepResult, error) {
	points := [][]report.Param{nil}
	for _, ax := range axes {
		var next [][]report.Param
		for _, p := range points {
			for _, v := range ax.Values {
				q := append(append([]report.Param(nil), p...), report.Param{Name: ax.Name, Value: v})
				next = append(next, q)
			}
		}
		points = next
	}
	if base.Ticks != nil {
		return nil, errors.New("backtest: a sweep needs data files: one tick source cannot be read by parallel runs")
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	results := make([]report.SweepResult, len(points))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	for i, pt := range points {
		g.Go(func() error {
			cfg := base
			cfg.Progress = nil
			cfg.Params = maps.Clone(base.Params)
			if cfg.Params == nil {
				cfg.Params = map[string]string{}
			}
			for _, p := range pt {
				cfg.Params[p.Name] = p.Value
			}
			res, err := Run(ctx, cfg)
			if err != nil {
				return fmt.Errorf("run %s: %w", report.SweepResult{Params: pt}.ParamText(), err)
			}
			if len(res.Failures) > 0 {
				return fmt.Errorf("run %s: strategy stopped: %w", report.SweepResult{Params: pt}.ParamText(), res.Failures[0].Err)
			}
			res.Summary.Series = nil
			results[i] = report.SweepResult{Params: pt, Summary: res.Summary}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return results, nil
}
