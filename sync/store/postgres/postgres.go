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

// Open connects to the database named by a postgres:// DSN.
func Open(ctx context.Context, dsn string) (*sqlstore.Store, error) {
	return sqlstore.Open(ctx, "pgx", dsn, "postgres", dialect)
}

var dialect = sqlstore.Dialect{
	Name:              "postgres",
	ForUpdate:         " FOR UPDATE",
	IsUniqueViolation: isUniqueViolation,
	// One migrator at a time when several processes start together.
	MigrationLock: "SELECT pg_advisory_xact_lock(4216027)",
	LockClients:   "SELECT pg_advisory_xact_lock(hashtext($1))",
}

func isUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}
