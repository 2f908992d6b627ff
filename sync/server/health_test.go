package server_test

import (
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/scopectl/scopectl/sync/server/servertest"
)

// TestHealthTurnsOutdatedWhenANewerScopedMigrates: once a newer scoped
// sharing the database has migrated it, /healthz of this older process
// answers 503 "outdated" within a second and logs why, so that a load
// balancer stops sending it requests.
func TestHealthTurnsOutdatedWhenANewerScopedMigrates(t *testing.T) {
	clk := servertest.NewClock()
	logs := &logBuffer{}
	e := newEnvWith(t, servertest.Options{Now: clk.Now, Logger: newLogger(logs)})
	e.do("GET", "/healthz", nil, nil).want(t, 200)

	db, err := sql.Open("sqlite", e.srv.DB)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`INSERT INTO schema_migrations (version) VALUES (9999)`); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Second)
	r := e.do("GET", "/healthz", nil, nil).want(t, 503)
	var body struct{ Status, Error, Message string }
	r.json(t, &body)
	if body.Status != "outdated" || body.Error != "conflict" || !strings.Contains(body.Message, "a newer scoped has migrated the store") {
		t.Errorf("503 answer: %q", r.body)
	}
	if lines := logs.lines(`msg="health check"`); len(lines) != 1 || !strings.Contains(lines[0], "it has migration 9999, which this one does not know") {
		t.Errorf("health check log lines: %q", lines)
	}
}
