//go:build race

package ring_test

// raceEnabled scales stress tests down: the race detector makes every atomic
// operation an order of magnitude slower.
const raceEnabled = true
