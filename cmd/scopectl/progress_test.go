package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestProgressLine: the line counts items, and is erased before output
// and at the end, so that what a command prints stays readable.
func TestProgressLine(t *testing.T) {
	var buf bytes.Buffer
	p := &progress{w: &buf, verb: "pulling", total: 3}
	p.step("a/android/1")
	p.render()
	p.step("b/ios/2")
	p.render()
	p.clear(func() { buf.WriteString("pulled a\n") })
	p.finish()
	out := buf.String()
	for _, want := range []string{"pulling 1/3 a/android/1", "pulling 2/3 b/ios/2", "\r\x1b[2Kpulled a\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("output %q lacks %q", out, want)
		}
	}
	if !strings.HasSuffix(out, "pulled a\n") {
		t.Errorf("finish drew or erased again after the last output: %q", out)
	}
}
