package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeLargeDescriptors writes two descriptors made from the bank fixture
// with 10,000 scope elements each, in which every 25th element of B maps
// to no security check instead of PinCodeAttempts: the files of
// .ci/bench-diff.
func writeLargeDescriptors(tb testing.TB) (a, b string) {
	tb.Helper()
	src, err := os.ReadFile(filepath.Join(fixturesDir, "valid", "com.example.bank-android-1.0.json"))
	if err != nil {
		tb.Fatal(err)
	}
	dir := tb.TempDir()
	gen := func(name string, every int) string {
		var elems strings.Builder
		for i := 1; i <= 9998; i++ {
			v := "PinCodeAttempts"
			if every > 0 && i%every == 0 {
				v = ""
			}
			fmt.Fprintf(&elems, "    \"element%05d\": %q,\n", i, v)
		}
		const at = "\"scopeElementMapping\": {\n"
		out := strings.Replace(string(src), at, at+elems.String(), 1)
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
			tb.Fatal(err)
		}
		return path
	}
	return gen("A.json", 0), gen("B.json", 25)
}

// TestDiffLargeFiles: two 10,000-element files differ in 399 elements, one
// line each after the header.
func TestDiffLargeFiles(t *testing.T) {
	a, b := writeLargeDescriptors(t)
	r := scopectl(t, "app", "diff", "--no-color", a, b).wantCode(t, exitFailed)
	if n := strings.Count(r.stdout, "\n"); n != 400 {
		t.Errorf("%d lines, want 400:\n%s", n, r.stdout)
	}
}

// BenchmarkDiffLargeFiles is `scopectl app diff A.json B.json` in process
// on the files of .ci/bench-diff.
func BenchmarkDiffLargeFiles(b *testing.B) {
	fa, fb := writeLargeDescriptors(b)
	args := []string{"scopectl", "app", "diff", "--no-color", fa, fb}
	for b.Loop() {
		var stdout, stderr bytes.Buffer
		if code := run(args, strings.NewReader(""), &stdout, &stderr); code != exitFailed {
			b.Fatalf("exit code %d\n%s", code, stderr.String())
		}
	}
}
