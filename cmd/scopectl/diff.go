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
	"github.com/scopectl/scopectl/sync/gitrepo"
	"github.com/scopectl/scopectl/sync/transfer"
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
json and patch print one JSON array with an entry for each file that
differs: path, from, to and changes (for two files, named after the
second).

Exit status: 0 no difference, 1 different, 2 usage or invalid input,
3 server unreachable or credentials refused.`,
		Flags: []cli.Flag{
			serverFlag(), passwordFileFlag(), timeoutFlag(), noColorFlag(),
			&cli.StringFlag{Name: formatFlagName, Value: "semantic", Usage: "output `FORMAT`: semantic (or text), unified, json, patch or github", EnvVars: []string{"SCOPECTL_DIFF_FORMAT", "SCOPECTL_FORMAT"}, Category: "Output"},
			revFlag(),
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
	if c.NArg() == 2 {
		defer collectLessOften(diffGCPercent)()
	}
	files, locals, err := diffInputs(c)
	if err != nil {
		return err
	}
	color := colorEnabled(c, c.App.Writer)
	switch {
	case c.NArg() == 2:
		return diffTwoFiles(c, format, files, locals, color)
	case c.String("rev") != "":
		return diffRevision(c, c.String("rev"), files, locals, format, color)
	}
	return diffServer(c, format, files, locals, color)
}

// diffGCPercent is the GOGC of a diff of two files. Two files of at most
// config.MaxFileSize are read, compared and dropped at exit: nearly all
// that is allocated stays live, so a collection finds little garbage.
// Collecting less often saves about a fifth of the time of a diff of two
// 10,000-element files (docs/benchmarks.md).
const diffGCPercent = 400

// diffInputs reads the local descriptors a diff compares: the files
// named, or every descriptor in mobilefirst/.
func diffInputs(c *cli.Context) ([]string, []*config.Descriptor, error) {
	files, err := descriptorFiles(c)
	if c.NArg() == 2 {
		files = c.Args().Slice() // two files are compared as named, even the same one twice
	}
	if err != nil {
		return nil, nil, err
	}
	locals, err := readDescriptors(c, files)
	return files, locals, err
}

// diffTwoFiles compares two local files with each other; in json and
// patch the entry is named after the second.
func diffTwoFiles(c *cli.Context, format string, files []string, locals []*config.Descriptor, color bool) error {
	a, b := diffview.Side{Name: files[0], Descriptor: locals[0]}, diffview.Side{Name: files[1], Descriptor: locals[1]}
	out := diffview.NewFiles(c.App.Writer, format, color)
	if err := out.Add(files[1], a, b); err != nil {
		return err
	}
	return diffExit(out.Close())
}

// diffServer compares each local descriptor with the server's version:
// what a push would change.
func diffServer(c *cli.Context, format string, files []string, locals []*config.Descriptor, color bool) error {
	cl, target, err := connect(c, client.ScopeRead)
	if err != nil {
		return err
	}
	out := diffview.NewFiles(c.App.Writer, format, color)
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
		if err := out.Add(relative(files[i]), server, local); err != nil {
			return err
		}
	}
	return diffExit(out.Close())
}

// readDescriptors decodes files, concurrently; invalid ones are reported
// as app validate reports them and make the command exit 2. Warnings are
// not looked for: see schema.DecodeFiles.
func readDescriptors(c *cli.Context, files []string) ([]*config.Descriptor, error) {
	reports, ok := reportInvalid(c, schema.DecodeFiles(files, 0))
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
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	olds, err := revisionDescriptors(wd, rev, files)
	if err != nil {
		return err
	}
	out := diffview.NewFiles(c.App.Writer, format, color)
	for i, path := range files {
		name := relative(path)
		old := diffview.Side{Name: name + "@" + rev, Descriptor: olds[name]}
		if old.Descriptor == nil {
			old.Name += " (not there)"
		}
		cur := diffview.Side{Name: name, Descriptor: locals[i]}
		if err := out.Add(name, old, cur); err != nil {
			return err
		}
	}
	return diffExit(out.Close())
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
	out := diffview.NewFiles(c.App.Writer, format, colorEnabled(c, c.App.Writer))
	for _, name := range names {
		a := diffview.Side{Name: name + "@" + from, Descriptor: olds[name]}
		b := diffview.Side{Name: name + "@" + to, Descriptor: news[name]}
		if err := out.Add(name, a, b); err != nil {
			return err
		}
	}
	return diffExit(out.Close())
}

// revisionDescriptors reads and validates the descriptors under paths in
// git revision rev, by name; an invalid one is reported and makes the
// command exit 2.
func revisionDescriptors(wd, rev string, paths []string) (map[string]*config.Descriptor, error) {
	files, err := gitrepo.DescriptorsAtRevision(wd, rev, paths)
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
