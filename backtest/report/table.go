package report

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/shopspring/decimal"
)

// WriteTable writes the headline statistics of s as an aligned two-column
// text table, money rounded to cents, followed by the open positions.
func (s Summary) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, r := range s.tableRows() {
		fmt.Fprintf(tw, "%s\t%s\n", r[0], r[1])
	}
	if len(s.OpenPositions) > 0 {
		fmt.Fprintf(tw, "\nOpen position\tNet\tAvg price\tMark\tOpen PnL\n")
		for _, p := range s.OpenPositions {
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\n", p.Symbol, p.Net, p.AvgPrice, p.Mark, p.OpenPnL.StringFixed(2))
		}
	}
	if len(s.Rolls) > 0 {
		fmt.Fprintf(tw, "\nRoll\tFrom\tTo\tQty\tOpened\tCost\tNote\n")
		for _, r := range s.Rolls {
			fmt.Fprintf(tw, "%s %s\t%s\t%s\t%+d\t%d\t%s\t%s\n", r.Time.Format(time.DateOnly), r.Root, r.From, r.To, r.Qty, r.Opened, r.Cost.StringFixed(2), r.Note)
		}
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("report: write table: %w", err)
	}
	return nil
}

// tableRows returns the headline statistics as label/value pairs.
func (s Summary) tableRows() [][2]string {
	money := func(d decimal.Decimal) string { return d.StringFixed(2) }
	f2 := func(f float64) string { return fmt.Sprintf("%.2f", f) }
	pf := s.ProfitFactor.String()
	if s.ProfitFactor.IsInf() {
		pf += " (no losing trades)"
	}
	rows := [][2]string{
		{"Period", s.Start.Format(time.RFC3339) + " – " + s.End.Format(time.RFC3339)},
		{"Trading days", fmt.Sprint(s.TradingDays)},
		{"Starting capital", money(s.StartingCapital)},
		{"End equity", money(s.EndEquity)},
		{"Net PnL", money(s.NetPnL)},
		{"Gross PnL", money(s.GrossPnL)},
		{"  realized", money(s.RealizedPnL)},
		{"  open", money(s.OpenPnL)},
		{"Fees", money(s.Fees)},
		{"Total return %", f2(s.TotalReturnPct)},
		{"Max drawdown", money(s.MaxDrawdown)},
		{"Max drawdown %", f2(s.MaxDrawdownPct)},
		{"Sharpe (daily, ×√252)", f2(s.Sharpe)},
		{"Sortino (daily, ×√252)", f2(s.Sortino)},
		{"Exposure %", f2(s.ExposurePct)},
		{"Fills", fmt.Sprint(s.Fills)},
		{"Contracts traded", fmt.Sprint(s.ContractsTraded)},
		{"Trades", fmt.Sprint(s.Trades)},
		{"Wins / losses", fmt.Sprintf("%d / %d", s.Wins, s.Losses)},
		{"Win rate %", f2(s.WinRatePct)},
		{"Profit factor", pf},
		{"Avg trade", money(s.AvgTrade)},
		{"Avg win", money(s.AvgWin)},
		{"Avg loss", money(s.AvgLoss)},
		{"Largest win", money(s.LargestWin)},
		{"Largest loss", money(s.LargestLoss)},
	}
	if len(s.Rolls) > 0 {
		rows = append(rows, [2]string{"Rolls", fmt.Sprint(len(s.Rolls))}, [2]string{"Roll cost", money(s.RollCost)})
	}
	return rows
}
