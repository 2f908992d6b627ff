// Package sqlite opens a store.Store in an SQLite file (modernc.org/sqlite,
// no cgo): write-ahead logging, full fsync on commit so that an
// acknowledged write survives a crash, and transactions that take the
// write lock when they begin so that concurrent writers queue instead of
// failing.
//
// The database holds the token signing keys in clear, so its files (the
// database and the -wal and -shm files next to it) are readable by their
// owner only: created 0600 whatever the umask, and an existing database
// that other users may read or write is refused.
package sqlite

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/store/sqlstore"
)

// FileMode is the permission of the database files.
const FileMode fs.FileMode = 0o600

// Open opens the SQLite database at path, creating it (mode 0600) if it
// does not exist.
func Open(ctx context.Context, path string) (*sqlstore.Store, error) {
	return open(ctx, path, false)
}

// OpenExisting opens the SQLite database at path, which must exist and
// hold a scoped store: it creates no database (SQLite still creates the
// -wal and -shm files next to an existing one). A missing file is a
// config.KindNotFound error, for the maintenance commands that must not
// start a new, empty store on a mistyped path.
func OpenExisting(ctx context.Context, path string) (*sqlstore.Store, error) {
	return open(ctx, path, true)
}

func open(ctx context.Context, path string, mustExist bool) (*sqlstore.Store, error) {
	if err := checkPath(path); err != nil {
		return nil, err
	}
	path = filepath.Clean(path)
	created, err := prepareFile(path, mustExist)
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(ON)")
	q.Set("_txlock", "immediate")
	q.Set("mode", "rw") // never create: prepareFile did, with the right mode
	// SQLite reads the name as a URI (it decodes %XX); '?' and '#' were refused.
	dsn := "file:" + strings.ReplaceAll(path, "%", "%25") + "?" + q.Encode()
	what := "sqlite " + path
	var s *sqlstore.Store
	if mustExist {
		s, err = sqlstore.OpenExisting(ctx, "sqlite", dsn, what, dialect)
	} else {
		s, err = sqlstore.Open(ctx, "sqlite", dsn, what, dialect)
	}
	if err != nil {
		if created {
			os.Remove(path)
		}
		return nil, err
	}
	if err := restrictCompanions(path); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// checkPath refuses the names SQLite reads as something other than one
// file: scoped would lose every write on restart, or open another file.
func checkPath(path string) error {
	switch {
	case path == "":
		return config.Errorf(config.KindInvalid, "sqlite: the database path is empty (SQLite would use a temporary database, lost on restart): give a file path")
	case path == ":memory:", strings.HasPrefix(path, "file:"), strings.Contains(path, "mode=memory"):
		return config.Errorf(config.KindInvalid, "sqlite path %q: in-memory databases and SQLite URIs are not supported (everything would be lost on restart): give a file path", path)
	case strings.ContainsAny(path, "?#"):
		// The driver reads the path as a URI: these would cut it or drop
		// the pragmas that make the store durable.
		return config.Errorf(config.KindInvalid, "sqlite path %q: '?' and '#' are not allowed", path)
	}
	return nil
}

// prepareFile makes sure the database file exists with the right mode
// before SQLite opens it, and reports whether it created it. An existing
// database whose files other users may read or write is refused.
func prepareFile(path string, mustExist bool) (bool, error) {
	if mustExist {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return false, config.Errorf(config.KindNotFound, "no database at %s", path)
		}
		return false, checkMode(path)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, FileMode)
	if errors.Is(err, fs.ErrExist) {
		return false, checkMode(path)
	}
	if err != nil {
		return false, fmt.Errorf("create sqlite database: %w", err)
	}
	defer f.Close()
	if err := f.Chmod(FileMode); err != nil { // the umask may have removed more
		os.Remove(path)
		return false, fmt.Errorf("create sqlite database: %w", err)
	}
	return true, nil
}

// companions are the suffixes of the files SQLite keeps next to the
// database in WAL mode.
var companions = []string{"-wal", "-shm"}

// checkMode refuses a database whose files are open to other users,
// naming every such file and the command that fixes them.
func checkMode(path string) error {
	if runtime.GOOS == "windows" { // permissions are ACLs there
		return nil
	}
	var exposed, modes []string
	for _, p := range append([]string{path}, companionPaths(path)...) {
		fi, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) && p != path {
			continue
		}
		if err != nil {
			return fmt.Errorf("open sqlite %s: %w", path, err)
		}
		if !fi.Mode().IsRegular() {
			return config.Errorf(config.KindInvalid, "sqlite database %s: %s is not a regular file", path, p)
		}
		if fi.Mode().Perm()&0o077 != 0 {
			exposed = append(exposed, p)
			modes = append(modes, fmt.Sprintf("%s has mode %04o", filepath.Base(p), fi.Mode().Perm()))
		}
	}
	if len(exposed) == 0 {
		return nil
	}
	return config.Errorf(config.KindInvalid,
		"sqlite database %s is open to other users (%s) and holds the token signing keys in clear; make it readable by its owner only: chmod 600 %s",
		path, strings.Join(modes, ", "), strings.Join(exposed, " "))
}

func companionPaths(path string) []string {
	var out []string
	for _, suffix := range companions {
		out = append(out, path+suffix)
	}
	return out
}

// restrictCompanions takes the -wal and -shm files from other users.
// SQLite creates them with the mode of the database, so this only
// changes files that appeared more open while SQLite opened the database.
func restrictCompanions(path string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	for _, p := range companionPaths(path) {
		fi, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err == nil && fi.Mode().Perm()&0o077 != 0 {
			err = os.Chmod(p, fi.Mode().Perm()&^0o077)
		}
		if err != nil {
			return fmt.Errorf("open sqlite %s: %w", path, err)
		}
	}
	return nil
}

var dialect = sqlstore.Dialect{
	Name:              "sqlite",
	IsUniqueViolation: isUniqueViolation,
	OneWriter:         true,
	Clustered:         "WITHOUT ROWID",
	HasMigrations:     `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`,
}

func isUniqueViolation(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && (se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY || se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE)
}
