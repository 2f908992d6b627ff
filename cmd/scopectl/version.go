package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/scopectl/scopectl/cmd/internal/buildinfo"
)

// version is set by the linker (-X main.version=...) for releases.
var version = ""

func versionCommand() *cli.Command {
	return &cli.Command{
		Name:   "version",
		Usage:  "print the version and the commit scopectl was built from",
		Flags:  []cli.Flag{formatFlag(formatText, formatJSON)},
		Action: versionAction,
	}
}

func versionAction(c *cli.Context) error {
	format, err := outputFormat(c, formatText, formatJSON)
	if err != nil {
		return err
	}
	info := buildinfo.Read(version)
	if format == formatJSON {
		return writeJSON(c.App.Writer, info)
	}
	_, err = fmt.Fprintf(c.App.Writer, "scopectl %s\n", info)
	return err
}
