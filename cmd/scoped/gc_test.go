package main

import (
	"runtime/debug"
	"testing"
)

// TestTuneGC: scoped collects garbage at GOGC=200 unless the environment
// chooses a value, which it then leaves alone; an empty GOGC chooses none.
func TestTuneGC(t *testing.T) {
	was := debug.SetGCPercent(100)
	defer debug.SetGCPercent(was)
	for name, lookup := range map[string]func(string) (string, bool){
		"without GOGC":   func(string) (string, bool) { return "", false },
		"with GOGC=\"\"": func(string) (string, bool) { return "", true },
	} {
		tuneGC(lookup)
		if got := debug.SetGCPercent(100); got != gcPercent {
			t.Errorf("%s: GC percent %d, want %d", name, got, gcPercent)
		}
	}
	tuneGC(func(name string) (string, bool) { return "50", name == "GOGC" })
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("with GOGC set: GC percent %d, want it left at 100", got)
	}
}
