package workspace

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	format "github.com/go-git/go-git/v5/plumbing/format/config"
)

// DiffDriver is the name under which scopectl registers itself as a git
// diff driver (diff=scopectl in .gitattributes).
const DiffDriver = "scopectl"

// AttributesLine is the .gitattributes line that routes descriptors to
// the scopectl diff driver.
const AttributesLine = DefaultDir + "/*.json diff=" + DiffDriver

// SetupGit makes git show descriptors through scopectl: it adds
// AttributesLine to the .gitattributes file of the project that contains
// wd, and sets diff.scopectl.command and diff.scopectl.textconv in the
// repository's config (read and encoded with go-git) to run program. It changes only
// what is missing or different, and returns a line for each change; none
// means everything was already set up.
func SetupGit(wd, program string) (changes []string, err error) {
	repo, root, err := openRepository(wd)
	if err != nil {
		return nil, err
	}
	project := FindProject(wd).Root
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
	cfg, err := repo.Config()
	if err != nil {
		return nil, fmt.Errorf("read git config: %w", err)
	}
	driver := cfg.Raw.Section("diff").Subsection(DiffDriver)
	existed := len(driver.Options) > 0
	missing := format.New()
	for _, kv := range [][2]string{
		{"command", command + " git diff-driver"},
		{"textconv", command + " git textconv"},
	} {
		if driver.Option(kv[0]) != kv[1] {
			driver.SetOption(kv[0], kv[1])
			missing.Section("diff").Subsection(DiffDriver).SetOption(kv[0], kv[1])
			changes = append(changes, fmt.Sprintf("git config diff.%s.%s %q", DiffDriver, kv[0], kv[1]))
		}
	}
	switch {
	case len(missing.Sections) == 0:
	case existed: // replace the values: go-git rewrites the file
		err = repo.SetConfig(cfg)
	default:
		err = appendConfig(root, missing)
	}
	if err != nil {
		return nil, fmt.Errorf("write git config: %w", err)
	}
	return changes, nil
}

// appendConfig adds a new section to the end of the repository's config
// file, encoded by go-git. Appending keeps the user's comments and layout,
// which rewriting the whole file through go-git would drop.
func appendConfig(root string, options *format.Config) error {
	gitDir, err := commonGitDir(root)
	if err != nil {
		return err
	}
	path := filepath.Join(gitDir, "config")
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return pathError(path, err)
	}
	buf := bytes.NewBuffer(bytes.Clone(old))
	if buf.Len() > 0 && !bytes.HasSuffix(old, []byte("\n")) {
		buf.WriteByte('\n')
	}
	if err := format.NewEncoder(buf).Encode(options); err != nil {
		return err
	}
	return ReplaceFile(path, buf.Bytes())
}

// ensureLine appends line to the file at path (creating it) unless a line
// of the file already says the same, ignoring surrounding blanks. It
// reports whether it wrote.
func ensureLine(path, line string) (bool, error) {
	old, err := os.ReadFile(path)
	exists := err == nil
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, pathError(path, err)
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
		return true, WriteFile(path, buf, 0o644)
	}
	return true, ReplaceFile(path, buf) // through a symbolic link, as the user set it up
}

func relSlash(root, path string) string {
	rel, err := filepath.Rel(root, path)
	if err != nil {
		return path
	}
	return filepath.ToSlash(rel)
}
