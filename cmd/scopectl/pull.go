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
		Usage:     "bring the server's descriptors into mobilefirst/, merging local edits",
		ArgsUsage: "[FILE | APPID/PLATFORM/VERSION...]",
		Description: `Writes the canonical descriptor of each named application (by its file
or APPID/PLATFORM/VERSION; with --all, of every application of the runtime;
with neither, of every application that already has a file in
mobilefirst/) atomically, and records the server's revision in .scopectl/
as the base for conflict-safe pushes.

A file with local edits is never overwritten: the server's changes are
merged into it (three-way with the recorded base, or, in a fresh clone,
with the server revision the file or its git HEAD version equals; two-way
otherwise). Members changed on both sides are left between conflict
markers, listed, and the command exits 4: keep one side of each, delete
the markers, then push. --force replaces local edits with the server's
version.

Everything the server sends is checked first (keys, schema, application);
a bad answer changes no file (exit 3).

Exit status: 0 pulled or merged, 2 usage, 3 server unreachable, refused
credentials or a bad answer, 4 conflicts left to resolve.`,
		Flags: []cli.Flag{
			serverFlag(), passwordFileFlag(), timeoutFlag(),
			allFlag(),
			forceFlag("pull", "overwrite local edits"),
			formatFlag(formatText, formatJSON),
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
	format, err := outputFormat(c, formatText, formatJSON)
	if err != nil {
		return err
	}
	wd, _ := os.Getwd()
	proj := workspace.FindProject(wd)
	cl, target, err := connect(c, client.ScopeRead)
	if err != nil {
		return err
	}
	keys, local, err := pullKeys(c, cl, proj, target)
	if err != nil {
		return err
	}
	prog := startProgress(c, "pulling", len(keys))
	files, err := transfer.Pull(c.Context, cl, proj, target, keys, transfer.PullOptions{
		Force: c.Bool("force"), Progress: func(k config.AppKey) { prog.step(k.String()) }, Local: local,
	})
	prog.finish()
	if format == formatJSON {
		if jerr := writeJSON(c.App.Writer, pullReport(target, files)); jerr != nil {
			return jerr
		}
	} else {
		printPulled(c, files, target)
	}
	return pullResult(files, err)
}

// pullResult is the error a pull ends with: the pull's own, or the files
// merged with conflict markers.
func pullResult(files []transfer.PullFile, err error) error {
	conflicts := 0
	for _, f := range files {
		if f.Outcome == transfer.PullConflict {
			conflicts++
		}
	}
	switch {
	case err != nil && len(files) == 0:
		return fmt.Errorf("%w; no file was changed", err)
	case err != nil:
		return err
	case conflicts > 0:
		return config.Errorf(config.KindConflict, "%d %s merged with conflicts: keep one side of each conflict and delete the marker lines (scopectl app validate shows where they are), then scopectl app push", conflicts, plural(conflicts, "file", "files"))
	}
	return nil
}

// printPulled says what pull did to each file that changed or needs
// attention, then sums up on stderr.
func printPulled(c *cli.Context, files []transfer.PullFile, target transfer.Target) {
	w := c.App.Writer
	count := map[transfer.PullOutcome]int{}
	for _, f := range files {
		count[f.Outcome]++
		name := relative(f.Path)
		switch f.Outcome {
		case transfer.PullWritten:
			fmt.Fprintf(w, "pulled %s (revision %d)\n", name, f.Revision)
		case transfer.PullMerged:
			fmt.Fprintf(w, "merged %s: your edits and the server's revision %d\n", name, f.Revision)
		case transfer.PullKept:
			fmt.Fprintf(w, "kept %s: its edits are not pushed yet; the server has nothing new (revision %d)\n", name, f.Revision)
		case transfer.PullConflict:
			fmt.Fprintf(w, "merged %s with the server's revision %d; %d %s marked in the file:\n", name, f.Revision, len(f.Conflicts), plural(len(f.Conflicts), "conflict", "conflicts"))
			for _, cf := range f.Conflicts {
				fmt.Fprintf(w, "  %s: local %s, server %s\n", cf.Path, show(cf.Local), show(cf.Server))
			}
		}
	}
	if len(files) == 0 {
		return
	}
	parts := summaryParts(count, []transfer.PullOutcome{transfer.PullWritten, transfer.PullMerged, transfer.PullConflict, transfer.PullKept, transfer.PullUnchanged},
		map[transfer.PullOutcome]string{transfer.PullWritten: "pulled", transfer.PullMerged: "merged", transfer.PullConflict: "with conflicts", transfer.PullKept: "kept with local edits", transfer.PullUnchanged: "up to date"})
	fmt.Fprintf(c.App.ErrWriter, "%d %s from %s: %s\n", len(files), plural(len(files), "application", "applications"), target.URL, parts)
}

// summaryParts writes counts in a fixed order, "2 pulled, 15 up to date",
// leaving out zeros.
func summaryParts[K ~string](count map[K]int, order []K, words map[K]string) string {
	var parts []string
	for _, k := range order {
		if count[k] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", count[k], words[k]))
		}
	}
	return strings.Join(parts, ", ")
}

// pulledFile is one file of pull --format json.
type pulledFile struct {
	File        string               `json:"file"`
	Application string               `json:"application"`
	Outcome     transfer.PullOutcome `json:"outcome"`
	Revision    int64                `json:"revision"`
	Conflicts   []config.Conflict    `json:"conflicts,omitempty"`
}

// transferReport is the --format json output of pull and push.
type transferReport[F any] struct {
	Server  string `json:"server"`
	Runtime string `json:"runtime"`
	Files   []F    `json:"files"`
}

func pullReport(target transfer.Target, files []transfer.PullFile) transferReport[pulledFile] {
	out := transferReport[pulledFile]{Server: target.URL, Runtime: target.Runtime, Files: []pulledFile{}}
	for _, f := range files {
		out.Files = append(out.Files, pulledFile{relative(f.Path), f.Key.String(), f.Outcome, f.Revision, f.Conflicts})
	}
	return out
}

// pullKeys returns the applications to pull, and the project files read
// to find them, which pull does not read again.
func pullKeys(c *cli.Context, cl *client.Client, proj workspace.Project, target transfer.Target) ([]config.AppKey, []transfer.LocalFile, error) {
	switch {
	case c.Bool("all"):
		keys, err := transfer.AllKeys(c.Context, cl, target)
		return keys, nil, err
	case c.NArg() > 0:
		return pullArgs(proj, c.Args().Slice())
	}
	local, err := transfer.LocalFiles(proj)
	if err == nil && len(local) == 0 {
		err = usageErrorf("nothing to pull: name an application (APPID/PLATFORM/VERSION) or use --all")
	}
	keys := make([]config.AppKey, len(local))
	for i, f := range local {
		keys[i] = f.Key
	}
	return keys, local, err
}

// pullArgs reads the arguments of pull (appArg): a FILE must be the
// project's descriptor of its application.
func pullArgs(proj workspace.Project, args []string) ([]config.AppKey, []transfer.LocalFile, error) {
	var keys []config.AppKey
	var local []transfer.LocalFile
	for _, a := range args {
		key, file, err := appArg(a)
		if err == nil && file != "" {
			var f transfer.LocalFile
			f, err = transfer.ReadLocalFile(proj, file)
			key, local = f.Key, append(local, f)
		}
		if err != nil {
			return nil, nil, err
		}
		keys = append(keys, key)
	}
	return keys, local, nil
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
