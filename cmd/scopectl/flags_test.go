package main

import (
	"testing"

	"github.com/scopectl/scopectl/cmd/internal/cliargs/cliargstest"
)

// TestEveryFlagHasAVariable: as the README promises, every flag of every
// command can also be set with a SCOPECTL_* environment variable, so CI
// can configure scopectl without changing command lines.
func TestEveryFlagHasAVariable(t *testing.T) {
	if missing := cliargstest.FlagsWithoutVariable(newApp(nil, nil, nil), "SCOPECTL_"); len(missing) > 0 {
		t.Errorf("flags without a SCOPECTL_* variable: %v", missing)
	}
}
