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
// childID (see BracketIDs and OCOSuffix), with its side, quantity and time
// in force resolved from the parent: a bracket exit's side is the
// opposite of the parent's, and its quantity defaults to the parent's. The
// resolved time in force is LinkedTIF's.
func (in *OrderIntent) LinkedLeg(parentID, childID string) (Leg, bool) {
	var leg Leg
	found, exit := false, false
	if in.OCO != nil && childID == parentID+OCOSuffix {
		leg, found = in.OCO.clone(), true
	}
	for i, id := range BracketIDs(parentID, in.Brackets) {
		if id == childID {
			leg, found, exit = in.Brackets[i].clone(), true, true
			if leg.Side == SideNone {
				leg.Side = in.Side.Opposite()
			}
		}
	}
	if !found {
		return Leg{}, false
	}
	if leg.Qty == 0 {
		leg.Qty = in.Qty
	}
	leg.TIF = TIFOf(LinkedTIF(in.TIF, leg, exit))
	return leg, true
}

// LinkedTIF is the one rule for the time in force of an order a venue
// places on a parent's behalf. A leg's own TIF wins. Otherwise a bracket
// exit (exit true) is GTC: it protects its position for as long as the
// position is open — an exit that expired with the entry's session would
// leave the position naked. An OCO partner takes the parent's time in
// force, except that an IOC or FOK parent's partner works for the Day (a
// GTD parent's partner is GTD too, until the parent's Expire).
func LinkedTIF(parent TimeInForce, leg Leg, exit bool) TimeInForce {
	switch {
	case leg.TIF != nil:
		return *leg.TIF
	case exit:
		return GTC
	case parent == IOC || parent == FOK:
		return Day
	}
	return parent
}
