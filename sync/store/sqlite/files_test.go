//go:build unix

package sqlite_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/store/sqlite"
	"github.com/scopectl/scopectl/sync/store/sqlstore"
)

// withUmask runs the rest of the test with umask mask (process-wide: the
// tests of this package do not run in parallel).
func withUmask(t *testing.T, mask int) {
	old := syscall.Umask(mask)
	t.Cleanup(func() { syscall.Umask(old) })
}

// TestNewDatabaseIsOwnerOnly: the database, WAL and shared-memory files
// of a new store, which hold the signing keys, are 0600 whatever the
// umask; SQLite gives the -wal and -shm files the database's mode.
func TestNewDatabaseIsOwnerOnly(t *testing.T) {
	for _, mask := range []int{0o022, 0o000, 0o277} {
		withUmask(t, mask)
		dir := t.TempDir()
		path := filepath.Join(dir, "scoped.db")
		s, err := sqlite.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		addClient(t, s) // a write, so that the -wal file has content
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatalf("umask %03o: %v", mask, err)
			}
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("umask %03o: %s has mode %04o, want 0600", mask, filepath.Base(p), fi.Mode().Perm())
			}
		}
		s.Close()
		syscall.Umask(0o022)
	}
}

// TestRefusesDatabaseOpenToOthers: an existing database (or -wal/-shm)
// that group or others may read or write is refused, with the path and
// the command that fixes it; after the fix it opens.
func TestRefusesDatabaseOpenToOthers(t *testing.T) {
	withUmask(t, 0o022)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "scoped.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	addClient(t, s)
	s.Close()
	for _, tc := range []struct {
		dbMode, walMode fs.FileMode
		want            string
	}{
		{0o644, 0, "sqlite database " + path + " is open to other users (scoped.db has mode 0644) and holds the token signing keys in clear; make it readable by its owner only: chmod 600 " + path},
		{0o620, 0, "(scoped.db has mode 0620)"},
		{0o600, 0o604, "(scoped.db-wal has mode 0604) and holds the token signing keys in clear; make it readable by its owner only: chmod 600 " + path + "-wal"},
		{0o640, 0o640, "chmod 600 " + path + " " + path + "-wal"},
	} {
		os.Remove(path + "-wal")
		if tc.walMode != 0 {
			if err := os.WriteFile(path+"-wal", nil, 0o600); err != nil {
				t.Fatal(err)
			}
			os.Chmod(path+"-wal", tc.walMode)
		}
		os.Chmod(path, tc.dbMode)
		for name, open := range map[string]func(context.Context, string) (*sqlstore.Store, error){"Open": sqlite.Open, "OpenExisting": sqlite.OpenExisting} {
			s, err := open(ctx, path)
			if err == nil {
				s.Close()
				t.Fatalf("%s: opened a database with modes %04o/%04o", name, tc.dbMode, tc.walMode)
			}
			if config.ErrorKind(err) != config.KindInvalid || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: %v\nwant an invalid error containing %q", name, err, tc.want)
			}
		}
	}
	os.Chmod(path, 0o600)
	os.Chmod(path+"-wal", 0o600)
	s, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("after chmod 600: %v", err)
	}
	defer s.Close()
	if _, err := s.Client(ctx, "mfp", "c"); err != nil {
		t.Error(err)
	}
}
