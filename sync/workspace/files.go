package workspace

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/scopectl/scopectl/config"
)

// DefaultDir is the project folder that holds the descriptors.
const DefaultDir = "mobilefirst"

// FindDescriptors expands paths into descriptor files: a file is taken as
// it is (whatever its name), a directory contributes every *.json file
// below it, skipping hidden files and directories (editor lock files,
// .scopectl/). A file named twice is listed once. It fails with a
// KindInvalid error for a path that does not exist or a directory without
// descriptors.
func FindDescriptors(paths []string) ([]string, error) {
	var files []string
	seen := map[string]bool{} // cleaned paths, so a file named twice is listed once
	add := func(path string) {
		if clean := filepath.Clean(path); !seen[clean] {
			seen[clean] = true
			files = append(files, path)
		}
	}
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, PathError(p, err)
		}
		if !info.IsDir() {
			add(p)
			continue
		}
		found, err := descriptorsIn(p)
		if err != nil {
			return nil, PathError(p, err)
		}
		if len(found) == 0 {
			return nil, config.Errorf(config.KindInvalid, "%s: no descriptors (*.json files) in this directory", p)
		}
		for _, f := range found {
			add(f)
		}
	}
	return files, nil
}

// IsDescriptorName reports whether a file of this name is a descriptor
// when a directory is searched for them: a *.json name (case matters) that
// is not hidden. It is the one rule of FindDescriptors,
// gitrepo.StagedDescriptors, gitrepo.DescriptorsAtRevision and
// transfer.LocalFiles; a file named explicitly is taken whatever its name.
func IsDescriptorName(name string) bool {
	return !hidden(name) && path.Ext(name) == ".json"
}

// IsDescriptorPath reports whether the slash-separated path rel, below a
// directory that is searched, is a descriptor: its name is one
// (IsDescriptorName) and no directory on the way is hidden.
func IsDescriptorPath(rel string) bool {
	dir, name := path.Split(rel)
	for part := range strings.SplitSeq(dir, "/") {
		if hidden(part) {
			return false
		}
	}
	return IsDescriptorName(name)
}

// hidden reports whether a file or directory name is hidden (editor lock
// files, .scopectl/, .git/).
func hidden(name string) bool {
	return strings.HasPrefix(name, ".")
}

func descriptorsIn(dir string) ([]string, error) {
	var found []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && path != dir && hidden(d.Name()):
			return filepath.SkipDir
		case !d.IsDir() && IsDescriptorName(d.Name()):
			found = append(found, path)
		}
		return nil
	})
	slices.Sort(found)
	return found, err
}

// PathError is a KindInvalid error for a path that cannot be read: the
// path and the reason, without the operation that met it.
func PathError(path string, err error) error {
	msg := err.Error()
	var pe *fs.PathError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		msg = "no such file or directory"
	case errors.Is(err, fs.ErrPermission):
		msg = "permission denied"
	case errors.As(err, &pe):
		msg = pe.Err.Error()
	}
	return &config.Error{Kind: config.KindInvalid, Message: path + ": " + msg, Err: err}
}
