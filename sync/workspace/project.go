package workspace

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/scopectl/scopectl/config"
)

// StateDir is the project folder where scopectl keeps, per server and
// application, the revision and content last pulled or pushed: the base
// of conflict detection and three-way merges. It is not for git.
const StateDir = ".scopectl"

// Project is a working copy: a folder with descriptors in mobilefirst/.
type Project struct {
	Root string
}

// FindProject returns the project that dir is in: the nearest folder up
// from dir that has mobilefirst/, .scopectl/ or .git/; dir itself if none.
func FindProject(dir string) Project {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return Project{Root: dir}
	}
	for d := abs; ; d = filepath.Dir(d) {
		for _, marker := range []string{DefaultDir, StateDir, ".git"} {
			if _, err := os.Stat(filepath.Join(d, marker)); err == nil {
				return Project{Root: d}
			}
		}
		if filepath.Dir(d) == d {
			return Project{Root: abs}
		}
	}
}

// DescriptorPath is where the descriptor of key lives in the project. A
// key that config.AppKey.Validate refuses has no path: its file name could
// lead out of mobilefirst/.
func (p Project) DescriptorPath(key config.AppKey) (string, error) {
	if err := key.Validate(); err != nil {
		return "", err
	}
	return filepath.Join(p.Root, DefaultDir, key.FileName()), nil
}

// CheckWrite says whether content from a server may be written to the
// project's descriptor of key, and returns that write. mobilefirst/ must
// be a folder inside the project: a real one (or none yet), or a symbolic
// link to a folder that is inside the project too. The file, when it
// exists, must be a plain file: not a symbolic link (the content would
// land wherever the link points), not read-only, not one of several hard
// links (the file would silently split from the others).
func (p Project) CheckWrite(key config.AppKey) (DescriptorWrite, error) {
	path, err := p.DescriptorPath(key)
	if err != nil {
		return DescriptorWrite{}, err
	}
	if name := filepath.Base(path); len(name)+len(".")+len(".tmp-")+maxTempSuffix > maxNameLength {
		return DescriptorWrite{}, config.Errorf(config.KindInvalid, "the file name of %s (%d bytes) is too long for the file system", key, len(name))
	}
	if err := p.checkDescriptorDir(); err != nil {
		return DescriptorWrite{}, err
	}
	if err := checkPlainFile(path); err != nil {
		return DescriptorWrite{}, err
	}
	return DescriptorWrite{path: path}, nil
}

// checkPlainFile makes sure the file at path, where it exists, is a plain
// file that a rename may replace (see CheckWrite).
func checkPlainFile(path string) error {
	info, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return config.Errorf(config.KindInvalid, "cannot write %s: %v", path, err)
	case info.Mode()&fs.ModeSymlink != 0:
		target, _ := os.Readlink(path)
		return config.Errorf(config.KindInvalid, "%s is a symbolic link (to %q); scopectl does not write server content through links: replace the link with a copy of the file", path, target)
	case !info.Mode().IsRegular():
		return config.Errorf(config.KindInvalid, "%s is not a regular file; not written", path)
	}
	if err := replaceProblem(path, path, info, "written", "writing"); err != nil {
		return config.Errorf(config.KindInvalid, "%v", err)
	}
	return nil
}

// DescriptorWrite is a write of one descriptor file that CheckWrite
// allowed. Writing it does not check again: a command checks every file
// before it changes anything (a file or the server), then writes.
type DescriptorWrite struct {
	path string
}

// Write replaces the file with data atomically, creating mobilefirst/
// when there is none. The rename never follows a link: a link put in the
// file's place since CheckWrite is replaced, not written through.
func (w DescriptorWrite) Write(data []byte) error {
	if err := w.mkdir(); err != nil {
		return err
	}
	return WriteFile(w.path, data, 0o644)
}

// Stage stages the write of data (see Batch), creating mobilefirst/ when
// there is none; the commit of a Batch with it replaces the file, as
// Write does.
func (w DescriptorWrite) Stage(data []byte) (Staged, error) {
	if err := w.mkdir(); err != nil {
		return Staged{}, err
	}
	return Stage(w.path, data, 0o644)
}

func (w DescriptorWrite) mkdir() error {
	if w.path == "" {
		return config.Errorf(config.KindInternal, "descriptor write without CheckWrite")
	}
	if err := os.MkdirAll(filepath.Dir(w.path), 0o755); err != nil {
		return config.Errorf(config.KindInvalid, "create %s: %v", filepath.Dir(w.path), err)
	}
	return nil
}

