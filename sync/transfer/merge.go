package transfer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"

	"github.com/sergi/go-diff/diffmatchpatch"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/schema"
	"github.com/scopectl/scopectl/sync/diffview"
	"github.com/scopectl/scopectl/sync/gitrepo"
	"github.com/scopectl/scopectl/sync/workspace"
)

// findBase returns the version that the local file at path and the
// server's version both come from, or nil when none is known. That is the
// base recorded at the last pull or push. A copy without one (a fresh
// clone: .scopectl/ is not in git; a file written by hand) still has a
// base when the file itself, or its version in git's HEAD, equals one of
// the server's revisions: the server's history lists the SHA-256 of each
// revision's canonical form. The content compared is local, so a server
// cannot make up a base; it can only confirm one. It is the one way pull,
// push and rollback find a file's base.
func findBase(ctx context.Context, srv Server, head *GitHead, target Target, path string, local *config.Descriptor) (*config.Descriptor, error) {
	recorded, err := head.proj.Base(target.URL, target.Runtime, local.ApplicationKey)
	if err != nil {
		return nil, err
	}
	if recorded != nil {
		if d, err := config.ParseDescriptor([]byte(recorded.Content)); err == nil {
			return d, nil
		}
	}
	candidates := []*config.Descriptor{local}
	if d := head.version(path); d != nil {
		candidates = append(candidates, d)
	}
	revs, err := srv.Revisions(ctx, local.ApplicationKey)
	if err != nil {
		return nil, err
	}
	onServer := map[string]bool{}
	for _, r := range revs {
		onServer[strings.ToLower(r.Hash)] = true
	}
	for _, d := range candidates {
		if sum := sha256.Sum256(d.Canonical()); onServer[hex.EncodeToString(sum[:])] {
			return d, nil
		}
	}
	return nil, nil
}

// GitHead is the git HEAD of a project, for the base of copies without a
// recorded one. The repository is opened once, when first needed, so that
// one run over many files opens it once. Its methods may be called from
// several goroutines at once: they take turns.
type GitHead struct {
	proj   workspace.Project
	mu     sync.Mutex
	opened bool
	rev    *gitrepo.Revision // nil: no repository or no commit
}

// NewGitHead returns the git HEAD of proj, not opened yet.
func NewGitHead(proj workspace.Project) *GitHead {
	return &GitHead{proj: proj}
}

// version returns the valid descriptor at path in HEAD, or nil (no
// repository, no commit, not committed, not valid).
func (h *GitHead) version(path string) *config.Descriptor {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.opened {
		h.opened = true
		h.rev, _ = gitrepo.OpenRevision(h.proj.Root, "HEAD")
	}
	if h.rev == nil {
		return nil
	}
	blobs, err := h.rev.Descriptors([]string{path})
	if err != nil || len(blobs) != 1 {
		return nil
	}
	return schema.ValidateBlobs(blobs, 1)[0].Descriptor
}

// conflictFile writes the two sides of a merge with conflicts as one file:
// the lines both sides share once, and each stretch where they differ as
//
//	<<<<<<< local
//	(the local lines)
//	=======
//	(the server's lines)
//	>>>>>>> server revision N
//
// Both sides are canonical, so the file is canonical outside the markers,
// and keeping one side of every conflict gives exactly that side's
// canonical form.
func conflictFile(local, server []byte, rev int64) []byte {
	var out, mine, theirs strings.Builder
	flush := func() {
		if mine.Len() == 0 && theirs.Len() == 0 {
			return
		}
		fmt.Fprintf(&out, "%s local\n%s%s\n%s%s server revision %d\n", config.MarkerLocal, mine.String(), config.MarkerMiddle, theirs.String(), config.MarkerOther, rev)
		mine.Reset()
		theirs.Reset()
	}
	for _, d := range diffview.LineDiff(string(local), string(server)) {
		switch d.Type {
		case diffmatchpatch.DiffDelete:
			mine.WriteString(d.Text)
		case diffmatchpatch.DiffInsert:
			theirs.WriteString(d.Text)
		default:
			flush()
			out.WriteString(d.Text)
		}
	}
	flush()
	return []byte(out.String())
}
