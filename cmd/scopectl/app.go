package main

import (
	"bytes"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"runtime/debug"

	"github.com/urfave/cli/v2"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/schema"
	"github.com/scopectl/scopectl/schema/report"
	"github.com/scopectl/scopectl/sync/gitrepo"
	"github.com/scopectl/scopectl/sync/workspace"
)

func appCommand() *cli.Command {
	return &cli.Command{
		Name:  "app",
		Usage: "work with application descriptors",
		Subcommands: []*cli.Command{
			appValidateCommand(),
			appFmtCommand(),
			appPullCommand(),
			appPushCommand(),
			appDiffCommand(),
			appHistoryCommand(),
			appRollbackCommand(),
			appExplainCommand(),
			appTokenCommand(),
			appDisableCommand(),
			appEnableCommand(),
		},
	}
}

func appValidateCommand() *cli.Command {
	return &cli.Command{
		Name:      "validate",
		Usage:     "check descriptors against the schema and lint rules",
		ArgsUsage: "[PATH...]",
		Description: `Validates descriptor files, or every *.json file under directories
(default: mobilefirst/). Each finding names file:line:column, the JSON
pointer, the rule, and how to fix it.

With --known-checks FILE (the list a server publishes at
/RUNTIME/api/az/v1/securitychecks), it also warns of every scope element
that leads to a security check that server does not have.

With --staged, checks what the next commit records instead of the working
tree: the staged content (git index, read with go-git) of every descriptor
under PATH that the commit adds or changes. This is the pre-commit check
(see scopectl hook install).

Exit status: 0 all valid, 1 any invalid (warnings only with --strict),
2 usage error or unreadable path.`,
		Flags:  []cli.Flag{formatFlag(report.Formats...), strictFlag(), stagedFlag(), jobsFlag(), knownChecksFlag(), noColorFlag()},
		Action: validateAction,
	}
}

func validateAction(c *cli.Context) error {
	format, err := outputFormat(c, report.Formats...)
	if err != nil {
		return err
	}
	reports, err := validateReports(c)
	if err != nil {
		return err
	}
	known, err := knownChecks(c)
	if err != nil {
		return err
	}
	opt := report.Options{Color: colorEnabled(c, c.App.Writer), Strict: c.Bool(strictFlagName)}
	out, err := report.NewWriter(c.App.Writer, format, opt)
	if err != nil {
		return err
	}
	defer collectLessOften(validateGCPercent)()
	unreadable := false
	for r := range reports { // each report is written and dropped, not kept
		if known != nil {
			r.LintChecks(known, config.SeverityWarning)
		}
		unreadable = unreadable || r.Err != nil
		if err := out.Add(r); err != nil {
			return err
		}
	}
	if err := out.Close(); err != nil {
		return err
	}
	if format == "text" {
		printSummary(c, out.Summary())
	}
	return validateExit(out.Summary(), unreadable)
}

// collectLessOften sets the garbage collector's GOGC to percent unless
// the environment sets it, and returns what restores it: for a command
// whose live heap is small beside what it allocates (see validateGCPercent
// and diffGCPercent).
func collectLessOften(percent int) (restore func()) {
	if os.Getenv("GOGC") != "" {
		return func() {}
	}
	was := debug.SetGCPercent(percent)
	return func() { debug.SetGCPercent(was) }
}

// validateGCPercent is the GOGC of app validate. Validation keeps about
// 2 MB live (the compiled schemas) and allocates about 30 KB per file, so
// the default collected every 2 MB, a large share of the CPU time of a
// run over many files. 400 saved a little more CPU but its peak RSS
// varied from run to run by up to 9 MB; with 200 it is about 24 MB for
// 1,000 files and 30 MB for 10,000 (docs/benchmarks.md).
const validateGCPercent = 200

// validateReports validates the descriptors named by the arguments, as
// files or, with --staged, as staged in git. The paths are read and listed
// at once; the files are validated as the reports are read.
func validateReports(c *cli.Context) (iter.Seq[*schema.Report], error) {
	if c.Bool(stagedFlagName) {
		return validateStaged(c)
	}
	schema.Preload() // compile while the directories are listed (15 ms for 10,000 files)
	files, err := descriptorFiles(c)
	if err != nil {
		return nil, err
	}
	return schema.EachFile(files, c.Int(jobsFlagName)), nil
}

func validateStaged(c *cli.Context) (iter.Seq[*schema.Report], error) {
	paths, err := pathArgs(c)
	if err != nil {
		return nil, err
	}
	wd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	schema.Preload() // compile while go-git reads the index and blobs
	staged, err := gitrepo.StagedDescriptors(wd, os.Getenv("GIT_INDEX_FILE"), paths)
	if err != nil {
		return nil, err
	}
	return schema.EachBlob(staged, c.Int(jobsFlagName)), nil
}

// validateExit maps the outcome to the exit status: usage when a file
// could not be read, else failed when one is invalid.
func validateExit(s report.Summary, unreadable bool) error {
	if unreadable {
		return &exitError{Code: exitUsage}
	}
	if s.Invalid > 0 {
		return failed()
	}
	return nil
}

