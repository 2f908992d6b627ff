// Package transfer moves descriptors between a project's working copy and
// a scoped server without ever losing an edit: pull merges the server's
// version into a file with local edits (leaving conflict markers where
// both sides changed a member), push applies local changes conflict-safe,
// and both record what they agreed on as the base of the next merge.
// Nothing a server sends is trusted: keys and descriptors are checked
// before they name a file or are written.
package transfer

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/schema"
	"github.com/scopectl/scopectl/sync/workspace"
)

// PullOutcome is what pull did to one file.
type PullOutcome string

// The outcomes of a pull.
const (
	PullWritten   PullOutcome = "written"   // the file holds the server's version
	PullMerged    PullOutcome = "merged"    // local edits merged with the server's changes
	PullConflict  PullOutcome = "conflict"  // merged, with conflict markers to resolve
	PullKept      PullOutcome = "kept"      // local edits kept; nothing new from the server
	PullUnchanged PullOutcome = "unchanged" // the file already held the server's version
)

// PullFile says what pull did to one file.
type PullFile struct {
	Path      string
	Key       config.AppKey
	Outcome   PullOutcome
	Revision  int64             // the server's revision, now the file's base
	Conflicts []config.Conflict // for PullConflict
}

// PullOptions change how a pull behaves.
type PullOptions struct {
	Force bool // replace local edits with the server's version
	// Progress, when set, is told of each application before its answer
	// is fetched.
	Progress func(key config.AppKey)
	// Local are files already read (LocalFiles, ReadLocalFile): pull takes
	// their content rather than reading them again.
	Local []LocalFile
}

// Pull brings the server's descriptors of keys into the project, never
// losing a local edit. A file without local edits takes the server's
// canonical version. A file with edits is merged with it: three-way with
// the recorded base (or, in a copy without one, the server revision the
// file or its git HEAD version equals), two-way otherwise; members both
// sides changed get conflict markers. With force every file takes the
// server's version. Every file's base becomes the server's revision.
//
// Everything is fetched and checked first: keys, the server's answers,
// local files, links. Only when all are good is anything written, so a
// bad answer for one application leaves every file as it was.
func Pull(ctx context.Context, srv Server, proj workspace.Project, target Target, keys []config.AppKey, opt PullOptions) ([]PullFile, error) {
	r := &pullRun{srv: srv, proj: proj, head: NewGitHead(proj), target: target, force: opt.Force, local: map[config.AppKey][]byte{}}
	for _, f := range opt.Local {
		r.local[f.Key] = f.Content
	}
	var steps []*pullStep
	seen := map[string]config.AppKey{}
	for _, key := range keys {
		path, err := proj.DescriptorPath(key)
		if err != nil {
			return nil, err
		}
		if other, dup := seen[path]; dup {
			if other == key {
				continue
			}
			return nil, config.Errorf(config.KindInvalid, "applications %s and %s would both be kept in %s; pull them into different projects", other, key, path)
		}
		seen[path] = key
		if opt.Progress != nil {
			opt.Progress(key)
		}
		s, err := r.plan(ctx, key, path)
		if err != nil {
			return nil, err
		}
		steps = append(steps, s)
	}
	return applyPull(proj, target, steps)
}

// applyPull carries out the planned steps, in order.
func applyPull(proj workspace.Project, target Target, steps []*pullStep) ([]PullFile, error) {
	var done []PullFile
	for _, s := range steps {
		if err := s.apply(proj, target); err != nil {
			return done, err
		}
		done = append(done, s.PullFile)
	}
	return done, nil
}

// pullRun is what the files of one pull share.
type pullRun struct {
	srv    Server
	proj   workspace.Project
	head   *GitHead
	target Target
	force  bool
	local  map[config.AppKey][]byte // files read before the pull
}

// pullStep is what pull will do to one file.
type pullStep struct {
	PullFile
	server []byte                    // the server's canonical version: the new base
	write  []byte                    // the file's new content; nil leaves the file alone
	file   workspace.DescriptorWrite // the write of the file, checked, for write
}

func (s *pullStep) apply(proj workspace.Project, target Target) error {
	if s.write != nil {
		if err := s.file.Write(s.write); err != nil {
			return err
		}
	}
	return saveBase(proj, target, s.Key, s.Revision, s.server)
}

