// Package backtest replays recorded market data through the same engine loop
// that runs live: tick and bar sources (CSV, gzip and keel's compact binary
// tick format), the k-way merge that interleaves several sources by time, the
// driver (Run) that wires a strategy, the simulator (venue/sim), the risk gate
// and the report recorder together, and parameter sweeps (Sweep).
//
// Sources stream: memory stays flat however long the file, and a source
// decodes each row into the caller's value without allocating, so the
// backtest hot path is garbage-free from the file read to the strategy.
package backtest
