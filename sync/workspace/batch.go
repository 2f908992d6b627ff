package workspace

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// Batch replaces many files, each atomically as WriteFile does, with far
// fewer waits for the disk: Stage writes each file's content to a
// temporary file beside it, which Add puts in the batch; Commit flushes
// all of them at once, renames them over their files in the order added,
// and flushes each directory once. A crash at any point leaves every file
// with its old or its new content, never a torn one: no rename happens
// before every staged content is on disk. When Commit returns, every
// renamed file is durable.
//
// Files that must not become durable before others (the base state that
// names a file's revision, after that file) go in a second Batch,
// committed after the first.
type Batch struct {
	staged []Staged
}

// Staged is a file's new content in a temporary file beside it, written
// and closed but not flushed: nothing is kept open between Stage and
// Commit, so that a Batch takes any number of files. Until it is
// committed, it must be discarded.
type Staged struct {
	path, tmp string
}

// syncConcurrency bounds the flushes of syncEach in flight at once.
const syncConcurrency = 32

// Stage writes data to a temporary file beside path, to replace it when
// committed in a Batch. An existing file keeps its permission bits; a new
// one gets perm. On error nothing is left behind. Stage may be called
// from several goroutines at once.
func Stage(path string, data []byte, perm fs.FileMode) (Staged, error) {
	tmp, err := writeTemp(path, data, perm, false)
	if err != nil {
		return Staged{}, err
	}
	return Staged{path: path, tmp: tmp}, nil
}

// Discard removes the temporary file of a staged content that will not be
// committed. The zero Staged has none.
func (f Staged) Discard() {
	if f.tmp != "" {
		os.Remove(f.tmp)
	}
}

// Add puts a staged file in the batch, to be renamed after those added
// before it.
func (b *Batch) Add(f Staged) {
	b.staged = append(b.staged, f)
}

// Commit flushes every staged file to disk, then renames them over their
// files in the order added, then flushes their directories. It returns
// how many files were renamed: all of them, or, on an error, the first n
// (the others are discarded). When nothing could be flushed, n is 0 and
// no file has changed.
func (b *Batch) Commit() (n int, err error) {
	defer func() {
		b.staged = b.staged[n:]
		b.Discard()
	}()
	if err := b.flush(); err != nil {
		return 0, err
	}
	dirs := map[string]bool{}
	for _, f := range b.staged {
		if err := os.Rename(f.tmp, f.path); err != nil {
			syncDirs(dirs)
			return n, fmt.Errorf("write %s: %w", f.path, err)
		}
		dirs[filepath.Dir(f.path)] = true
		n++
	}
	syncDirs(dirs)
	return n, nil
}

// flush puts the content of every staged file on disk (flushStaged).
func (b *Batch) flush() error {
	paths := make([]string, len(b.staged))
	for i, f := range b.staged {
		paths[i] = f.tmp
	}
	return flushStaged(paths)
}

// syncEach flushes every file of paths, several at a time: the file
// system commits concurrent flushes together. A file's data is flushed
// whichever descriptor of it asks, so each file is opened again.
func syncEach(paths []string) error {
	errs := make([]error, len(paths))
	sem := make(chan struct{}, syncConcurrency)
	var wg sync.WaitGroup
	for i, path := range paths {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			errs[i] = syncFile(path)
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Truncate keeps the first n staged files and discards the others.
func (b *Batch) Truncate(n int) {
	if n >= len(b.staged) {
		return
	}
	rest := Batch{staged: b.staged[n:]}
	rest.Discard()
	b.staged = b.staged[:n:n]
}

// Discard removes the staged files that were not renamed.
func (b *Batch) Discard() {
	for _, f := range b.staged {
		f.Discard()
	}
	b.staged = nil
}

// syncDirs flushes each directory of dirs (see syncDir).
func syncDirs(dirs map[string]bool) {
	for dir := range dirs {
		syncDir(dir)
	}
}

// syncFile flushes the file at path to disk.
func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("flush %s: %w", path, err)
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("flush %s: %w", path, err)
	}
	return nil
}