func printSummary(c *cli.Context, s report.Summary) {
	if s.Files == 0 && c.Bool(stagedFlagName) {
		fmt.Fprintln(c.App.ErrWriter, "no staged descriptor changes to check")
		return
	}
	files := plural(s.Files, "file", "files")
	if s.Invalid == 0 {
		fmt.Fprintf(c.App.ErrWriter, "%d %s valid (%s)\n", s.Files, files, plural(s.Warnings, "1 warning", fmt.Sprintf("%d warnings", s.Warnings)))
		return
	}
	fmt.Fprintf(c.App.ErrWriter, "%d of %d %s invalid (%s, %s)\n", s.Invalid, s.Files, files,
		plural(s.Errors, "1 error", fmt.Sprintf("%d errors", s.Errors)),
		plural(s.Warnings, "1 warning", fmt.Sprintf("%d warnings", s.Warnings)))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// descriptorFiles expands the command's PATH arguments (default
// mobilefirst/) into descriptor files.
func descriptorFiles(c *cli.Context) ([]string, error) {
	paths, err := pathArgs(c)
	if err != nil {
		return nil, err
	}
	return workspace.FindDescriptors(paths)
}

// validDescriptors validates files and returns their reports; when one is
// invalid it reports the invalid ones on stderr and returns ok false.
func validDescriptors(c *cli.Context, files []string) (reports []*schema.Report, ok bool) {
	return reportInvalid(c, schema.ValidateFiles(files, 0))
}

// reportInvalid reports the invalid ones of reports on stderr and returns
// reports, with ok false when there was one.
func reportInvalid(c *cli.Context, reports []*schema.Report) (_ []*schema.Report, ok bool) {
	var bad []*schema.Report
	for _, r := range reports {
		if report.Failed(r, false) {
			bad = append(bad, r)
		}
	}
	if len(bad) > 0 {
		report.Write(c.App.ErrWriter, "text", bad, report.Options{Color: colorEnabled(c, c.App.ErrWriter)})
	}
	return reports, len(bad) == 0
}

// pathArgs returns the PATH arguments, or the default descriptor folder.
func pathArgs(c *cli.Context) ([]string, error) {
	if c.NArg() == 0 {
		wd, _ := os.Getwd()
		dir := filepath.Join(workspace.FindProject(wd).Root, workspace.DefaultDir)
		if rel, err := filepath.Rel(wd, dir); err == nil {
			dir = rel // messages name files as the user would type them
		}
		return []string{dir}, nil
	}
	return c.Args().Slice(), nil
}

func appFmtCommand() *cli.Command {
	return &cli.Command{
		Name:      "fmt",
		Usage:     "rewrite descriptors in canonical form",
		ArgsUsage: "[PATH...]",
		Description: `Rewrites descriptor files (default: every *.json under mobilefirst/) in
the canonical form that pull writes and the server stores: members in
file-format order, map keys sorted, scope elements sorted and
de-duplicated, 2-space indentation, final newline. Formatting never
changes meaning; files that do not parse or match the schema are left
alone and reported.

With --check nothing is written: files that are not canonical are listed
and the exit status is 1.`,
		Flags:  []cli.Flag{checkFlag(), noColorFlag()},
		Action: fmtAction,
	}
}

func fmtAction(c *cli.Context) error {
	files, err := descriptorFiles(c)
	if err != nil {
		return err
	}
	var broken []*schema.Report
	unformatted := 0
	for _, path := range files {
		changed, r := fmtFile(path, c.Bool(checkFlagName))
		switch {
		case r != nil:
			broken = append(broken, r)
		case changed:
			fmt.Fprintln(c.App.Writer, path)
			unformatted++
		}
	}
	if len(broken) > 0 {
		_ = report.Write(c.App.ErrWriter, "text", broken, report.Options{Color: colorEnabled(c, c.App.ErrWriter)})
		return usageErrorf("%d %s could not be formatted; see above", len(broken), plural(len(broken), "file", "files"))
	}
	if c.Bool(checkFlagName) && unformatted > 0 {
		return failed()
	}
	return nil
}

// fmtFile formats one file, writing it unless check is set. It returns
// whether the file was (or would be) changed, or the report of a file that
// cannot be formatted or written.
func fmtFile(path string, check bool) (changed bool, broken *schema.Report) {
	src, out, r := schema.FormatFile(path)
	if out == nil {
		return false, r
	}
	if bytes.Equal(src, out) {
		return false, nil
	}
	if !check {
		if err := workspace.ReplaceFile(path, out); err != nil {
			return false, &schema.Report{Path: path, Err: err}
		}
	}
	return true, nil
}

func schemaCommand() *cli.Command {
	return &cli.Command{
		Name:  "schema",
		Usage: "print the descriptor JSON Schema (draft 2020-12), for editors",
		Action: func(c *cli.Context) error {
			_, err := c.App.Writer.Write(schema.Source())
			return err
		},
	}
}
