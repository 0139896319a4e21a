//go:build race

package engine

// raceEnabled: the race detector slows the property tests tenfold; they
// run fewer sequences under it (the plain run checks the properties in
// full, the race run checks for races).
const raceEnabled = true
