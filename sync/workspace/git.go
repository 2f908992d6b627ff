package workspace

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
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
	repo, err := git.PlainOpenWithOptions(filepath.Dir(abs), &git.PlainOpenOptions{DetectDotGit: true})
	if err != nil {
		return nil, false, config.Errorf(config.KindInvalid, "%s is not in a git repository", path)
	}
	wt, err := repo.Worktree()
	if err != nil {
		return nil, false, config.Errorf(config.KindInvalid, "the repository of %s has no working tree", path)
	}
	rel, err := filepath.Rel(wt.Filesystem.Root(), abs)
	if err != nil {
		return nil, false, err
	}
	hash, err := repo.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		return nil, false, config.Errorf(config.KindInvalid, "unknown git revision %q", rev)
	}
	commit, err := repo.CommitObject(*hash)
	if err != nil {
		return nil, false, config.Errorf(config.KindInvalid, "git revision %q is not a commit", rev)
	}
	f, err := commit.File(filepath.ToSlash(rel))
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
