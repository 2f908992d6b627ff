package workspace

import (
	"errors"
	"io/fs"
	"os"
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
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, pathError(p, err)
		}
		if !info.IsDir() {
			files = appendNew(files, p)
			continue
		}
		found, err := descriptorsIn(p)
		if err != nil {
			return nil, pathError(p, err)
		}
		if len(found) == 0 {
			return nil, config.Errorf(config.KindInvalid, "%s: no descriptors (*.json files) in this directory", p)
		}
		for _, f := range found {
			files = appendNew(files, f)
		}
	}
	return files, nil
}

// appendNew appends path unless it names a file already in files.
func appendNew(files []string, path string) []string {
	clean := filepath.Clean(path)
	if slices.ContainsFunc(files, func(f string) bool { return filepath.Clean(f) == clean }) {
		return files
	}
	return append(files, path)
}

func descriptorsIn(dir string) ([]string, error) {
	var found []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && path != dir && strings.HasPrefix(d.Name(), "."):
			return filepath.SkipDir
		case !d.IsDir() && strings.HasSuffix(d.Name(), ".json") && !strings.HasPrefix(d.Name(), "."):
			found = append(found, path)
		}
		return nil
	})
	slices.Sort(found)
	return found, err
}

func pathError(path string, err error) error {
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
