package cli

// The strategies this command line knows, each registered by its package's
// init (strategy.Register). A strategy of your own inside this repository
// goes in examples/<name> (one package, with a test) and gets one import
// line here; in your own module, import it from your main instead (see the
// package doc).
import (
	_ "github.com/keeltrade/keel/examples/buyhold"
	_ "github.com/keeltrade/keel/examples/orb"
	_ "github.com/keeltrade/keel/examples/smacross"
)
