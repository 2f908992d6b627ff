package gitrepo

import (
	"errors"
	"io"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/schema"
	"github.com/scopectl/scopectl/sync/workspace"
)

// DescriptorsAtRevision returns the descriptors under paths (files or
// directories, relative to wd, selected as StagedDescriptors selects them)
// as they are in git revision rev, ordered by name. Only the trees under
// paths and the selected blobs are read.
func DescriptorsAtRevision(wd, rev string, paths []string) ([]schema.Blob, error) {
	t, err := OpenRevision(wd, rev)
	if err != nil {
		return nil, err
	}
	return t.Descriptors(paths)
}

// Revision is one git revision of the repository that contains a folder,
// opened once to read descriptors from it many times.
type Revision struct {
	repo     *git.Repository
	root, wd string
	rev      string
	tree     *object.Tree
}

// OpenRevision opens the git repository that contains wd and resolves rev
// in it.
func OpenRevision(wd, rev string) (*Revision, error) {
	repo, root, wd, err := openRepository(wd)
	if err != nil {
		return nil, err
	}
	tree, err := revisionTree(repo, rev)
	if err != nil {
		return nil, err
	}
	return &Revision{repo: repo, root: root, wd: wd, rev: rev, tree: tree}, nil
}

// Descriptors returns the descriptors under paths as DescriptorsAtRevision
// does.
func (r *Revision) Descriptors(paths []string) ([]schema.Blob, error) {
	specs, err := pathSpecs(r.wd, r.root, paths)
	if err != nil {
		return nil, err
	}
	found := map[string]plumbing.Hash{}
	for _, s := range specs {
		if err := treeDescriptors(r.tree, s, found); err != nil {
			return nil, config.Errorf(config.KindInvalid, "read %s in git revision %s: %v", s.arg, r.rev, err)
		}
	}
	out := make([]schema.Blob, 0, len(found))
	for _, name := range slices.Sorted(maps.Keys(found)) {
		f := readBlob(r.repo, found[name], displayName(r.wd, r.root, name))
		if f.Err != nil {
			return nil, config.Errorf(config.KindInvalid, "%s in git revision %s: %v", f.Name, r.rev, f.Err)
		}
		out = append(out, f)
	}
	return out, nil
}

// treeDescriptors adds to found the blobs that spec selects in tree: the
// file it names, or the descriptors below the directory it names.
func treeDescriptors(tree *object.Tree, spec *pathSpec, found map[string]plumbing.Hash) error {
	dir := tree
	if spec.path != "" {
		e, err := tree.FindEntry(spec.path)
		switch {
		case errors.Is(err, object.ErrEntryNotFound) || errors.Is(err, object.ErrDirectoryNotFound):
			return nil // not in this revision
		case err != nil:
			return err
		case e.Mode.IsFile():
			if e.Mode != filemode.Symlink {
				found[spec.path] = e.Hash
			}
			return nil
		}
		if dir, err = tree.Tree(spec.path); err != nil {
			return err
		}
	}
	walker := object.NewTreeWalker(dir, true, nil)
	defer walker.Close()
	for {
		name, e, err := walker.Next()
		switch {
		case errors.Is(err, io.EOF):
			return nil
		case err != nil:
			return err
		}
		if e.Mode.IsFile() && e.Mode != filemode.Symlink && workspace.IsDescriptorPath(name) {
			found[path.Join(spec.path, name)] = e.Hash
		}
	}
}

// revisionTree resolves rev to the tree of its commit.
func revisionTree(repo *git.Repository, rev string) (*object.Tree, error) {
	if strings.Contains(rev, "@{") { // go-git drops reflog selectors: main@{1} would read main
		return nil, config.Errorf(config.KindInvalid, "git revision %q: reflog forms (@{...}) are not supported; use a hash, branch, tag or HEAD~N", rev)
	}
	hash, err := repo.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		return nil, config.Errorf(config.KindInvalid, "unknown git revision %q", rev)
	}
	commit, err := repo.CommitObject(*hash)
	if err != nil {
		return nil, config.Errorf(config.KindInvalid, "git revision %q is not a commit", rev)
	}
	tree, err := commit.Tree()
	if err != nil {
		return nil, config.Errorf(config.KindInvalid, "git revision %q: %v", rev, err)
	}
	return tree, nil
}
