package sandbox

import (
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/cme"
	"github.com/keeltrade/keel/venue/tradovate/wire"
)

// replayGap is how long the data must be silent to count as a gap a
// replay cannot start in (nights, weekends, holidays, missing days).
const replayGap = 30 * time.Minute

// dataIndex is what a replay needs to know about a feed's data: its
// extent, its quiet spells, and the product whose calendar applies; and
// the contracts it has, which the synthetic markets leave alone.
type dataIndex struct {
	first, last int64 // Unix ns; last is math.MaxInt64 for endless data
	root        string
	gaps        []span // no data strictly inside
	contracts   map[venue.ContractID]bool
}

type span struct{ from, to int64 }

// index scans the feed's data once (endless synthetic data is not
// scanned) and keeps the result.
func (f *Feed) index() (*dataIndex, error) {
	f.idxOnce.Do(func() { f.idx, f.idxErr = f.buildIndex() })
	return f.idx, f.idxErr
}

func (f *Feed) buildIndex() (*dataIndex, error) {
	if len(f.files) == 0 && f.synth.Count == 0 {
		in, err := f.lib.resolver(f.synth.Start)(f.synth.Symbol)
		if err != nil {
			return nil, err
		}
		return &dataIndex{first: f.start, last: math.MaxInt64, root: in.Root, contracts: map[venue.ContractID]bool{in.ID: true}}, nil
	}
	src, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer src.Close()
	idx := &dataIndex{first: math.MaxInt64, last: math.MinInt64, contracts: map[venue.ContractID]bool{}}
	var t venue.Tick
	for {
		if err := src.Next(&t); err != nil {
			if !errors.Is(err, io.EOF) {
				return nil, fmt.Errorf("sandbox: replay data: %w", err)
			}
			break
		}
		if idx.root == "" {
			if in, ok := f.lib.ByID(t.Contract); ok {
				idx.root = in.Root
			}
		}
		if idx.last != math.MinInt64 && t.Time-idx.last >= int64(replayGap) {
			idx.gaps = append(idx.gaps, span{idx.last, t.Time})
		}
		idx.contracts[t.Contract] = true
		idx.first = min(idx.first, t.Time)
		idx.last = max(idx.last, t.Time)
	}
	if idx.last == math.MinInt64 {
		return nil, fmt.Errorf("sandbox: replay data: %w", errNoData)
	}
	return idx, nil
}

var errNoData = errors.New("the feed has no ticks")

// checkStart says whether a replay can start at t in the data: OK; or
// StartTimestampAdjusted with the time it can start instead — the data's
// start for an earlier t, the next session open when the market is closed
// at t (weekend, holiday, daily break, within the CME calendar's years),
// the next tick when t falls in a gap of the data; or Ineligible (with the
// reason) when t is after the data's end.
func (idx *dataIndex) checkStart(t time.Time) (string, time.Time, string) {
	at := t.UnixNano()
	c := max(at, idx.first)
	if idx.root != "" {
		if st, err := cme.DefaultCalendar().Status(idx.root, time.Unix(0, c)); err == nil && !st.Open && !st.NextOpen.IsZero() {
			c = st.NextOpen.UnixNano()
		}
	}
	for _, g := range idx.gaps {
		if c > g.from && c < g.to {
			c = g.to
			break
		}
	}
	// The wire carries milliseconds: round up, so the time given back
	// checks OK when sent again.
	if r := floorMod(c, int64(time.Millisecond)); r != 0 && c != at {
		c += int64(time.Millisecond) - r
	}
	if c > idx.last {
		return wire.CheckStatusIneligible, time.Time{}, fmt.Sprintf("the replay data ends at %s", time.Unix(0, idx.last).UTC().Format(time.RFC3339))
	}
	if c == at {
		return wire.CheckStatusOK, time.Time{}, ""
	}
	return wire.CheckStatusAdjusted, time.Unix(0, c).UTC(), ""
}
