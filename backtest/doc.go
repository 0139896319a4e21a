// Package backtest replays recorded market data (package backtest/data)
// through the same engine loop that runs live: Run wires a strategy, the
// simulated exchange (venue/sim), the risk gate and the report recorder
// (backtest/report) together over one or many files, and Sweep runs a
// parameter grid in parallel. Runs are deterministic: the same inputs give
// byte-identical reports.
package backtest
