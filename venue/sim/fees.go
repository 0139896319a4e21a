package sim

import (
	"fmt"

	"github.com/keeltrade/keel/venue"
	"github.com/shopspring/decimal"
)

// FeeSchedule is what one contract costs per side (per buy or per sell), in
// the instrument's currency. A fill of q contracts is charged
// (Exchange + Clearing + Broker) × q. Put NFA or platform fees in whichever
// field suits the report; only the sum is charged.
type FeeSchedule struct {
	Exchange decimal.Decimal
	Clearing decimal.Decimal
	Broker   decimal.Decimal
}

// PerContract returns the fee for one contract on one side.
func (f FeeSchedule) PerContract() decimal.Decimal {
	return f.Exchange.Add(f.Clearing).Add(f.Broker)
}

func (f FeeSchedule) validate(name string) error {
	for _, part := range []struct {
		field string
		v     decimal.Decimal
	}{{"Exchange", f.Exchange}, {"Clearing", f.Clearing}, {"Broker", f.Broker}} {
		if part.v.IsNegative() {
			return fmt.Errorf("sim: Config.%s.%s is %s: fees must not be negative", name, part.field, part.v)
		}
	}
	return nil
}

// feeFor picks the schedule for an instrument: by symbol ("MESZ6") first,
// then by product root ("MES"), then the default.
func (c *Config) feeFor(in venue.Instrument) decimal.Decimal {
	if f, ok := c.Fees[in.Symbol]; ok {
		return f.PerContract()
	}
	if in.Root != "" {
		if f, ok := c.Fees[in.Root]; ok {
			return f.PerContract()
		}
	}
	return c.DefaultFee.PerContract()
}
