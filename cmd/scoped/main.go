// Command scoped is the scopectl server: the admin API whose apply endpoint
// validates and stores every revision of an application descriptor, and the
// OAuth 2.0 authorization server that protects it.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/urfave/cli/v2"

	"github.com/scopectl/scopectl/cmd/internal/buildinfo"
	"github.com/scopectl/scopectl/cmd/internal/cliargs"
	"github.com/scopectl/scopectl/cmd/internal/exitcode"
)

// version is set at link time by release builds
// (-ldflags "-X main.version=v1.2.3"); otherwise the module's.
var version string

func main() {
	tuneGC(os.Getenv)
	os.Exit(run(os.Args, os.Stdout, os.Stderr))
}

// gcPercent is scoped's garbage collection target (GOGC) unless the
// environment sets one: a collection when the heap has grown by twice
// what was live after the last, not once. scoped keeps a few megabytes
// live and allocates a few kilobytes per request, so at Go's default of
// 100 it collected dozens of times a second under load, and introspection
// ran up to a fifth slower (docs/benchmarks.md). The heap may reach three
// times the live data instead of two; GOMEMLIMIT, if set, still caps it.
const gcPercent = 200

// tuneGC sets the collector's target to gcPercent unless GOGC has a value
// in the environment that getenv reads (an empty GOGC is unset, as for
// the Go runtime).
func tuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
}

// run executes the command line args and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	return runContext(context.Background(), args, stdout, stderr)
}

// runContext is run until ctx is done: scoped serve then shuts down as
// on SIGTERM, which lets tests run it in-process.
func runContext(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	app := newApp(stdout, stderr)
	if err := app.RunContext(ctx, cliargs.Normalize(app, args, nil)); err != nil {
		fmt.Fprintf(stderr, "scoped: %v\n", err)
		return exitcode.Of(err)
	}
	return exitcode.OK
}

func newApp(stdout, stderr io.Writer) *cli.App {
	return &cli.App{
		Name:      "scoped",
		Usage:     "serve the scopectl admin API and authorization server",
		Version:   buildinfo.Read(version).String(),
		Writer:    stdout,
		ErrWriter: stderr,
		Flags:     serveFlags(),
		Action:    serveAction,
		Commands: []*cli.Command{
			keysCommand(),
		},
		ExitErrHandler: func(*cli.Context, error) {},
		OnUsageError: func(_ *cli.Context, err error, _ bool) error {
			return &exitcode.Error{Code: exitcode.Usage, Msg: err.Error()}
		},
	}
}
