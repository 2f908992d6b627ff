package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/urfave/cli/v2"

	"github.com/scopectl/scopectl/cmd/internal/exitcode"
	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/fixtures"
	"github.com/scopectl/scopectl/sync/admin"
	"github.com/scopectl/scopectl/sync/oauth"
	"github.com/scopectl/scopectl/sync/server"
	"github.com/scopectl/scopectl/sync/store"
	"github.com/scopectl/scopectl/sync/store/postgres"
	"github.com/scopectl/scopectl/sync/store/sqlite"
	"github.com/scopectl/scopectl/sync/store/sqlstore"
)

// serveConfig is the validated configuration of a serving process.
type serveConfig struct {
	Addr, DB, Issuer, LogFormat string
	Dev                         bool
	AdminSecret                 string
	TokenTTL, ShutdownTimeout   time.Duration
	Runtimes                    []string
	Mobile                      server.MobileConfig
}

// Development credentials: only ever created with --dev.
const (
	devTestSecret  = "test"
	devAdminSecret = "admin"
)

func loadServeConfig(c *cli.Context) (serveConfig, error) {
	cfg := serveConfig{
		Addr: c.String("addr"), DB: c.String("db"), Issuer: c.String("issuer"), LogFormat: c.String("log-format"),
		Dev: c.Bool("dev"), TokenTTL: c.Duration("token-ttl"), ShutdownTimeout: c.Duration("shutdown-timeout"),
		Runtimes: c.StringSlice("runtime"),
	}
	secret, err := adminSecret(c.String("admin-secret-file"))
	if err != nil {
		return cfg, err
	}
	cfg.AdminSecret = secret
	if err := cfg.validate(); err != nil {
		return cfg, err
	}
	cfg.Mobile, err = loadMobileConfig(c, cfg.Runtimes, cfg.Dev)
	return cfg, err
}

// adminSecret reads the admin client's secret from a file or from
// SCOPED_ADMIN_SECRET; "" when neither is given.
func adminSecret(file string) (string, error) {
	if file == "" {
		return os.Getenv("SCOPED_ADMIN_SECRET"), nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", exitcode.Errorf(exitcode.Usage, "read --admin-secret-file: %v", err)
	}
	secret := strings.TrimRight(string(b), "\r\n")
	if secret == "" {
		return "", exitcode.Errorf(exitcode.Usage, "--admin-secret-file %s is empty: write the admin secret in it (for example: head -c 18 /dev/urandom | base64 > %s)", file, file)
	}
	return secret, nil
}

func (cfg *serveConfig) validate() error {
	if cfg.AdminSecret == "" && cfg.Dev {
		cfg.AdminSecret = devAdminSecret
	}
	if cfg.AdminSecret == "" {
		return exitcode.Errorf(exitcode.Usage, "no admin secret: give --admin-secret-file FILE or SCOPED_ADMIN_SECRET (or run with --dev for local development)")
	}
	if err := cfg.checkAdminSecret(); err != nil {
		return err
	}
	switch {
	case cfg.LogFormat != "text" && cfg.LogFormat != "json":
		return exitcode.Errorf(exitcode.Usage, "--log-format must be text or json")
	case cfg.TokenTTL < time.Second:
		return exitcode.Errorf(exitcode.Usage, "--token-ttl must be at least 1s")
	case len(cfg.Runtimes) == 0:
		return exitcode.Errorf(exitcode.Usage, "at least one --runtime is needed")
	}
	for _, rt := range cfg.Runtimes {
		if rt == "" || rt == "mfpadmin" || strings.ContainsAny(rt, "/ ") {
			return exitcode.Errorf(exitcode.Usage, "invalid runtime name %q", rt)
		}
	}
	return nil
}

// checkAdminSecret applies the rules of client secrets to the admin
// secret, and outside --dev its minimum length.
func (cfg *serveConfig) checkAdminSecret() error {
	if !cfg.Dev {
		if err := admin.CheckSecretLength(cfg.AdminSecret, admin.MinAdminSecretLength); err != nil {
			return exitcode.Errorf(exitcode.Usage, "the admin secret %v outside --dev (for example: head -c 18 /dev/urandom | base64)", err)
		}
	}
	if err := oauth.CheckSecret(cfg.AdminSecret); err != nil {
		return exitcode.Errorf(exitcode.Usage, "the admin secret: %v", err)
	}
	return nil
}

