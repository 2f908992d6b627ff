package gitrepo

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/schema"
	"github.com/scopectl/scopectl/sync/workspace"
)

// stageMerged is the stage of an index entry without a merge conflict.
// (go-git's index.Merged says 1, which is the conflict's common ancestor;
// git and go-git's decoder use 0.)
const stageMerged index.Stage = 0

// StagedDescriptors returns the staged descriptors under paths (files or
// directories, relative to wd) that the next commit adds or changes, read
// from the git index with go-git. Directories contribute their *.json
// files, skipping hidden ones, as FindDescriptors does; a file is taken
// whatever its name. Each blob is named relative to wd, as the user would
// type it. Descriptors that the commit leaves as they are in HEAD, or
// deletes, have nothing to check and are left out.
//
// indexFile is the index to read when it is not the repository's own:
// git names a temporary one in GIT_INDEX_FILE while it runs the hooks of
// "git commit -a" and "git commit PATH"; a relative name is relative to
// the top of the working tree.
func StagedDescriptors(wd, indexFile string, paths []string) ([]schema.Blob, error) {
	repo, root, wd, err := openRepository(wd)
	if err != nil {
		return nil, err
	}
	idx, err := readIndex(repo, root, indexFile)
	if err != nil {
		return nil, config.Errorf(config.KindInvalid, "cannot read the git index of %s: %v", root, err)
	}
	specs, err := pathSpecs(wd, root, paths)
	if err != nil {
		return nil, err
	}
	head, err := headTree(repo)
	if err != nil {
		return nil, err
	}
	committed := newTreeIndex(head)
	var out []schema.Blob
	seen := map[string]bool{}
	for _, e := range idx.Entries {
		if seen[e.Name] || !matchSpecs(specs, e.Name) {
			continue
		}
		seen[e.Name] = true
		if !stagedFile(e) { // a symbolic link: the commit records the link, not a descriptor
			continue
		}
		if e.Stage == stageMerged && committed.has(e.Name, e.Hash) {
			continue
		}
		out = append(out, readStaged(repo, e, displayName(wd, root, e.Name)))
	}
	if err := checkSpecs(specs, head); err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b schema.Blob) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// readIndex reads the git index: file, or the repository's own when file
