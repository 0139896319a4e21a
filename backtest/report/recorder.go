package report

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/keeltrade/keel/venue"
)

// Recorder collects what a backtest does — prices, fills, positions, equity
// — and computes its Summary. It is used from one goroutine (the engine
// loop) and is not safe for concurrent use.
type Recorder struct {
	cfg      Config
	interval int64 // SampleInterval in ns

	// Hot path state, touched by OnPrice.
	lastID     venue.ContractID // one-entry cache in front of index
	lastIdx    int              // index of lastID in contracts, -1 if untracked
	index      map[venue.ContractID]int
	marks      []venue.Price // last price per tracked contract
	firstPrice []int         // index of the first sample holding a price for the contract, -1 before
	started    bool
	start      int64 // first timestamp seen
	now        int64 // latest timestamp seen
	exposed    int64 // ns with a non-zero position
	open       int   // contracts with a non-zero position
	nextSample int64 // the next interval sample is due at this time
	samples    []sample
	pool       []venue.Price // marks of all tracked contracts at each sample

	// Fill state, touched by OnFill only.
	contracts       []*position
	epochs          []epoch
	coefs           []decimal.Decimal
	realized        decimal.Decimal
	fees            decimal.Decimal
	contractsTraded int64
	fills           []FillPoint
	trades          []Trade
}

// sample is one equity observation. Its equity is the epoch's constant plus
// the epoch's coefficients times the marks pool[off:off+n]; it is computed
// in Finish, so that taking a sample on the hot path costs two appends.
type sample struct {
	t     int64
	off   int
	n     int32
	epoch int32
}

// epoch is the account between two fills, in the form
// equity = k + Σ coefs[off+i] × mark_i over the first n contracts:
// k = capital + realized − fees − Σ pointValue_i × Σ lots (signed qty × entry),
// coef_i = pointValue_i × net_i.
type epoch struct {
	k   decimal.Decimal
	off int
	n   int
}

// NewRecorder returns a Recorder for cfg, or an error naming the invalid
// Config field.
func NewRecorder(cfg Config) (*Recorder, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	r := &Recorder{
		cfg:        cfg,
		interval:   int64(cfg.SampleInterval),
		lastIdx:    -1,
		index:      make(map[venue.ContractID]int),
		nextSample: minTime,
		realized:   decimal.Zero,
		fees:       decimal.Zero,
		samples:    make([]sample, 0, 1024),
		pool:       make([]venue.Price, 0, 1024),
	}
	r.epochs = append(r.epochs, epoch{k: cfg.StartingCapital})
	return r, nil
}

const minTime = -1 << 63

// Track registers an instrument before its first fill, so that its prices
// are recorded (for the price chart) from the start of the run. OnFill
// tracks instruments by itself; prices of untracked contracts only advance
// the clock.
func (r *Recorder) Track(inst venue.Instrument) error {
	_, err := r.track(inst)
	return err
}

func (r *Recorder) track(inst venue.Instrument) (int, error) {
	if i, ok := r.index[inst.ID]; ok {
		if have := r.contracts[i].inst.PointValue; !have.Equal(inst.PointValue) {
			return -1, fmt.Errorf("report: instrument %s (contract %d): point value %s differs from %s seen before",
				inst.Symbol, inst.ID, inst.PointValue, have)
		}
		return i, nil
	}
	if err := inst.Validate(); err != nil {
		return -1, fmt.Errorf("report: %w", err)
	}
	i := len(r.contracts)
	r.contracts = append(r.contracts, &position{inst: inst})
	r.index[inst.ID] = i
	r.marks = append(r.marks, 0)
	r.firstPrice = append(r.firstPrice, -1)
	if inst.ID == r.lastID {
		r.lastIdx = i
	}
	return i, nil
}

// OnPrice records the latest price p of contract c at time t (Unix ns). Call
// it for every trade or quote the strategy sees. It is O(1) and does not
// allocate, except to grow the equity series when a sample is due (at most
// once per SampleInterval of data time).
func (r *Recorder) OnPrice(c venue.ContractID, t int64, p venue.Price) {
	i := r.lastIdx
	if c != r.lastID {
		var ok bool
		if i, ok = r.index[c]; !ok {
			i = -1
		}
		r.lastID, r.lastIdx = c, i
	}
	if i >= 0 {
		r.marks[i] = p
		if r.firstPrice[i] < 0 {
			r.firstPrice[i] = len(r.samples)
		}
	}
	r.advance(t)
	if r.now >= r.nextSample {
		r.sample()
	}
}

