package main

import (
	"time"

	"github.com/urfave/cli/v2"
)

// Flags are built per App (urfave/cli keeps state in them); every one can
// also be set with its SCOPED_* variable.
func serveFlags() []cli.Flag {
	return append([]cli.Flag{
		&cli.StringFlag{Name: "addr", Value: "127.0.0.1:9080", Usage: "listen `ADDRESS`", EnvVars: []string{"SCOPED_ADDR"}},
		dbFlag(),
		&cli.BoolFlag{Name: "dev", Usage: "development mode: sample applications and the clients test/test and admin/admin", EnvVars: []string{"SCOPED_DEV"}},
		&cli.StringFlag{Name: "admin-secret-file", Usage: "read the secret of the admin client from `FILE` (or set SCOPED_ADMIN_SECRET)", EnvVars: []string{"SCOPED_ADMIN_SECRET_FILE"}},
		&cli.StringFlag{Name: "issuer", Usage: "external base `URL` of this server, for the iss of tokens (default: http://ADDRESS)", EnvVars: []string{"SCOPED_ISSUER"}},
		&cli.DurationFlag{Name: "token-ttl", Value: 3600 * time.Second, Usage: "lifetime of access tokens", EnvVars: []string{"SCOPED_TOKEN_TTL"}},
		&cli.StringSliceFlag{Name: "runtime", Value: cli.NewStringSlice("mfp"), Usage: "runtimes to serve", EnvVars: []string{"SCOPED_RUNTIME"}},
		&cli.StringFlag{Name: "log-format", Value: "text", Usage: "log `FORMAT`: text or json", EnvVars: []string{"SCOPED_LOG_FORMAT"}},
		&cli.DurationFlag{Name: "shutdown-timeout", Value: 30 * time.Second, Usage: "how long SIGTERM waits for requests in flight", EnvVars: []string{"SCOPED_SHUTDOWN_TIMEOUT"}},
	}, mobileFlags()...)
}

func dbFlag() cli.Flag {
	return &cli.StringFlag{Name: "db", Value: "sqlite:scoped.db", Usage: "store: sqlite:`PATH` or postgres://...", EnvVars: []string{"SCOPED_DB"}}
}
