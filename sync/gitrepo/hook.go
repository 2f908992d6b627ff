package gitrepo

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/workspace"
)

// hookMarker is the line that identifies a hook scopectl wrote.
const hookMarker = "# scopectl-hook: pre-commit"

// ChainedSuffix is appended to the name of a hook that was there before
// scopectl's; scopectl's hook runs it first, and uninstalling puts it back.
const ChainedSuffix = ".scopectl-chained"

// Hook is the git pre-commit hook of one repository.
type Hook struct {
	// Path is the hook file: <hooks dir>/pre-commit.
	Path string
	// Chained is where the hook that was there before scopectl's is kept.
	Chained string
	// Check is the command line the hook runs on every commit.
	Check string
	// Shared names the hooks directory, relative to the top of the working
	// tree, when it is inside it (husky, a tracked githooks/): the team's,
	// not one to install into.
	Shared string

	program string // shell-quoted
}

// PreCommitHook locates the pre-commit hook of the repository that
// contains wd and the check it should run: program validating the staged
// descriptors of the project that contains wd. Git itself says where its
// hooks are (core.hooksPath from any config file, ~ expanded, linked
// worktrees); a hooks directory inside the working tree is shared with
// the team (husky, a tracked githooks/) and is refused, with the line to
// add to it instead.
func PreCommitHook(wd, program string) (*Hook, error) {
	_, root, wd, err := openRepository(wd)
	if err != nil {
		return nil, err
	}
	command, err := programCommand(program)
	if err != nil {
		return nil, err
	}
	descriptors := relSlash(root, filepath.Join(workspace.FindProject(wd).Root, workspace.DefaultDir))
	check := command + " app validate --staged " + shellQuote(descriptors)
	dir, err := gitPath(wd, "hooks")
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "pre-commit")
	h := &Hook{Path: path, Chained: path + ChainedSuffix, Check: check, program: command}
	if rel, err := filepath.Rel(root, dir); err == nil && rel != ".git" && !strings.HasPrefix(rel, ".git"+string(filepath.Separator)) && !isOutside(rel) {
		h.Shared = rel
	}
	return h, nil
}

// programCommand turns how the user names scopectl into the start of a
// shell command git can run from the top of the working tree: a path is
// made absolute, and quoted when it needs it.
func programCommand(program string) (string, error) {
	if program == "" {
		program = "scopectl"
	}
	if strings.ContainsRune(program, filepath.Separator) {
		abs, err := filepath.Abs(program)
		if err != nil {
			return "", err
		}
		program = abs
	}
	return shellQuote(program), nil
}

// gitPath asks git where the file or directory name of the repository
// that contains wd is (git rev-parse --git-path): it knows linked
// worktrees, core.hooksPath from every config file, and ~.
func gitPath(wd, name string) (string, error) {
	cmd := exec.Command("git", "rev-parse", "--path-format=absolute", "--git-path", name)
	cmd.Dir = wd
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", config.Errorf(config.KindInvalid, "cannot ask git where its %s is (git rev-parse --git-path %s): %v %s", name, name, err, strings.TrimSpace(stderr.String()))
	}
	return filepath.Clean(strings.TrimSpace(string(out))), nil
}

// Script is the hook's shell script: it runs the chained hook, if there is
// an executable one, then the check.
func (h *Hook) Script() []byte {
	return fmt.Appendf(nil, `#!/bin/sh
%s
# Written by "scopectl hook install": refuses a commit whose staged
# descriptors are invalid. "scopectl hook uninstall" removes it and puts
# back the hook that was here before, which this one runs first.
chained="$(dirname "$0")/pre-commit%s"
if [ -x "$chained" ]; then
	"$chained" "$@" || exit $?
fi
if ! command -v %s >/dev/null 2>&1; then
	echo "pre-commit: %s is not on PATH; install scopectl, or run scopectl hook uninstall" >&2
	exit 1
fi
exec %s
`, hookMarker, ChainedSuffix, h.program, h.program, h.Check)
}

// Installed reports whether the hook file is one scopectl wrote.
func (h *Hook) Installed() (bool, error) {
	b, err := os.ReadFile(h.Path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		return false, workspace.PathError(h.Path, err)
	}
	return bytes.Contains(b, []byte("\n"+hookMarker+"\n")), nil
}

// Install writes the hook. A hook that is already there and not
// scopectl's is kept as Chained and run first; scopectl's own is
// rewritten. It reports whether a hook was chained. The new hook is
// written in full before the old one is moved, so a failure leaves the
// old one in place.
func (h *Hook) Install() (chained bool, err error) {
	if h.Shared != "" {
		return false, config.Errorf(config.KindConflict, "git runs hooks from %s, inside the working tree and shared with the team; not changed. Add this line to its pre-commit hook instead:\n  %s", h.Shared, h.Check)
	}
	mine, err := h.Installed()
	if err != nil {
		return false, err
	}
	_, statErr := os.Lstat(h.Path)
	chain := statErr == nil && !mine
	if chain {
		if _, err := os.Lstat(h.Chained); err == nil {
			return false, config.Errorf(config.KindConflict, "%s and %s both exist; move one away first", h.Path, h.Chained)
		}
	}
	if err := os.MkdirAll(filepath.Dir(h.Path), 0o755); err != nil {
		return false, err
	}
	tmp := h.Path + ".scopectl-new"
	if err := workspace.WriteFile(tmp, h.Script(), 0o755); err != nil {
		return false, err
	}
	if chain {
		if err := os.Rename(h.Path, h.Chained); err != nil {
			os.Remove(tmp)
			return false, err
		}
	}
	return chain, os.Rename(tmp, h.Path)
}

// Uninstall removes scopectl's hook and puts back the chained one. It
// refuses to remove a hook scopectl did not write, and reports whether a
// chained hook was restored.
func (h *Hook) Uninstall() (restored bool, err error) {
	mine, err := h.Installed()
	if err != nil {
		return false, err
	}
	if !mine {
		if _, err := os.Lstat(h.Path); err == nil {
			return false, config.Errorf(config.KindConflict, "%s was not written by scopectl; left alone", h.Path)
		}
		return false, config.Errorf(config.KindNotFound, "no scopectl hook installed at %s", h.Path)
	}
	if _, err := os.Lstat(h.Chained); err == nil {
		return true, os.Rename(h.Chained, h.Path) // replaces ours in one step
	}
	return false, os.Remove(h.Path)
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=:@+", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
