package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
	"golang.org/x/oauth2"

	"github.com/scopectl/scopectl/cmd/scopectl/internal/profiles"
	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/client"
)

func tokenCommand() *cli.Command {
	return &cli.Command{
		Name:  "token",
		Usage: "print an access token of the server profile's confidential client (for curl)",
		Description: `Obtains a token with the client credentials of the server profile (or
SCOPECTL_LOGIN and SCOPECTL_PASSWORD) for --scope, and prints it alone on
a line, to use with curl:

  curl -H "Authorization: Bearer $(scopectl token --scope mfpmonitor)" URL

--format json prints the token with its scope and lifetime. The client
must be allowed every element of --scope; an empty scope (the default)
still proves who the client is. For the tokens of a mobile client, see
scopectl app token.

Exit status: 0 token printed, 2 usage error, 3 server unreachable or the
credentials or scope refused.`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "scope", Usage: "the `SCOPE` to ask for, elements separated by spaces", EnvVars: []string{"SCOPECTL_SCOPE"}},
			serverFlag(), passwordFileFlag(), timeoutFlag(), formatFlag(formatText, formatJSON),
		},
		Action:      clientTokenAction,
		Subcommands: []*cli.Command{tokenVerifyCommand()},
	}
}

// clientTokenReport is the JSON output of scopectl token.
type clientTokenReport struct {
	Server      string `json:"server"`
	Runtime     string `json:"runtime"`
	ClientID    string `json:"clientId"`
	Scope       string `json:"scope"`
	ExpiresIn   int64  `json:"expiresIn"`
	TokenType   string `json:"tokenType"`
	AccessToken string `json:"accessToken"`
}

func clientTokenAction(c *cli.Context) error {
	format, err := outputFormat(c, formatText, formatJSON)
	if err != nil {
		return err
	}
	if c.NArg() > 0 {
		return usageErrorf("scopectl token takes no arguments; give the scope with --scope")
	}
	scope, err := config.ParseScope(c.String("scope"))
	if err != nil {
		return usageErrorf("--scope: %v", err)
	}
	prof, err := resolveProfile(c, c.String("server"))
	if err != nil {
		return err
	}
	cl, err := client.New(c.Context, client.Options{
		URL: prof.URL, Runtime: prof.Runtime, Login: prof.Login, Password: prof.Password, Scope: scope.String(), HTTP: httpClient(c),
	})
	if err != nil {
		return err
	}
	tok, err := cl.Token()
	if err != nil {
		return err
	}
	if format == formatJSON {
		return writeJSON(c.App.Writer, tokenJSON(prof, tok))
	}
	_, err = fmt.Fprintln(c.App.Writer, client.Printable(tok.AccessToken))
	return err
}

// tokenJSON is the report of a token, its server's text escaped.
func tokenJSON(prof profiles.Profile, tok *oauth2.Token) clientTokenReport {
	granted, _ := tok.Extra("scope").(string)
	r := clientTokenReport{
		Server: strings.TrimSuffix(prof.URL, "/"), Runtime: prof.Runtime, ClientID: prof.Login, Scope: client.Printable(granted),
		TokenType: client.Printable(tok.TokenType), AccessToken: client.Printable(tok.AccessToken),
	}
	if !tok.Expiry.IsZero() {
		r.ExpiresIn = int64(time.Until(tok.Expiry).Round(time.Second).Seconds())
	}
	return r
}
