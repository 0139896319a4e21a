package sandbox

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/keeltrade/keel/backtest/data"
	"github.com/keeltrade/keel/venue"
	"github.com/keeltrade/keel/venue/cme"
)

// feedFile is one data file of a Feed.
type feedFile struct {
	path string
	bars bool
	// ref anchors one-digit contract years ("ESH4"): the time of the
	// file's first row, so a 2024 file's ESH4 is March 2024.
	ref time.Time
}

// probeFile checks a data file and returns it with the time of its first
// tick. The first pass resolves symbols at the wall clock, which only
// affects one-digit years, to learn the data's time.
func probeFile(lib *library, path string, barPeriod time.Duration) (feedFile, int64, error) {
	bars, err := isBarFile(path)
	if err != nil {
		return feedFile{}, 0, err
	}
	ff := feedFile{path: path, bars: bars, ref: time.Now()}
	src, err := ff.open(lib, barPeriod)
	if err != nil {
		return feedFile{}, 0, err
	}
	defer src.Close()
	var t venue.Tick
	if err := src.Next(&t); err != nil {
		if errors.Is(err, io.EOF) {
			return feedFile{}, 0, fmt.Errorf("sandbox: feed file %s: %w", path, data.ErrEmpty)
		}
		return feedFile{}, 0, fmt.Errorf("sandbox: feed file %s: %w", path, err)
	}
	ff.ref = time.Unix(0, t.Time)
	return ff, t.Time, nil
}

// open returns the file's ticks with sandbox contract ids.
func (ff feedFile) open(lib *library, barPeriod time.Duration) (data.TickSource, error) {
	opt := data.CSVOptions{Resolve: lib.resolver(ff.ref), BarPeriod: barPeriod}
	if ff.bars {
		bs, err := data.OpenBarCSV(ff.path, opt)
		if err != nil {
			return nil, fmt.Errorf("sandbox: feed: %w", err)
		}
		return &barTicks{src: bs}, nil
	}
	src, err := data.OpenTicks(ff.path, opt)
	if err != nil {
		return nil, fmt.Errorf("sandbox: feed: %w", err)
	}
	if br, ok := src.(*data.BinaryReader); ok {
		// A binary file names its contract once, with the id of the run
		// that wrote it.
		in, err := opt.Resolve(br.Instrument().Symbol)
		if err != nil {
			_ = br.Close()
			return nil, fmt.Errorf("sandbox: feed file %s: %w", ff.path, err)
		}
		return &renumbered{src: br, id: in.ID}, nil
	}
	return src, nil
}

// resolver maps a data file's contract symbols ("ESZ13", "ESH4") to
// instruments with sandbox contract ids; one-digit years resolve near ref.
func (l *library) resolver(ref time.Time) data.Resolver {
	return func(s string) (venue.Instrument, error) {
		sym, err := cme.ParseSymbol(s, ref)
		if err != nil {
			return venue.Instrument{}, err
		}
		if strings.HasPrefix(s, "@") || strings.EqualFold(s, sym.Root) {
			return venue.Instrument{}, fmt.Errorf("contract %q: data needs a contract month (e.g. %s), not a continuous root", s, sym)
		}
		c, ok := l.contractOf(sym)
		if !ok {
			return venue.Instrument{}, fmt.Errorf("contract %q: outside the sandbox's years %d–%d", s, firstYear, lastYear)
		}
		in, ok := l.ByID(venue.ContractID(c.ID))
		if !ok {
			return venue.Instrument{}, fmt.Errorf("contract %q has no instrument", s)
		}
		return in, nil
	}
}

// isBarFile reports whether a file's header (through gzip if need be) is
// a bar CSV's: it has open, high, low and close columns.
func isBarFile(path string) (bool, error) {
	fh, err := os.Open(path)
	if err != nil {
		return false, fmt.Errorf("sandbox: feed: %w", err)
	}
	defer fh.Close()
	br := bufio.NewReader(fh)
	var r io.Reader = br
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return false, fmt.Errorf("sandbox: feed file %s: gzip: %w", path, err)
		}
		defer gz.Close()
		r = gz
	}
	line, err := bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return false, fmt.Errorf("sandbox: feed file %s: %w", path, err)
	}
	cols := map[string]bool{}
	for _, c := range strings.Split(line, ",") {
		cols[strings.ToLower(strings.TrimSpace(c))] = true
	}
	return cols["open"] && cols["high"] && cols["low"] && cols["close"], nil
}

// renumbered gives every tick of a source one contract id.
type renumbered struct {
	src data.TickSource
	id  venue.ContractID
}

func (r *renumbered) Next(t *venue.Tick) error {
	if err := r.src.Next(t); err != nil {
		return err
	}
	t.Contract = r.id
	return nil
}

func (r *renumbered) Close() error { return r.src.Close() }

// barTicks turns bars into trades: each bar gives four, at its start and
// a quarter, a half and three quarters of its period in — open, then low
// and high (high and low for a falling bar), then close — with the
// volume split between them, so aggregating them gives the bar back.
// Bars of several contracts with the same start are interleaved so the
// ticks stay in time order.
type barTicks struct {
	src     data.BarSource
	group   []venue.Bar
	ahead   venue.Bar
	hasNext bool
	err     error // sticky, returned once the ticks already made are out
	out     []venue.Tick
	i       int
}

func (b *barTicks) Next(t *venue.Tick) error {
	for b.i == len(b.out) {
		if err := b.fill(); err != nil {
			return err
		}
	}
	*t = b.out[b.i]
	b.i++
	return nil
}

func (b *barTicks) fill() error {
	if b.err != nil {
		return b.err
	}
	b.out, b.i, b.group = b.out[:0], 0, b.group[:0]
	if !b.hasNext {
		if err := b.src.Next(&b.ahead); err != nil {
			b.err = err
			return err
		}
	}
	b.group = append(b.group, b.ahead)
	b.hasNext = false
	for {
		var nb venue.Bar
		if err := b.src.Next(&nb); err != nil {
			b.err = err
			break
		}
		if nb.Start != b.group[0].Start {
			b.ahead, b.hasNext = nb, true
			break
		}
		b.group = append(b.group, nb)
	}
	for slot := range 4 {
		for i := range b.group {
			b.out = append(b.out, barTick(&b.group[i], slot))
		}
	}
	return nil
}

// barTick is the slot-th trade (0–3) of a bar.
func barTick(bar *venue.Bar, slot int) venue.Tick {
	period := bar.End - bar.Start
	if period <= 0 {
		period = int64(time.Minute)
	}
	up := bar.Close >= bar.Open
	prices := [4]venue.Price{bar.Open, bar.High, bar.Low, bar.Close}
	if up {
		prices[1], prices[2] = bar.Low, bar.High
	}
	size := bar.Volume / 4
	if int64(slot) < bar.Volume%4 {
		size++
	}
	t := venue.Tick{
		Time: bar.Start + int64(slot)*period/4, Contract: bar.Contract, Flags: venue.HasTrade,
		Price: prices[slot], Size: int32(min(size, int64(1<<31-1))),
	}
	if slot > 0 {
		switch prev := prices[slot-1]; {
		case t.Price > prev:
			t.Aggressor = venue.Buy
		case t.Price < prev:
			t.Aggressor = venue.Sell
		}
	}
	return t
}

func (b *barTicks) Close() error { return b.src.Close() }
