package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
)

// TradesCSVHeader is the header row of WriteTradesCSV.
var TradesCSVHeader = []string{
	"n", "contract", "symbol", "side", "qty",
	"entry_time", "entry_price", "exit_time", "exit_price",
	"gross_pnl", "entry_fee", "exit_fee", "fees", "net_pnl", "duration_s",
}

// EquityCSVHeader is the header row of WriteEquityCSV.
var EquityCSVHeader = []string{"time", "equity", "drawdown", "drawdown_pct"}

// WriteTradesCSV writes one row per trade, numbered from 1, in the order
// the trades closed. Money and prices are exact decimals, times RFC 3339 UTC,
// duration_s is exact seconds.
func (s Summary) WriteTradesCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	_ = cw.Write(TradesCSVHeader)
	for i, t := range s.TradeList {
		_ = cw.Write([]string{
			strconv.Itoa(i + 1),
			strconv.FormatInt(int64(t.Contract), 10),
			t.Symbol,
			t.Side.String(),
			strconv.FormatInt(t.Qty, 10),
			t.EntryTime.Format(time.RFC3339Nano),
			t.EntryPrice.String(),
			t.ExitTime.Format(time.RFC3339Nano),
			t.ExitPrice.String(),
			t.GrossPnL.String(),
			t.EntryFee.String(),
			t.ExitFee.String(),
			t.Fees.String(),
			t.NetPnL.String(),
			decimal.New(int64(t.Duration), -9).String(),
		})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("report: write trades csv: %w", err)
	}
	return nil
}

// WriteEquityCSV writes every equity sample: time (RFC 3339 UTC), exact
// equity and drawdown, and drawdown in percent of the running peak. It
// writes only the header when s has no Series.
func (s Summary) WriteEquityCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	_ = cw.Write(EquityCSVHeader)
	if s.Series != nil {
		for _, p := range s.Series.Equity {
			_ = cw.Write([]string{
				utc(p.Time).Format(time.RFC3339Nano),
				p.Equity.String(),
				p.Drawdown.String(),
				strconv.FormatFloat(p.DrawdownPct, 'f', -1, 64),
			})
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("report: write equity csv: %w", err)
	}
	return nil
}
