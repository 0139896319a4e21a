package report

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/keeltrade/keel/venue"
)

// Summary is the outcome of a backtest; doc.go defines every statistic.
// Money fields are exact decimals. Series holds the chart data and is not
// part of the JSON; set it to nil to keep many summaries (a sweep) small.
type Summary struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`

	StartingCapital decimal.Decimal `json:"starting_capital"`
	EndEquity       decimal.Decimal `json:"end_equity"`
	NetPnL          decimal.Decimal `json:"net_pnl"`
	GrossPnL        decimal.Decimal `json:"gross_pnl"`
	RealizedPnL     decimal.Decimal `json:"realized_pnl"`
	OpenPnL         decimal.Decimal `json:"open_pnl"`
	Fees            decimal.Decimal `json:"fees"`
	TotalReturnPct  float64         `json:"total_return_pct"`

	Fills           int     `json:"fills"`
	ContractsTraded int64   `json:"contracts_traded"`
	Trades          int     `json:"trades"`
	Wins            int     `json:"wins"`
	Losses          int     `json:"losses"`
	WinRatePct      float64 `json:"win_rate_pct"`

	GrossWins    decimal.Decimal `json:"gross_wins"`
	GrossLosses  decimal.Decimal `json:"gross_losses"`
	AvgWin       decimal.Decimal `json:"avg_win"`
	AvgLoss      decimal.Decimal `json:"avg_loss"`
	AvgTrade     decimal.Decimal `json:"avg_trade"`
	LargestWin   decimal.Decimal `json:"largest_win"`
	LargestLoss  decimal.Decimal `json:"largest_loss"`
	ProfitFactor Ratio           `json:"profit_factor"`

	MaxDrawdown    decimal.Decimal `json:"max_drawdown"`
	MaxDrawdownPct float64         `json:"max_drawdown_pct"`
	Sharpe         float64         `json:"sharpe"`
	Sortino        float64         `json:"sortino"`
	TradingDays    int             `json:"trading_days"`
	ExposurePct    float64         `json:"exposure_pct"`

	// ExitsLost counts bracket exits that were cancelled or expired while
	// their position was still open (engine.Stats.ExitsLost): positions the
	// strategy meant to protect that went on without their exit.
	ExitsLost int64 `json:"exits_lost"`

	// Rolls are the positions rolled from one month of a continuous
	// contract to the next (engine.Rolls), and RollCost what they cost in
	// all: fees plus slippage from each leg's mark. Both are in the PnL
	// figures already; they are shown apart so the cost of trading a root
	// is visible.
	Rolls    []Roll          `json:"rolls,omitempty"`
	RollCost decimal.Decimal `json:"roll_cost,omitzero"`

	OpenPositions []OpenPosition `json:"open_positions"`
	Daily         []Day          `json:"daily"`
	TradeList     []Trade        `json:"trade_list"`

	Series *Series `json:"-"`
}

// Roll is one roll of a strategy's position to the next month.
type Roll struct {
	Time     time.Time       `json:"time"`
	Strategy string          `json:"strategy"`
	Root     string          `json:"root"`
	From     string          `json:"from"`
	To       string          `json:"to"`
	Qty      int64           `json:"qty"`    // the position in From when the roll began (signed)
	Closed   int64           `json:"closed"` // contracts closed in From
	Opened   int64           `json:"opened"` // contracts opened in To
	Cost     decimal.Decimal `json:"cost"`
	Note     string          `json:"note,omitempty"` // why it did not complete
}

// Trade is one FIFO-matched round trip: an open lot (or part of one) of a
// contract and the fill that closed it.
type Trade struct {
	Contract   venue.ContractID `json:"contract"`
	Symbol     string           `json:"symbol"`
	Side       venue.Side       `json:"side"` // entry side: Buy is a long trade
	Qty        int64            `json:"qty"`
	EntryTime  time.Time        `json:"entry_time"`
	EntryPrice venue.Price      `json:"entry_price"`
	ExitTime   time.Time        `json:"exit_time"`
	ExitPrice  venue.Price      `json:"exit_price"`
	GrossPnL   decimal.Decimal  `json:"gross_pnl"`
	EntryFee   decimal.Decimal  `json:"entry_fee"`
	ExitFee    decimal.Decimal  `json:"exit_fee"`
	Fees       decimal.Decimal  `json:"fees"` // EntryFee + ExitFee
	NetPnL     decimal.Decimal  `json:"net_pnl"`
	Duration   time.Duration    `json:"duration_ns"`
}

// OpenPosition is a contract's position left open at the end of the run.
type OpenPosition struct {
	Contract venue.ContractID `json:"contract"`
	Symbol   string           `json:"symbol"`
	Net      int64            `json:"net"`       // positive long
	AvgPrice decimal.Decimal  `json:"avg_price"` // quantity-weighted entry price of the open lots
	Mark     venue.Price      `json:"mark"`      // last price
	OpenPnL  decimal.Decimal  `json:"open_pnl"`
}

// Day is the equity at the close of one trade date.
type Day struct {
	Date      string          `json:"date"` // trade date, YYYY-MM-DD
	Equity    decimal.Decimal `json:"equity"`
	PnL       decimal.Decimal `json:"pnl"` // equity change from the previous close
	ReturnPct float64         `json:"return_pct"`
}

// Series is the time series behind the charts and CSV files, in full
// (charts downsample it).
type Series struct {
	Equity []EquityPoint
	Prices []PriceSeries // one per tracked contract, in the order first tracked
	Fills  []FillPoint
}

// EquityPoint is one equity sample.
type EquityPoint struct {
	Time        int64 // Unix ns
	Equity      decimal.Decimal
	Drawdown    decimal.Decimal // running peak − equity, ≥ 0
	DrawdownPct float64
}

// PriceSeries is a contract's last price at every equity sample from its
// first price on.
type PriceSeries struct {
	Contract venue.ContractID
	Symbol   string
	Points   []PricePoint
}

// PricePoint is a price at a time (Unix ns).
type PricePoint struct {
	Time  int64
	Price venue.Price
}

// FillPoint is one fill as recorded.
type FillPoint struct {
	Time     int64 // Unix ns
	Contract venue.ContractID
	Symbol   string
	Side     venue.Side
	Qty      int64
	Price    venue.Price
	Fee      decimal.Decimal
}

// Finish computes the Summary of everything recorded so far, as of endTime
// (Unix ns; the clock is used if it is later). It does not change the
// Recorder: calling it again, or recording more and calling it again, is
// fine.
func (r *Recorder) Finish(endTime int64) Summary {
	start, end := endTime, endTime
	exposed := r.exposed
	if r.started {
		start = r.start
		if end < r.now {
			end = r.now
		}
		if r.open > 0 {
			exposed += end - r.now
		}
	}

	s := Summary{
		Start:           utc(start),
		End:             utc(end),
		StartingCapital: r.cfg.StartingCapital,
		RealizedPnL:     r.realized,
		Fees:            r.fees,
		Fills:           len(r.fills),
		ContractsTraded: r.contractsTraded,
		TradeList:       append([]Trade(nil), r.trades...),
		OpenPositions:   []OpenPosition{},
	}
	if s.TradeList == nil {
		s.TradeList = []Trade{}
	}

	open := decimal.Zero
	for i, p := range r.contracts {
		if p.net == 0 {
			continue
		}
		pnl := p.openPnL(r.marks[i])
		open = open.Add(pnl)
		s.OpenPositions = append(s.OpenPositions, OpenPosition{
			Contract: p.inst.ID, Symbol: p.inst.Symbol, Net: p.net,
			AvgPrice: p.avgPrice(), Mark: r.marks[i], OpenPnL: pnl,
		})
	}
	s.OpenPnL = open
	s.GrossPnL = r.realized.Add(open)
	s.NetPnL = s.GrossPnL.Sub(r.fees)
	s.EndEquity = r.cfg.StartingCapital.Add(s.NetPnL)
	s.TotalReturnPct = pct(s.NetPnL, r.cfg.StartingCapital)
	if end > start {
		s.ExposurePct = 100 * float64(exposed) / float64(end-start)
	}

	tradeStats(&s)
	s.Series = r.series(end)
	s.MaxDrawdown, s.MaxDrawdownPct = drawdown(s.Series.Equity, r.cfg.StartingCapital)
	s.Daily = daily(s.Series.Equity, r.cfg.StartingCapital, r.cfg.TradeDate)
	s.TradingDays = len(s.Daily)
	s.Sharpe, s.Sortino = sharpeSortino(s.Daily)
	return s
}

// series builds the full equity, price and fill series, ending with a
// sample of the current state at end.
func (r *Recorder) series(end int64) *Series {
	ser := &Series{
		Equity: make([]EquityPoint, 0, len(r.samples)+1),
		Fills:  append([]FillPoint(nil), r.fills...),
	}
	for _, sm := range r.samples {
		ser.Equity = append(ser.Equity, EquityPoint{Time: sm.t, Equity: r.equityAt(sm)})
	}
	final := EquityPoint{Time: end, Equity: r.equityOf(int32(len(r.epochs)-1), r.marks)}
	if n := len(ser.Equity); n > 0 && ser.Equity[n-1].Time == end {
		ser.Equity[n-1] = final // the latest state at the same instant wins
	} else {
		ser.Equity = append(ser.Equity, final)
	}

	for i, p := range r.contracts {
		ps := PriceSeries{Contract: p.inst.ID, Symbol: p.inst.Symbol}
		if first := r.firstPrice[i]; first >= 0 {
			for _, sm := range r.samples[first:] {
				ps.Points = append(ps.Points, PricePoint{Time: sm.t, Price: r.pool[sm.off+i]})
			}
			last := PricePoint{Time: end, Price: r.marks[i]}
			if n := len(ps.Points); n > 0 && ps.Points[n-1].Time == end {
				ps.Points[n-1] = last
			} else {
				ps.Points = append(ps.Points, last)
			}
		}
		ser.Prices = append(ser.Prices, ps)
	}
	return ser
}