// plan fetches and checks the server's version of key and decides what
// becomes of the file at path, writing nothing.
func (r *pullRun) plan(ctx context.Context, key config.AppKey, path string) (*pullStep, error) {
	server, rev, err := fetchDescriptor(ctx, r.srv, r.target, key)
	if err != nil {
		return nil, err
	}
	if err := r.proj.CheckState(r.target.URL, r.target.Runtime, key); err != nil {
		return nil, err
	}
	canonical := server.Canonical()
	s := &pullStep{PullFile: PullFile{Path: path, Key: key, Outcome: PullWritten, Revision: rev}, server: canonical, write: canonical}
	switch local, err := r.read(key, path); {
	case errors.Is(err, fs.ErrNotExist):
	case err == nil && bytes.Equal(local, canonical):
		s.Outcome, s.write = PullUnchanged, nil
	case r.force: // whatever the file holds; CheckWrite still refuses links
	case err != nil:
		return nil, err
	default:
		if err := s.mergeLocal(ctx, r, local, server); err != nil {
			return nil, err
		}
	}
	if s.write != nil {
		if s.file, err = r.proj.CheckWrite(key); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// read returns the content of the file at path, the project's file of
// key: as read before the pull, or read now.
func (r *pullRun) read(key config.AppKey, path string) ([]byte, error) {
	if data, ok := r.local[key]; ok {
		return data, nil
	}
	data, err := readLocal(path)
	if errors.As(err, new(*schema.SizeError)) {
		return nil, config.Errorf(config.KindConflict, "%s is larger than a descriptor may be (%d bytes); move it away, or pull --force to replace it with the server's version", path, config.MaxFileSize)
	}
	return data, err
}

// mergeLocal decides what becomes of a file that differs from the server's
// version: the server's version when the file has no edits of meaning
// (formatting only, or equal to its base); else the merge of both.
func (s *pullStep) mergeLocal(ctx context.Context, r *pullRun, local []byte, server *config.Descriptor) error {
	v := schema.Validate(local)
	if !v.Valid() {
		return config.Errorf(config.KindConflict, "%s is not a valid descriptor (%s), so the server's revision %d cannot be merged into it; fix it (scopectl app validate shows what is wrong) and pull again, or pull --force to replace it with the server's version", s.Path, firstError(v), s.Revision)
	}
	mine := v.Descriptor
	if mine.ApplicationKey != s.Key {
		return config.Errorf(config.KindConflict, "%s holds application %s, not %s; rename or move it, then pull again", s.Path, mine.ApplicationKey, s.Key)
	}
	if same(mine, server) {
		return nil
	}
	base, err := findBase(ctx, r.srv, r.head, r.target, s.Path, mine)
	if err != nil {
		return err
	}
	if base != nil && same(mine, base) {
		return nil // no local edits: a fast-forward
	}
	m := config.Merge(base, mine, server)
	switch {
	case len(m.Conflicts) > 0:
		s.Outcome, s.Conflicts = PullConflict, m.Conflicts
		s.write = conflictFile(m.Local.Canonical(), m.Server.Canonical(), s.Revision)
	case same(m.Local, server): // the local edits are on the server already
	case same(m.Local, mine):
		s.Outcome, s.write = PullKept, nil
	default:
		s.Outcome, s.write = PullMerged, m.Local.Canonical()
	}
	return nil
}

// readLocal reads a project file, refusing what is not a regular file
// (after links), and, with a *schema.SizeError, what is too large to be a
// descriptor, rather than reading it.
func readLocal(path string) ([]byte, error) {
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if _, lerr := os.Lstat(path); lerr == nil {
			return nil, config.Errorf(config.KindInvalid, "%s is a symbolic link that leads nowhere; remove it and pull again", path)
		}
		return nil, err
	case err != nil:
		return nil, config.Errorf(config.KindInvalid, "read %s: %v", path, err)
	case !info.Mode().IsRegular():
		return nil, config.Errorf(config.KindInvalid, "%s is not a regular file", path)
	}
	data, err := schema.ReadLimited(path)
	if err != nil && !errors.As(err, new(*schema.SizeError)) {
		return nil, config.Errorf(config.KindInvalid, "read %s: %v", path, err)
	}
	return data, err
}

// same reports whether two descriptors mean the same.
func same(a, b *config.Descriptor) bool {
	return bytes.Equal(a.Canonical(), b.Canonical())
}

// saveBase records content at revision rev as what the project last had
// in common with the target for key.
func saveBase(proj workspace.Project, target Target, key config.AppKey, rev int64, content []byte) error {
	return proj.SaveBase(key, workspace.Base{Server: target.URL, Runtime: target.Runtime, Revision: rev, Content: string(content)})
}
