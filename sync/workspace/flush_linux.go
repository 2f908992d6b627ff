package workspace

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// flushStaged puts the content of the files of paths on disk. On Linux
// one syncfs(2) per file system does it for all of them, waiting for the
// disk once rather than once per file (since Linux 5.8 it reports
// write-back errors as fsync does). Each folder of paths is asked once;
// after the first, the file system has little left to write.
func flushStaged(paths []string) error {
	dirs := map[string]bool{}
	for _, p := range paths {
		dirs[filepath.Dir(p)] = true
	}
	for dir := range dirs {
		if err := syncFS(dir); err != nil {
			return err
		}
	}
	return nil
}

// syncFS flushes the file system that holds dir.
func syncFS(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("flush %s: %w", dir, err)
	}
	defer d.Close()
	if err := unix.Syncfs(int(d.Fd())); err != nil {
		return fmt.Errorf("flush %s: %w", dir, err)
	}
	return nil
}
