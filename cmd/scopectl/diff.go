package main

import (
	"fmt"
	"slices"

	"github.com/urfave/cli/v2"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/schema"
	"github.com/scopectl/scopectl/sync/client"
	"github.com/scopectl/scopectl/sync/diffview"
	"github.com/scopectl/scopectl/sync/workspace"
)

func appDiffCommand() *cli.Command {
	return &cli.Command{
		Name:      "diff",
		Usage:     "show what differs from the server, or between two files",
		ArgsUsage: "[FILE...] | A.json B.json",
		Description: `With one file or none (every descriptor in mobilefirst/), compares the
server's version with the local one: what a push would change. With --rev,
compares the version of each file in that git revision with the working
copy (read with go-git; no git program needed). With two files, compares
them with each other.

Formats: semantic (default; one line per changed member, scope elements
one by one; coloured on a terminal), unified (the canonical forms, line by
line), json (the semantic changes), patch (RFC 6902 JSON Patch).

Exit status: 0 no difference, 1 different, 2 usage or invalid input,
3 server unreachable or credentials refused.`,
		Flags: []cli.Flag{
			serverFlag(), passwordFileFlag(), timeoutFlag(), noColorFlag(),
			&cli.StringFlag{Name: "format", Value: "semantic", Usage: "`FORMAT`: semantic, unified, json or patch", EnvVars: []string{"SCOPECTL_DIFF_FORMAT"}},
			&cli.StringFlag{Name: "rev", Usage: "compare with git revision `REV` (HEAD, a branch, a tag, a hash) instead of the server"},
		},
		Action: diffAction,
	}
}

func diffAction(c *cli.Context) error {
	format := c.String("format")
	if !slices.Contains(diffview.Formats, format) {
		return usageErrorf("unknown --format %q; use semantic, unified, json or patch", format)
	}
	files, err := descriptorFiles(c)
	if c.NArg() == 2 {
		files = c.Args().Slice() // two files are compared as named, even the same one twice
	}
	if err != nil {
		return err
	}
	locals, err := readDescriptors(c, files)
	if err != nil {
		return err
	}
	color := colorEnabled(c, c.App.Writer)
	if c.NArg() == 2 {
		a, b := diffview.Side{Name: files[0], Descriptor: locals[0]}, diffview.Side{Name: files[1], Descriptor: locals[1]}
		return diffExit(diffview.Write(c.App.Writer, format, a, b, color))
	}
	if rev := c.String("rev"); rev != "" {
		return diffRevision(c, rev, files, locals, format, color)
	}
	cl, target, err := connect(c, client.ScopeRead)
	if err != nil {
		return err
	}
	var all []config.Change
	for i, d := range locals {
		server := diffview.Side{Name: target.URL + " (not there)"}
		content, rev, err := cl.Descriptor(c.Context, d.ApplicationKey)
		switch {
		case config.ErrorKind(err) == config.KindNotFound:
		case err != nil:
			return err
		default:
			server.Name = fmt.Sprintf("%s revision %d", target.URL, rev)
			if server.Descriptor, err = config.ParseDescriptor(content); err != nil {
				return err
			}
		}
		local := diffview.Side{Name: relative(files[i]), Descriptor: d}
		changes, err := diffview.Write(c.App.Writer, format, server, local, color)
		if err != nil {
			return err
		}
		all = append(all, changes...)
	}
	return diffExit(all, nil)
}

// readDescriptors validates and decodes files; invalid ones are reported
// and make the command exit 2.
func readDescriptors(c *cli.Context, files []string) ([]*config.Descriptor, error) {
	reports, ok := validDescriptors(c, files)
	if !ok {
		return nil, usageErrorf("cannot compare invalid descriptors; fix them first")
	}
	out := make([]*config.Descriptor, len(reports))
	for i, r := range reports {
		out[i] = r.Descriptor
	}
	return out, nil
}

func diffExit(changes []config.Change, err error) error {
	switch {
	case err != nil:
		return err
	case len(changes) > 0:
		return failed()
	}
	return nil
}

// diffRevision compares each file as it was in git revision rev with the
// working copy.
func diffRevision(c *cli.Context, rev string, files []string, locals []*config.Descriptor, format string, color bool) error {
	var all []config.Change
	for i, path := range files {
		old := diffview.Side{Name: fmt.Sprintf("%s@%s (not there)", relative(path), rev)}
		content, found, err := workspace.FileAtRevision(path, rev)
		if err != nil {
			return err
		}
		if found {
			old.Name = relative(path) + "@" + rev
			r := schema.Validate(content)
			if r.Descriptor == nil {
				return usageErrorf("%s: the version in %s is not a valid descriptor", old.Name, rev)
			}
			old.Descriptor = r.Descriptor
		}
		cur := diffview.Side{Name: relative(path), Descriptor: locals[i]}
		changes, err := diffview.Write(c.App.Writer, format, old, cur, color)
		if err != nil {
			return err
		}
		all = append(all, changes...)
	}
	return diffExit(all, nil)
}
