package main

import (
	"context"
	"database/sql"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/scopectl/scopectl/sync/store/postgres"
	"github.com/scopectl/scopectl/sync/store/sqlite"
	"github.com/scopectl/scopectl/sync/store/storetest"
)

// maintenance are the commands that must find an existing store.
var maintenance = [][]string{{"keys", "list"}, {"keys", "rotate"}, {"keys", "retire", "--", "some-kid"}}

// withDB puts --db db after the subcommand of args (before any --).
func withDB(args []string, db string) []string {
	return append(append(append([]string{}, args[:2]...), "--db", db), args[2:]...)
}

// TestMaintenanceNeedsADatabase: a command other than serve, given a
// mistyped SQLite path, fails with exit 2 and says where the database was
// looked for, and creates no file (it used to create an empty store and
// report success).
func TestMaintenanceNeedsADatabase(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "typo.db")
	for _, args := range maintenance {
		code, out, errOut := runScoped(withDB(args, "sqlite:"+db)...)
		want := "scoped: no database at " + db + "; scoped serve creates it\n"
		if code != 2 || out != "" || errOut != want {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 2 and %q", args, code, out, errOut, want)
		}
	}
	if names := storetest.FilesIn(t, dir); len(names) != 0 {
		t.Errorf("files created: %v", names)
	}
}

// TestUnreachableDatabaseIsExit3: a database server that does not answer
// is an unavailable service (exit 3) for serve and for every maintenance
// command, as the exit-code table says.
func TestUnreachableDatabaseIsExit3(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dsn := "postgres://postgres@" + ln.Addr().String() + "/test?sslmode=disable&connect_timeout=5"
	ln.Close() // nothing listens there now
	for _, args := range append(maintenance, []string{"--addr", "127.0.0.1:0", "--dev", "--db"}) {
		if args[0] != "--addr" {
			args = withDB(args, dsn)
		} else {
			args = append(args, dsn)
		}
		code, _, errOut := runScoped(args...)
		if code != 3 || !strings.Contains(errOut, "connect") {
			t.Errorf("%q: exit %d, stderr %q; want exit 3 and the connection error", args, code, errOut)
		}
	}
}

// TestMaintenanceNeedsAStoreInPostgres: on a PostgreSQL database without
// the store's tables, commands other than serve fail with exit 2 and
// create no table.
func TestMaintenanceNeedsAStoreInPostgres(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	for _, args := range maintenance {
		code, out, errOut := runScoped(withDB(args, dsn)...)
		want := "scoped: no scoped store in the PostgreSQL database (it has no schema_migrations table); scoped serve creates it\n"
		if code != 2 || out != "" || errOut != want {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 2 and %q", args, code, out, errOut, want)
		}
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var tables int
	if err := db.QueryRow(`SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()`).Scan(&tables); err != nil || tables != 0 {
		t.Errorf("%d tables created (%v)", tables, err)
	}
}

// TestRefusesMemoryDatabases: --db values that SQLite reads as a
// temporary or in-memory database (serve used to start, then lose or fail
// the applies) are refused by every command with exit 2, creating nothing.
func TestRefusesMemoryDatabases(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	commands := append([][]string{{"--dev", "--addr", "127.0.0.1:0"}}, maintenance...)
	for _, db := range []string{"sqlite:", "sqlite::memory:", "sqlite:file::memory:?cache=shared", "sqlite:x.db?mode=memory", "sqlite:file:x.db"} {
		for _, args := range commands {
			if args[0] == "keys" {
				args = withDB(args, db)
			} else {
				args = append(args, "--db", db)
			}
			code, out, errOut := runScoped(args...)
			if code != 2 || out != "" || !strings.HasPrefix(errOut, "scoped: sqlite") || !strings.Contains(errOut, "give a file path") {
				t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 2 and a message asking for a file path", args, code, out, errOut)
			}
		}
	}
	if names := storetest.FilesIn(t, dir); len(names) != 0 {
		t.Errorf("files created: %v", names)
	}
}

// TestRefusesDatabaseOpenToOthers: serve and the maintenance commands
// refuse an SQLite database that other users can read (the signing keys
// are in it), with exit 2 and the command that fixes it.
func TestRefusesDatabaseOpenToOthers(t *testing.T) {
	db := filepath.Join(t.TempDir(), "scoped.db")
	st, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if err := os.Chmod(db, 0o644); err != nil {
		t.Fatal(err)
	}
	want := "scoped: sqlite database " + db + " is open to other users (scoped.db has mode 0644) and holds the token signing keys in clear; make it readable by its owner only: chmod 600 " + db + "\n"
	for _, args := range append([][]string{{"--dev", "--addr", "127.0.0.1:0", "--db", "sqlite:" + db}}, maintenance...) {
		if args[0] == "keys" {
			args = withDB(args, "sqlite:"+db)
		}
		code, out, errOut := runScoped(args...)
		if code != 2 || out != "" || errOut != want {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 2 and %q", args, code, out, errOut, want)
		}
	}
}

// TestRefusesANewerDatabase: after a rollback to an older build, scoped
// refuses (exit 4, saying why) a database that a newer one migrated,
// whose tables it would not read or write, and changes nothing in it:
// serve adds no sample application, keys rotate no key.
func TestRefusesANewerDatabase(t *testing.T) {
	for _, tc := range []struct {
		name string
		db   func(t *testing.T) (flag string, conn *sql.DB)
	}{
		{"sqlite", func(t *testing.T) (string, *sql.DB) {
			path := filepath.Join(t.TempDir(), "scoped.db")
			st, err := sqlite.Open(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			st.Close()
			return "sqlite:" + path, sqlDB(t, "sqlite", path)
		}},
		{"postgres", func(t *testing.T) (string, *sql.DB) {
			dsn := storetest.PostgresDSN(t)
			st, err := postgres.Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			st.Close()
			return dsn, sqlDB(t, "pgx", dsn)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			flag, db := tc.db(t)
			if _, err := db.Exec(`INSERT INTO schema_migrations (version) VALUES (9999)`); err != nil {
				t.Fatal(err)
			}
			before := rowCounts(t, db)
			want := "was migrated by a newer scoped (it has migration 9999, which this one does not know)"
			for _, args := range append(maintenance, []string{"--addr", "127.0.0.1:0", "--dev", "--db"}) {
				if args[0] != "--addr" {
					args = withDB(args, flag)
				} else {
					args = append(args, flag)
				}
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second) // serve, were it to start
				var stderr strings.Builder
				code := runContext(ctx, append([]string{"scoped"}, args...), io.Discard, &stderr)
				cancel()
				if errOut := stderr.String(); code != 4 || !strings.Contains(errOut, want) {
					t.Errorf("%q: exit %d, stderr %q; want exit 4 and %q", args, code, errOut, want)
				}
			}
			if after := rowCounts(t, db); after != before {
				t.Errorf("rows (migrations, applications, signing keys) went from %v to %v", before, after)
			}
		})
	}
}

// sqlDB opens source with driver for the rest of t.
func sqlDB(t *testing.T, driver, source string) *sql.DB {
	t.Helper()
	db, err := sql.Open(driver, source)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// rowCounts counts the rows of the tables a start of scoped writes to.
func rowCounts(t *testing.T, db *sql.DB) (n [3]int) {
	t.Helper()
	for i, table := range []string{"schema_migrations", "applications", "signing_keys"} {
		if err := db.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n[i]); err != nil {
			t.Fatal(err)
		}
	}
	return n
}
