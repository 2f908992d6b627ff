package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// PostgresDSN returns a DSN for a new, empty schema in the database named
// by SCOPED_TEST_POSTGRES, dropped when the test ends (after whatever the
// test started is gone, as cleanups run last-in first-out). Without the
// variable the test is skipped, or fails when CI is set.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("SCOPED_TEST_POSTGRES")
	if dsn == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("SCOPED_TEST_POSTGRES must be set in CI")
		}
		t.Skip("SCOPED_TEST_POSTGRES is not set: set it to a PostgreSQL DSN such as postgres://postgres@127.0.0.1:5432/test?sslmode=disable to run this test")
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "scoped_test_" + hex.EncodeToString(b)
	if err := execOnce(dsn, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema in SCOPED_TEST_POSTGRES: %v", err)
	}
	t.Cleanup(func() {
		if err := execOnce(dsn, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// execOnce runs one statement on the database named by dsn.
func execOnce(dsn, statement string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, statement)
	return err
}
