// Package cliargs lets urfave/cli read flags anywhere on a command line,
// as users of git and kubectl expect: before or after the positional
// arguments, with `--` ending the flags. Both scopectl and scoped use it.
package cliargs

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// level is one command of a command line being normalized: the app or a
// (sub)command, with the flags it defines.
type level struct {
	path  string     // command names from the app down, "" for the app
	flags []cli.Flag // flags the level defines (help included)
	out   []string   // its name and the flags written for it
}

// Normalize rewrites a command line so that urfave/cli, which stops
// reading flags at the first positional argument, sees every flag: flags
// (with their values) move before the positional arguments of their
// command, a flag of an enclosing command (such as the global --no-color)
// moves to that command, and `--` still ends the flags. `help CMD...`
// becomes `CMD... --help`. Shell completion requests are left alone, and
// so are the arguments of the commands named in raw (by their path, such
// as "git textconv"), which other programs call with file names.
func Normalize(app *cli.App, args []string, raw map[string]bool) []string {
	if len(args) < 2 || args[len(args)-1] == "--generate-bash-completion" {
		return args
	}
	args = helpToFlag(args)
	levels := []*level{{flags: withHelp(app.Flags, true), out: args[:1:1]}}
	commands := app.Commands
	var positional []string
	ended := false
	for i := 1; i < len(args); i++ {
		a := args[i]
		switch {
		case ended || a == "-" || !strings.HasPrefix(a, "-"):
			if cmd := findCommand(commands, a); cmd != nil && !ended && len(positional) == 0 {
				cur := levels[len(levels)-1]
				path := strings.TrimSpace(cur.path + " " + cmd.Name)
				if raw[path] {
					return rawCommandLine(levels, args[i:])
				}
				levels = append(levels, &level{path: path, flags: withHelp(cmd.Flags, false), out: []string{a}})
				commands = cmd.Subcommands
				continue
			}
			positional = append(positional, a)
		case a == "--":
			ended = true
		default:
			consumed, dangling := placeFlag(levels, args, i)
			if dangling {
				// A flag that needs a value ends the line: leave it last,
				// so that urfave/cli says it needs a value instead of
				// taking the next positional argument for it.
				return assemble(levels, nil)
			}
			i += consumed
		}
	}
	return assemble(levels, positional)
}

// helpToFlag turns `scopectl help CMD...` into `scopectl CMD... --help`.
func helpToFlag(args []string) []string {
	if len(args) < 3 || (args[1] != "help" && args[1] != "h") {
		return args
	}
	out := append([]string{args[0]}, args[2:]...)
	return append(out, "--help")
}

// placeFlag gives the flag at args[i] to the innermost level that defines
// it (the innermost level if none does, so that urfave/cli reports it),
// with its value when it takes one; it returns how many extra arguments
// it consumed, and whether the flag needs a value that is not there.
func placeFlag(levels []*level, args []string, i int) (int, bool) {
	name, _, hasValue := strings.Cut(strings.TrimLeft(args[i], "-"), "=")
	target, f := levels[len(levels)-1], cli.Flag(nil)
	for j := len(levels) - 1; j >= 0 && f == nil; j-- {
		if f = LookupFlag(levels[j].flags, name); f != nil {
			target = levels[j]
		}
	}
	target.out = append(target.out, args[i])
	if f == nil || hasValue || !takesValue(f) {
		return 0, false
	}
	if i+1 == len(args) {
		return 0, true
	}
	target.out = append(target.out, args[i+1])
	return 1, false
}

// assemble writes the levels in order, then the positional arguments,
// after `--` when one of them looks like a flag.
func assemble(levels []*level, positional []string) []string {
	var out []string
	for _, l := range levels {
		out = append(out, l.out...)
	}
	for _, p := range positional {
		if strings.HasPrefix(p, "-") && p != "-" {
			out = append(out, "--")
			break
		}
	}
	return append(out, positional...)
}

// rawCommandLine is the command line of a command in rawArgCommands: the
// levels before it, then its own arguments as given.
func rawCommandLine(levels []*level, rest []string) []string {
	return append(assemble(levels, nil), rest...)
}

func findCommand(commands []*cli.Command, name string) *cli.Command {
	for _, c := range commands {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}

// LookupFlag returns the flag among flags that has name, or nil.
func LookupFlag(flags []cli.Flag, name string) cli.Flag {
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				return f
			}
		}
	}
	return nil
}

func takesValue(f cli.Flag) bool {
	v, ok := f.(cli.DocGenerationFlag)
	return ok && v.TakesValue()
}

// withHelp adds the flags urfave/cli defines itself on every command
// (--help) and on the app (--version).
func withHelp(flags []cli.Flag, app bool) []cli.Flag {
	out := append(flags[:len(flags):len(flags)], cli.HelpFlag)
	if app {
		out = append(out, cli.VersionFlag)
	}
	return out
}
