package report

import (
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/shopspring/decimal"
)

// Ratio is a float64 statistic that may be +Inf (the profit factor with no
// losing trades). JSON writes a finite Ratio as a number and +Inf as the
// string "+Inf".
type Ratio float64

// IsInf reports whether r is +Inf.
func (r Ratio) IsInf() bool { return math.IsInf(float64(r), 1) }

// String formats r with two decimals, or "+Inf".
func (r Ratio) String() string {
	if r.IsInf() {
		return "+Inf"
	}
	return fmt.Sprintf("%.2f", float64(r))
}

// MarshalJSON implements json.Marshaler.
func (r Ratio) MarshalJSON() ([]byte, error) {
	f := float64(r)
	switch {
	case math.IsInf(f, 1):
		return []byte(`"+Inf"`), nil
	case math.IsInf(f, -1), math.IsNaN(f):
		return nil, fmt.Errorf("report: ratio %v has no JSON form", f)
	}
	return json.Marshal(f)
}

// UnmarshalJSON implements json.Unmarshaler.
func (r *Ratio) UnmarshalJSON(b []byte) error {
	if string(b) == `"+Inf"` {
		*r = Ratio(math.Inf(1))
		return nil
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("report: ratio: %w", err)
	}
	*r = Ratio(f)
	return nil
}

// pct returns 100 × a / b as a float64 (0 when b is zero), computed in
// decimal and converted once, so it is the same on every platform.
func pct(a, b decimal.Decimal) float64 {
	if b.IsZero() {
		return 0
	}
	return a.Mul(decimal.NewFromInt(100)).DivRound(b, 12).InexactFloat64()
}

// tradeStats fills the trade statistics of s from s.TradeList.
func tradeStats(s *Summary) {
	s.Trades = len(s.TradeList)
	s.GrossWins, s.GrossLosses = decimal.Zero, decimal.Zero
	s.LargestWin, s.LargestLoss = decimal.Zero, decimal.Zero
	total := decimal.Zero
	for _, t := range s.TradeList {
		total = total.Add(t.NetPnL)
		switch t.NetPnL.Sign() {
		case 1:
			s.Wins++
			s.GrossWins = s.GrossWins.Add(t.NetPnL)
			if t.NetPnL.GreaterThan(s.LargestWin) {
				s.LargestWin = t.NetPnL
			}
		case -1:
			s.Losses++
			s.GrossLosses = s.GrossLosses.Add(t.NetPnL)
			if t.NetPnL.LessThan(s.LargestLoss) {
				s.LargestLoss = t.NetPnL
			}
		}
	}
	s.AvgWin = avg(s.GrossWins, s.Wins)
	s.AvgLoss = avg(s.GrossLosses, s.Losses)
	s.AvgTrade = avg(total, s.Trades)
	if s.Trades > 0 {
		s.WinRatePct = pct(decimal.NewFromInt(int64(s.Wins)), decimal.NewFromInt(int64(s.Trades)))
	}
	switch {
	case s.Losses > 0:
		s.ProfitFactor = Ratio(s.GrossWins.DivRound(s.GrossLosses.Neg(), 12).InexactFloat64())
	case s.Wins > 0:
		s.ProfitFactor = Ratio(math.Inf(1))
	}
}

func avg(sum decimal.Decimal, n int) decimal.Decimal {
	if n == 0 {
		return decimal.Zero
	}
	return sum.DivRound(decimal.NewFromInt(int64(n)), feePlaces)
}

// drawdown sets the drawdown of every point and returns the largest, in
// money and in percent of the running peak.
func drawdown(eq []EquityPoint, capital decimal.Decimal) (decimal.Decimal, float64) {
	peak := capital
	maxDD, maxPct := decimal.Zero, 0.0
	for i := range eq {
		p := &eq[i]
		if p.Equity.GreaterThan(peak) {
			peak = p.Equity
		}
		p.Drawdown = peak.Sub(p.Equity)
		if peak.IsPositive() {
			p.DrawdownPct = pct(p.Drawdown, peak)
		}
		if p.Drawdown.GreaterThan(maxDD) {
			maxDD = p.Drawdown
		}
		if p.DrawdownPct > maxPct {
			maxPct = p.DrawdownPct
		}
	}
	return maxDD, maxPct
}

// daily returns the closing equity of every trade date present in eq, with
// its PnL and return from the previous close.
func daily(eq []EquityPoint, capital decimal.Decimal, tradeDate func(time.Time) time.Time) []Day {
	days := []Day{}
	for _, p := range eq {
		d := tradeDate(utc(p.Time)).Format(time.DateOnly)
		if n := len(days); n > 0 && days[n-1].Date == d {
			days[n-1].Equity = p.Equity
			continue
		}
		days = append(days, Day{Date: d, Equity: p.Equity})
	}
	prev := capital
	for i := range days {
		d := &days[i]
		d.PnL = d.Equity.Sub(prev)
		if prev.IsPositive() {
			d.ReturnPct = pct(d.PnL, prev)
		}
		prev = d.Equity
	}
	return days
}

// sharpeSortino returns the annualized Sharpe and Sortino ratios of the
// daily returns (risk-free rate 0). Explicit float64 conversions keep the
// compiler from fusing multiply-adds, which would change the last bits on
// some platforms.
func sharpeSortino(days []Day) (sharpe, sortino float64) {
	n := len(days)
	if n < 2 {
		return 0, 0
	}
	r := make([]float64, n)
	sum := 0.0
	for i, d := range days {
		r[i] = d.ReturnPct / 100
		sum += r[i]
	}
	mean := sum / float64(n)
	ss, down := 0.0, 0.0
	for _, x := range r {
		dev := x - mean
		ss += float64(dev * dev)
		if x < 0 {
			down += float64(x * x)
		}
	}
	annual := math.Sqrt(252)
	if sd := math.Sqrt(ss / float64(n-1)); sd > 0 {
		sharpe = mean / sd * annual
	}
	if dd := math.Sqrt(down / float64(n)); dd > 0 {
		sortino = mean / dd * annual
	}
	return sharpe, sortino
}
