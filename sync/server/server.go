// Package server is scoped's HTTP interface: the authorization server
// (token, introspection, JWKS) under /{runtime}/api/az/v1/ and the admin
// API with the apply endpoint under /mfpadmin/management-apis/2.0/. Handlers
// decode, call the admin service (sync/admin), the store or the oauth
// package, and encode; one table maps error kinds to statuses.
package server

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/admin"
	"github.com/scopectl/scopectl/sync/api"
	"github.com/scopectl/scopectl/sync/authz"
	"github.com/scopectl/scopectl/sync/console"
	"github.com/scopectl/scopectl/sync/oauth"
	"github.com/scopectl/scopectl/sync/store"
	"github.com/scopectl/scopectl/sync/ttlcache"
)

// MaxBodySize is the largest request body accepted (413 beyond).
const MaxBodySize = 1 << 20

// maxAuthorizationHeader is the longest Authorization header examined.
const maxAuthorizationHeader = 8 << 10

// Store is what a Server needs of the store: what its admin service
// needs, one client by id to authenticate a caller and re-check a
// token's client, and a write probe for /healthz. Signing keys are read
// through Tokens.
type Store interface {
	admin.Store
	authz.Store
	Client(ctx context.Context, runtime, id string) (store.Client, error)
	Probe(ctx context.Context) error
}

// Config is what a Server needs. Every field is required unless its
// comment says otherwise.
type Config struct {
	Store    Store
	Tokens   *oauth.Tokens
	Secrets  *oauth.SecretVerifier
	Runtimes []string // runtimes served, e.g. ["mfp"]
	// Issuer is the external base URL of the server, e.g.
	// http://127.0.0.1:9080; a runtime's tokens are issued by
	// Issuer + "/" + runtime + "/api/az/v1".
	Issuer   string
	Logger   *slog.Logger
	Registry *prometheus.Registry
	// Mobile configures the mobile authorization runtime of every runtime
	// (registration, security checks, authorization codes); the zero
	// value has no user registry and no refresh tokens.
	Mobile MobileConfig
	// AllowShortSecrets lets the admin API set client secrets shorter
	// than admin.MinSecretLength (development mode); optional.
	AllowShortSecrets bool
	// Now is the clock of the failed-authentication throttle, of the
	// health check's cache and of the rate limit of error logs; optional,
	// time.Now by default.
	Now func() time.Time
}

// Server serves scoped's HTTP API.
type Server struct {
	store    Store
	tokens   *oauth.Tokens
	secrets  *oauth.SecretVerifier
	runtimes []string
	issuer   string
	issuers  map[string]string // runtime -> issuerOf, for the configured runtimes
	log      *slog.Logger
	metrics  *metrics
	mux      *http.ServeMux
	clients  *ttlcache.Cache[[2]string, store.Client] // (runtime, id) -> client, for token checks
	throttle *throttle
	health   *health
	errLog   *errorLog // ERROR lines, rate-limited
	svc      *admin.Service
	console  http.Handler // the operations console, under console.Path
	mobile   map[string]*authz.Runtime
}

// New returns a Server for cfg; an error when cfg.Mobile declares a custom
// security check that cannot be (a KindInvalid error).
func New(cfg Config) (*Server, error) {
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	minSecret := admin.MinSecretLength
	if cfg.AllowShortSecrets {
		minSecret = 1
	}
	s := &Server{
		store: cfg.Store, tokens: cfg.Tokens, secrets: cfg.Secrets, runtimes: cfg.Runtimes,
		issuer: strings.TrimSuffix(cfg.Issuer, "/"), log: cfg.Logger, metrics: newMetrics(cfg.Registry),
		mux: http.NewServeMux(), throttle: newThrottle(now), clients: &ttlcache.Cache[[2]string, store.Client]{TTL: clientTTL},
		health: &health{now: now, probe: cfg.Store.Probe}, errLog: newErrorLog(cfg.Logger, now),
		svc: admin.New(admin.Config{Store: cfg.Store, Secrets: cfg.Secrets, MinSecret: minSecret}),
	}
	s.issuers = make(map[string]string, len(cfg.Runtimes))
	for _, rt := range cfg.Runtimes {
		s.issuers[rt] = s.issuer + api.AuthzPath(rt)
	}
	apps := s.caches(now)
	checks, err := mobileChecks(cfg.Mobile, apps)
	if err != nil {
		return nil, err
	}
	if !cfg.Mobile.AllowUnknownChecks {
		s.svc.RequireKnownChecks(checks.Catalog())
	}
	s.mobile = mobileRuntimes(cfg, apps, checks, now)
	s.routes(cfg.Registry)
	con, err := console.New(console.Config{
		Service: s.svc, Auth: consoleAuth{s}, Runtime: cfg.Runtimes[0], Logger: cfg.Logger, Now: now,
		SecureCookies: strings.HasPrefix(s.issuer, "https://"),
	})
	if err != nil {
		return nil, err
	}
	s.console = s.instrument(console.Path, con.ServeHTTP)
	return s, nil
}

