package server_test

import (
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/fixtures"
	"github.com/scopectl/scopectl/sync/oauth"
	"github.com/scopectl/scopectl/sync/server"
	"github.com/scopectl/scopectl/sync/store"
	"github.com/scopectl/scopectl/sync/store/sqlite"
)

// env is a real scoped HTTP server on 127.0.0.1 with an SQLite store.
type env struct {
	t      *testing.T
	url    string
	store  store.Store
	tokens *oauth.Tokens
	keys   *oauth.KeySet
}

const apps = "/mfpadmin/management-apis/2.0/runtimes/mfp/applications"

func newEnv(t *testing.T) *env {
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
	for _, c := range []struct{ id, secret, scope string }{
		{"admin", "admin-secret", "mfpadmin"},
		{"test", "test-secret", "*"},
		{"monitor", "monitor-secret", "mfpmonitor"},
		{"operator", "operator-secret", "mfpoperator authorization.introspect"},
		{"pusher", "pusher-secret", "push.application.*"},
	} {
		sc, _ := config.ParseScope(c.scope)
		if err := server.EnsureClient(ctx, st, v, "mfp", c.id, c.secret, sc); err != nil {
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
	return &env{t: t, url: ts.URL, store: st, tokens: tokens, keys: keys}
}

// response is a finished HTTP exchange.
type response struct {
	status int
	header http.Header
	body   string
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.body), v); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, r.body)
	}
}

func (e *env) do(method, path string, header http.Header, body io.Reader) response {
	e.t.Helper()
	req, err := http.NewRequest(method, e.url+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{resp.StatusCode, resp.Header, string(b)}
}

func (e *env) token(id, secret, scope string) string {
	e.t.Helper()
	cc := clientcredentials.Config{
		ClientID: id, ClientSecret: secret, TokenURL: e.url + "/mfp/api/az/v1/token",
		Scopes: strings.Fields(scope), AuthStyle: 2, // oauth2.AuthStyleInHeader
	}
	tok, err := cc.Token(context.Background())
	if err != nil {
		e.t.Fatalf("token for %s: %v", id, err)
	}
	return tok.AccessToken
}

func bearer(token string) http.Header {
	return http.Header{"Authorization": {"Bearer " + token}}
}

func jsonHeader(token string) http.Header {
	h := bearer(token)
	h.Set("Content-Type", "application/json")
	return h
}

func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := fs.ReadFile(fixtures.FS, name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func form(values url.Values) io.Reader { return strings.NewReader(values.Encode()) }

func (r response) want(t *testing.T, status int) response {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d\n%s", r.status, status, r.body)
	}
	return r
}
