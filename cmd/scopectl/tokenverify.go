package main

import (
	"bufio"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/scopectl/scopectl/cmd/internal/exitcode"
	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/api"
	"github.com/scopectl/scopectl/sync/client"
	"github.com/scopectl/scopectl/sync/resource"
)

func tokenVerifyCommand() *cli.Command {
	return &cli.Command{
		Name:      "verify",
		Usage:     "check an access token offline against the server's published keys, and print its claims",
		ArgsUsage: "TOKEN | -",
		Description: `Verifies TOKEN (or the token on standard input, with -) as a resource
server does with sync/resource: the signature against the keys the
server publishes (JWKS), the type, issuer, audience and lifetime, and
with --scope that the token grants it. No credentials are needed.

Exit status: 0 valid, 1 invalid or without the scope (the reason is
printed), 2 usage error, 3 server unreachable.`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "scope", Usage: "the `SCOPE` the token must grant", EnvVars: []string{"SCOPECTL_SCOPE"}},
			serverFlag(), timeoutFlag(),
		},
		Action: tokenVerifyAction,
	}
}

func tokenVerifyAction(c *cli.Context) error {
	token, scope, err := tokenVerifyArgs(c)
	if err != nil {
		return err
	}
	v, err := offlineVerifier(c)
	if err != nil {
		return err
	}
	p, err := v.Verify(c.Context, token, scope)
	var refused *resource.Error
	switch {
	case errors.As(err, &refused):
		return exitcode.Errorf(exitFailed, "the token is refused: %s", client.Printable(refused.Error()))
	case err != nil:
		return &config.Error{Kind: config.KindUnavailable, Message: client.Printable(err.Error())}
	}
	printPrincipal(c, p)
	return nil
}

func tokenVerifyArgs(c *cli.Context) (string, config.Scope, error) {
	scope, err := config.ParseScope(c.String("scope"))
	if err != nil {
		return "", nil, usageErrorf("--scope: %v", err)
	}
	if c.NArg() != 1 {
		return "", nil, usageErrorf("name one TOKEN, or - to read it from standard input")
	}
	token := c.Args().First()
	if token == "-" {
		line, err := bufio.NewReader(c.App.Reader).ReadString('\n')
		if err != nil && line == "" {
			return "", nil, usageErrorf("no token on standard input")
		}
		token = line
	}
	return strings.TrimSpace(token), scope, nil
}

// offlineVerifier returns a verifier of the profile's runtime: its issuer
// from the runtime's metadata, its keys from the address the profile
// reaches it by.
func offlineVerifier(c *cli.Context) (*resource.Offline, error) {
	prof, err := resolveServer(c, c.String("server"))
	if err != nil {
		return nil, err
	}
	base := prof.URL
	issuer, err := resource.Discover(c.Context, httpClient(c), base, prof.Runtime)
	if err != nil {
		return nil, err
	}
	v, err := resource.NewOffline(resource.OfflineOptions{
		Issuer: issuer, JWKSURL: base + api.JWKSPath(prof.Runtime), HTTPClient: httpClient(c),
	})
	if err != nil {
		return nil, usageErrorf("%v", err)
	}
	return v, nil
}

func printPrincipal(c *cli.Context, p *resource.Principal) {
	w := c.App.Writer
	fmt.Fprintln(w, "valid token")
	printFields(w, [][2]string{
		{"client_id", p.ClientID}, {"sub", p.Subject}, {"scope", p.Scope.String()}, {"app_id", p.AppID},
		{"app_platform", p.AppPlatform}, {"app_version", p.AppVersion}, {"user", p.User}, {"device_id", p.DeviceID},
	})
	fmt.Fprintf(w, "  %-13s %s (in %s)\n", "exp", p.Expiry.UTC().Format(time.RFC3339), time.Until(p.Expiry).Round(time.Second))
}
