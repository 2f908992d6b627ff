// Package sqlite opens a store.Store in an SQLite file (modernc.org/sqlite,
// no cgo): write-ahead logging, full fsync on commit so that an
// acknowledged write survives a crash, and transactions that take the
// write lock when they begin so that concurrent writers queue instead of
// failing.
package sqlite

import (
	"context"
	"errors"
	"net/url"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/store/sqlstore"
)

// Open opens (creating if needed) the SQLite database at path.
func Open(ctx context.Context, path string) (*sqlstore.Store, error) {
	if strings.ContainsAny(path, "?#") {
		// The driver reads the path as a URI: these would cut it or drop
		// the pragmas that make the store durable.
		return nil, config.Errorf(config.KindInvalid, "sqlite path %q: '?' and '#' are not allowed", path)
	}
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(ON)")
	q.Set("_txlock", "immediate")
	return sqlstore.Open(ctx, "sqlite", "file:"+path+"?"+q.Encode(), "sqlite "+path, dialect)
}

var dialect = sqlstore.Dialect{
	Name:              "sqlite",
	IsUniqueViolation: isUniqueViolation,
}

func isUniqueViolation(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && (se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY || se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE)
}
