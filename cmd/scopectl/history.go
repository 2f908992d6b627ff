package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/scopectl/scopectl/config"
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

// appKeyArg reads the one argument: APPID/PLATFORM/VERSION, or a
// descriptor FILE of which only the applicationKey is read (history does
// not need the rest to be valid). It returns the key and the file, if any.
func appKeyArg(c *cli.Context) (config.AppKey, string, error) {
	if c.NArg() != 1 {
		return config.AppKey{}, "", usageErrorf("name one descriptor FILE or APPID/PLATFORM/VERSION")
	}
	arg := c.Args().First()
	src, err := os.ReadFile(arg)
	if err != nil {
		if key, keyErr := config.ParseAppKey(arg); keyErr == nil {
			return key, "", nil
		}
		return config.AppKey{}, "", usageErrorf("%s: %s (name a descriptor FILE or APPID/PLATFORM/VERSION)", arg, describeReadError(err))
	}
	key, err := config.ParseApplicationKey(src)
	if err != nil {
		return config.AppKey{}, "", usageErrorf("%s: %v", arg, err)
	}
	return key, arg, nil
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
	key, _, err := appKeyArg(c)
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
	_, path, err := appKeyArg(c)
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
	if o.Result == transfer.Unchanged {
		fmt.Fprintf(c.App.Writer, "%s: already the same as revision %d (head revision %d); nothing changed\n", relative(path), c.Int64("to"), o.Revision)
		return nil
	}
	printOutcome(c.App.Writer, o, target)
	return nil
}
