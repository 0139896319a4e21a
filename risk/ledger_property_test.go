package risk

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/keeltrade/keel/venue"
)

// The gate keeps positions and equity as an integer mirror, updated in
// O(1) per fill and per mark (see loss.go). The simulator, the engine and
// the backtest report book the same fills into venue.Ledger, FIFO lots in
// exact decimals. TestPropertyMirrorMatchesLedger drives both with random
// fills, fees and marks and requires them to agree after every step, for
// the account and for every strategy.

// ledgerBook is one scope as the shared ledger sees it.
type ledgerBook struct {
	lots map[venue.ContractID]*venue.Ledger
	fees decimal.Decimal
}

func newLedgerBook(insts []venue.Instrument) *ledgerBook {
	b := &ledgerBook{lots: map[venue.ContractID]*venue.Ledger{}, fees: decimal.Zero}
	for _, in := range insts {
		b.lots[in.ID] = &venue.Ledger{}
	}
	return b
}

func (b *ledgerBook) fill(f venue.Fill) {
	b.lots[f.Contract].Fill(f)
	b.fees = b.fees.Add(f.Fee)
}

// mirrorRun is one random walk: the gate under test and the ledgers of
// its scopes.
type mirrorRun struct {
	t       *testing.T
	h       *harness
	rng     *rand.Rand
	insts   []venue.Instrument
	strats  []string
	account *ledgerBook
	books   map[string]*ledgerBook
	mark    map[venue.ContractID]venue.Price // the gate's mark: last trade, else the first fill
	ghosts  int
}

func newMirrorRun(t *testing.T, seed uint64) *mirrorRun {
	m := &mirrorRun{
		t: t, h: newHarness(t, offConfig()), rng: rand.New(rand.NewPCG(seed, 0x1ed6e2)),
		insts: []venue.Instrument{mes, es}, books: map[string]*ledgerBook{},
		mark: map[venue.ContractID]venue.Price{},
	}
	m.account = newLedgerBook(m.insts)
	for i := range 2 + int(seed%2) {
		name := "s" + strconv.Itoa(i)
		m.strats = append(m.strats, name)
		m.books[name] = newLedgerBook(m.insts)
		// Make the gate know every strategy and instrument from the start.
		for _, in := range m.insts {
			m.h.cancel(m.h.mustMarket(name, in, venue.Buy, 1))
		}
	}
	return m
}

var mirrorFees = []string{"0", "0", "0.62", "1.24", "2.5", "0.000001", "3.123456", "0.37"}

// price returns a random price on the 0.25 grid, within 100 points of 5000.
func (m *mirrorRun) price() venue.Price {
	return px("5000").AddTicks(m.rng.Int64N(801)-400, mes.TickSize)
}

func (m *mirrorRun) side() venue.Side {
	if m.rng.IntN(2) == 0 {
		return venue.Sell
	}
	return venue.Buy
}

func (m *mirrorRun) step() string {
	in := m.insts[m.rng.IntN(len(m.insts))]
	switch r := m.rng.IntN(20); {
	case r < 6:
		p := m.price()
		m.h.trade(in, p.String())
		m.mark[in.ID] = p
		return fmt.Sprintf("trade %s @ %s", in.Symbol, p)
	case r < 8:
		// A fill the gate did not allow: the account's only.
		m.ghosts++
		id := "manual-" + strconv.Itoa(m.ghosts)
		f := m.fill(id, in, m.side(), 1+m.rng.Int64N(4), true)
		m.account.fill(f)
		return fmt.Sprintf("unknown fill %s %s %d @ %s fee %s", in.Symbol, f.Side, f.Qty, f.Price, f.Fee)
	default:
		// A strategy's market order, filled in one to three parts.
		name := m.strats[m.rng.IntN(len(m.strats))]
		side, qty := m.side(), 1+m.rng.Int64N(6)
		id := m.h.mustMarket(name, in, side, qty)
		for left := qty; left > 0; {
			q := left
			if left > 1 && m.rng.IntN(2) == 0 {
				q = 1 + m.rng.Int64N(left-1)
			}
			left -= q
			m.h.advance(time.Millisecond)
			f := m.fill(id, in, side, q, left == 0)
			m.account.fill(f)
			m.books[name].fill(f)
		}
		return fmt.Sprintf("%s %s %s %d", name, in.Symbol, side, qty)
	}
}

// fill sends the gate a fill at a random price and fee and returns it.
func (m *mirrorRun) fill(id string, in venue.Instrument, side venue.Side, qty int64, final bool) venue.Fill {
	p := m.price()
	fee := mirrorFees[m.rng.IntN(len(mirrorFees))]
	m.h.fill(id, in, side, qty, p.String(), final, fee)
	if _, ok := m.mark[in.ID]; !ok {
		m.mark[in.ID] = p
	}
	return venue.Fill{ClientID: id, Contract: in.ID, Side: side, Qty: qty, Price: p, Fee: decimal.RequireFromString(fee)}
}

// equity is the ledger's view of a scope: realized plus open PnL at the
// marks, in money, minus fees, in micro-units.
func (m *mirrorRun) equity(b *ledgerBook) int64 {
	m.t.Helper()
	eq := b.fees.Neg()
	for _, in := range m.insts {
		l := b.lots[in.ID]
		pts := l.RealizedPoints().Add(l.OpenPnL(m.mark[in.ID]))
		eq = eq.Add(pts.Mul(in.PointValue))
	}
	v, ok := micros(eq)
	require.True(m.t, ok, "equity %s is not a whole number of micro-units", eq)
	return v
}

func (m *mirrorRun) check(step int, what string) {
	m.t.Helper()
	type pair struct {
		label string
		s     *Scope
		b     *ledgerBook
	}
	scopes := []pair{{"account", m.h.g.Account(), m.account}}
	for _, name := range m.strats {
		s, ok := m.h.g.Strategy(name)
		require.True(m.t, ok, name)
		scopes = append(scopes, pair{name, s, m.books[name]})
	}
	for _, sc := range scopes {
		for _, in := range m.insts {
			require.Equal(m.t, sc.b.lots[in.ID].Net(), sc.s.Net(in.ID), "step %d (%s): %s net %s", step, what, sc.label, in.Symbol)
		}
		want := m.equity(sc.b)
		require.Equal(m.t, want, sc.s.Equity(), "step %d (%s): %s equity: ledger %s, gate %s",
			step, what, sc.label, fmtMicros(want), fmtMicros(sc.s.Equity()))
	}
}

func TestPropertyMirrorMatchesLedger(t *testing.T) {
	for seed := range uint64(6) {
		t.Run("seed"+strconv.FormatUint(seed, 10), func(t *testing.T) {
			m := newMirrorRun(t, seed)
			m.check(-1, "start")
			for i := range 3000 {
				m.h.advance(time.Millisecond)
				what := m.step()
				m.check(i, what)
			}
			require.Zero(t, m.h.g.Stats().UnpricedFills)
		})
	}
}
