// Package console is the operations console of scoped, served under
// /mfpconsole/ as the platform's: the applications of a runtime, the
// Security tab of each (every descriptor field), its revision history
// with rollback, and the confidential clients. Every change goes through
// the admin service, as an apply through the API does, so it is a
// revision that `scopectl app diff` and `app history` see.
//
// Pages are rendered on the server with html/template from templates
// embedded in the binary, with one stylesheet and one small script: no
// build step, no request to another origin. Operators sign in with a
// confidential client's credentials; its allowed scope gives the role
// (mfpadmin, mfpdeployer, mfpoperator, mfpmonitor). Sessions live in the
// memory of the process that signed them in.
package console

import (
	"cmp"
	"context"
	"embed"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/scopectl/scopectl/sync/admin"
	"github.com/scopectl/scopectl/sync/store"
)

// Path is where the console is served.
const Path = "/mfpconsole/"

// Authenticator checks a confidential client's credentials as the token
// endpoint does, throttled by the request's peer.
type Authenticator interface {
	// Authenticate returns the client whose id and secret these are on
	// runtime; a KindUnauthorized error when they are not, a
	// KindUnavailable one (with a wait) when the peer guessed too often.
	Authenticate(r *http.Request, runtime, id, secret string) (store.Client, error)
}

// Config is what the console needs.
type Config struct {
	Service *admin.Service
	Auth    Authenticator
	Runtime string // the runtime the console manages, e.g. "mfp"
	// SecureCookies marks the cookies Secure whatever the connection: for
	// a console that users reach over TLS ended by a proxy (scoped's
	// --issuer https://…), where scoped itself sees plain HTTP.
	SecureCookies bool
	// SessionIdle and SessionMax end a session that was not used for
	// SessionIdle, or that is older than SessionMax; 30 minutes and 8
	// hours by default.
	SessionIdle, SessionMax time.Duration
	Logger                  *slog.Logger
	// Now is the clock of sessions; time.Now by default.
	Now func() time.Time
}

// Console is the console's http.Handler.
type Console struct {
	svc     *admin.Service
	auth    Authenticator
	runtime string
	// secureCookies: see Config.SecureCookies.
	secureCookies bool
	sessions      *sessions
	log           *slog.Logger
	mux           *http.ServeMux
	pages         *pages
}

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// New returns the console of cfg.Runtime.
func New(cfg Config) (*Console, error) {
	if cfg.Service == nil || cfg.Auth == nil || cfg.Runtime == "" {
		return nil, errors.New("console: a service, an authenticator and a runtime are required")
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	p, err := parsePages()
	if err != nil {
		return nil, err
	}
	c := &Console{
		svc: cfg.Service, auth: cfg.Auth, runtime: cfg.Runtime, pages: p, secureCookies: cfg.SecureCookies,
		sessions: newSessions(now, cmp.Or(cfg.SessionIdle, 30*time.Minute), cmp.Or(cfg.SessionMax, 8*time.Hour)),
		log:      cmp.Or(cfg.Logger, slog.New(slog.DiscardHandler)),
		mux:      http.NewServeMux(),
	}
	c.routes()
	return c, nil
}

func (c *Console) routes() {
	c.mux.Handle("GET "+Path+"static/", http.StripPrefix(Path, http.FileServerFS(staticFiles)))
	c.mux.HandleFunc("GET "+Path+"{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, Path+"apps", http.StatusSeeOther)
	})
	c.mux.HandleFunc("GET "+Path+"login", c.showLogin)
	c.mux.HandleFunc("POST "+Path+"login", c.login)
	c.mux.HandleFunc("POST "+Path+"logout", c.signedIn(roleMonitor, c.logout))
	c.mux.HandleFunc("GET "+Path+"apps", c.signedIn(roleMonitor, c.listApps))
	app := Path + "apps/{id}/{platform}/{version}"
	c.mux.HandleFunc("GET "+app, c.signedIn(roleMonitor, c.showSecurity))
	c.mux.HandleFunc("POST "+app, c.signedIn(roleOperator, c.saveSecurity))
	c.mux.HandleFunc("GET "+app+"/history", c.signedIn(roleMonitor, c.showHistory))
	c.mux.HandleFunc("POST "+app+"/rollback", c.signedIn(roleOperator, c.rollback))
	c.clientRoutes()
}

// ServeHTTP serves the console, with the headers every answer carries:
// no framing, no sniffing, scripts and styles from the console only.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	if r.Body != nil {
		r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	}
	c.mux.ServeHTTP(w, r)
}

// maxForm bounds a form's body: a descriptor as large as the apply
// endpoint takes, escaped in a form field.
const maxForm = 4 << 20

// The administration roles the pages need.
const (
	roleMonitor  = admin.RoleMonitor
	roleOperator = admin.RoleOperator
	roleDeployer = admin.RoleDeployer
)

// ctxKey keys the session of a request in its context.
type ctxKey struct{}

func sessionOf(ctx context.Context) *session {
	s, _ := ctx.Value(ctxKey{}).(*session)
	return s
}
