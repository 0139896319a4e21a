// Package data reads recorded market data for backtests, replays and the
// sandbox: tick and bar sources over CSV (plain or gzip) and keel's compact
// binary tick format, the k-way merges that interleave several sources by
// time, the CSV-to-binary converter, and Registry, which resolves the CME
// contract symbols data files name. It depends only on venue and venue/cme.
//
// Sources stream: memory stays flat however long the file, and a source
// decodes each row into the caller's value without allocating, so the
// backtest hot path is garbage-free from the file read to the strategy.
package data
