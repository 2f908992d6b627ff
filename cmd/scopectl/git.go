package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/go-git/go-git/v5"
	gitconfig "github.com/go-git/go-git/v5/config"
	"github.com/urfave/cli/v2"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/schema"
	"github.com/scopectl/scopectl/sync/diffview"
	"github.com/scopectl/scopectl/sync/workspace"
)

func gitCommand() *cli.Command {
	return &cli.Command{
		Name:  "git",
		Usage: "make git show descriptor changes by meaning (diff driver, textconv)",
		Subcommands: []*cli.Command{
			gitSetupCommand(),
			gitDiffDriverCommand(),
			gitTextconvCommand(),
		},
	}
}

func programFlag() cli.Flag {
	return &cli.StringFlag{
		Name:  "program",
		Value: "scopectl",
		Usage: "how git should run scopectl: a `COMMAND` on PATH or an absolute path",
	}
}

func gitSetupCommand() *cli.Command {
	return &cli.Command{
		Name:  "setup",
		Usage: "route descriptors to scopectl in git diff, show and log",
		Description: `Adds the line
  ` + workspace.AttributesLine + `
to the project's .gitattributes (commit it, so the whole team gets it), and
sets in the repository's git config (through go-git; each clone runs this
once):
  diff.scopectl.command  = scopectl git diff-driver   (git diff, --ext-diff)
  diff.scopectl.textconv = scopectl git textconv      (log -p, show, blame)
Running it again changes nothing.`,
		Flags: []cli.Flag{programFlag()},
		Action: func(c *cli.Context) error {
			wd, err := os.Getwd()
			if err != nil {
				return err
			}
			changes, err := workspace.SetupGit(wd, c.String("program"))
			if err != nil {
				return err
			}
			if len(changes) == 0 {
				fmt.Fprintln(c.App.ErrWriter, "git is already set up for descriptors; nothing changed")
			}
			for _, ch := range changes {
				fmt.Fprintln(c.App.Writer, ch)
			}
			return nil
		},
	}
}

func gitDiffDriverCommand() *cli.Command {
	return &cli.Command{
		Name:      "diff-driver",
		Usage:     "git external diff driver: the semantic diff of a descriptor (run by git)",
		ArgsUsage: "PATH OLD-FILE OLD-HEX OLD-MODE NEW-FILE NEW-HEX NEW-MODE [NEW-PATH RENAME-INFO]",
		Description: `Git runs this for files with diff=scopectl (see scopectl git setup) with
the arguments of GIT_EXTERNAL_DIFF. It prints one line per changed member,
or a line diff when a side is not a valid descriptor, and always exits 0
so that git goes on with the next file. Colour follows git's color.diff
setting (or --color).`,
		Flags:  []cli.Flag{&cli.StringFlag{Name: "color", Value: "auto", Usage: "`WHEN`: auto (as git would), always or never"}},
		Action: diffDriverAction,
	}
}

func diffDriverAction(c *cli.Context) error {
	args := c.Args().Slice()
	switch len(args) {
	case 1: // git's call for an unmerged path
		fmt.Fprintf(c.App.Writer, "* Unmerged path %s\n", args[0])
		return nil
	case 7, 9:
	default:
		return usageErrorf("diff-driver takes the 7 or 9 arguments git passes to an external diff (GIT_EXTERNAL_DIFF in git(1)), got %d", len(args))
	}
	newPath := args[0]
	if len(args) == 9 {
		newPath = args[7]
	}
	color, err := gitColor(c.String("color"), c.App.Writer)
	if err != nil {
		return err
	}
	a, b := driverSide(args[1], "a/"+args[0]), driverSide(args[4], "b/"+newPath)
	for _, s := range []*driverInput{a, b} {
		if s.err != nil { // say why, and let git go on with the next file
			fmt.Fprintf(c.App.ErrWriter, "scopectl git diff-driver: %s: %v\n", s.side.Name, s.err)
			return nil
		}
	}
	w := c.App.Writer
	if !a.valid() || !b.valid() {
		fmt.Fprintln(w, paintIf(color, "36", fmt.Sprintf("%s → %s: not a valid descriptor on both sides; line diff", a.side.Name, b.side.Name)))
		return diffview.WriteText(w, a.side.Name, b.side.Name, string(a.src), string(b.src), color)
	}
	changes, err := diffview.Write(w, "semantic", a.side, b.side, color)
	if err == nil && len(changes) == 0 && string(a.src) != string(b.src) {
		fmt.Fprintln(w, paintIf(color, "36", fmt.Sprintf("%s → %s: formatting only, same meaning", a.side.Name, b.side.Name)))
	}
	return err
}

