package main

import (
	"cmp"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/schema"
	"github.com/scopectl/scopectl/sync/client"
	"github.com/scopectl/scopectl/sync/diffview"
	"github.com/scopectl/scopectl/sync/transfer"
	"github.com/scopectl/scopectl/sync/workspace"
)

func appDiffCommand() *cli.Command {
	return &cli.Command{
		Name:      "diff",
		Usage:     "show what differs from the server, between git revisions, or between two files",
		ArgsUsage: "[PATH...] | A.json B.json",
		Description: `With one file or none (every descriptor in mobilefirst/), compares the
server's version with the local one: what a push would change. With
--rev REV, compares the version of each file in that git revision with the
working copy; with --rev A..B, the descriptors under PATH in revision A
with those in revision B (an empty side means HEAD), as a pull request
changes them. Git is read with go-git; no git program is needed. With two
files, compares them with each other.

Formats: semantic (default; one line per changed member, scope elements
one by one; coloured on a terminal), unified (the canonical forms, line by
line), json (the semantic changes), patch (RFC 6902 JSON Patch), github
(markdown tables for a pull-request comment or $GITHUB_STEP_SUMMARY).

Exit status: 0 no difference, 1 different, 2 usage or invalid input,
3 server unreachable or credentials refused.`,
		Flags: []cli.Flag{
			serverFlag(), passwordFileFlag(), timeoutFlag(), noColorFlag(),
			&cli.StringFlag{Name: formatFlagName, Value: "semantic", Usage: "output `FORMAT`: semantic (or text), unified, json, patch or github", EnvVars: []string{"SCOPECTL_DIFF_FORMAT", "SCOPECTL_FORMAT"}, Category: "Output"},
			&cli.StringFlag{Name: "rev", Usage: "compare with git revision `REV` (HEAD, a branch, a tag, a hash), or revision A with B (A..B), instead of the server"},
		},
		Action: diffAction,
	}
}

func diffAction(c *cli.Context) error {
	format, err := outputFormat(c, append([]string{formatText}, diffview.Formats...)...)
	if err != nil {
		return err
	}
	if format == formatText {
		format = "semantic"
	}
	if from, to, ok := strings.Cut(c.String("rev"), ".."); ok {
		return diffRevisions(c, from, to, format)
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
		changes, err := diffview.Write(c.App.Writer, format, a, b, color)
		if err == nil {
			githubFooter(c, format, [][]config.Change{changes})
		}
		return diffExit(changes, err)
	}
	if rev := c.String("rev"); rev != "" {
		return diffRevision(c, rev, files, locals, format, color)
	}
	cl, target, err := connect(c, client.ScopeRead)
	if err != nil {
		return err
	}
	var all [][]config.Change
	for i, d := range locals {
		remote, rev, err := transfer.ReadServer(c.Context, cl, target, d.ApplicationKey)
		if err != nil {
			return err
		}
		server := diffview.Side{Name: fmt.Sprintf("%s revision %d", target.URL, rev), Descriptor: remote}
		if remote == nil {
			server.Name = target.URL + " (not there)"
		}
		local := diffview.Side{Name: relative(files[i]), Descriptor: d}
		changes, err := diffview.Write(c.App.Writer, format, server, local, color)
		if err != nil {
			return err
		}
		all = append(all, changes)
	}
	return diffDone(c, format, all)
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

// diffDone ends a comparison of several descriptors: the github footer,
// and exit status 1 when anything differs.
func diffDone(c *cli.Context, format string, perFile [][]config.Change) error {
	githubFooter(c, format, perFile)
	return diffExit(slices.Concat(perFile...), nil)
}

// githubFooter ends the github (markdown) format with a line counting the
// changes, so that a comment also says when nothing changed.
func githubFooter(c *cli.Context, format string, perFile [][]config.Change) {
	if format != "github" {
		return
	}
	files, changes := 0, 0
	for _, ch := range perFile {
		if len(ch) > 0 {
			files++
			changes += len(ch)
		}
	}
	if changes == 0 {
		fmt.Fprintln(c.App.Writer, "scopectl: no descriptor changes.")
		return
	}
	fmt.Fprintf(c.App.Writer, "scopectl: %s in %s.\n", plural(changes, "1 change", fmt.Sprintf("%d changes", changes)), plural(files, "1 descriptor", fmt.Sprintf("%d descriptors", files)))
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
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	olds, err := revisionDescriptors(wd, rev, files)
	if err != nil {
		return err
	}
	var all [][]config.Change
	for i, path := range files {
		name := relative(path)
		old := diffview.Side{Name: name + "@" + rev, Descriptor: olds[name]}
		if old.Descriptor == nil {
			old.Name += " (not there)"
		}
		cur := diffview.Side{Name: name, Descriptor: locals[i]}
		changes, err := diffview.Write(c.App.Writer, format, old, cur, color)
		if err != nil {
			return err
		}
		all = append(all, changes)
	}
	return diffDone(c, format, all)
}

// diffRevisions compares the descriptors under the PATH arguments in git
// revision from with those in revision to; an empty revision means HEAD.
func diffRevisions(c *cli.Context, from, to, format string) error {
	if strings.HasPrefix(to, ".") {
		return usageErrorf("--rev %s: use A..B (the A...B form is not supported)", c.String("rev"))
	}
	from, to = cmp.Or(from, "HEAD"), cmp.Or(to, "HEAD")
	paths, err := pathArgs(c)
	if err != nil {
		return err
	}
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	olds, err := revisionDescriptors(wd, from, paths)
	if err != nil {
		return err
	}
	news, err := revisionDescriptors(wd, to, paths)
	if err != nil {
		return err
	}
	names := slices.Sorted(maps.Keys(olds))
	for name := range news {
		if _, ok := olds[name]; !ok {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	if len(names) == 0 {
		return usageErrorf("no descriptors under %s in %s or %s", strings.Join(paths, ", "), from, to)
	}
	color := colorEnabled(c, c.App.Writer)
	var all [][]config.Change
	for _, name := range names {
		a := diffview.Side{Name: name + "@" + from, Descriptor: olds[name]}
		b := diffview.Side{Name: name + "@" + to, Descriptor: news[name]}
		changes, err := diffview.Write(c.App.Writer, format, a, b, color)
		if err != nil {
			return err
		}
		all = append(all, changes)
	}
	return diffDone(c, format, all)
}

// revisionDescriptors reads and validates the descriptors under paths in
// git revision rev, by name; an invalid one is reported and makes the
// command exit 2.
func revisionDescriptors(wd, rev string, paths []string) (map[string]*config.Descriptor, error) {
	files, err := workspace.DescriptorsAtRevision(wd, rev, paths)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*config.Descriptor, len(files))
	for _, r := range schema.ValidateBlobs(files, 0) {
		if r.Descriptor == nil {
			return nil, usageErrorf("%s: the version in %s is not a valid descriptor; see scopectl app validate", r.Path, rev)
		}
		out[r.Path] = r.Descriptor
	}
	return out, nil
}
