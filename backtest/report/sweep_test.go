package report

import (
	"bytes"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func sweepResults() []SweepResult {
	mk := func(fast, slow string, net, dd string, sharpe float64, pf float64, ddPct float64) SweepResult {
		return SweepResult{
			Params: []Param{{"fast", fast}, {"slow", slow}},
			Summary: Summary{
				NetPnL: dec(net), GrossPnL: dec(net), Fees: dec("0"),
				MaxDrawdown: dec(dd), MaxDrawdownPct: ddPct,
				Sharpe: sharpe, Sortino: sharpe * 2, ProfitFactor: Ratio(pf),
			},
		}
	}
	return []SweepResult{
		mk("5", "20", "100", "50", 1.0, 1.5, 0.05),
		mk("10", "20", "300", "80", 0.5, math.Inf(1), 0.08),
		mk("3", "20", "300", "40", 2.0, 3, 0.04), // ties on net with 10/20
		mk("5", "30", "-50", "40", -1.0, 0.5, 0.04),
	}
}

func paramTexts(rs []SweepResult) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ParamText()
	}
	return out
}

func TestRank(t *testing.T) {
	tests := []struct {
		by   string
		want []string
	}{
		{"", []string{"fast=10,slow=20", "fast=3,slow=20", "fast=5,slow=20", "fast=5,slow=30"}},
		{ByNetPnL, []string{"fast=10,slow=20", "fast=3,slow=20", "fast=5,slow=20", "fast=5,slow=30"}},
		{BySharpe, []string{"fast=3,slow=20", "fast=5,slow=20", "fast=10,slow=20", "fast=5,slow=30"}},
		{BySortino, []string{"fast=3,slow=20", "fast=5,slow=20", "fast=10,slow=20", "fast=5,slow=30"}},
		{ByProfitFactor, []string{"fast=10,slow=20", "fast=3,slow=20", "fast=5,slow=20", "fast=5,slow=30"}},
		{ByDrawdown, []string{"fast=3,slow=20", "fast=5,slow=30", "fast=5,slow=20", "fast=10,slow=20"}},
		{ByDrawdownPct, []string{"fast=3,slow=20", "fast=5,slow=30", "fast=5,slow=20", "fast=10,slow=20"}},
	}
	for _, tt := range tests {
		t.Run(tt.by, func(t *testing.T) {
			in := sweepResults()
			got, err := Rank(in, tt.by)
			require.NoError(t, err)
			assert.Equal(t, tt.want, paramTexts(got))
			assert.Equal(t, paramTexts(sweepResults()), paramTexts(in), "the input is not reordered")

			// The order does not depend on the input order.
			rev := sweepResults()
			for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
				rev[i], rev[j] = rev[j], rev[i]
			}
			got2, err := Rank(rev, tt.by)
			require.NoError(t, err)
			assert.Equal(t, tt.want, paramTexts(got2))
		})
	}
	_, err := Rank(sweepResults(), "winrate")
	assert.ErrorContains(t, err, "sharpe")
}

func TestWriteSweepCSV(t *testing.T) {
	rs, err := Rank(sweepResults(), ByNetPnL)
	require.NoError(t, err)
	rs = append(rs, SweepResult{Params: []Param{{"slow", "50"}, {"stop", "2.5"}}, Summary: Summary{ProfitFactor: 0}})
	var buf bytes.Buffer
	require.NoError(t, WriteSweepCSV(&buf, rs))
	want := "rank,fast,slow,stop,net_pnl,gross_pnl,fees,total_return_pct,trades,win_rate_pct,profit_factor,sharpe,sortino,max_drawdown,max_drawdown_pct,exposure_pct\n" +
		"1,10,20,,300,300,0,0,0,0,+Inf,0.5,1,80,0.08,0\n" +
		"2,3,20,,300,300,0,0,0,0,3,2,4,40,0.04,0\n" +
		"3,5,20,,100,100,0,0,0,0,1.5,1,2,50,0.05,0\n" +
		"4,5,30,,-50,-50,0,0,0,0,0.5,-1,-2,40,0.04,0\n" +
		"5,,50,2.5,0,0,0,0,0,0,0,0,0,0,0,0\n"
	assert.Equal(t, want, buf.String())
}