// driverInput is one side of git's external diff call.
type driverInput struct {
	side diffview.Side
	src  []byte
	err  error
}

// valid reports whether the side is absent or a valid descriptor.
func (d *driverInput) valid() bool { return d.src == nil || d.side.Descriptor != nil }

// driverSide reads one side; git names an absent side /dev/null.
func driverSide(file, name string) *driverInput {
	if file == os.DevNull {
		return &driverInput{side: diffview.Side{Name: os.DevNull}}
	}
	src, err := os.ReadFile(file)
	if err != nil {
		return &driverInput{side: diffview.Side{Name: name}, err: err}
	}
	if src == nil {
		src = []byte{}
	}
	return &driverInput{side: diffview.Side{Name: name, Descriptor: schema.Validate(src).Descriptor}, src: src}
}

func paintIf(on bool, code, s string) string {
	if !on {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

// gitColor decides colour as git does for its own diff: --color always or
// never wins; else NO_COLOR turns it off; else git's color.diff (or
// color.ui) setting; when that is auto or unset, colour goes to a terminal,
// or to git's pager unless color.pager is false.
func gitColor(when string, w io.Writer) (bool, error) {
	switch when {
	case "always":
		return true, nil
	case "never":
		return false, nil
	case "auto":
	default:
		return false, usageErrorf("unknown --color %q; use auto, always or never", when)
	}
	if os.Getenv("NO_COLOR") != "" {
		return false, nil
	}
	setting, pager := gitColorConfig()
	switch strings.ToLower(setting) {
	case "always":
		return true, nil
	case "never", "false", "no", "off", "0":
		return false, nil
	}
	if f, ok := w.(*os.File); ok && isTerminal(f) {
		return true, nil
	}
	return os.Getenv("GIT_PAGER_IN_USE") == "true" && pager, nil
}

// gitColorConfig reads color.diff (falling back to color.ui) and whether
// color.pager allows colour in the pager, from the repository's, the
// user's and the system's git config.
func gitColorConfig() (setting string, pager bool) {
	repo, err := git.PlainOpenWithOptions(".", &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if err != nil {
		return "", true
	}
	cfg, err := repo.ConfigScoped(gitconfig.SystemScope)
	if err != nil {
		return "", true
	}
	color := cfg.Raw.Section("color")
	setting = color.Option("diff")
	if setting == "" {
		setting = color.Option("ui")
	}
	switch strings.ToLower(color.Option("pager")) {
	case "false", "no", "off", "0":
		return setting, false
	}
	return setting, true
}

func gitTextconvCommand() *cli.Command {
	return &cli.Command{
		Name:      "textconv",
		Usage:     "print a descriptor in canonical form, for git's textconv (run by git)",
		ArgsUsage: "FILE",
		Description: `Prints FILE in canonical form, so that line diffs (git log -p, git show,
git blame) show changes in meaning, not in layout. A file that is not a
valid descriptor is printed as it is.`,
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usageErrorf("textconv takes one FILE, got %d arguments", c.NArg())
			}
			return textconv(c.App.Writer, c.Args().First())
		},
	}
}

func textconv(w io.Writer, path string) error {
	src, out, _ := schema.FormatFile(path)
	if out != nil {
		_, err := w.Write(out)
		return err
	}
	if src == nil { // too large or unreadable: copy what is there
		f, err := os.Open(path)
		if err != nil {
			return config.Errorf(config.KindInvalid, "%s: %v", path, err)
		}
		defer f.Close()
		_, err = io.Copy(w, f)
		return err
	}
	_, err := w.Write(src)
	return err
}