// consoleAuth checks the console's sign-ins as the token endpoint checks
// client credentials, throttled alike.
type consoleAuth struct{ s *Server }

func (a consoleAuth) Authenticate(r *http.Request, runtime, id, secret string) (store.Client, error) {
	return a.s.checkCredentials(r, runtime, id, secret)
}

func (s *Server) routes(reg *prometheus.Registry) {
	const runtime = "{runtime}"
	s.handle("POST "+api.TokenPath(runtime), s.handleToken)
	s.handle("POST "+api.IntrospectionPath(runtime), s.protect(introspectScope, s.handleIntrospection))
	s.handle("GET "+api.JWKSPath(runtime), s.handleJWKS)
	s.mobileRoutes(runtime)

	apps := api.ApplicationsPath(runtime)
	app := api.ApplicationPath(runtime, "{app}", "{platform}", "{version}")
	s.handle("GET "+apps, s.admin(roleMonitor, s.handleList))
	s.handle("POST "+apps, s.admin(roleOperator, s.handleApply))
	s.handle("GET "+api.DescriptorPath(app), s.admin(roleMonitor, s.handleDescriptor))
	s.handle("GET "+api.RevisionsPath(app), s.admin(roleMonitor, s.handleRevisions))
	s.handle("GET "+api.RevisionPath(app, "{n}"), s.admin(roleMonitor, s.handleRevision))
	s.handle("DELETE "+app, s.admin(roleOperator, s.handleDelete))
	s.handle("PUT "+api.StatePath(app), s.admin(roleOperator, s.handleSetState))
	clients := api.ClientsPath(runtime)
	s.handle("GET "+clients, s.admin(roleMonitor, s.handleGetClients))
	s.handle("PUT "+clients, s.admin(roleDeployer, s.handlePutClients))
	s.handle("DELETE "+api.MobileClientsPath(runtime)+"/{id}", s.admin(roleOperator, s.handleDeleteMobileClient))

	s.handle("GET /healthz", s.handleHealth)
	s.mux.Handle("GET /metrics", promhttpHandler(reg))
}

// handle registers h for pattern, wrapped with metrics and logging.
func (s *Server) handle(pattern string, h http.HandlerFunc) {
	s.mux.Handle(pattern, s.instrument(pattern, h))
}

// ServeHTTP serves a request. Requests that match no route (404) or
// match one with another method (405) get a JSON error body too.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, console.Path) { // its own routes: a runtime named mfpconsole is never served
		s.console.ServeHTTP(w, r)
		return
	}
	if _, pattern := s.mux.Handler(r); pattern == "" {
		w = &jsonErrorWriter{ResponseWriter: w}
	}
	s.mux.ServeHTTP(w, r)
}

// jsonErrorWriter replaces the plain-text error body of net/http's own
// 404 and 405 answers with a JSON one.
type jsonErrorWriter struct {
	http.ResponseWriter
	replaced bool
}

func (w *jsonErrorWriter) WriteHeader(status int) {
	if status < 400 {
		w.ResponseWriter.WriteHeader(status)
		return
	}
	w.replaced = true
	w.Header().Del("X-Content-Type-Options")
	writeJSON(w.ResponseWriter, status, api.Error{Error: api.KindOf(status), Message: http.StatusText(status)})
}

func (w *jsonErrorWriter) Write(b []byte) (int, error) {
	if w.replaced {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

// runtimeOf returns the runtime named in the path, or answers 404.
func (s *Server) runtimeOf(w http.ResponseWriter, r *http.Request) (string, bool) {
	rt := r.PathValue("runtime")
	if !slices.Contains(s.runtimes, rt) {
		s.writeError(w, r, config.Errorf(config.KindNotFound, "unknown runtime %s", admin.QuoteName(rt)))
		return "", false
	}
	return rt, true
}

// issuerOf is the authorization-server URL of a runtime: the iss and aud
// of its tokens. Those of the configured runtimes are made once: every
// token check asks.
func (s *Server) issuerOf(runtime string) string {
	if iss, ok := s.issuers[runtime]; ok {
		return iss
	}
	return s.issuer + api.AuthzPath(runtime)
}

func since(t time.Time) float64 { return time.Since(t).Seconds() }
