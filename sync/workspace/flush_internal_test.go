package workspace

import (
	"os"
	"path/filepath"
	"testing"
)

// TestSyncEach: the flush of platforms without syncfs flushes every file
// and names the one it could not.
func TestSyncEach(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	for _, name := range []string{"a", "b", "c"} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(name), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	if err := syncEach(paths); err != nil {
		t.Fatal(err)
	}
	if err := syncEach(append(paths, filepath.Join(dir, "gone"))); err == nil {
		t.Fatal("flushing a missing file succeeded")
	}
}
