package storetest

import (
	"os"
	"testing"
)

// FilesIn lists the names in dir, for tests that check which files
// opening an SQLite store created, or that it created none.
func FilesIn(t testing.TB, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}