// newLogHandler is the log handler of --log-format: text or json.
func newLogHandler(format string, w io.Writer) slog.Handler {
	if format == "json" {
		return slog.NewJSONHandler(w, nil)
	}
	return slog.NewTextHandler(w, nil)
}

// newServeLogger is the log of a serving scoped: request lines batched
// (batchedLog), the others written at once. Close the batchedLog last.
func newServeLogger(format string, w io.Writer) (*slog.Logger, *batchedLog) {
	b := newBatchedLog(w)
	return slog.New(flushingHandler{Handler: newLogHandler(format, b), log: b}), b
}

// openStore opens the store named by a --db value, creating it if needed:
// for scoped serve.
func openStore(ctx context.Context, db string) (store.Store, error) {
	st, err := openDB(ctx, db, false)
	return st, storeUnavailable(err)
}

// openExistingStore opens the store named by a --db value for a command
// other than serve: the store must exist, a mistyped --db creates nothing
// (exit 2).
func openExistingStore(ctx context.Context, db string) (store.Store, error) {
	st, err := openDB(ctx, db, true)
	if config.ErrorKind(err) == config.KindNotFound {
		return nil, fmt.Errorf("%w; scoped serve creates it", err)
	}
	return st, storeUnavailable(err)
}

func openDB(ctx context.Context, db string, existing bool) (store.Store, error) {
	type opener func(context.Context, string) (*sqlstore.Store, error)
	var open, openExisting opener
	var arg string
	switch {
	case strings.HasPrefix(db, "sqlite:"):
		open, openExisting, arg = sqlite.Open, sqlite.OpenExisting, strings.TrimPrefix(db, "sqlite:")
	case strings.HasPrefix(db, "postgres://"), strings.HasPrefix(db, "postgresql://"):
		open, openExisting, arg = postgres.Open, postgres.OpenExisting, db
	default:
		return nil, exitcode.Errorf(exitcode.Usage, "--db %q: use sqlite:PATH or postgres://...", db)
	}
	if existing {
		open = openExisting
	}
	st, err := open(ctx, arg)
	if err != nil {
		return nil, err // not a nil *sqlstore.Store in a non-nil interface
	}
	return st, nil
}

