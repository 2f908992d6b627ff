// Package servertest starts a real scoped HTTP server on 127.0.0.1 with an
// SQLite store in a temporary directory, for the tests of packages that
// talk to scoped (the client, the CLI).
package servertest

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/oauth"
	"github.com/scopectl/scopectl/sync/server"
	"github.com/scopectl/scopectl/sync/store"
	"github.com/scopectl/scopectl/sync/store/sqlite"
)

// Client is a confidential client to create in runtime mfp.
type Client struct {
	ID, Secret, Scope string
}

// Server is a running scoped and the parts tests may reach into.
type Server struct {
	URL    string
	Store  store.Store
	Tokens *oauth.Tokens
	Keys   *oauth.KeySet
}

// Start runs scoped for the length of the test and returns its base URL.
// Runtime mfp has the given clients.
func Start(t testing.TB, clients ...Client) string {
	return StartServer(t, clients...).URL
}

// StartServer is Start, returning the server's parts as well.
func StartServer(t testing.TB, clients ...Client) *Server {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "scoped.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	keys, err := oauth.NewKeySet(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	v := oauth.NewSecretVerifier()
	for _, c := range clients {
		sc, err := config.ParseScope(c.Scope)
		if err == nil {
			err = server.EnsureClient(ctx, st, v, "mfp", c.ID, c.Secret, sc)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	tokens := oauth.NewTokens(keys, time.Hour)
	ts := httptest.NewUnstartedServer(nil)
	ts.Config.Handler = server.New(server.Config{
		Store: st, Tokens: tokens, Secrets: v, Runtimes: []string{"mfp"},
		Issuer: "http://" + ts.Listener.Addr().String(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Registry: prometheus.NewRegistry(),
	})
	ts.Start()
	t.Cleanup(ts.Close)
	return &Server{URL: ts.URL, Store: st, Tokens: tokens, Keys: keys}
}
