package main

import (
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/scopectl/scopectl/cmd/internal/exitcode"
	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/authz"
	"github.com/scopectl/scopectl/sync/server"
)

// mobileFlags configure the mobile authorization runtime.
func mobileFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "users", Usage: "user registry of the UserLogin check: `FILE` of user:bcrypt-hash lines", EnvVars: []string{"SCOPED_USERS"}},
		&cli.StringSliceFlag{Name: "security-check", Usage: "declare a custom security check `NAME=TYPE` running the built-in check TYPE (repeatable)", EnvVars: []string{"SCOPED_SECURITY_CHECK"}},
		&cli.StringSliceFlag{Name: "refresh-token-apps", Usage: "`APPIDS` (separated by ';', optionally RUNTIME=APPIDS) whose mobile clients get refresh tokens", EnvVars: []string{"SCOPED_REFRESH_TOKEN_APPS"}},
	}
}

// loadMobileConfig reads the mobile flags; a bad value is a usage error.
func loadMobileConfig(c *cli.Context, runtimes []string, dev bool) (server.MobileConfig, error) {
	cfg := server.MobileConfig{AllowUnknownChecks: dev, CustomChecks: map[string]string{}, RefreshApps: map[string][]string{}}
	if path := c.String("users"); path != "" {
		users, err := authz.LoadUsers(path)
		if err != nil {
			return cfg, exitcode.Errorf(exitcode.Usage, "--users: %v", err)
		}
		cfg.Users = users
	}
	checks := authz.BuiltinChecks(authz.Deps{Users: cfg.Users}) // to check the declarations before the store opens
	for _, spec := range c.StringSlice("security-check") {
		name, typ, ok := strings.Cut(spec, "=")
		if !ok || name == "" || typ == "" {
			return cfg, exitcode.Errorf(exitcode.Usage, "--security-check %q: write NAME=TYPE, for example StepUp=PinCodeAttempts", spec)
		}
		if err := checks.Alias(name, typ); err != nil {
			return cfg, exitcode.Errorf(exitcode.Usage, "--security-check %s: %v%s", spec, err, usersHint(typ, cfg.Users))
		}
		cfg.CustomChecks[name] = typ
	}
	for _, spec := range c.StringSlice("refresh-token-apps") {
		if err := addRefreshApps(cfg.RefreshApps, spec, runtimes); err != nil {
			return cfg, err
		}
	}
	return cfg, nil
}

// addRefreshApps adds "id;id" to every runtime, or "RUNTIME=id;id" to one.
func addRefreshApps(apps map[string][]string, spec string, runtimes []string) error {
	targets := runtimes
	if rt, ids, ok := strings.Cut(spec, "="); ok {
		targets, spec = []string{rt}, ids
		if !slices.Contains(runtimes, rt) {
			return exitcode.Errorf(exitcode.Usage, "--refresh-token-apps %q: runtime %q is not served (see --runtime)", rt+"="+ids, rt)
		}
	}
	for _, id := range strings.Split(spec, ";") {
		id = strings.TrimSpace(id)
		if err := (config.AppKey{ID: id, Platform: config.PlatformWeb, Version: "1"}).Validate(); err != nil {
			return exitcode.Errorf(exitcode.Usage, "--refresh-token-apps: %v", err)
		}
		for _, rt := range targets {
			apps[rt] = append(apps[rt], id)
		}
	}
	return nil
}

// usersHint explains why UserLogin is not a type without a user registry.
func usersHint(typ string, users authz.UserRegistry) string {
	if typ == config.CheckUserLogin && users == nil {
		return " (UserLogin needs --users FILE)"
	}
	return ""
}
