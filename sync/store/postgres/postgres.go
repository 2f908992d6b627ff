// Package postgres opens a store.Store in a PostgreSQL database (pgx), so
// that several scoped processes can share one state behind a load
// balancer.
package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver

	"github.com/scopectl/scopectl/sync/store/sqlstore"
)

// Open connects to the database named by a postgres:// DSN and creates or
// migrates the store's tables.
func Open(ctx context.Context, dsn string) (*sqlstore.Store, error) {
	return sqlstore.Open(ctx, "pgx", dsn, "postgres", dialect)
}

// OpenExisting is Open for a database that holds a store already: a
// database without its tables (in the schemas of its search_path) is a
// config.KindNotFound error, and no table is created.
func OpenExisting(ctx context.Context, dsn string) (*sqlstore.Store, error) {
	return sqlstore.OpenExisting(ctx, "pgx", dsn, "the PostgreSQL database", dialect)
}

var dialect = sqlstore.Dialect{
	Name:              "postgres",
	ForUpdate:         " FOR UPDATE",
	IsUniqueViolation: isUniqueViolation,
	// One migrator at a time when several processes start together.
	MigrationLock: "SELECT pg_advisory_xact_lock(4216027)",
	LockClients:   "SELECT pg_advisory_xact_lock(hashtext($1))",
	// to_regclass resolves the name through the search_path, as the
	// store's own queries do.
	HasMigrations: "SELECT count(*) FROM (SELECT to_regclass('schema_migrations') AS t) AS r WHERE t IS NOT NULL",
}

func isUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}
