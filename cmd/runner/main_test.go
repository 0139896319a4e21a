package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
)

func runCLI(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestDemoRuns(t *testing.T) {
	code, out, errOut := runCLI()
	assert.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "keel demo: smacross")
	assert.Contains(t, out, "smacross-demo-1")
	assert.Contains(t, out, "PnL:")
	_, again, _ := runCLI()
	assert.Equal(t, out, again, "the demo is deterministic")
}

func TestUsageErrors(t *testing.T) {
	code, _, errOut := runCLI("nope")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, `unknown command "nope"`)
	code, _, errOut = runCLI("demo", "-fast", "x")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "invalid value")
	code, _, errOut = runCLI("demo", "-fast", "40", "-slow", "30")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "greater than fast")
	code, out, _ := runCLI("help")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "demo")
}
