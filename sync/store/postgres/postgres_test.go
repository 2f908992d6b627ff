package postgres_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/scopectl/scopectl/config"

	"github.com/scopectl/scopectl/sync/store"
	"github.com/scopectl/scopectl/sync/store/postgres"
	"github.com/scopectl/scopectl/sync/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := postgres.Open(context.Background(), storetest.PostgresDSN(t))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestOpenFailsClearly(t *testing.T) {
	storetest.PostgresDSN(t) // skips without a server
	_, err := postgres.Open(context.Background(), "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=2")
	if err == nil {
		t.Fatal("connected to a closed port")
	}
}

// TestOpenExisting: on a database without the store's tables,
// OpenExisting refuses and creates no table; once Open has migrated it,
// OpenExisting opens it.
func TestOpenExisting(t *testing.T) {
	ctx := context.Background()
	dsn := storetest.PostgresDSN(t)
	_, err := postgres.OpenExisting(ctx, dsn)
	if config.ErrorKind(err) != config.KindNotFound || err.Error() != "no scoped store in the PostgreSQL database (it has no schema_migrations table)" {
		t.Errorf("empty database: %v", err)
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var tables int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()`).Scan(&tables); err != nil || tables != 0 {
		t.Errorf("OpenExisting left %d tables (%v)", tables, err)
	}
	s, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = postgres.OpenExisting(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
}
