package risk

import (
	"fmt"

	"github.com/keeltrade/keel/venue"
)

// ActionKind is what the engine should do on the gate's behalf.
type ActionKind uint8

// Action kinds.
const (
	// CancelAll cancels the scope's working orders (bracket legs included).
	CancelAll ActionKind = iota + 1
	// Flatten closes the scope's positions with market orders. Flatten
	// orders reduce positions, so they pass the loss rules and the kill
	// switch.
	Flatten
)

// String returns "CancelAll" or "Flatten".
func (k ActionKind) String() string {
	switch k {
	case CancelAll:
		return "CancelAll"
	case Flatten:
		return "Flatten"
	}
	return fmt.Sprintf("ActionKind(%d)", uint8(k))
}

// Action is something the gate needs done but cannot do itself: the
// engine executes it. A CancelAll is always queued before the Flatten it
// goes with, so working entries cannot reopen what the flatten closes.
type Action struct {
	Kind     ActionKind
	Strategy string           // "" = every strategy (the whole account)
	Contract venue.ContractID // 0 = every contract
	Reason   string
}

// String describes the action for logs.
func (a Action) String() string {
	who := "account"
	if a.Strategy != "" {
		who = "strategy " + a.Strategy
	}
	if a.Contract != 0 {
		who += fmt.Sprintf(" contract %d", a.Contract)
	}
	return fmt.Sprintf("%s %s: %s", a.Kind, who, a.Reason)
}

// push queues an action unless the same one is already pending.
func (g *Guard) push(a Action) {
	for i := range g.acts {
		if p := &g.acts[i]; p.Kind == a.Kind && p.Strategy == a.Strategy && p.Contract == a.Contract {
			return
		}
	}
	g.acts = append(g.acts, a)
}

// Actions returns the pending actions and clears them. The engine calls it
// after every tick and event; with none pending it returns nil without
// allocating. The returned slice is valid until the next call.
func (g *Guard) Actions() []Action {
	if g.ks.pending() {
		g.applyKill()
	}
	if len(g.acts) == 0 {
		return nil
	}
	out := g.acts
	clear(g.spare)
	g.acts, g.spare = g.spare[:0], out
	return out
}
