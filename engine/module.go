package engine

import "go.uber.org/fx"

// Module provides an *Engine built by New from a Config supplied elsewhere
// in the fx graph (cmd/runner composes it).
var Module = fx.Module("engine", fx.Provide(New))
