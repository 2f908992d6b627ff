// Command scopectl keeps MobileFirst-style application descriptors in git:
// it validates and formats them, and (in later commands) pulls, diffs and
// pushes them against scoped servers.
package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/scopectl/scopectl/cmd/internal/buildinfo"
	"github.com/scopectl/scopectl/cmd/internal/cliargs"
	"github.com/scopectl/scopectl/cmd/internal/exitcode"
)

// rawArgCommands are run by git with file paths as arguments; their
// command lines are passed on untouched.
var rawArgCommands = map[string]bool{"git diff-driver": true, "git textconv": true}

// Exit codes: the table shared with scoped (cmd/internal/exitcode).
const (
	exitOK       = exitcode.OK
	exitFailed   = exitcode.Failed
	exitUsage    = exitcode.Usage
	exitServer   = exitcode.Unavailable
	exitConflict = exitcode.Conflict
)

func main() {
	os.Exit(run(os.Args, os.Stdin, os.Stdout, os.Stderr))
}

// run executes the command line args and returns the process exit code.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	app := newApp(stdin, stdout, stderr)
	err := app.Run(cliargs.Normalize(app, args, rawArgCommands))
	if err == nil {
		return exitOK
	}
	code := exitCode(err)
	if strings.HasPrefix(err.Error(), "Required flag") { // urfave/cli's own check, before any action
		code = exitUsage
	}
	if msg := err.Error(); msg != "" {
		fmt.Fprintf(stderr, "scopectl: %s\n", msg)
	}
	return code
}

func newApp(stdin io.Reader, stdout, stderr io.Writer) *cli.App {
	app := &cli.App{
		Name:    "scopectl",
		Usage:   "keep mobile-application security configuration in git and in sync with servers",
		Version: buildinfo.Read(version).String(),
		Reader:  stdin,
		Writer:  stdout,
		// ErrWriter receives urfave/cli's own messages (help, usage errors).
		ErrWriter:            stderr,
		EnableBashCompletion: true,
		Flags:                []cli.Flag{noColorFlag()},
		Commands:             []*cli.Command{appCommand(), serverCommand(), tokenCommand(), gitCommand(), hookCommand(), schemaCommand(), versionCommand(), completionCommand()},
		ExitErrHandler:       func(*cli.Context, error) {}, // run maps errors to codes
		OnUsageError:         usageError,
		Action:               groupAction,
	}
	for _, cmd := range app.Commands {
		wireUsage(cmd)
	}
	cli.VersionPrinter = func(c *cli.Context) { fmt.Fprintf(c.App.Writer, "scopectl %s\n", c.App.Version) }
	return app
}

// exitCode maps an error to the documented exit code.
func exitCode(err error) int { return exitcode.Of(err) }
