// Package report computes the statistics of a backtest and writes them as
// JSON, an aligned text table, CSV files and a self-contained HTML page with
// charts.
//
// The backtest driver feeds a Recorder as the run goes: OnPrice for every
// price it sees (the hot path: O(1), no allocation), OnFill for every fill,
// and Finish once at the end, which returns a Summary. The Recorder keeps the
// open lots of every contract (FIFO, exact) and the last price of every
// contract it knows, and samples the account equity at most once per
// Config.SampleInterval of data time plus once at every fill, so a run of
// fifty million ticks yields an equity series of bounded size.
//
// # Money, prices and units
//
// Money (PnL, fees, equity) is decimal.Decimal and exact; prices are
// venue.Price. All money is taken to be in one currency, that of the
// starting capital: no FX conversion is done. Ratios (Sharpe, Sortino,
// profit factor) are float64 and always finite except the profit factor,
// which is +Inf when there are winning trades and no losing ones. Every field
// whose name ends in Pct (json "_pct") is a percentage: 12.5 means 12.5%.
//
// In JSON, money is a string holding the exact decimal ("1234.5"), prices
// are exact JSON numbers (venue.Price's encoding), times are RFC 3339 in UTC
// with up to nanosecond digits, and durations are integer nanoseconds. The
// output depends only on the input: no map iteration order, no wall clock.
//
// # Definitions
//
// Time is data time: the timestamps of the prices and fills, in Unix
// nanoseconds. The recorder's clock is the latest timestamp seen; it never
// moves backwards, and equity samples carry the clock's time. Prices of
// contracts the recorder does not know yet (no fill, no Track) only move
// the clock: a contract with no position does not change equity.
//
// Trade. Fills of one contract are matched first in, first out: a fill
// first closes the oldest open lots of the opposite side, and what remains
// of it opens a new lot. Each (lot, closing fill) match is one Trade of the
// matched quantity: a fill that closes two lots makes two trades, a fill
// that closes part of a lot makes a trade of that part and leaves the rest
// open, and a fill that reverses a position (long 2, sell 5) makes trades
// for the 2 it closes and opens a short lot of 3. Side is the entry side (Buy
// is a long trade). GrossPnL = (exit − entry) × qty × point value, negated
// for shorts. EntryFee is the share of the opening fill's fee and ExitFee the
// share of the closing fill's fee, both prorated by quantity; NetPnL =
// GrossPnL − EntryFee − ExitFee. Duration = exit time − entry time.
//
// Fee proration is exact decimal arithmetic: the share of k contracts out of
// a fee F charged for Q contracts, of which j were allocated before, is
// round(F×(j+k)/Q) − round(F×j/Q), rounded half away from zero to 10 decimal
// places, and the last share of a fill is whatever is left. The shares of a
// fill therefore always add up to exactly its fee, and each share is exact
// whenever F×k/Q has at most 10 decimal places (always, for per-contract
// fees).
//
// Win, loss. A trade wins when NetPnL > 0 and loses when NetPnL < 0; a
// trade with NetPnL = 0 is a scratch, counted in Trades but in neither Wins
// nor Losses. WinRatePct = 100 × Wins / Trades (0 with no trades).
// GrossWins is the sum of the NetPnL of winning trades, GrossLosses that of
// losing trades (≤ 0). AvgWin = GrossWins / Wins, AvgLoss = GrossLosses /
// Losses, AvgTrade = Σ NetPnL / Trades (each 0 when its count is 0; averages
// are rounded half away from zero to 10 decimal places). LargestWin is the
// largest NetPnL of a trade (0 with no wins), LargestLoss the smallest (≤ 0;
// 0 with no losses).
//
// ProfitFactor = GrossWins / |GrossLosses|. With no losing trades it is +Inf
// if there are winning trades and 0 if there are none; JSON writes +Inf as
// the string "+Inf".
//
// PnL of the run. RealizedPnL is the sum of the trades' GrossPnL. OpenPnL is
// the mark-to-market value of the lots still open at the end, at each
// contract's last price: Σ (last − entry) × qty × point value, negated for
// shorts. GrossPnL = RealizedPnL + OpenPnL. Fees is the sum of all fill fees,
// including those of lots still open. NetPnL = GrossPnL − Fees = EndEquity −
// StartingCapital. Open positions are not closed at the end, so the sum of
// the trades' NetPnL equals NetPnL only when the run ends flat.
// TotalReturnPct = 100 × NetPnL / StartingCapital.
//
// Rolls. A strategy that trades a continuous contract (a root, "ES") has
// its position rolled to the next month at each roll date: a closing leg
// in the old month and an opening leg in the new, both ordinary fills of
// their months (and trades of the old month). A roll's Cost = Σ over both
// legs' fills of fee + (fill price − the month's mark when the leg was
// sent) × qty × point value, negated for sells; RollCost is the sum over
// Rolls. It is already in Fees and the PnL figures; it is shown so the
// cost of holding a root across months is visible.
//
// Equity. Equity at a moment is StartingCapital + RealizedPnL − Fees +
// OpenPnL at that moment, marking each open contract at its last price (a
// fill's price is its contract's last price at the fill). It is sampled at
// the first OnPrice of every SampleInterval of data time (intervals aligned
// to the Unix epoch) unless a fill already sampled that interval, right
// after every fill, and once at the end time given to Finish. Drawdown statistics see only these samples: a dip and recovery
// between two samples, with no fill in between, is not seen.
//
// Drawdown. The running peak at a sample is the largest of StartingCapital
// and every equity sample up to and including it; the drawdown there is
// peak − equity (≥ 0) and its percentage is 100 × drawdown / peak (0 while
// the peak is not positive). MaxDrawdown is the largest drawdown in money and
// MaxDrawdownPct the largest percentage; they may come from different
// samples.
//
// Daily returns are keyed by trade date, not calendar date: every equity
// sample belongs to the trade date Config.TradeDate gives for its time
// (default CMETradeDate: a Globex session that opens at 17:00 America/Chicago
// on day D trades for D+1, and Saturday and Sunday roll to Monday). A day's
// closing equity is its last sample; its return is close / previous close −
// 1, where the previous close of the first day is StartingCapital (a day
// whose previous close is not positive has return 0). Returns are computed
// in decimal and rounded to 12 decimal places of a percent before they
// become float64. Trade dates with no
// sample at all (no prices, such as holidays) are absent, not zero.
//
// Sharpe = mean / stdev × √252 of the daily returns, where stdev is the
// sample standard deviation (n−1); the risk-free rate is 0. Sortino = mean /
// downside deviation × √252, where downside deviation = √(Σ min(r,0)² / n)
// over all n days. Both are 0 with fewer than two trading days or when their
// deviation is 0. The float arithmetic avoids fused multiply-add, so the
// values are the same on every platform.
//
// Exposure. ExposurePct = 100 × (data time during which at least one
// contract has a non-zero position) / (End − Start). Start is the first
// timestamp the recorder saw and End the time given to Finish (or the clock,
// if that is later).
//
// ContractsTraded is the sum of the quantities of all fills (buys and
// sells).
//
// # Outputs
//
// Summary.WriteJSON, WriteTable, WriteTradesCSV, WriteEquityCSV and
// WriteHTML write one output each; WriteDir writes summary.json, trades.csv,
// equity.csv and report.html into a directory. The HTML page embeds Apache
// ECharts (assets/echarts.common.min.js, Apache-2.0) inline, so it opens
// offline and fetches nothing; chart series longer than MaxChartPoints are
// downsampled to the series' first and last points plus the lowest and the
// highest point of each of equal buckets of the points between, so the page
// stays small for long runs while peaks and troughs survive.
//
// For parameter sweeps, Rank orders SweepResults by a statistic and
// WriteSweepCSV writes one row per result.
package report
