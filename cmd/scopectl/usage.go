package main

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/scopectl/scopectl/cmd/internal/cliargs"
	"github.com/scopectl/scopectl/cmd/internal/exitcode"
	"github.com/scopectl/scopectl/config"
)

// exitError carries an exit code; an empty message means the command has
// already said everything.
type exitError = exitcode.Error

func failed() error { return &exitError{Code: exitFailed} }

func usageErrorf(format string, args ...any) error {
	return exitcode.Errorf(exitUsage, format, args...)
}

// wireUsage makes every command report bad flags, unknown subcommands and
// unexpected arguments as usage errors (exit 2) in one line, instead of
// printing its help.
func wireUsage(cmd *cli.Command) {
	cmd.OnUsageError = usageError
	switch {
	case len(cmd.Subcommands) > 0 && cmd.Action == nil:
		cmd.Action = groupAction
	case cmd.ArgsUsage == "" && cmd.Action != nil:
		cmd.Action = noArguments(cmd.Action)
	}
	for _, sub := range cmd.Subcommands {
		wireUsage(sub)
	}
}

// noArguments wraps the action of a command that takes no positional
// arguments so that a stray one is refused, not ignored.
func noArguments(action cli.ActionFunc) cli.ActionFunc {
	return func(c *cli.Context) error {
		if c.Args().Present() {
			return usageErrorf("%s takes no arguments (got %q)", c.Command.HelpName, c.Args().First())
		}
		return action(c)
	}
}

// groupAction runs for the app or a command group when no subcommand
// matched: help without arguments, a usage error with one.
func groupAction(c *cli.Context) error {
	if !c.Args().Present() {
		return cli.ShowSubcommandHelp(c)
	}
	name := c.Args().First()
	commands := c.App.Commands
	if c.Command != nil && c.Command.Name != "" {
		commands = c.Command.Subcommands
	}
	var names []string
	for _, cmd := range commands {
		if !cmd.Hidden {
			names = append(names, cmd.Names()...)
		}
	}
	helpName := c.App.Name
	if c.Command != nil && c.Command.HelpName != "" {
		helpName = c.Command.HelpName
	}
	if best := config.Suggest(name, names); best != "" {
		return usageErrorf("unknown command %q; did you mean %q? (see %s --help)", name, best, helpName)
	}
	return usageErrorf("unknown command %q; see %s --help", name, helpName)
}

// Messages of the standard flag package, as urfave/cli passes them on.
var (
	undefinedFlag = regexp.MustCompile(`^flag provided but not defined: -+(.*)$`)
	badFlagValue  = regexp.MustCompile(`^invalid value "(.*)" for flag -+([^:]*): (.*)$`)
	missingValue  = regexp.MustCompile(`^flag needs an argument: -+(.*)$`)
)

// usageError turns urfave/cli's and the flag package's parse errors into
// one line that names flags as users type them (--jobs, not -jobs) and
// suggests the flag a typo meant.
func usageError(c *cli.Context, err error, _ bool) error {
	msg := err.Error()
	if m := undefinedFlag.FindStringSubmatch(msg); m != nil {
		msg = "unknown flag " + dashes(m[1])
		if m[1] == "json" {
			msg += "; use --format json"
		} else if best := config.Suggest(m[1], flagNames(c)); best != "" {
			msg += "; did you mean " + dashes(best) + "?"
		}
	} else if m := badFlagValue.FindStringSubmatch(msg); m != nil {
		msg = fmt.Sprintf("invalid value %q for %s: %s", m[1], dashes(m[2]), flagValueProblem(cliargs.LookupFlag(commandFlags(c), m[2]), m[3]))
	} else if m := missingValue.FindStringSubmatch(msg); m != nil {
		msg = dashes(m[1]) + " needs a value"
	}
	return &exitError{Code: exitUsage, Msg: msg}
}

// flagValueProblem says in words why the flag package refused a value
// for f (nil if unknown).
func flagValueProblem(f cli.Flag, reason string) string {
	switch f.(type) {
	case *cli.DurationFlag:
		return "not a duration such as 30s or 2m"
	case *cli.IntFlag, *cli.Int64Flag, *cli.UintFlag:
		return "not a whole number"
	case *cli.BoolFlag:
		return "use true or false"
	}
	return strings.TrimPrefix(reason, "parse error: ")
}

// commandFlags returns the flags of the context's command (or the app).
func commandFlags(c *cli.Context) []cli.Flag {
	if c.Command != nil && c.Command.Name != "" {
		return c.Command.Flags
	}
	return c.App.Flags
}

// flagNames lists the flags a command (or the app) accepts.
func flagNames(c *cli.Context) []string {
	var names []string
	for _, f := range commandFlags(c) {
		names = append(names, f.Names()...)
	}
	return names
}

// dashes writes a flag name as it is typed: -j, --jobs.
func dashes(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}
