// Package sqlstore implements store.Store on database/sql for the SQL
// dialects scoped supports. The sqlite and postgres packages open the
// database and pass their Dialect; all queries are written once here.
package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/scopectl/scopectl/config"
)

// Dialect holds what differs between the supported databases.
type Dialect struct {
	// Name appears in error messages.
	Name string
	// ForUpdate is appended to a SELECT that must lock the rows it reads
	// for the rest of the transaction ("" where transactions already
	// serialize writers, as in SQLite with BEGIN IMMEDIATE).
	ForUpdate string
	// IsUniqueViolation reports whether err is a unique-constraint failure.
	IsUniqueViolation func(err error) bool
	// MigrationLock, if set, runs before migrations inside their
	// transaction to keep concurrent processes from migrating at once.
	MigrationLock string
	// LockClients, if set, runs at the start of a client-list update with
	// one argument (a lock name) to exclude concurrent updates.
	LockClients string
	// OneWriter makes the write transactions of a process take turns on a
	// mutex. SQLite admits one writer at a time, and a writer that finds
	// the database locked polls it, sleeping up to 100 ms between tries
	// (busy_timeout); waiting on a mutex hands the lock over at once.
	// Other processes still meet the busy timeout.
	OneWriter bool
	// HasMigrations counts the schema_migrations tables the store would
	// use (0 or 1): whether the database holds a store already.
	HasMigrations string
	// Clustered replaces /*clustered*/ after a CREATE TABLE in migrations:
	// what keeps a table's rows in its primary key's order ("WITHOUT
	// ROWID" on SQLite), or nothing.
	Clustered string
}

// Store is a store.Store on a database/sql handle.
type Store struct {
	db      *sql.DB
	dialect Dialect
	// Now returns the current time; tests may replace it.
	Now func() time.Time
	// grantQueue batches concurrent AddGrant calls into one transaction.
	grantQueue grantQueue
	// statements are the prepared statements of the hot paths (see on).
	statements statements
	// writer is held through each write transaction when
	// dialect.OneWriter.
	writer sync.Mutex
}

//go:embed migrations/*.sql
var migrations embed.FS

// Open opens a database with a registered database/sql driver, checks the
// connection and migrates it; what names the database is in the messages.
func Open(ctx context.Context, driver, dsn, what string, dialect Dialect) (*Store, error) {
	return open(ctx, driver, dsn, what, dialect, false)
}

// OpenExisting is Open for a database that must hold a store already (its
// schema_migrations table exists): it never creates the tables of a new
// store, and a database without them is a config.KindNotFound error.
// Migrations that the store has not seen yet are applied, as by Open.
func OpenExisting(ctx context.Context, driver, dsn, what string, dialect Dialect) (*Store, error) {
	return open(ctx, driver, dsn, what, dialect, true)
}

