package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/client"
	"github.com/scopectl/scopectl/sync/transfer"
	"github.com/scopectl/scopectl/sync/workspace"
)

func serverFlag() cli.Flag {
	return &cli.StringFlag{Name: "server", Usage: "server profile `NAME` or URL (default: the default profile)", EnvVars: []string{"SCOPECTL_SERVER"}}
}

func appPullCommand() *cli.Command {
	return &cli.Command{
		Name:      "pull",
		Usage:     "write the server's descriptors into mobilefirst/",
		ArgsUsage: "[APPID/PLATFORM/VERSION...]",
		Description: `Writes the canonical descriptor of each named application (with --all,
of every application of the runtime; with neither, of every application
that already has a file in mobilefirst/) atomically, and records it in
.scopectl/ as the base for conflict-safe pushes.

A file with local edits that were never pushed is not overwritten: the
command names it and exits 4, unless --force.`,
		Flags: []cli.Flag{
			serverFlag(), passwordFileFlag(), timeoutFlag(),
			&cli.BoolFlag{Name: "all", Usage: "pull every application of the runtime"},
			&cli.BoolFlag{Name: "force", Usage: "overwrite local edits"},
		},
		Action: pullAction,
	}
}

// connect opens a client for the command's --server with scope.
func connect(c *cli.Context, scope string) (*client.Client, transfer.Target, error) {
	prof, err := resolveProfile(c, c.String("server"))
	if err != nil {
		return nil, transfer.Target{}, err
	}
	cl, err := client.New(c.Context, client.Options{
		URL: prof.URL, Runtime: prof.Runtime, Login: prof.Login, Password: prof.Password,
		Scope: scope, Retries: 3, HTTP: httpClient(c),
	})
	return cl, transfer.Target{URL: strings.TrimSuffix(prof.URL, "/"), Runtime: prof.Runtime}, err
}

func pullAction(c *cli.Context) error {
	wd, _ := os.Getwd()
	proj := workspace.FindProject(wd)
	cl, target, err := connect(c, client.ScopeRead)
	if err != nil {
		return err
	}
	keys, err := pullKeys(c, cl, proj)
	if err != nil {
		return err
	}
	res, err := transfer.Pull(c.Context, cl, proj, target, keys, c.Bool("force"))
	for _, f := range res.Written {
		fmt.Fprintf(c.App.Writer, "pulled %s\n", relative(f))
	}
	if err != nil {
		return err
	}
	if len(res.Refused) > 0 {
		names := make([]string, len(res.Refused))
		for i, f := range res.Refused {
			names[i] = relative(f)
		}
		return config.Errorf(config.KindConflict, "not overwritten, they have local edits that were never pushed: %s (push them first, or pull --force to discard them)", strings.Join(names, ", "))
	}
	return nil
}

func pullKeys(c *cli.Context, cl *client.Client, proj workspace.Project) ([]config.AppKey, error) {
	switch {
	case c.Bool("all"):
		return transfer.AllKeys(c.Context, cl)
	case c.NArg() > 0:
		var keys []config.AppKey
		for _, a := range c.Args().Slice() {
			k, err := config.ParseAppKey(a)
			if err != nil {
				return nil, err
			}
			keys = append(keys, k)
		}
		return keys, nil
	}
	keys, err := transfer.LocalKeys(proj)
	if err == nil && len(keys) == 0 {
		err = usageErrorf("nothing to pull: name an application (APPID/PLATFORM/VERSION) or use --all")
	}
	return keys, err
}

// relative names a project file for messages, relative to the current
// directory where it is below it.
func relative(path string) string {
	wd, err := os.Getwd()
	if err != nil {
		return path
	}
	return relPath(wd, path)
}
