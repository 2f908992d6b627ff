package main

import (
	"io"
	"os"

	"github.com/urfave/cli/v2"
)

// Every flag is defined once here, with its SCOPECTL_* environment variable.
var (
	noColorFlag = &cli.BoolFlag{
		Name:    "no-color",
		Usage:   "never colour the output (also NO_COLOR)",
		EnvVars: []string{"SCOPECTL_NO_COLOR", "NO_COLOR"},
	}
	formatFlag = &cli.StringFlag{
		Name:     "format",
		Usage:    "output `FORMAT`: text, json or github (workflow annotations)",
		Value:    "text",
		EnvVars:  []string{"SCOPECTL_FORMAT"},
		Category: "Output",
	}
	strictFlag = &cli.BoolFlag{
		Name:     "strict",
		Usage:    "fail on warnings too",
		EnvVars:  []string{"SCOPECTL_STRICT"},
		Category: "Validation",
	}
	jobsFlag = &cli.IntFlag{
		Name:        "jobs",
		Aliases:     []string{"j"},
		Usage:       "validate `N` files at once",
		DefaultText: "number of CPUs",
		EnvVars:     []string{"SCOPECTL_JOBS"},
		Category:    "Validation",
	}
	checkFlag = &cli.BoolFlag{
		Name:    "check",
		Usage:   "change nothing; list files that are not canonical and exit 1 if any",
		EnvVars: []string{"SCOPECTL_CHECK"},
	}
)

// colorEnabled reports whether output to w may be coloured: only on a
// terminal, and never with --no-color or NO_COLOR.
func colorEnabled(c *cli.Context, w io.Writer) bool {
	if c.Bool(noColorFlag.Name) {
		return false
	}
	if _, set := os.LookupEnv("NO_COLOR"); set {
		return false
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
