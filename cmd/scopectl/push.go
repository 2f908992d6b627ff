package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/schema"
	"github.com/scopectl/scopectl/schema/report"
	"github.com/scopectl/scopectl/sync/api"
	"github.com/scopectl/scopectl/sync/client"
	"github.com/scopectl/scopectl/sync/transfer"
	"github.com/scopectl/scopectl/sync/workspace"
)

func appPushCommand() *cli.Command {
	return &cli.Command{
		Name:      "push",
		Usage:     "apply local descriptors to a server, conflict-safe",
		ArgsUsage: "[FILE...]",
		Description: `Validates every descriptor locally first (nothing is sent if one is
invalid, exit 1), shows what changes on the server, and applies each with
If-Match of the revision this copy was pulled or pushed at. If the server
has moved since and the changes touch different members, they are merged
and the merged result is pushed and written back; if they touch the same
members, nothing is pushed and each conflict is listed with its base, local
and server values (exit 4). Each server keeps its own base.

Exit status: 0 applied or nothing to do, 1 invalid or rejected, 2 usage,
3 server unreachable or credentials refused, 4 conflict.`,
		Flags: []cli.Flag{
			serverFlag(), passwordFileFlag(), timeoutFlag(),
			dryRunFlag(),
			forceFlag("push", "overwrite the server's version, whatever it is"),
			&cli.BoolFlag{Name: "yes", Aliases: []string{"y"}, Usage: "do not ask for confirmation (asked only on a terminal)", EnvVars: []string{"SCOPECTL_YES"}},
			formatFlag(formatText, formatJSON),
		},
		Action: pushAction,
	}
}

func pushAction(c *cli.Context) error {
	format, err := outputFormat(c, formatText, formatJSON)
	if err != nil {
		return err
	}
	files, err := descriptorFiles(c)
	if err != nil {
		return err
	}
	reports, ok := validDescriptors(c, files)
	if !ok {
		return &exitError{Code: exitFailed, Msg: "nothing pushed: fix the invalid descriptors first"}
	}
	cl, target, err := connect(c, client.ScopeWrite)
	if err != nil {
		return err
	}
	wd, _ := os.Getwd()
	proj := workspace.FindProject(wd)
	prog := startProgress(c, "pushing", len(reports))
	opt := pushOptions(c, target, prog)
	opt.Git = transfer.NewGitHead(proj) // opened once for every file
	var outcomes []*transfer.PushOutcome
	for _, r := range reports {
		prog.step(relative(r.Path))
		o, err := transfer.Push(c.Context, cl, proj, target, r.Path, r.Descriptor, opt)
		if err != nil {
			prog.finish()
			reportPush(c, format, target, outcomes)
			return serverRejection(c, r.Path, err)
		}
		outcomes = append(outcomes, o)
		if format == formatText {
			prog.clear(func() { printOutcome(c.App.Writer, o, target) })
		}
	}
	prog.finish()
	return pushDone(c, format, target, outcomes)
}

// pushOptions are the push flags, and a confirmation on a terminal
// unless --yes or --dry-run; the question pauses the progress line.
func pushOptions(c *cli.Context, target transfer.Target, prog *progress) transfer.PushOptions {
	opt := transfer.PushOptions{DryRun: c.Bool("dry-run"), Force: c.Bool("force")}
	if !c.Bool("yes") && !opt.DryRun && isTerminal(os.Stdin) {
		confirm := confirmer(c, target)
		opt.Confirm = func(o *transfer.PushOutcome) (yes bool) {
			prog.clear(func() { yes = confirm(o) })
			return yes
		}
	}
	return opt
}

// pushDone reports the whole push and fails when a file had conflicts.
func pushDone(c *cli.Context, format string, target transfer.Target, outcomes []*transfer.PushOutcome) error {
	if err := reportPush(c, format, target, outcomes); err != nil {
		return err
	}
	var conflicts []string
	for _, o := range outcomes {
		if o.Result == transfer.Conflict {
			conflicts = append(conflicts, relative(o.Path))
		}
	}
	if len(conflicts) > 0 {
		return config.Errorf(config.KindConflict, "not pushed because of conflicts, the server keeps its values: %s. Run scopectl app pull %s to merge the server's version into your edits (conflicting members get markers to resolve), then push again", strings.Join(conflicts, ", "), strings.Join(conflicts, " "))
	}
	return nil
}

// reportPush writes the JSON report, or the one summary line of the text
// format (the files were printed as they went).
func reportPush(c *cli.Context, format string, target transfer.Target, outcomes []*transfer.PushOutcome) error {
	if format == formatJSON {
		return writeJSON(c.App.Writer, pushReport(target, outcomes))
	}
	if len(outcomes) == 0 {
		return nil
	}
	count := map[transfer.PushResult]int{}
	for _, o := range outcomes {
		count[o.Result]++
	}
	parts := summaryParts(count, []transfer.PushResult{transfer.Applied, transfer.Merged, transfer.DryRun, transfer.Conflict, transfer.Skipped, transfer.Unchanged},
		map[transfer.PushResult]string{transfer.Applied: "pushed", transfer.Merged: "merged and pushed", transfer.DryRun: "would change", transfer.Conflict: "with conflicts", transfer.Skipped: "skipped", transfer.Unchanged: "up to date"})
	fmt.Fprintf(c.App.ErrWriter, "%d %s to %s: %s\n", len(outcomes), plural(len(outcomes), "file", "files"), target.URL, parts)
	return nil
}

