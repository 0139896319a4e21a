// Package venue holds keel's domain types — exact prices, ticks, bars,
// instruments, order intents, orders, fills, positions and the events a venue
// sends back — and the Venue interface that the simulator and the Tradovate
// adapter both implement.
//
// Prices are Price (int64 fixed-point); money is decimal.Decimal. Neither is
// ever a float64: floats appear only at JSON edges and are converted exactly
// there (PriceFromFloat).
package venue
