package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/scopectl/scopectl/schema"
	"github.com/scopectl/scopectl/schema/report"
	"github.com/scopectl/scopectl/sync/workspace"
)

// TestValidateManyKeepsOrder: files validated at once (--jobs 8) and
// streamed out are reported in the order of the file list, in every
// format, byte for byte as one sequential pass reports them. Valid,
// invalid and unreadable files are interleaved.
func TestValidateManyKeepsOrder(t *testing.T) {
	dir := t.TempDir()
	var sources []string
	for _, sub := range []string{validDir, invalidDir} {
		names, _ := filepath.Glob(filepath.Join(sub, "*.json"))
		sources = append(sources, names...)
	}
	for i := range 400 {
		path := filepath.Join(dir, fmt.Sprintf("f%03d.json", (i*37)%400))
		if i%97 == 0 { // unreadable
			os.Symlink(filepath.Join(dir, "gone"), path)
			continue
		}
		src, err := os.ReadFile(sources[i*7%len(sources)])
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	files, err := workspace.FindDescriptors([]string{dir})
	if err != nil || len(files) != 400 {
		t.Fatalf("%d files, %v", len(files), err)
	}
	var sequential []*schema.Report
	for _, f := range files {
		sequential = append(sequential, schema.ValidateFile(f))
	}
	for _, format := range report.Formats {
		var want bytes.Buffer
		if err := report.Write(&want, format, sequential, report.Options{}); err != nil {
			t.Fatal(err)
		}
		got := scopectl(t, "app", "validate", "--no-color", "--jobs", "8", "--format", format, dir).wantCode(t, exitUsage)
		if got.stdout != want.String() {
			t.Errorf("%s: concurrent output differs from the sequential one:\n%s\n---\n%s", format, got.stdout[:min(len(got.stdout), 600)], want.String()[:min(want.Len(), 600)])
		}
	}
	if !slices.ContainsFunc(sequential, func(r *schema.Report) bool { return r.Valid() }) ||
		!slices.ContainsFunc(sequential, func(r *schema.Report) bool { return !r.Valid() && r.Err == nil }) {
		t.Error("the test files are not a mix of valid and invalid ones")
	}
}
