package workspace

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// WriteFile replaces the file at path with data atomically: the data is
// written to a temporary file in the same directory, flushed to disk, and
// renamed over path, so a crash leaves either the old or the new content.
// An existing file keeps its permission bits; a new one gets perm.
func WriteFile(path string, data []byte, perm fs.FileMode) error {
	tmp, err := writeTemp(path, data, perm, true)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	syncDir(filepath.Dir(path))
	return nil
}

// writeTemp writes data to a new temporary file beside path and returns
// its name. It takes the permission bits of the file at path if there is
// one, else perm, and with durable it flushes the data to disk. On error
// nothing is left behind.
func writeTemp(path string, data []byte, perm fs.FileMode, durable bool) (_ string, err error) {
	if info, statErr := os.Stat(path); statErr == nil {
		perm = info.Mode().Perm()
	}
	tmp, err := createTemp(path)
	if err != nil {
		return "", err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
			err = fmt.Errorf("write %s: %w", path, err)
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return "", err
	}
	if err = tmp.Chmod(perm); err != nil {
		return "", err
	}
	if durable {
		if err = tmp.Sync(); err != nil {
			return "", err
		}
	}
	if err = tmp.Close(); err != nil {
		return "", err
	}
	return tmp.Name(), nil
}

// createTemp creates the temporary file of an atomic write of path,
// hidden, beside it.
func createTemp(path string) (*os.File, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if errors.Is(err, fs.ErrPermission) {
		return nil, fmt.Errorf("cannot write %s: no permission to create files in %s", path, filepath.Dir(path))
	}
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	return tmp, nil
}

// ReplaceFile rewrites an existing file in place of the user: through a
// symbolic link it writes the link's target (the link stays a link), and it
// refuses a read-only file and a file with other hard links (an atomic
// rename would silently split them), rather than lose what the user set up.
func ReplaceFile(path string, data []byte) error {
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return fmt.Errorf("cannot resolve %s: %w", path, err)
	}
	info, err := os.Stat(target)
	if err != nil {
		return err
	}
	if err := replaceProblem(path, target, info, "rewritten", "rewriting"); err != nil {
		return err
	}
	return WriteFile(target, data, info.Mode().Perm())
}

// replaceProblem says why the file (info from os.Stat or os.Lstat of it),
// named path in messages, must not be replaced by a rename, or nil: it is
// read-only, or one of several hard links (a rename would silently split
// it from the others). done and doing name the write ("written",
// "writing"). It is the one check of CheckWrite and ReplaceFile.
func replaceProblem(path, file string, info fs.FileInfo, done, doing string) error {
	if info.Mode().Perm()&0o222 == 0 {
		return fmt.Errorf("%s is read-only; not %s", path, done)
	}
	if n := links(file, info); n > 1 {
		return fmt.Errorf("%s has %d hard links; not %s (%s would split them)", path, n, done, doing)
	}
	return nil
}

// SameFile reports whether two paths name the same file (after resolving
// symbolic links, where they exist).
func SameFile(a, b string) bool {
	clean := func(p string) string {
		if abs, err := filepath.Abs(p); err == nil {
			p = abs
		}
		if r, err := filepath.EvalSymlinks(p); err == nil {
			return r
		}
		return filepath.Clean(p)
	}
	return clean(a) == clean(b)
}

// syncDir flushes a directory entry change (the rename) to disk, where the
// platform allows it; the rename itself is already visible.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
