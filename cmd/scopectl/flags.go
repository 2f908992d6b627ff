package main

import (
	"encoding/json"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
)

// Flag names, for reading values in actions.
const (
	noColorFlagName  = "no-color"
	formatFlagName   = "format"
	strictFlagName   = "strict"
	jobsFlagName     = "jobs"
	checkFlagName    = "check"
	stagedFlagName   = "staged"
	programFlagName  = "program"
	gitColorFlagName = "color"
)

// Every flag is defined once here, with its SCOPECTL_* environment variable.
// They are built anew for each App because urfave/cli records state in
// flag and command values while it runs.
func noColorFlag() cli.Flag {
	return &cli.BoolFlag{
		Name:    noColorFlagName,
		Usage:   "never colour the output (also NO_COLOR set to anything)",
		EnvVars: []string{"SCOPECTL_NO_COLOR"},
	}
}

// Output formats a command may offer with --format.
const (
	formatText   = "text"
	formatJSON   = "json"
	formatGitHub = "github"
)

// formatFlag is the one machine-output flag of every command: --format
// with the formats the command offers, the first being the default.
// SCOPECTL_FORMAT sets it for every command at once (for CI scripts).
func formatFlag(formats ...string) cli.Flag {
	return &cli.StringFlag{
		Name:     formatFlagName,
		Usage:    "output `FORMAT`: " + strings.Join(formats, ", "),
		Value:    formats[0],
		EnvVars:  []string{"SCOPECTL_FORMAT"},
		Category: "Output",
	}
}

// outputFormat returns the command's --format, refusing one it does not
// offer.
func outputFormat(c *cli.Context, formats ...string) (string, error) {
	f := c.String(formatFlagName)
	if !slices.Contains(formats, f) {
		return "", usageErrorf("unknown --format %q; use %s", f, orList(formats))
	}
	return f, nil
}

// orList writes "a, b or c".
func orList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// writeJSON writes v as indented JSON, the machine output of every command.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func strictFlag() cli.Flag {
	return &cli.BoolFlag{
		Name:     strictFlagName,
		Usage:    "fail on warnings too",
		EnvVars:  []string{"SCOPECTL_STRICT"},
		Category: "Validation",
	}
}

func jobsFlag() cli.Flag {
	return &cli.IntFlag{
		Name:        jobsFlagName,
		Aliases:     []string{"j"},
		Usage:       "validate `N` files at once",
		DefaultText: "number of CPUs",
		EnvVars:     []string{"SCOPECTL_JOBS"},
		Category:    "Validation",
	}
}

func stagedFlag() cli.Flag {
	return &cli.BoolFlag{
		Name:     stagedFlagName,
		Usage:    "check the content staged in git (what the next commit records), not the working tree",
		EnvVars:  []string{"SCOPECTL_STAGED"},
		Category: "Validation",
	}
}

func programFlag() cli.Flag {
	return &cli.StringFlag{
		Name:    programFlagName,
		Value:   "scopectl",
		Usage:   "how git should run scopectl: a `COMMAND` on PATH, or a path (made absolute)",
		EnvVars: []string{"SCOPECTL_PROGRAM"},
	}
}

func gitColorFlag() cli.Flag {
	return &cli.StringFlag{
		Name:    gitColorFlagName,
		Value:   "auto",
		Usage:   "colour `WHEN`: auto (as git decides for its own diff), always or never",
		EnvVars: []string{"SCOPECTL_GIT_COLOR"},
	}
}

func checkFlag() cli.Flag {
	return &cli.BoolFlag{
		Name:    checkFlagName,
		Usage:   "change nothing; list files that are not canonical and exit 1 if any",
		EnvVars: []string{"SCOPECTL_CHECK"},
	}
}

// colorEnabled reports whether output to w may be coloured: only on a
// terminal, and never with --no-color (global or the command's) or
// NO_COLOR.
func colorEnabled(c *cli.Context, w io.Writer) bool {
	for _, ctx := range c.Lineage() {
		if ctx.Bool(noColorFlagName) {
			return false
		}
	}
	if os.Getenv("NO_COLOR") != "" { // no-color.org: any non-empty value
		return false
	}
	return isTerminalWriter(w)
}

// isTerminalWriter reports whether w is a terminal (not merely a
// character device such as /dev/null); tests replace it.
var isTerminalWriter = func(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && isTerminal(f)
}

// The flags of one command each. Their variables name the command, so
// that one set for a step of a CI job (SCOPECTL_PUSH_FORCE) never changes
// what another command does.

func allFlag() cli.Flag {
	return &cli.BoolFlag{Name: "all", Usage: "pull every application of the runtime", EnvVars: []string{"SCOPECTL_PULL_ALL"}}
}

// forceFlag is --force of command, with the variable SCOPECTL_COMMAND_FORCE.
func forceFlag(command, usage string) cli.Flag {
	return &cli.BoolFlag{Name: "force", Usage: usage, EnvVars: []string{"SCOPECTL_" + strings.ToUpper(command) + "_FORCE"}}
}

func dryRunFlag() cli.Flag {
	return &cli.BoolFlag{Name: "dry-run", Usage: "ask the server what would change; change nothing", EnvVars: []string{"SCOPECTL_PUSH_DRY_RUN"}}
}

func rollbackToFlag() cli.Flag {
	return &cli.Int64Flag{Name: "to", Usage: "revision `N` to return to", Required: true, EnvVars: []string{"SCOPECTL_ROLLBACK_TO"}}
}

func revFlag() cli.Flag {
	return &cli.StringFlag{
		Name:    "rev",
		Usage:   "compare with git revision `REV` (HEAD, a branch, a tag, a hash), or revision A with B (A..B), instead of the server",
		EnvVars: []string{"SCOPECTL_DIFF_REV"},
	}
}

func serverURLFlag() cli.Flag {
	return &cli.StringFlag{Name: "url", Usage: "server `URL`, e.g. https://scoped.example.com", Required: true, EnvVars: []string{"SCOPECTL_SERVER_URL"}}
}

func runtimeFlag() cli.Flag {
	return &cli.StringFlag{Name: "runtime", Value: "mfp", Usage: "`RUNTIME` name", EnvVars: []string{"SCOPECTL_SERVER_RUNTIME"}}
}

func setDefaultFlag() cli.Flag {
	return &cli.BoolFlag{Name: "setdefault", Usage: "make it the default server", EnvVars: []string{"SCOPECTL_SERVER_SETDEFAULT"}}
}
