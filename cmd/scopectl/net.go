package main

import (
	"net/http"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/scopectl/scopectl/sync/transfer"
)

// httpClient is the HTTP client of a command that talks to a server, with
// the --timeout it was given. It keeps as many connections to the server
// open as a pull has requests in flight, so that they are reused rather
// than opened again for every answer.
func httpClient(c *cli.Context) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = transfer.FetchConcurrency
	return &http.Client{Timeout: c.Duration("timeout"), Transport: t}
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
