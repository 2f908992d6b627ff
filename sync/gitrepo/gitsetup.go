package gitrepo

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/go-git/go-git/v5"
	format "github.com/go-git/go-git/v5/plumbing/format/config"

	"github.com/scopectl/scopectl/sync/workspace"
)

// DiffDriver is the name under which scopectl registers itself as a git
// diff driver (diff=scopectl in .gitattributes).
const DiffDriver = "scopectl"

// AttributesLine is the .gitattributes line that routes descriptors to
// the scopectl diff driver.
const AttributesLine = workspace.DefaultDir + "/*.json diff=" + DiffDriver

// SetupGit makes git show descriptors through scopectl: it adds
// AttributesLine to the .gitattributes file of the project that contains
// wd, and sets diff.scopectl.command and diff.scopectl.textconv in the
// repository's config (read and encoded with go-git) to run program. It changes only
// what is missing or different, and returns a line for each change; none
// means everything was already set up.
func SetupGit(wd, program string) (changes []string, err error) {
	repo, root, wd, err := openRepository(wd)
	if err != nil {
		return nil, err
	}
	project := workspace.FindProject(wd).Root
	if rel, err := filepath.Rel(root, project); err != nil || strings.HasPrefix(rel, "..") {
		project = root
	}
	attrs := filepath.Join(project, ".gitattributes")
	added, err := ensureLine(attrs, AttributesLine)
	if err != nil {
		return nil, err
	}
	if added {
		changes = append(changes, fmt.Sprintf("%s: added %q", displayName(wd, root, relSlash(root, attrs)), AttributesLine))
	}
	command, err := programCommand(program)
	if err != nil {
		return nil, err
	}
	set, err := setDriverConfig(repo, root, command)
	return append(changes, set...), err
}

// setDriverConfig sets the diff driver's command and textconv in the
// repository's config to run command, when they differ, and returns a
// line for each option it changed.
func setDriverConfig(repo *git.Repository, root, command string) (changes []string, err error) {
	cfg, err := repo.Config()
	if err != nil {
		return nil, fmt.Errorf("read git config: %w", err)
	}
	driver := cfg.Raw.Section("diff").Subsection(DiffDriver)
	want := format.New()
	section := want.Section("diff").Subsection(DiffDriver)
	for _, kv := range [][2]string{
		{"command", DriverCommand(command)},
		{"textconv", TextconvCommand(command)},
	} {
		section.SetOption(kv[0], kv[1])
		if driver.Option(kv[0]) != kv[1] {
			changes = append(changes, fmt.Sprintf("git config diff.%s.%s %q", DiffDriver, kv[0], kv[1]))
		}
	}
	if len(changes) > 0 {
		if err := writeDriverConfig(root, want); err != nil {
			return nil, fmt.Errorf("write git config: %w", err)
		}
	}
	return changes, nil
}

// DriverCommand is the shell command git runs as the diff driver: the
// scopectl program (a shell word) when it can be found, else git's own
// plain diff after a one-line note, so that git diff keeps working where
// scopectl is not on PATH (GUI clients, other machines). Git appends its
// seven arguments: path, old file, hex, mode, new file, hex, mode.
func DriverCommand(program string) string {
	return `f() { if command -v ` + program + ` >/dev/null 2>&1; then exec ` + program + ` git diff-driver "$@"; fi; ` +
		`[ $# -ge 7 ] || exit 0; echo "(scopectl not found: plain diff of $1)"; ` +
		`git diff --no-index --no-ext-diff --no-textconv -- "$2" "$5"; exit 0; }; f`
}

// TextconvCommand is the shell command git runs to show a descriptor as
// text: scopectl's canonical form, or the file as it is when scopectl
// cannot be found.
func TextconvCommand(program string) string {
	return `f() { if command -v ` + program + ` >/dev/null 2>&1; then exec ` + program + ` git textconv "$@"; fi; cat "$1"; }; f`
}

// writeDriverConfig replaces the [diff "scopectl"] section of the
// repository's config file with section (encoded by go-git), at the end of
// the file. Everything else in the file stays as it was, comments
// included, which rewriting the whole file through go-git would not keep.
func writeDriverConfig(root string, section *format.Config) error {
	path, err := gitPath(root, "config")
	if err != nil {
		return err
	}
	old, err := os.ReadFile(path)
	if err != nil {
		return workspace.PathError(path, err)
	}
	buf := bytes.NewBuffer(withoutDriverSection(old))
	if buf.Len() > 0 && !bytes.HasSuffix(buf.Bytes(), []byte("\n")) {
		buf.WriteByte('\n')
	}
	if err := format.NewEncoder(buf).Encode(section); err != nil {
		return err
	}
	return workspace.ReplaceFile(path, buf.Bytes())
}

// driverHeader matches the header line of scopectl's diff section.
var driverHeader = regexp.MustCompile(`^\s*\[\s*diff\s+"` + DiffDriver + `"\s*\]\s*$`)

// withoutDriverSection drops the lines of every [diff "scopectl"] section
// from a git config file, from its header to the next header, but for
// comment lines.
func withoutDriverSection(config []byte) []byte {
	var out []byte
	skipping := false
	for line := range bytes.Lines(config) {
		trimmed := bytes.TrimSpace(line)
		if bytes.HasPrefix(trimmed, []byte("[")) {
			skipping = driverHeader.Match(trimmed)
		}
		comment := bytes.HasPrefix(trimmed, []byte("#")) || bytes.HasPrefix(trimmed, []byte(";"))
		if !skipping || comment { // comments may be about what follows
			out = append(out, line...)
		}
	}
	return out
}

// ensureLine appends line to the file at path (creating it) unless a line
// of the file already says the same, ignoring surrounding blanks. It
// reports whether it wrote.
func ensureLine(path, line string) (bool, error) {
	old, err := os.ReadFile(path)
	exists := err == nil
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, workspace.PathError(path, err)
	}
	for l := range strings.Lines(string(old)) {
		if strings.Join(strings.Fields(l), " ") == line {
			return false, nil
		}
	}
	buf := bytes.Clone(old)
	if len(buf) > 0 && buf[len(buf)-1] != '\n' {
		buf = append(buf, '\n')
	}
	buf = append(buf, line+"\n"...)
	if !exists {
		return true, workspace.WriteFile(path, buf, 0o644)
	}
	return true, workspace.ReplaceFile(path, buf) // through a symbolic link, as the user set it up
}

func relSlash(root, path string) string {
	rel, err := filepath.Rel(root, path)
	if err != nil {
		return path
	}
	return filepath.ToSlash(rel)
}