func open(ctx context.Context, driver, dsn, what string, dialect Dialect, mustExist bool) (*Store, error) {
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", what, err)
	}
	db.SetMaxIdleConns(idleConns())
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", what, err)
	}
	if mustExist {
		err = checkExists(ctx, db, what, dialect)
	}
	var s *Store
	if err == nil {
		s, err = New(ctx, db, dialect)
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// idleConns is how many connections the pool keeps open between uses:
// one for each request a busy server runs at once. database/sql keeps 2,
// so under load most requests opened a connection (for SQLite, the file
// and its pragmas) and prepared their statements on it again, then
// closed it: 4 % of a mobile token's CPU.
func idleConns() int { return 8 * runtime.GOMAXPROCS(0) }

// checkExists refuses a database that holds no store.
func checkExists(ctx context.Context, db *sql.DB, what string, dialect Dialect) error {
	var n int
	if err := db.QueryRowContext(ctx, dialect.HasMigrations).Scan(&n); err != nil {
		return fmt.Errorf("open %s: %w", what, err)
	}
	if n == 0 {
		return config.Errorf(config.KindNotFound, "no scoped store in %s (it has no schema_migrations table)", what)
	}
	return nil
}

// New wraps db, applying any migrations it has not seen yet. A database
// that holds a migration this build does not know (a newer scoped
// migrated it) is refused with a config.KindConflict error.
func New(ctx context.Context, db *sql.DB, dialect Dialect) (*Store, error) {
	s := &Store{db: db, dialect: dialect, Now: time.Now}
	if err := s.migrate(ctx); err != nil {
		return nil, fmt.Errorf("migrate %s store: %w", dialect.Name, err)
	}
	return s, nil
}

// Close closes the database handle.
func (s *Store) Close() error {
	s.statements.close()
	return s.db.Close()
}

func (s *Store) migrate(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if s.dialect.MigrationLock != "" {
		if _, err := tx.ExecContext(ctx, s.dialect.MigrationLock); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY)`); err != nil {
		return err
	}
	known, err := knownMigrations()
	if err != nil {
		return err
	}
	applied, err := appliedVersions(ctx, tx)
	if err != nil {
		return err
	}
	if err := newerSchema(applied, known); err != nil {
		return err
	}
	for _, m := range known {
		if applied[m.version] {
			continue
		}
		script, _ := migrations.ReadFile(m.name)
		sql := strings.ReplaceAll(string(script), "/*clustered*/", s.dialect.Clustered)
		if _, err := tx.ExecContext(ctx, sql); err != nil {
			return fmt.Errorf("%s: %w", m.name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version) VALUES ($1)`, m.version); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// migration is one embedded migration script.
type migration struct {
	name    string
	version int64
}

// knownMigrations returns the embedded migrations in version order.
var knownMigrations = sync.OnceValues(func() ([]migration, error) {
	names, _ := fs.Glob(migrations, "migrations/*.sql")
	sort.Strings(names)
	known := make([]migration, 0, len(names))
	for _, name := range names {
		prefix, _, _ := strings.Cut(strings.TrimPrefix(name, "migrations/"), "_")
		version, err := strconv.ParseInt(prefix, 10, 64)
		if err != nil || version < 1 {
			return nil, fmt.Errorf("migration %s: the name must start with a number and '_'", name)
		}
		known = append(known, migration{name: name, version: version})
	}
	return known, nil
})

// newerSchema is a config.KindConflict error naming the highest applied
// migration that this build does not have, if any: the database was
// migrated by a newer scoped (a rolled-back deployment, or a newer process
// started beside this one), whose tables this one would not read or write.
func newerSchema(applied map[int64]bool, known []migration) error {
	var newest int64
	for v := range applied {
		if v > newest && !slices.ContainsFunc(known, func(m migration) bool { return m.version == v }) {
			newest = v
		}
	}
	if newest == 0 {
		return nil
	}
	return config.Errorf(config.KindConflict, "this database was migrated by a newer scoped (it has migration %d, which this one does not know): run that version or a later one; this one would not read or write what the newer one keeps", newest)
}

// checkSchema reads the applied migrations in tx and returns newerSchema's
// verdict on them, or the error of the read.
func checkSchema(ctx context.Context, tx *sql.Tx) (outdated, err error) {
	applied, err := appliedVersions(ctx, tx)
	if err != nil {
		return nil, err
	}
	known, err := knownMigrations()
	if err != nil {
		return nil, err
	}
	return newerSchema(applied, known), nil
}

// appliedVersions returns the migrations already applied: each is
// tracked, so a lower-numbered one added later still runs.
func appliedVersions(ctx context.Context, tx *sql.Tx) (map[int64]bool, error) {
	rows, err := tx.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	applied := map[int64]bool{}
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		applied[v] = true
	}
	return applied, rows.Err()
}

// inTx runs fn in a transaction and commits it when fn succeeds.
func (s *Store) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	if s.dialect.OneWriter {
		s.writer.Lock()
		defer s.writer.Unlock()
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func micros(t time.Time) int64 { return t.UTC().UnixMicro() }

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }
