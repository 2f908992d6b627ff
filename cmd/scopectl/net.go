package main

import (
	"net/http"

	"github.com/urfave/cli/v2"
)

// httpClient is the HTTP client of a command that talks to a server, with
// the --timeout it was given.
func httpClient(c *cli.Context) *http.Client {
	return &http.Client{Timeout: c.Duration("timeout")}
}
