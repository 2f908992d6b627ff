package workspace

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

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

// DescriptorPath is where the descriptor of key lives in the project.
func (p Project) DescriptorPath(key config.AppKey) string {
	return filepath.Join(p.Root, DefaultDir, key.FileName())
}

// Base is what the working copy last pulled from or pushed to one server
// for one application.
type Base struct {
	Server   string `json:"server"` // server URL
	Runtime  string `json:"runtime"`
	Revision int64  `json:"revision"`
	Content  string `json:"content"` // canonical descriptor
}

func (p Project) basePath(server, runtime string, key config.AppKey) string {
	sum := sha256.Sum256([]byte(server + "\n" + runtime))
	return filepath.Join(p.Root, StateDir, "base", hex.EncodeToString(sum[:8]), key.FileName())
}

// Base returns the recorded base of an application on a server, or nil.
func (p Project) Base(server, runtime string, key config.AppKey) (*Base, error) {
	data, err := os.ReadFile(p.basePath(server, runtime, key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read base state: %w", err)
	}
	var b Base
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, config.Errorf(config.KindInvalid, "%s is damaged (%v); delete it and pull again", p.basePath(server, runtime, key), err)
	}
	return &b, nil
}

// SaveBase records a base atomically, and makes sure git ignores the
// state folder.
func (p Project) SaveBase(key config.AppKey, b Base) error {
	path := p.basePath(b.Server, b.Runtime, key)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("create %s: %w", filepath.Dir(path), err)
	}
	data, _ := json.MarshalIndent(b, "", "  ")
	if err := WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return err
	}
	return p.ignoreState()
}

// ignoreState adds the state folder to the project's .gitignore once.
func (p Project) ignoreState() error {
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
