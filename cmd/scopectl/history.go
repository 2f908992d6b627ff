package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/schema"
	"github.com/scopectl/scopectl/sync/client"
	"github.com/scopectl/scopectl/sync/transfer"
	"github.com/scopectl/scopectl/sync/workspace"
)

func appHistoryCommand() *cli.Command {
	return &cli.Command{
		Name:      "history",
		Usage:     "list the revisions of an application on the server",
		ArgsUsage: "FILE | APPID/PLATFORM/VERSION",
		Flags:     []cli.Flag{serverFlag(), passwordFileFlag(), timeoutFlag(), formatFlag(formatText, formatJSON)},
		Action:    historyAction,
	}
}

func appRollbackCommand() *cli.Command {
	return &cli.Command{
		Name:      "rollback",
		Usage:     "make a new revision equal to an earlier one, conflict-safe like push",
		ArgsUsage: "--to N FILE",
		Flags: []cli.Flag{
			serverFlag(), passwordFileFlag(), timeoutFlag(),
			rollbackToFlag(),
			forceFlag("rollback", "roll back even over local edits that were never pushed"),
		},
		Action: rollbackAction,
	}
}

// oneAppArg reads the one argument of history and rollback (appArg).
func oneAppArg(c *cli.Context) (config.AppKey, string, error) {
	if c.NArg() != 1 {
		return config.AppKey{}, "", usageErrorf("name one descriptor FILE or APPID/PLATFORM/VERSION")
	}
	return appArg(c.Args().First())
}

// appArg reads an argument that names an application: a descriptor FILE
// or APPID/PLATFORM/VERSION. It returns the key, or the path of the file,
// which the caller reads; an argument that is neither is a usage error
// that says why.
func appArg(arg string) (config.AppKey, string, error) {
	info, statErr := os.Stat(arg)
	switch {
	case statErr == nil && info.IsDir():
		return config.AppKey{}, "", usageErrorf("%s is a folder; name a descriptor FILE or APPID/PLATFORM/VERSION", arg)
	case statErr == nil:
		return config.AppKey{}, arg, nil
	}
	key, err := config.ParseAppKey(arg)
	switch {
	case err == nil:
		return key, "", nil
	case strings.HasSuffix(arg, ".json") || !errors.Is(statErr, fs.ErrNotExist):
		return config.AppKey{}, "", usageErrorf("%s: %s (name a descriptor FILE or APPID/PLATFORM/VERSION)", arg, describeReadError(statErr))
	}
	return config.AppKey{}, "", err
}

// fileAppKey reads the applicationKey of the descriptor FILE at path;
// history does not need the rest to be valid.
func fileAppKey(path string) (config.AppKey, error) {
	src, err := schema.ReadLimited(path)
	if err != nil {
		return config.AppKey{}, usageErrorf("%s: %s (name a descriptor FILE or APPID/PLATFORM/VERSION)", path, describeReadError(err))
	}
	key, err := config.ParseApplicationKey(src)
	if err != nil {
		return config.AppKey{}, usageErrorf("%s: %v", path, err)
	}
	return key, nil
}

// describeReadError says in words why a file could not be read.
func describeReadError(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "no such file"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func historyAction(c *cli.Context) error {
	format, err := outputFormat(c, formatText, formatJSON)
	if err != nil {
		return err
	}
	key, file, err := oneAppArg(c)
	if err == nil && file != "" {
		key, err = fileAppKey(file)
	}
	if err != nil {
		return err
	}
	cl, _, err := connect(c, client.ScopeRead)
	if err != nil {
		return err
	}
	revs, err := cl.Revisions(c.Context, key)
	if err != nil {
		return err
	}
	if format == formatJSON {
		return writeJSON(c.App.Writer, revs)
	}
	tw := tabwriter.NewWriter(c.App.Writer, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "REVISION\tTIME\tAUTHOR\tCHANGE")
	for _, r := range revs {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", r.Revision, r.Time.Local().Format(time.DateTime), r.Author, r.Summary)
	}
	return tw.Flush()
}

func rollbackAction(c *cli.Context) error {
	_, path, err := oneAppArg(c)
	if err != nil {
		return err
	}
	if path == "" {
		return usageErrorf("rollback needs the descriptor FILE, which it updates")
	}
	locals, err := readDescriptors(c, []string{path})
	if err != nil {
		return err
	}
	local := locals[0]
	cl, target, err := connect(c, client.ScopeWrite)
	if err != nil {
		return err
	}
	proj := workspace.FindProject(".")
	o, err := transfer.Rollback(c.Context, cl, proj, target, path, local, c.Int64("to"), c.Bool("force"))
	if err != nil {
		return serverRejection(c, path, err)
	}
	printOutcome(c.App.Writer, o, target)
	return nil
}
