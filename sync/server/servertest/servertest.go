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
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/crypto/bcrypt"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/admin"
	"github.com/scopectl/scopectl/sync/authz"
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
	URL     string
	Issuer  string // the external base URL, in the iss of its tokens
	DB      string // the SQLite file ("" with Options.Store)
	Store   store.Store
	Tokens  *oauth.Tokens
	Keys    *oauth.KeySet
	Secrets *oauth.SecretVerifier
	// Handler is the server's handler, for requests that must come from
	// another remote address than 127.0.0.1 (httptest.NewRequest).
	Handler *server.Server
}

// Options change how StartWith runs scoped; the zero value is Start's.
type Options struct {
	// DB is the SQLite file of the store; "" makes a new one. Servers
	// given the same file share their state, as processes on one
	// database do.
	DB string
	// Now is the clock of the key set, the tokens and the throttle of
	// failed authentications; nil means time.Now.
	Now func() time.Time
	// Issuer is the external base URL (for iss and aud of tokens); ""
	// means the server's own URL. Servers that accept each other's tokens
	// share one, as processes behind a load balancer do.
	Issuer string
	// Production applies the production policies of the admin API:
	// client secrets of 12 characters at least, descriptors that lead only
	// to security checks the runtime has; by default both are relaxed, as
	// with --dev.
	Production bool
	// OwnKey gives the server a signing key of its own. By default a
	// store without keys gets one RSA key shared by every test server of
	// the test binary (generating one takes a few hundred milliseconds,
	// several times that under -race), so servers on different stores
	// accept each other's signatures; their tokens still differ in issuer.
	OwnKey bool
	// Store, if set, is served instead of the SQLite file (DB is then
	// unused); the caller closes it.
	Store store.Store
	// Logger receives the server's logs; nil discards them.
	Logger *slog.Logger
	// Users is the user registry of the mobile runtime's UserLogin check.
	Users authz.UserRegistry
	// CustomChecks declares custom security checks (name → built-in).
	CustomChecks map[string]string
	// RefreshApps are the application ids of runtime mfp whose mobile
	// clients get refresh tokens.
	RefreshApps []string
}

// Start runs scoped for the length of the test and returns its base URL.
// Runtime mfp has the given clients.
func Start(t testing.TB, clients ...Client) string {
	return StartServer(t, clients...).URL
}

// StartServer is Start, returning the server's parts as well.
func StartServer(t testing.TB, clients ...Client) *Server {
	t.Helper()
	return StartWith(t, Options{}, clients...)
}

// openStore returns opt.Store, or a new SQLite store at opt.DB (in a
// temporary folder when empty) closed when the test ends.
func openStore(t testing.TB, opt *Options) store.Store {
	t.Helper()
	if opt.Store != nil {
		return opt.Store
	}
	if opt.DB == "" {
		opt.DB = filepath.Join(t.TempDir(), "scoped.db")
	}
	db, err := sqlite.Open(context.Background(), opt.DB)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// prepare puts the signing key (the shared one unless opt.OwnKey) and the
// clients in st, and returns the key set and the secret verifier.
func prepare(t testing.TB, st store.Store, opt Options, clients []Client) (*oauth.KeySet, *oauth.SecretVerifier) {
	t.Helper()
	ctx := context.Background()
	if !opt.OwnKey {
		if err := addSharedKey(ctx, st); err != nil {
			t.Fatal(err)
		}
	}
	keys, err := oauth.NewKeySet(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	keys.Now = opt.Now
	v := oauth.NewSecretVerifier()
	v.Cost = bcrypt.MinCost
	for _, c := range clients {
		sc, err := config.ParseScope(c.Scope)
		if err == nil {
			err = admin.EnsureClient(ctx, st, v, "mfp", c.ID, c.Secret, sc)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return keys, v
}

// StartWith is StartServer with options. Secrets are hashed with the
// lowest bcrypt cost, to keep tests fast.
func StartWith(t testing.TB, opt Options, clients ...Client) *Server {
	t.Helper()
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	st := openStore(t, &opt)
	keys, v := prepare(t, st, opt, clients)
	tokens := oauth.NewTokens(keys, time.Hour)
	tokens.Now = opt.Now
	ts := httptest.NewUnstartedServer(nil)
	if opt.Issuer == "" {
		opt.Issuer = "http://" + ts.Listener.Addr().String()
	}
	h, err := server.New(server.Config{
		Store: st, Tokens: tokens, Secrets: v, Runtimes: []string{"mfp"},
		Issuer: opt.Issuer, Logger: opt.Logger,
		Registry: prometheus.NewRegistry(), AllowShortSecrets: !opt.Production, Now: opt.Now,
		Mobile: server.MobileConfig{
			Users: opt.Users, CustomChecks: opt.CustomChecks, AllowUnknownChecks: !opt.Production,
			RefreshApps: map[string][]string{"mfp": opt.RefreshApps}, BcryptCost: bcrypt.MinCost,
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = h
	ts.Start()
	t.Cleanup(ts.Close)
	return &Server{URL: ts.URL, Issuer: opt.Issuer, DB: opt.DB, Store: st, Tokens: tokens, Keys: keys, Secrets: v, Handler: h}
}

// sharedKey is the signing key that test servers share unless
// Options.OwnKey is set; it is generated once per test binary.
var sharedKey = sync.OnceValues(func() (store.SigningKey, error) {
	return oauth.GenerateKey(time.Now())
})

// addSharedKey gives st the shared signing key unless it has a first key
// already (AddFirstSigningKey decides, as for any scoped process).
func addSharedKey(ctx context.Context, st oauth.KeyStore) error {
	k, err := sharedKey()
	if err != nil {
		return err
	}
	return st.AddFirstSigningKey(ctx, k)
}