// maxNameLength is the longest file name most file systems take (NAME_MAX);
// maxTempSuffix the longest random suffix of os.CreateTemp, which names the
// temporary file of an atomic write.
const (
	maxNameLength = 255
	maxTempSuffix = 10
)

// checkDescriptorDir makes sure mobilefirst/, where it exists, is a folder
// inside the project.
func (p Project) checkDescriptorDir() error {
	dir := filepath.Join(p.Root, DefaultDir)
	info, err := os.Lstat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return config.Errorf(config.KindInvalid, "cannot use %s: %v", dir, err)
	case info.IsDir():
		return nil
	case info.Mode()&fs.ModeSymlink == 0:
		return config.Errorf(config.KindInvalid, "%s is not a folder", dir)
	}
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return config.Errorf(config.KindInvalid, "%s is a symbolic link that leads nowhere (%v)", dir, err)
	}
	root, err := filepath.EvalSymlinks(p.Root)
	if err != nil || !inside(root, real) {
		return config.Errorf(config.KindInvalid, "%s is a symbolic link to %q, outside the project %s; scopectl writes server content only inside the project", dir, real, p.Root)
	}
	if info, err := os.Stat(real); err != nil || !info.IsDir() {
		return config.Errorf(config.KindInvalid, "%s does not lead to a folder", dir)
	}
	return nil
}

// inside reports whether path is below dir (both absolute and resolved).
func inside(dir, path string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != "." && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// WriteDescriptor writes content from a server to the project's descriptor
// of key, atomically, if CheckWrite allows it: CheckWrite, then Write.
func (p Project) WriteDescriptor(key config.AppKey, data []byte) error {
	w, err := p.CheckWrite(key)
	if err != nil {
		return err
	}
	return w.Write(data)
}

// Base is what the working copy last pulled from or pushed to one server
// for one application.
type Base struct {
	Server   string `json:"server"` // server URL
	Runtime  string `json:"runtime"`
	Revision int64  `json:"revision"`
	Content  string `json:"content"` // canonical descriptor
}

// basePath is where the base of key on a server is kept. The state folder
// and the folders in it must be real folders inside the project: a
// symbolic link could send what scopectl writes there anywhere.
func (p Project) basePath(server, runtime string, key config.AppKey) (string, error) {
	return p.statePath("base", server, runtime, key)
}

// statePath is where the state of kind (base, instances) of key on a
// server is kept, with the checks of basePath.
func (p Project) statePath(kind, server, runtime string, key config.AppKey) (string, error) {
	if err := key.Validate(); err != nil {
		return "", err
	}
	dirs := []string{StateDir, kind, serverFolder(server, runtime)}
	if err := p.checkRealFolders(dirs); err != nil {
		return "", err
	}
	path := filepath.Join(append(append([]string{p.Root}, dirs...), key.FileName())...)
	if info, err := os.Lstat(path); err == nil && !info.Mode().IsRegular() {
		return "", config.Errorf(config.KindInvalid, "%s is not a regular file (a symbolic link?); delete it and pull again", path)
	}
	return path, nil
}

// serverFolder names the folder of a server's runtime in the state
// folder.
func serverFolder(server, runtime string) string {
	sum := sha256.Sum256([]byte(server + "\n" + runtime))
	return hex.EncodeToString(sum[:8])
}

// checkRealFolders makes sure each of the nested folders dirs under the
// root, as far as they exist, is a folder and not a symbolic link.
func (p Project) checkRealFolders(dirs []string) error {
	dir := p.Root
	for _, name := range dirs {
		dir = filepath.Join(dir, name)
		info, err := os.Lstat(dir)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil
		case err != nil:
			return fmt.Errorf("check %s: %w", dir, err)
		case !info.IsDir():
			return config.Errorf(config.KindInvalid, "%s is not a folder (a symbolic link?); scopectl keeps base state only in a real %s/ folder inside the project: remove it and pull again", dir, StateDir)
		}
	}
	return nil
}

// Base returns the recorded base of an application on a server, or nil.
func (p Project) Base(server, runtime string, key config.AppKey) (*Base, error) {
	path, err := p.basePath(server, runtime, key)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read base state: %w", err)
	}
	var b Base
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, config.Errorf(config.KindInvalid, "%s is damaged (%v); delete it and pull again", path, err)
	}
	return &b, nil
}

