// Package cliargstest holds checks of command-line definitions for the
// tests of scopectl and scoped; production code does not import it.
package cliargstest

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// FlagsWithoutVariable lists the flags of app and of its commands, as
// "command path --flag", that cannot also be set with an environment
// variable starting with prefix (help and version flags aside).
func FlagsWithoutVariable(app *cli.App, prefix string) []string {
	var missing []string
	var walk func(path string, flags []cli.Flag, commands []*cli.Command)
	walk = func(path string, flags []cli.Flag, commands []*cli.Command) {
		for _, f := range flags {
			env, ok := f.(interface{ GetEnvVars() []string })
			if !ok || len(env.GetEnvVars()) == 0 || !strings.HasPrefix(env.GetEnvVars()[0], prefix) {
				missing = append(missing, path+" --"+f.Names()[0])
			}
		}
		for _, c := range commands {
			walk(path+" "+c.Name, c.Flags, c.Subcommands)
		}
	}
	walk(app.Name, app.Flags, app.Commands)
	return missing
}