// printOutcome prints what a push or a rollback did to one file. A push
// that found the file up to date prints nothing (the summary counts
// those); a rollback says the file already was that revision.
func printOutcome(w io.Writer, o *transfer.PushOutcome, target transfer.Target) {
	name := relative(o.Path)
	switch o.Result {
	case transfer.Unchanged:
		if o.Restored > 0 {
			fmt.Fprintf(w, "%s: already the same as revision %d (head revision %d); nothing changed\n", name, o.Restored, o.Revision)
		}
	case transfer.Conflict:
		fmt.Fprintf(w, "%s: conflicts with changes made on the server (revision %d):\n", name, o.Revision)
		for _, cf := range o.Conflicts {
			fmt.Fprintf(w, "  %s: base %s, local %s, server %s\n", cf.Path, show(cf.Base), show(cf.Local), show(cf.Server))
		}
	case transfer.Skipped:
		fmt.Fprintf(w, "%s: skipped\n", name)
	default:
		verb := map[transfer.PushResult]string{transfer.Applied: "pushed", transfer.Merged: "merged with changes made on the server and pushed", transfer.DryRun: "would push"}[o.Result]
		fmt.Fprintf(w, "%s: %s to %s, revision %d (%d %s)\n", name, verb, target.URL, o.Revision, len(o.Changes), plural(len(o.Changes), "change", "changes"))
		for _, ch := range o.Changes {
			fmt.Fprintf(w, "  %s\n", ch)
		}
	}
}

// pushedFile is one file of push --format json.
type pushedFile struct {
	File        string              `json:"file"`
	Application string              `json:"application"`
	Result      transfer.PushResult `json:"result"`
	Revision    int64               `json:"revision"`
	Changes     []config.Change     `json:"changes"`
	Conflicts   []config.Conflict   `json:"conflicts,omitempty"`
}

func pushReport(target transfer.Target, outcomes []*transfer.PushOutcome) transferReport[pushedFile] {
	out := transferReport[pushedFile]{Server: target.URL, Runtime: target.Runtime, Files: []pushedFile{}}
	for _, o := range outcomes {
		out.Files = append(out.Files, pushedFile{relative(o.Path), o.Key.String(), o.Result, o.Revision, append([]config.Change{}, o.Changes...), o.Conflicts})
	}
	return out
}

// serverRejection names the file in err and gives a descriptor the server
// refused (400, 413) exit status 1, "rejected", rather than the 2 of a
// usage error, after printing the server's findings as local validation
// prints its own.
func serverRejection(c *cli.Context, path string, err error) error {
	err = fmt.Errorf("%s: %w", relative(path), err)
	var inv *client.InvalidError
	if errors.As(err, &inv) {
		printServerFindings(c, path, inv.Findings)
	}
	if inv != nil || config.ErrorKind(err) == config.KindTooLarge {
		return &exitError{Code: exitFailed, Msg: err.Error()}
	}
	return err
}

// printServerFindings writes the findings of a server that refused the
// descriptor in path, as file:line:column lines. The server numbered the
// lines of what it was sent (the canonical form, or a merge); each
// finding is placed in the local file by its JSON pointer instead, at the
// nearest member the file has. The file is read again for that: this is
// the one failure of the command, and keeping every file's positions for
// it would cost more than one read.
func printServerFindings(c *cli.Context, path string, findings []api.Finding) {
	if len(findings) == 0 {
		return
	}
	src, _ := schema.ReadLimited(path)
	doc, _ := config.ParseDocument(src)
	r := &schema.Report{Path: relative(path)}
	for _, f := range findings {
		d := config.Diagnostic{Severity: f.Severity, Rule: f.Rule, Pointer: f.Pointer, Message: f.Message, Hint: f.Hint}
		d.Line, d.Column = f.Line, f.Column
		if doc != nil {
			d.Position = doc.NearestKeyPosition(f.Pointer)
		}
		r.Diagnostics = append(r.Diagnostics, d)
	}
	report.Write(c.App.ErrWriter, "text", []*schema.Report{r}, report.Options{Color: colorEnabled(c, c.App.ErrWriter)})
}

func show(v any) string {
	if v == nil {
		return "(absent)"
	}
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	if b, err := json.Marshal(v); err == nil {
		return string(b) // objects as JSON, not Go maps
	}
	return fmt.Sprint(v)
}

// confirmer asks on the terminal before each file's changes are applied.
func confirmer(c *cli.Context, target transfer.Target) func(o *transfer.PushOutcome) bool {
	in := bufio.NewReader(c.App.Reader)
	return func(o *transfer.PushOutcome) bool {
		for _, ch := range o.Changes {
			fmt.Fprintf(c.App.ErrWriter, "  %s\n", ch)
		}
		fmt.Fprintf(c.App.ErrWriter, "Push %d %s of %s to %s? [y/N] ", len(o.Changes), plural(len(o.Changes), "change", "changes"), relative(o.Path), target.URL)
		line, _ := in.ReadString('\n')
		return strings.EqualFold(strings.TrimSpace(line), "y") || strings.EqualFold(strings.TrimSpace(line), "yes")
	}
}

// isTerminal reports whether f is a terminal (not merely a character
// device such as /dev/null).
func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }
