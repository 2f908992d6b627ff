//go:build !linux

package workspace

// flushStaged puts the content of the files of paths on disk: one flush
// per file, several at a time (syncEach).
func flushStaged(paths []string) error {
	return syncEach(paths)
}