// is empty.
func readIndex(repo *git.Repository, root, file string) (*index.Index, error) {
	if file == "" {
		return repo.Storer.Index()
	}
	if !filepath.IsAbs(file) {
		file = filepath.Join(root, file)
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	idx := &index.Index{}
	return idx, index.NewDecoder(f).Decode(idx)
}

// openRepository opens the git repository that contains dir (a linked
// worktree too). It returns the repository, its working tree's root and
// dir itself, both absolute with symbolic links resolved, so that paths
// relative to one are relative to the other.
func openRepository(dir string) (repo *git.Repository, root, real string, err error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, "", "", err
	}
	real = resolved(abs)
	repo, err = git.PlainOpenWithOptions(real, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	switch {
	case errors.Is(err, git.ErrRepositoryNotExists):
		return nil, "", "", config.Errorf(config.KindInvalid, "%s is not in a git repository (this command reads or sets up git: run it inside a clone, or git init first)", dir)
	case err != nil: // such as an extension go-git does not support
		return nil, "", "", config.Errorf(config.KindInvalid, "cannot open the git repository of %s with go-git: %v", dir, err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		return nil, "", "", config.Errorf(config.KindInvalid, "the git repository of %s has no working tree", dir)
	}
	return repo, resolved(wt.Filesystem.Root()), real, nil
}

// pathSpec is one PATH argument as a slash-separated path in the
// repository ("" for its root).
type pathSpec struct {
	arg     string // as given
	abs     string // in the file system
	path    string
	matched bool
}

func pathSpecs(wd, root string, paths []string) ([]*pathSpec, error) {
	specs := make([]*pathSpec, 0, len(paths))
	for _, p := range paths {
		abs := p
		if !filepath.IsAbs(p) {
			abs = filepath.Join(wd, p)
		}
		abs = specPath(abs)
		rel, err := filepath.Rel(root, abs)
		if err != nil || isOutside(rel) {
			return nil, config.Errorf(config.KindInvalid, "%s: outside the git repository %s", p, root)
		}
		rel = filepath.ToSlash(rel)
		if rel == "." {
			rel = ""
		}
		specs = append(specs, &pathSpec{arg: p, abs: abs, path: rel})
	}
	return specs, nil
}

func isOutside(rel string) bool {
	return rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// specPath resolves the symbolic links of a path argument the way git
// sees the repository: in every directory, and in the last component when
// it leads to a directory, but not a link to a file (git stores the link).
func specPath(abs string) string {
	if info, err := os.Stat(abs); err == nil && info.IsDir() {
		return resolved(abs)
	}
	return filepath.Join(resolved(filepath.Dir(abs)), filepath.Base(abs))
}

// resolved returns path with symbolic links resolved, as far as it exists.
func resolved(path string) string {
	if r, err := filepath.EvalSymlinks(path); err == nil {
		return r
	}
	if dir := filepath.Dir(path); dir != path {
		return filepath.Join(resolved(dir), filepath.Base(path))
	}
	return path
}

// matchSpecs reports whether a spec selects the index entry name — the
// entry itself, or a non-hidden *.json file below a directory without
// hidden folders in between — and marks every spec that does.
func matchSpecs(specs []*pathSpec, name string) bool {
	found := false
	for _, s := range specs {
		rest, below := strings.CutPrefix(name, s.path+"/")
		if s.path == "" {
			rest, below = name, true
		}
		if name == s.path || below && workspace.IsDescriptorPath(rest) {
			s.matched, found = true, true
		}
	}
	return found
}

// stagedFile reports whether the entry holds file content: not a symbolic
// link, a submodule or a path only announced with git add -N.
func stagedFile(e *index.Entry) bool {
	return (e.Mode == filemode.Regular || e.Mode == filemode.Executable || e.Mode == filemode.Deprecated) && !e.IntentToAdd
}

// checkSpecs fails for a path argument that selected nothing, when it
// names a file that exists but is not staged, or a *.json file that is
// nowhere. A directory with nothing staged, or not there at all (a project
// without descriptors yet), has nothing to check; neither has a path that
// the commit deletes.
func checkSpecs(specs []*pathSpec, head *object.Tree) error {
	for _, s := range specs {
		if s.matched || s.path == "" {
			continue
		}
		if head != nil {
			if _, err := head.FindEntry(s.path); err == nil {
				continue // deleted by the commit
			}
		}
		info, err := os.Stat(s.abs)
		switch {
		case errors.Is(err, fs.ErrNotExist) && path.Ext(s.path) != ".json":
		case err != nil:
			return workspace.PathError(s.arg, err)
		case !info.IsDir():
			return config.Errorf(config.KindInvalid, "%s: not in the git index; git add it first", s.arg)
		}
	}
	return nil
}

// headTree returns the tree of HEAD, or nil before the first commit.
func headTree(repo *git.Repository) (*object.Tree, error) {
	ref, err := repo.Head()
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read git HEAD: %w", err)
	}
	commit, err := repo.CommitObject(ref.Hash())
	if err != nil {
		return nil, fmt.Errorf("read git HEAD: %w", err)
	}
	return commit.Tree()
}

// treeIndex answers which blob a path has in a commit's tree, reading each
// directory's tree object once (go-git's Tree.FindEntry reads every
// directory on the way for every call).
type treeIndex struct {
	root *object.Tree // nil before the first commit
	dirs map[string]map[string]plumbing.Hash
}

func newTreeIndex(root *object.Tree) *treeIndex {
	return &treeIndex{root: root, dirs: map[string]map[string]plumbing.Hash{}}
}

// has reports whether the tree holds blob hash at name.
func (t *treeIndex) has(name string, hash plumbing.Hash) bool {
	if t.root == nil {
		return false
	}
	dir, base := path.Split(name)
	dir = strings.TrimSuffix(dir, "/")
	entries, ok := t.dirs[dir]
	if !ok {
		entries = map[string]plumbing.Hash{}
		tree := t.root
		if dir != "" {
			tree, _ = t.root.Tree(dir)
		}
		if tree != nil {
			for _, e := range tree.Entries {
				entries[e.Name] = e.Hash
			}
		}
		t.dirs[dir] = entries
	}
	h, ok := entries[base]
	return ok && h == hash
}

func readStaged(repo *git.Repository, e *index.Entry, name string) schema.Blob {
	if e.Stage != stageMerged {
		return schema.Blob{Name: name, Err: errors.New("unresolved merge conflict: git has not merged this file; resolve the conflict, git add the file, then validate or commit")}
	}
	return readBlob(repo, e.Hash, name)
}

// readBlob reads the blob hash, unless it is over the size limit; the
// blob is named name.
func readBlob(repo *git.Repository, hash plumbing.Hash, name string) schema.Blob {
	s := schema.Blob{Name: name}
	blob, err := repo.BlobObject(hash)
	if err != nil {
		s.Err = fmt.Errorf("read git blob %s: %w", hash, err)
		return s
	}
	s.Size = blob.Size
	if s.Size > config.MaxFileSize {
		return s
	}
	r, err := blob.Reader()
	if err == nil {
		s.Content, err = io.ReadAll(r)
		r.Close()
	}
	if err != nil {
		s.Content, s.Err = nil, fmt.Errorf("read git blob %s: %w", hash, err)
	}
	return s
}

// displayName turns a repository path into one relative to wd.
func displayName(wd, root, name string) string {
	abs := filepath.Join(root, filepath.FromSlash(name))
	if w, err := filepath.Abs(wd); err == nil {
		if rel, err := filepath.Rel(w, abs); err == nil {
			return rel
		}
	}
	return abs
}
