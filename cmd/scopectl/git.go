package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/schema"
	"github.com/scopectl/scopectl/sync/diffview"
	"github.com/scopectl/scopectl/sync/gitrepo"
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

func gitSetupCommand() *cli.Command {
	return &cli.Command{
		Name:  "setup",
		Usage: "route descriptors to scopectl in git diff, show and log",
		Description: `Adds the line
  ` + gitrepo.AttributesLine + `
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
			changes, err := gitrepo.SetupGit(wd, c.String(programFlagName))
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
		Flags:  []cli.Flag{gitColorFlag()},
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
	color, err := gitColor(c.String(gitColorFlagName), c.App.Writer)
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
	var notes []string
	if args[3] != args[6] && a.src != nil && b.src != nil {
		notes = append(notes, fmt.Sprintf("mode %s → %s", args[3], args[6]))
	}
	if newPath != args[0] && bytes.Equal(a.src, b.src) {
		notes = append(notes, "renamed, same content")
	}
	return writeDriverDiff(c.App.Writer, a, b, strings.Join(notes, "; "), color)
}

// writeDriverDiff writes the semantic diff of two sides, or what git would
// say of content that is not a descriptor, after a note on the file itself
// (a mode change, a rename) when there is one.
func writeDriverDiff(w io.Writer, a, b *driverInput, note string, color bool) error {
	header := fmt.Sprintf("%s → %s", a.side.Name, b.side.Name)
	if note != "" {
		fmt.Fprintln(w, diffview.Paint(color, diffview.Cyan, header+": "+note))
	}
	switch {
	case a.binary() || b.binary():
		fmt.Fprintf(w, "Binary files %s and %s differ\n", a.side.Name, b.side.Name)
		return nil
	case !a.valid() || !b.valid():
		fmt.Fprintln(w, diffview.Paint(color, diffview.Cyan, header+": not a valid descriptor on one side or both; line diff"))
		return diffview.WriteText(w, a.side.Name, b.side.Name, string(a.src), string(b.src), color)
	}
	changes, err := diffview.Write(w, "semantic", a.side, b.side, color)
	if err == nil && len(changes) == 0 && !bytes.Equal(a.src, b.src) {
		fmt.Fprintln(w, diffview.Paint(color, diffview.Cyan, header+": formatting only, same meaning"))
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

// binary reports whether the side is too large for a descriptor or holds
// a NUL byte: no text to show.
func (d *driverInput) binary() bool {
	return len(d.src) > config.MaxFileSize || bytes.IndexByte(d.src, 0) >= 0
}

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
	d := &driverInput{side: diffview.Side{Name: name}, src: src}
	if !d.binary() {
		d.side.Descriptor = schema.Validate(src).Descriptor
	}
	return d
}

// gitColor decides colour as git decides it for its own diff: --color
// always or never wins; else NO_COLOR turns it off; else git answers from
// color.diff or color.ui in every config file and -c option, colouring
// "auto" output for a terminal or for git's pager.
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
	f, ok := w.(*os.File)
	tty := ok && isTerminal(f)
	if !tty && os.Getenv("GIT_PAGER_IN_USE") == "true" { // git's pager: colour unless color.pager is false
		tty = gitrepo.Config("--type=bool", "--default=true", "--get", "color.pager") == "true"
	}
	return gitrepo.Config("--get-colorbool", "color.diff", strconv.FormatBool(tty)) == "true", nil
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
