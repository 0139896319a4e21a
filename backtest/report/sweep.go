package report

import (
	"cmp"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// Param is one named parameter value of a sweep run.
type Param struct {
	Name  string
	Value string
}

// SweepResult is the outcome of one parameter combination of a sweep.
type SweepResult struct {
	Params  []Param // in the order the sweep defines them
	Summary Summary
}

// ParamText returns the parameters as "name=value" pairs joined by commas,
// in order; it breaks ties in Rank.
func (r SweepResult) ParamText() string {
	var b strings.Builder
	for i, p := range r.Params {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(p.Name)
		b.WriteByte('=')
		b.WriteString(p.Value)
	}
	return b.String()
}

// Rank keys: what Rank can order by, best first.
const (
	ByNetPnL       = "net_pnl"       // highest NetPnL first (the default, also for "")
	BySharpe       = "sharpe"        // highest Sharpe first
	BySortino      = "sortino"       // highest Sortino first
	ByProfitFactor = "profit_factor" // highest ProfitFactor first (+Inf before any finite value)
	ByDrawdown     = "drawdown"      // smallest MaxDrawdown (money) first
	ByDrawdownPct  = "drawdown_pct"  // smallest MaxDrawdownPct first
)

// Rank returns a copy of results ordered best first by the statistic named
// by (one of the By constants; "" means ByNetPnL). Ties are broken by
// ParamText in ascending byte order, then by input order, so the result is
// the same for the same input. An unknown key is an error.
func Rank(results []SweepResult, by string) ([]SweepResult, error) {
	var better func(a, b *Summary) int // negative when a ranks before b
	switch by {
	case "", ByNetPnL:
		better = func(a, b *Summary) int { return b.NetPnL.Cmp(a.NetPnL) }
	case BySharpe:
		better = func(a, b *Summary) int { return cmp.Compare(b.Sharpe, a.Sharpe) }
	case BySortino:
		better = func(a, b *Summary) int { return cmp.Compare(b.Sortino, a.Sortino) }
	case ByProfitFactor:
		better = func(a, b *Summary) int { return cmp.Compare(b.ProfitFactor, a.ProfitFactor) }
	case ByDrawdown:
		better = func(a, b *Summary) int { return a.MaxDrawdown.Cmp(b.MaxDrawdown) }
	case ByDrawdownPct:
		better = func(a, b *Summary) int { return cmp.Compare(a.MaxDrawdownPct, b.MaxDrawdownPct) }
	default:
		return nil, fmt.Errorf("report: rank by %q: want one of %s, %s, %s, %s, %s, %s",
			by, ByNetPnL, BySharpe, BySortino, ByProfitFactor, ByDrawdown, ByDrawdownPct)
	}
	type keyed struct {
		r    SweepResult
		text string
	}
	ks := make([]keyed, len(results))
	for i, r := range results {
		ks[i] = keyed{r, r.ParamText()}
	}
	slices.SortStableFunc(ks, func(a, b keyed) int {
		if c := better(&a.r.Summary, &b.r.Summary); c != 0 {
			return c
		}
		return strings.Compare(a.text, b.text)
	})
	out := make([]SweepResult, len(ks))
	for i, k := range ks {
		out[i] = k.r
	}
	return out, nil
}

// SweepCSVStats are the statistic columns of WriteSweepCSV, after "rank"
// and one column per parameter name.
var SweepCSVStats = []string{
	"net_pnl", "gross_pnl", "fees", "total_return_pct", "trades", "win_rate_pct", "profit_factor",
	"sharpe", "sortino", "max_drawdown", "max_drawdown_pct", "exposure_pct",
}

// WriteSweepCSV writes one row per result in the given order (Rank them
// first), numbered from 1 in the "rank" column. The parameter columns are
// the parameter names in the order first seen across results; a result
// without a parameter has an empty cell. Money is exact; floats use the
// shortest text that round-trips; an infinite profit factor is "+Inf".
func WriteSweepCSV(w io.Writer, results []SweepResult) error {
	var names []string
	col := map[string]int{}
	for _, r := range results {
		for _, p := range r.Params {
			if _, ok := col[p.Name]; !ok {
				col[p.Name] = len(names)
				names = append(names, p.Name)
			}
		}
	}
	cw := csv.NewWriter(w)
	_ = cw.Write(append(append([]string{"rank"}, names...), SweepCSVStats...))
	f := func(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
	for i, r := range results {
		row := make([]string, 1+len(names), 1+len(names)+len(SweepCSVStats))
		row[0] = strconv.Itoa(i + 1)
		for _, p := range r.Params {
			row[1+col[p.Name]] = p.Value
		}
		s := &r.Summary
		pf := "+Inf"
		if !s.ProfitFactor.IsInf() {
			pf = f(float64(s.ProfitFactor))
		}
		row = append(row,
			s.NetPnL.String(), s.GrossPnL.String(), s.Fees.String(), f(s.TotalReturnPct),
			strconv.Itoa(s.Trades), f(s.WinRatePct), pf,
			f(s.Sharpe), f(s.Sortino), s.MaxDrawdown.String(), f(s.MaxDrawdownPct), f(s.ExposurePct),
		)
		_ = cw.Write(row)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("report: write sweep csv: %w", err)
	}
	return nil
}