// SaveBase records a base atomically, and makes sure git ignores the
// state folder.
func (p Project) SaveBase(key config.AppKey, b Base) error {
	path, data, err := p.baseFile(key, b)
	if err != nil {
		return err
	}
	if err := WriteFile(path, data, 0o644); err != nil {
		return err
	}
	return p.ignoreState()
}

// StageBase stages the record of a base (see Batch), creating its folder;
// CommitBases records it.
func (p Project) StageBase(key config.AppKey, b Base) (Staged, error) {
	path, data, err := p.baseFile(key, b)
	if err != nil {
		return Staged{}, err
	}
	return Stage(path, data, 0o644)
}

// CommitBases commits a batch of StageBase records (see Batch.Commit) and
// makes sure git ignores the state folder.
func (p Project) CommitBases(b *Batch) (int, error) {
	n, err := b.Commit()
	if err != nil || n == 0 {
		return n, err
	}
	return n, p.ignoreState()
}

// NewFolders returns a function that removes the folders a pull from
// server creates in the project (mobilefirst/, the state folder and
// those in it), as far as they do not exist now and are empty then: what
// a pull that fails calls to leave the project as it found it.
func (p Project) NewFolders(server, runtime string) func() {
	dirs := []string{
		filepath.Join(p.Root, StateDir, "base", serverFolder(server, runtime)),
		filepath.Join(p.Root, StateDir, "base"),
		filepath.Join(p.Root, StateDir),
		filepath.Join(p.Root, DefaultDir),
	}
	var missing []string
	for _, d := range dirs {
		if _, err := os.Lstat(d); errors.Is(err, fs.ErrNotExist) {
			missing = append(missing, d)
		}
	}
	return func() {
		for _, d := range missing {
			os.Remove(d) // only when empty
		}
	}
}

// baseFile returns the file of a base and its content, creating its
// folder.
func (p Project) baseFile(key config.AppKey, b Base) (string, []byte, error) {
	path, err := p.basePath(b.Server, b.Runtime, key)
	if err != nil {
		return "", nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", nil, fmt.Errorf("create %s: %w", filepath.Dir(path), err)
	}
	data, _ := json.MarshalIndent(b, "", "  ")
	return path, append(data, '\n'), nil
}

// ignoreState adds the state folder to the project's .gitignore once.
func (p Project) ignoreState() error {
	if _, done := stateIgnored.Load(p.Root); done {
		return nil // a pull saves one base per file: read .gitignore once per run
	}
	if err := p.addStateToGitignore(); err != nil {
		return err
	}
	stateIgnored.Store(p.Root, true)
	return nil
}

// stateIgnored holds the project roots whose .gitignore this process has
// seen to name the state folder.
var stateIgnored sync.Map

func (p Project) addStateToGitignore() error {
	path := filepath.Join(p.Root, ".gitignore")
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if t := strings.TrimSpace(line); t == StateDir+"/" || t == StateDir || t == "/"+StateDir+"/" || t == "/"+StateDir {
			return nil
		}
	}
	if len(data) > 0 && !bytes.HasSuffix(data, []byte("\n")) {
		data = append(data, '\n')
	}
	return WriteFile(path, append(data, []byte(StateDir+"/\n")...), 0o644)
}

// Instance returns the saved mobile instance of key on a server (its
// private key and client id, for scopectl app token), or nil. A file that
// others may read is refused: it holds a private key.
func (p Project) Instance(server, runtime string, key config.AppKey) ([]byte, error) {
	path, err := p.statePath("instances", server, runtime, key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	info, err := f.Stat() // of the file read, not of one put in its place meanwhile
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if info.Mode().Perm()&0o077 != 0 {
		return nil, config.Errorf(config.KindInvalid, "%s holds a private key but others may read it; run chmod 600 %s", path, path)
	}
	return io.ReadAll(f)
}

// SaveInstance saves a mobile instance atomically, readable by its owner
// only, and makes sure git ignores the state folder.
func (p Project) SaveInstance(server, runtime string, key config.AppKey, data []byte) error {
	path, err := p.statePath("instances", server, runtime, key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("create %s: %w", filepath.Dir(path), err)
	}
	if err := WriteFile(path, data, 0o600); err != nil {
		return err
	}
	if err := os.Chmod(path, 0o600); err != nil {
		return fmt.Errorf("chmod %s: %w", path, err)
	}
	return p.ignoreState()
}
