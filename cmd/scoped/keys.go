package main

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/scopectl/scopectl/cmd/internal/exitcode"
	"github.com/scopectl/scopectl/sync/oauth"
	"github.com/scopectl/scopectl/sync/store"
)

// keysCommand is `scoped keys`: the token signing keys in the store. Each
// subcommand can run while servers are up; they see the change within
// oauth.KeyRefresh.
func keysCommand() *cli.Command {
	return &cli.Command{
		Name:  "keys",
		Usage: "manage token signing keys",
		Subcommands: []*cli.Command{{
			Name:        "list",
			Usage:       "list the signing keys: id, creation time, status",
			Description: "Statuses: active (signs and verifies), published (verifies), unpublished (two newer keys exist), retired.",
			Flags:       []cli.Flag{dbFlag()},
			Action:      listKeysAction,
		}, {
			Name:   "rotate",
			Usage:  "create a new signing key; the previous one keeps verifying until its tokens expire",
			Flags:  []cli.Flag{dbFlag()},
			Action: rotateAction,
		}, {
			Name:      "retire",
			Usage:     "retire a signing key: every token it signed stops working within a second",
			ArgsUsage: "[--] KID",
			Description: "For a leaked key. If KID is the active key, a new key is created first and signs from then on.\n" +
				"Clients get new tokens from the token endpoint as usual. A KID that starts with '-' goes after --.",
			Flags:  []cli.Flag{dbFlag()},
			Action: retireAction,
			OnUsageError: func(_ *cli.Context, err error, _ bool) error {
				return exitcode.Errorf(exitcode.Usage, "%v (a key id that starts with '-' goes after --: scoped keys retire --db DB -- KID)", err)
			},
		}},
	}
}

// withKeyStore opens the existing store of --db for a keys subcommand
// that takes no arguments, runs fn on it and closes it.
func withKeyStore(c *cli.Context, fn func(store.Store) error) error {
	if c.NArg() > 0 {
		return exitcode.Errorf(exitcode.Usage, "keys %s takes no arguments", c.Command.Name)
	}
	st, err := openExistingStore(c.Context, c.String("db"))
	if err != nil {
		return err
	}
	defer st.Close()
	return fn(st)
}

func listKeysAction(c *cli.Context) error {
	return withKeyStore(c, func(st store.Store) error { return listKeys(c, st) })
}

func listKeys(c *cli.Context, st store.Store) error {
	keys, err := oauth.ListKeys(c.Context, st)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(c.App.Writer, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "KID\tCREATED\tSTATUS")
	for _, k := range keys {
		status := string(k.Status)
		if k.Status == oauth.KeyRetired {
			status += " " + k.Retired.Format(time.RFC3339)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\n", k.ID, k.Created.Format(time.RFC3339), status)
	}
	return w.Flush()
}

func rotateAction(c *cli.Context) error {
	return withKeyStore(c, func(st store.Store) error {
		id, err := oauth.Rotate(c.Context, st)
		if err == nil {
			fmt.Fprintf(c.App.Writer, "new signing key %s; running servers sign with it from now on, the previous key keeps verifying\n", id)
		}
		return err
	})
}

func retireAction(c *cli.Context) error {
	if c.NArg() != 1 {
		return exitcode.Errorf(exitcode.Usage, "keys retire takes one key id (scoped keys list shows them), got %d arguments", c.NArg())
	}
	kid := c.Args().First()
	st, err := openExistingStore(c.Context, c.String("db"))
	if err != nil {
		return err
	}
	defer st.Close()
	r, err := oauth.Retire(c.Context, st, kid)
	if err != nil {
		return err
	}
	if r.Key.Status == oauth.KeyRetired {
		fmt.Fprintf(c.App.Writer, "signing key %s was already retired at %s\n", kid, r.Key.Retired.Format(time.RFC3339))
		return nil
	}
	if r.NewKey != "" {
		fmt.Fprintf(c.App.Writer, "new signing key %s; running servers sign with it from now on\n", r.NewKey)
	}
	fmt.Fprintf(c.App.Writer, "retired signing key %s; running servers refuse every token it signed within %s\n", kid, keyRefreshText)
	return nil
}

// keyRefreshText is oauth.KeyRefresh for messages.
var keyRefreshText = fmt.Sprintf("%.0f s", oauth.KeyRefresh.Seconds())
