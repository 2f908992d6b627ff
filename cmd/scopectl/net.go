package main

import (
	"net/http"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"
)

// httpClient is the HTTP client of a command that talks to a server, with
// the --timeout it was given.
func httpClient(c *cli.Context) *http.Client {
	return &http.Client{Timeout: c.Duration("timeout")}
}

// relPath is filepath.Rel for messages: paths under base print short,
// others in full.
func relPath(base, path string) string {
	rel, err := filepath.Rel(base, path)
	if err != nil || strings.HasPrefix(rel, "..") {
		return path
	}
	return rel
}
