// Package risk is keel's pre-trade gate: every order intent a strategy
// submits passes through a Gate on the engine goroutine before it can reach
// a venue, and a refusal comes back as a typed *Denied naming the rule, the
// limit and the observed value.
package risk