func serveAction(c *cli.Context) error {
	if c.NArg() > 0 {
		return exitcode.Errorf(exitcode.Usage, "unexpected argument %q: scoped takes flags only (or a command: keys); see scoped --help", c.Args().First())
	}
	cfg, err := loadServeConfig(c)
	if err != nil {
		return err
	}
	log, batched := newServeLogger(cfg.LogFormat, c.App.ErrWriter)
	defer batched.Close()
	ctx, stop := signal.NotifyContext(c.Context, syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	// Bind first: a busy port must not leave a new or freshly seeded
	// database behind.
	ln, err := listen(cfg.Addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	st, err := openStore(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer st.Close()
	handler, err := newHandler(ctx, st, &cfg, ln.Addr().String(), log, c.App.ErrWriter)
	if err != nil {
		return err
	}
	return serveUntilSignal(ctx, ln, handler, cfg, log)
}

// newHandler loads the signing keys, puts the credentials (and in dev
// mode the samples) in place, and returns the HTTP handler of the server
// listening on addr.
func newHandler(ctx context.Context, st store.Store, cfg *serveConfig, addr string, log *slog.Logger, stderr io.Writer) (http.Handler, error) {
	keys, err := oauth.NewKeySet(ctx, st)
	if err != nil {
		return nil, err
	}
	secrets := oauth.NewSecretVerifier()
	if err := bootstrap(ctx, st, secrets, *cfg, log, stderr); err != nil {
		return nil, err
	}
	if cfg.Issuer == "" {
		cfg.Issuer = "http://" + addr
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	h, err := server.New(server.Config{
		Store: st, Tokens: oauth.NewTokens(keys, cfg.TokenTTL), Secrets: secrets, Runtimes: cfg.Runtimes,
		Issuer: cfg.Issuer, Logger: log, Registry: reg, AllowShortSecrets: cfg.Dev, Mobile: cfg.Mobile,
	})
	if err != nil {
		return nil, exitcode.Errorf(exitcode.Usage, "%v", err)
	}
	return h, nil
}

// listen binds the listening address; a busy port says how to choose
// another one.
func listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return nil, exitcode.Errorf(exitcode.Unavailable, "listen on %s: the address is in use (is another scoped running?); choose another with --addr, for example --addr 127.0.0.1:9081", addr)
	case err != nil:
		return nil, exitcode.Errorf(exitcode.Unavailable, "listen on %s: %v", addr, err)
	}
	return ln, nil
}

// storeUnavailable gives a store that cannot be opened the exit status of
// an unreachable service, unless the error already says it is a
// configuration mistake.
func storeUnavailable(err error) error {
	var coded *exitcode.Error
	if err == nil || errors.As(err, &coded) || config.ErrorKind(err) != config.KindInternal {
		return err
	}
	return exitcode.Errorf(exitcode.Unavailable, "%v", err)
}

// serveUntilSignal serves until SIGTERM or SIGINT, then lets requests in
// flight finish (up to the shutdown timeout) before returning.
func serveUntilSignal(ctx context.Context, ln net.Listener, h http.Handler, cfg serveConfig, log *slog.Logger) error {
	srv := &http.Server{
		Handler: h, MaxHeaderBytes: 64 << 10,
		ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute, WriteTimeout: time.Minute, IdleTimeout: 2 * time.Minute,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("listening", "url", "http://"+ln.Addr().String(), "issuer", cfg.Issuer, "runtimes", strings.Join(cfg.Runtimes, ","))
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down", "timeout", cfg.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// bootstrap puts the credentials (and, in dev mode, the sample
// applications) in place before the server accepts requests.
// The development banner goes to stderr, next to the log.
func bootstrap(ctx context.Context, st store.Store, v *oauth.SecretVerifier, cfg serveConfig, log *slog.Logger, stderr io.Writer) error {
	for _, rt := range cfg.Runtimes {
		if err := admin.EnsureClient(ctx, st, v, rt, "admin", cfg.AdminSecret, config.NewScope("mfpadmin")); err != nil {
			return fmt.Errorf("admin client: %w", err)
		}
		if !cfg.Dev {
			removed, err := admin.RemoveDevClient(ctx, st, v, rt, "test", devTestSecret)
			if err != nil {
				return err
			}
			if removed {
				log.Warn("removed the development client test/test left by an earlier --dev run", "runtime", rt)
			}
			continue
		}
		if err := seedDev(ctx, st, v, rt, log); err != nil {
			return err
		}
	}
	if cfg.Dev {
		admin := "admin/admin"
		if cfg.AdminSecret != devAdminSecret {
			admin = "admin (with the given secret)"
		}
		fmt.Fprint(stderr, devBanner(admin))
	}
	return nil
}

func seedDev(ctx context.Context, st store.Store, v *oauth.SecretVerifier, rt string, log *slog.Logger) error {
	if err := admin.EnsureClient(ctx, st, v, rt, "test", devTestSecret, config.NewScope("*")); err != nil {
		return fmt.Errorf("test client: %w", err)
	}
	samples, _ := fs.Sub(fixtures.FS, "valid")
	n, err := admin.SeedApplications(ctx, st, rt, samples, "scoped --dev")
	if err != nil {
		return err
	}
	log.Info("development samples", "runtime", rt, "applications added", n)
	return nil
}

// devBanner is the box --dev prints on stderr, admin naming the admin
// credentials.
func devBanner(admin string) string {
	lines := []string{
		"scoped is running in DEVELOPMENT mode (--dev)",
		"clients test/test (scope *) and " + admin + " are enabled.",
		"Never run --dev on a server that others can reach.",
	}
	width := 0
	for _, l := range lines {
		width = max(width, utf8.RuneCountInString(l))
	}
	rule := "  " + strings.Repeat("*", width+5) + "\n"
	var b strings.Builder
	b.WriteString("\n" + rule)
	for _, l := range lines {
		fmt.Fprintf(&b, "  *  %s%s *\n", l, strings.Repeat(" ", width-utf8.RuneCountInString(l)))
	}
	b.WriteString(rule)
	return b.String()
}