// advance moves the clock to t, accruing exposure; it never goes back.
func (r *Recorder) advance(t int64) {
	if !r.started {
		r.started, r.start, r.now = true, t, t
		return
	}
	if t > r.now {
		if r.open > 0 {
			r.exposed += t - r.now
		}
		r.now = t
	}
}

// sample appends an equity observation at the clock's time and schedules
// the next interval sample at the start of the next interval.
func (r *Recorder) sample() {
	off := len(r.pool)
	r.pool = append(r.pool, r.marks...)
	r.samples = append(r.samples, sample{t: r.now, off: off, n: int32(len(r.marks)), epoch: int32(len(r.epochs) - 1)})
	r.nextSample = floorDiv(r.now, r.interval)*r.interval + r.interval
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// OnFill records a fill of inst (whose ID must be the fill's contract):
// it matches the fill against the contract's open lots (FIFO), records the
// trades it closes, and samples equity. A fill with a non-positive quantity
// or no side is an error and changes nothing.
func (r *Recorder) OnFill(f venue.Fill, inst venue.Instrument) error {
	switch {
	case f.Contract != inst.ID:
		return fmt.Errorf("report: fill %d is for contract %d, instrument %s is contract %d", f.ID, f.Contract, inst.Symbol, inst.ID)
	case f.Qty <= 0:
		return fmt.Errorf("report: fill %d of %s: quantity %d is not positive", f.ID, inst.Symbol, f.Qty)
	case !f.Side.Valid():
		return fmt.Errorf("report: fill %d of %s: side %s is not Buy or Sell", f.ID, inst.Symbol, f.Side)
	}
	i, err := r.track(inst)
	if err != nil {
		return err
	}
	r.advance(f.Time)
	r.marks[i] = f.Price
	if r.firstPrice[i] < 0 {
		r.firstPrice[i] = len(r.samples)
	}

	fee := f.Fee
	r.fees = r.fees.Add(fee)
	r.contractsTraded += f.Qty
	r.fills = append(r.fills, FillPoint{
		Time: f.Time, Contract: f.Contract, Symbol: inst.Symbol,
		Side: f.Side, Qty: f.Qty, Price: f.Price, Fee: fee,
	})

	pos := r.contracts[i]
	wasOpen := pos.net != 0
	trades, gross := pos.fill(f, r.trades)
	r.trades = trades
	r.realized = r.realized.Add(gross)
	switch isOpen := pos.net != 0; {
	case wasOpen && !isOpen:
		r.open--
	case !wasOpen && isOpen:
		r.open++
	}

	r.newEpoch()
	r.sample()
	return nil
}

// newEpoch records the account's linear equity form after a fill.
func (r *Recorder) newEpoch() {
	k := r.cfg.StartingCapital.Add(r.realized).Sub(r.fees)
	off := len(r.coefs)
	for _, p := range r.contracts {
		pv := p.inst.PointValue
		r.coefs = append(r.coefs, pv.Mul(decimal.NewFromInt(p.net)))
		if p.net != 0 {
			k = k.Sub(pv.Mul(p.basis()))
		}
	}
	r.epochs = append(r.epochs, epoch{k: k, off: off, n: len(r.contracts)})
}

// equityAt returns the exact equity of sample s.
func (r *Recorder) equityAt(s sample) decimal.Decimal {
	return r.equityOf(s.epoch, r.pool[s.off:s.off+int(s.n)])
}

func (r *Recorder) equityOf(e int32, marks []venue.Price) decimal.Decimal {
	ep := r.epochs[e]
	eq := ep.k
	n := min(ep.n, len(marks))
	for i := 0; i < n; i++ {
		c := r.coefs[ep.off+i]
		if c.IsZero() {
			continue
		}
		eq = eq.Add(c.Mul(marks[i].Decimal()))
	}
	return eq
}
