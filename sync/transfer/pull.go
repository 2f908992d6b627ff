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
	"sync"

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
// local files, links. Only when all are good is any file replaced, so a
// bad answer for one application leaves every file as it was. Answers
// are fetched FetchConcurrency at a time, and each file's new content is
// staged (see applyPull) as soon as it is known.
func Pull(ctx context.Context, srv Server, proj workspace.Project, target Target, keys []config.AppKey, opt PullOptions) ([]PullFile, error) {
	r := &pullRun{srv: srv, proj: proj, head: NewGitHead(proj), target: target, force: opt.Force, local: map[config.AppKey][]byte{}}
	for _, f := range opt.Local {
		r.local[f.Key] = f.Content
	}
	var keep []config.AppKey
	var paths []string
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
		keep, paths = append(keep, key), append(paths, path)
	}
	removeNew := proj.NewFolders(target.URL, target.Runtime)
	steps, err := r.prepareAll(ctx, keep, paths, opt.Progress)
	if err != nil {
		removeNew()
		return nil, err
	}
	return applyPull(proj, steps)
}

// FetchConcurrency is how many answers a pull waits for at once. An HTTP
// client for pulls should keep at least as many idle connections to one
// host (http.Transport.MaxIdleConnsPerHost), or it opens new ones.
const FetchConcurrency = 8

// prepareAll prepares the steps of keys (whose files are at paths),
// FetchConcurrency at a time; progress is told of each key, in order, as
// its work starts. The steps are in the order of keys. On failures the
// error is that of the first key that failed, as when the keys are done
// one after the other: once a key fails, no later key is started, and
// every earlier key is finished; then every staged file is discarded.
func (r *pullRun) prepareAll(ctx context.Context, keys []config.AppKey, paths []string, progress func(config.AppKey)) ([]*pullStep, error) {
	steps := make([]*pullStep, len(keys))
	errs := make([]error, len(keys))
	var mu sync.Mutex
	failed := len(keys) // the first key that failed, so far
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(FetchConcurrency, len(keys)) {
		wg.Go(func() {
			for i := range next {
				steps[i], errs[i] = r.prepare(ctx, keys[i], paths[i])
				if errs[i] != nil {
					mu.Lock()
					failed = min(failed, i)
					mu.Unlock()
				}
			}
		})
	}
	for i, key := range keys {
		mu.Lock()
		stop := failed < i
		mu.Unlock()
		if stop {
			break
		}
		if progress != nil {
			progress(key)
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		for _, s := range steps {
			if s != nil {
				s.discard()
			}
		}
		for _, err := range errs {
			if err != nil {
				return nil, err
			}
		}
	}
	return steps, nil
}

// prepare plans the step of key and stages what it writes: the file's
// new content, if any, and its base.
func (r *pullRun) prepare(ctx context.Context, key config.AppKey, path string) (s *pullStep, err error) {
	s, err = r.plan(ctx, key, path)
	if err != nil {
		return nil, err
	}
	if s.write != nil {
		if s.staged, err = s.file.Stage(s.write); err != nil {
			return nil, err
		}
	}
	if s.stagedBase, err = stageBase(r.proj, r.target, s.Key, s.Revision, s.server); err != nil {
		s.discard()
		return nil, err
	}
	return s, nil
}

// applyPull puts the staged files of steps in place. Each file is
// replaced atomically, but the disk is waited for once per pull rather
// than once per file (workspace.Batch):
//
//  1. every new file and every base was staged by prepare: written to a
//     temporary file beside its own, nothing replaced yet;
//  2. the descriptors are committed: flushed, renamed over their files in
//     order, their folder flushed;
//  3. only then are the bases committed the same way.
//
// A crash in 1 or 2 leaves each file with its old or its new content and
// every base as it was; a crash in 3 leaves some bases older than their
// files, never a base that names a revision whose file is not on disk.
// An older base is harmless: the next pull finds the file equal to the
// server's version and records the base again. A failure in 2 or 3
// returns, with the error, the files whose base was recorded; when the
// descriptors could not be flushed, no file has changed.
func applyPull(proj workspace.Project, steps []*pullStep) ([]PullFile, error) {
	var files, bases workspace.Batch
	for _, s := range steps {
		if s.write != nil {
			files.Add(s.staged)
		}
		bases.Add(s.stagedBase)
	}
	written, err := files.Commit()
	if err != nil {
		bases.Truncate(writtenSteps(steps, written))
	}
	recorded, berr := proj.CommitBases(&bases)
	var done []PullFile
	for _, s := range steps[:recorded] {
		done = append(done, s.PullFile)
	}
	return done, errors.Join(err, berr)
}

// writtenSteps is how many steps from the first are done as far as their
// file goes, when the first n files to write are written.
func writtenSteps(steps []*pullStep, n int) int {
	for i, s := range steps {
		if s.write == nil {
			continue
		}
		if n == 0 {
			return i
		}
		n--
	}
	return len(steps)
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
	server     []byte                    // the server's canonical version: the new base
	write      []byte                    // the file's new content; nil leaves the file alone
	file       workspace.DescriptorWrite // the write of the file, checked, for write
	staged     workspace.Staged          // write, staged
	stagedBase workspace.Staged          // the new base, staged
}

// discard removes what the step staged.
func (s *pullStep) discard() {
	s.staged.Discard()
	s.stagedBase.Discard()
}

// plan fetches and checks the server's version of key and decides what
// becomes of the file at path, writing nothing. The state folder is
// checked when prepare stages the base.
func (r *pullRun) plan(ctx context.Context, key config.AppKey, path string) (*pullStep, error) {
	server, rev, err := fetchDescriptor(ctx, r.srv, r.target, key)
	if err != nil {
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
	return proj.SaveBase(key, base(target, rev, content))
}

// stageBase stages the record of saveBase (see workspace.Batch).
func stageBase(proj workspace.Project, target Target, key config.AppKey, rev int64, content []byte) (workspace.Staged, error) {
	return proj.StageBase(key, base(target, rev, content))
}

func base(target Target, rev int64, content []byte) workspace.Base {
	return workspace.Base{Server: target.URL, Runtime: target.Runtime, Revision: rev, Content: string(content)}
}
