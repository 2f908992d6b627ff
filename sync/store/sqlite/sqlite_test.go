package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scopectl/scopectl/config"

	"github.com/scopectl/scopectl/sync/store"
	"github.com/scopectl/scopectl/sync/store/sqlite"
	"github.com/scopectl/scopectl/sync/store/sqlstore"
	"github.com/scopectl/scopectl/sync/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "scoped.db"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestReopenKeepsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "scoped.db")
	ctx := context.Background()
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	add := func([]store.Client) ([]store.Client, error) { return []store.Client{{ID: "c", SecretHash: "h"}}, nil }
	if err := s.UpdateClients(ctx, "mfp", add); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = sqlite.Open(ctx, path) // migrations must not run twice
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Client(ctx, "mfp", "c"); err != nil {
		t.Errorf("client lost on reopen: %v", err)
	}
}

func TestOpenFailsClearly(t *testing.T) {
	_, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "no", "such", "dir", "x.db"))
	if err == nil {
		t.Fatal("opened a database in a missing directory")
	}
}

func addClient(t *testing.T, s store.Store) {
	t.Helper()
	add := func([]store.Client) ([]store.Client, error) { return []store.Client{{ID: "c", SecretHash: "h"}}, nil }
	if err := s.UpdateClients(context.Background(), "mfp", add); err != nil {
		t.Fatal(err)
	}
}

// TestOpenExisting: OpenExisting opens a store that Open created, and
// refuses a missing file or a file without a store, creating nothing.
func TestOpenExisting(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	_, err := sqlite.OpenExisting(ctx, filepath.Join(dir, "typo.db"))
	if config.ErrorKind(err) != config.KindNotFound || err.Error() != "no database at "+filepath.Join(dir, "typo.db") {
		t.Errorf("missing file: %v", err)
	}
	if names := storetest.FilesIn(t, dir); len(names) != 0 {
		t.Errorf("OpenExisting of a missing file created %v", names)
	}

	empty := filepath.Join(dir, "empty.db")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = sqlite.OpenExisting(ctx, empty)
	if config.ErrorKind(err) != config.KindNotFound || !strings.Contains(err.Error(), "no scoped store in sqlite "+empty) {
		t.Errorf("empty file: %v", err)
	}
	if names := storetest.FilesIn(t, dir); !slices.Equal(names, []string{"empty.db"}) {
		t.Errorf("OpenExisting of an empty file left %v", names)
	}

	path := filepath.Join(dir, "scoped.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	addClient(t, s)
	s.Close()
	s, err = sqlite.OpenExisting(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Client(ctx, "mfp", "c"); err != nil {
		t.Errorf("client lost: %v", err)
	}
}

// TestRefusesMemoryAndURIs: names that SQLite reads as a temporary or
// in-memory database, or as a URI, are refused (scoped would accept
// writes and lose them), and no file is created.
func TestRefusesMemoryAndURIs(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, path := range []string{"", ":memory:", "file::memory:", "file:scoped.db", "x.db?mode=memory", "x.db?cache=shared", "a#b"} {
		for name, open := range map[string]func(context.Context, string) (*sqlstore.Store, error){"Open": sqlite.Open, "OpenExisting": sqlite.OpenExisting} {
			s, err := open(context.Background(), path)
			if err == nil {
				s.Close()
				t.Errorf("%s(%q) opened", name, path)
				continue
			}
			if config.ErrorKind(err) != config.KindInvalid {
				t.Errorf("%s(%q): %v; want an invalid error", name, path, err)
			}
		}
	}
	if names := storetest.FilesIn(t, dir); len(names) != 0 {
		t.Errorf("files created: %v", names)
	}
}

// TestPercentInPath: SQLite decodes %XX in its URI; the file opened is
// the one named, the one created 0600.
func TestPercentInPath(t *testing.T) {
	dir := t.TempDir()
	s, err := sqlite.Open(context.Background(), filepath.Join(dir, "a%41.db"))
	if err != nil {
		t.Fatal(err)
	}
	addClient(t, s)
	s.Close()
	if names := storetest.FilesIn(t, dir); !slices.Equal(names, []string{"a%41.db"}) {
		t.Errorf("files %v, want [a%%41.db]", names)
	}
}
