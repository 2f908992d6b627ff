package main

import (
	"fmt"
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
			&cli.Int64Flag{Name: "to", Usage: "revision `N` to return to", Required: true},
			&cli.BoolFlag{Name: "force", Usage: "roll back even over local edits that were never pushed"},
		},
		Action: rollbackAction,
	}
}

// appKeyArg reads the application named by a descriptor file or by
// APPID/PLATFORM/VERSION.
// appKeyArg reads the one argument: a descriptor FILE (validated, and
// returned decoded with its path) or an APPID/PLATFORM/VERSION key.
func appKeyArg(c *cli.Context) (config.AppKey, *config.Descriptor, string, error) {
	if c.NArg() != 1 {
		return config.AppKey{}, nil, "", usageErrorf("name one descriptor FILE or APPID/PLATFORM/VERSION")
	}
	arg := c.Args().First()
	if _, statErr := os.Stat(arg); statErr != nil {
		if key, err := config.ParseAppKey(arg); err == nil {
			return key, nil, "", nil
		}
	}
	locals, err := readDescriptors(c, []string{arg})
	if err != nil {
		return config.AppKey{}, nil, "", err
	}
	return locals[0].ApplicationKey, locals[0], arg, nil
}

func historyAction(c *cli.Context) error {
	format, err := outputFormat(c, formatText, formatJSON)
	if err != nil {
		return err
	}
	key, _, _, err := appKeyArg(c)
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
	_, local, path, err := appKeyArg(c)
	if err != nil {
		return err
	}
	if path == "" {
		return usageErrorf("rollback needs the descriptor FILE, which it updates")
	}
	cl, target, err := connect(c, client.ScopeWrite)
	if err != nil {
		return err
	}
	proj := workspace.FindProject(".")
	o, err := transfer.Rollback(c.Context, cl, proj, target, path, local, c.Int64("to"), c.Bool("force"))
	if err != nil {
		return serverRejection(fmt.Errorf("%s: %w", relative(path), err))
	}
	printOutcome(c.App.Writer, o, target)
	return nil
}
