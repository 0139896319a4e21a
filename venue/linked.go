package venue

// Client ids of the orders a venue places on a parent's behalf. Every venue
// (the simulator, the Tradovate adapter) names them this way so the engine
// can attribute them to the parent's strategy without a lookup:
//
//   - an OCO partner is parent + "/oco";
//   - bracket legs that are a target (Limit or MIT) and a stop (Stop or
//     StopLimit), one of each or a single one, are parent + "/tp" and
//     parent + "/sl";
//   - any other bracket legs are numbered parent + "/1", "/2" in the order given.
const (
	OCOSuffix    = "/oco"
	TargetSuffix = "/tp"
	StopSuffix   = "/sl"
)

// BracketIDs returns the client ids of the bracket legs of parent.
func BracketIDs(parent string, legs []Leg) []string {
	ids := make([]string, len(legs))
	kinds := make([]string, len(legs))
	distinct := true
	for i, l := range legs {
		kinds[i] = legKind(l.Type)
		if kinds[i] == "" || (i > 0 && kinds[i] == kinds[0]) {
			distinct = false
		}
	}
	for i := range legs {
		if distinct {
			ids[i] = parent + kinds[i]
		} else {
			ids[i] = parent + "/" + string(rune('1'+i))
		}
	}
	return ids
}

func legKind(t OrderType) string {
	switch t {
	case Limit, MIT:
		return TargetSuffix
	case Stop, StopLimit:
		return StopSuffix
	}
	return ""
}

// LinkedLeg returns the leg of the intent that a venue placed under
// childID (see BracketIDs and OCOSuffix), with its side and quantity
// defaulted from the parent.
func (in *OrderIntent) LinkedLeg(parentID, childID string) (Leg, bool) {
	var leg Leg
	found := false
	if in.OCO != nil && childID == parentID+OCOSuffix {
		leg, found = *in.OCO, true
	}
	for i, id := range BracketIDs(parentID, in.Brackets) {
		if id == childID {
			leg, found = in.Brackets[i], true
			if leg.Side == SideNone {
				leg.Side = in.Side.Opposite()
			}
		}
	}
	if found && leg.Qty == 0 {
		leg.Qty = in.Qty
	}
	return leg, found
}

// LinkedTIF is the time in force of an order a venue places on a parent's
// behalf: the parent's, except that the exits of an IOC or FOK entry work
// for the Day (they cannot be immediate: they wait for the market).
func LinkedTIF(parent TimeInForce) TimeInForce {
	if parent == IOC || parent == FOK {
		return Day
	}
	return parent
}
