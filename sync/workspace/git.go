package workspace

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/scopectl/scopectl/config"
)

// FileAtRevision returns the content of the file at path as it was in git
// revision rev (anything git rev-parse takes: HEAD~1, a branch, a tag, a
// hash) of the repository that contains it, read with go-git. found is
// false when the file did not exist in that revision.
func FileAtRevision(path, rev string) (content []byte, found bool, err error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, false, err
	}
	repo, root, err := openRepository(filepath.Dir(abs))
	if err != nil {
		return nil, false, err
	}
	tree, err := revisionTree(repo, rev)
	if err != nil {
		return nil, false, err
	}
	rel := relSlash(root, abs)
	f, err := tree.File(rel)
	if errors.Is(err, object.ErrFileNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read %s at %s: %w", rel, rev, err)
	}
	text, err := f.Contents()
	if err != nil {
		return nil, false, fmt.Errorf("read %s at %s: %w", rel, rev, err)
	}
	return []byte(text), true, nil
}

// DescriptorsAtRevision returns the descriptors under paths (files or
// directories, relative to wd, selected as StagedDescriptors selects them)
// as they are in git revision rev, ordered by name.
func DescriptorsAtRevision(wd, rev string, paths []string) ([]GitFile, error) {
	repo, root, err := openRepository(wd)
	if err != nil {
		return nil, err
	}
	specs, err := pathSpecs(wd, root, paths)
	if err != nil {
		return nil, err
	}
	tree, err := revisionTree(repo, rev)
	if err != nil {
		return nil, err
	}
	var out []GitFile
	err = tree.Files().ForEach(func(f *object.File) error {
		if matchSpec(specs, f.Name) != nil && f.Mode.IsFile() && f.Mode != filemode.Symlink {
			out = append(out, readBlob(repo, f.Hash, displayName(wd, root, f.Name)))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read git revision %s: %w", rev, err)
	}
	return out, nil
}

// revisionTree resolves rev to the tree of its commit.
func revisionTree(repo *git.Repository, rev string) (*object.Tree, error) {
	hash, err := repo.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		return nil, config.Errorf(config.KindInvalid, "unknown git revision %q", rev)
	}
	commit, err := repo.CommitObject(*hash)
	if err != nil {
		return nil, config.Errorf(config.KindInvalid, "git revision %q is not a commit", rev)
	}
	return commit.Tree()
}
