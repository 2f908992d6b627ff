package main

import (
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/scopectl/scopectl/sync/gitrepo"
)

func hookCommand() *cli.Command {
	return &cli.Command{
		Name:  "hook",
		Usage: "install or remove the git pre-commit hook that validates staged descriptors",
		Subcommands: []*cli.Command{
			{
				Name:  "install",
				Usage: "write .git/hooks/pre-commit (an existing hook is kept and run first)",
				Description: `Writes the repository's pre-commit hook (in core.hooksPath when that is
set), which runs "scopectl app validate --staged" on the project's
descriptors: a commit whose staged descriptors are invalid is refused,
whatever the working tree holds. A hook that is already there is renamed
pre-commit` + gitrepo.ChainedSuffix + ` and run first; "scopectl hook
uninstall" puts it back. Installing again rewrites scopectl's hook only.`,
				Flags:  []cli.Flag{programFlag()},
				Action: hookInstallAction,
			},
			{
				Name:  "uninstall",
				Usage: "remove scopectl's pre-commit hook and restore the one it chained",
				Description: `Removes the pre-commit hook that "scopectl hook install" wrote and
renames pre-commit` + gitrepo.ChainedSuffix + ` back, if there is one. A hook
that scopectl did not write is left alone (exit status 4).`,
				Action: hookUninstallAction,
			},
		},
	}
}

func preCommitHook(c *cli.Context) (*gitrepo.Hook, error) {
	wd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	return gitrepo.PreCommitHook(wd, c.String(programFlagName))
}

func hookInstallAction(c *cli.Context) error {
	h, err := preCommitHook(c)
	if err != nil {
		return err
	}
	chained, err := h.Install()
	if err != nil {
		return err
	}
	fmt.Fprintf(c.App.Writer, "installed %s: runs %s\n", relative(h.Path), h.Check)
	if chained {
		fmt.Fprintf(c.App.Writer, "the hook that was there is now %s and runs first\n", relative(h.Chained))
	}
	return nil
}

func hookUninstallAction(c *cli.Context) error {
	h, err := preCommitHook(c)
	if err != nil {
		return err
	}
	restored, err := h.Uninstall()
	if err != nil {
		return err
	}
	fmt.Fprintf(c.App.Writer, "removed scopectl's hook %s\n", relative(h.Path))
	if restored {
		fmt.Fprintf(c.App.Writer, "restored the hook that was there before\n")
	}
	return nil
}
