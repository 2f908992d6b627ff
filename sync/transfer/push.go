package transfer

import (
	"bytes"
	"context"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/api"
	"github.com/scopectl/scopectl/sync/workspace"
)

// Pusher is what a push needs of a scoped connection.
type Pusher interface {
	Server
	Apply(ctx context.Context, content []byte, ifMatch api.Precondition, dryRun bool) (*api.ApplyResponse, error)
}

// PushOptions change how a push behaves.
type PushOptions struct {
	DryRun bool // ask the server what would change; change nothing
	Force  bool // overwrite whatever the server has
	// Confirm, when set, is asked before changes are applied; false skips
	// the file.
	Confirm func(o *PushOutcome) bool
	// Git is the project's git HEAD, shared by the pushes of one run so
	// that the repository is opened once; nil opens it for this push.
	Git *GitHead
}

// PushResult is what pushing one file did.
type PushResult string

// The results of a push.
const (
	Applied   PushResult = "applied"
	Merged    PushResult = "merged" // the server had moved; local changes were merged in
	Unchanged PushResult = "unchanged"
	Conflict  PushResult = "conflict"
	DryRun    PushResult = "dry-run"
	Skipped   PushResult = "skipped"
)

// PushOutcome says what pushing one descriptor did.
type PushOutcome struct {
	Path      string
	Key       config.AppKey
	Result    PushResult
	Revision  int64             // the server's revision afterwards
	Changes   []config.Change   // what changed (or would change) on the server
	Conflicts []config.Conflict // for Conflict
	Restored  int64             // for a rollback: the revision whose content was restored
}

// maxPushAttempts bounds the retries when another push lands between our
// read of the server and our apply.
const maxPushAttempts = 3

// Push sends one validated local descriptor to the server, conflict-safe:
// it applies with If-Match of the server's revision when the file's base
// (the one recorded for this server, or in a fresh clone the server
// revision the file or its git HEAD version equals) is the server's
// version; when the server has moved since, it merges the local changes
// into the server's version if they touch other members, and reports
// conflicts otherwise. Afterwards the pushed content is the new base, and
// a merged result is written back to the file.
func Push(ctx context.Context, srv Pusher, proj workspace.Project, target Target, path string, local *config.Descriptor, opt PushOptions) (*PushOutcome, error) {
	if opt.Git == nil || opt.Git.proj != proj {
		opt.Git = NewGitHead(proj)
	}
	for attempt := 1; ; attempt++ {
		o, err := pushOnce(ctx, srv, proj, target, path, local, opt)
		if config.ErrorKind(err) != config.KindStale || attempt == maxPushAttempts {
			return o, err
		}
	}
}

func pushOnce(ctx context.Context, srv Pusher, proj workspace.Project, target Target, path string, local *config.Descriptor, opt PushOptions) (*PushOutcome, error) {
	key := local.ApplicationKey
	if err := checkProjectFile(proj, path, key); err != nil {
		return nil, err
	}
	o := &PushOutcome{Path: path, Key: key}
	server, rev, err := ReadServer(ctx, srv, target, key)
	if err != nil {
		return nil, err
	}
	var base *config.Descriptor
	if server != nil && !opt.Force && !same(server, local) {
		file, _ := proj.DescriptorPath(key) // checkProjectFile made sure it is valid and path's file
		if base, err = findBase(ctx, srv, opt.Git, target, file, local); err != nil {
			return nil, err
		}
	}
	s, err := plan(o, local, server, rev, base, opt.Force)
	if err != nil || s == nil {
		if err == nil && o.Result == Unchanged && !opt.DryRun {
			err = settle(proj, target, local, server, rev)
		}
		return o, err
	}
	if opt.DryRun {
		return dryRun(ctx, srv, o, s)
	}
	return apply(ctx, srv, proj, target, o, s, opt.Confirm)
}

// dryRun asks the server what sending s would change.
func dryRun(ctx context.Context, srv Pusher, o *PushOutcome, s *send) (*PushOutcome, error) {
	resp, err := srv.Apply(ctx, s.content, s.ifMatch, true)
	if err != nil {
		return nil, err
	}
	o.Result, o.Revision, o.Changes = DryRun, resp.Application.Revision, resp.Diff
	return o, nil
}

// apply sends s once confirm (if any) agrees, writes a merged result back
// to the file, and records what the server now has as the base.
func apply(ctx context.Context, srv Pusher, proj workspace.Project, target Target, o *PushOutcome, s *send, confirm func(*PushOutcome) bool) (*PushOutcome, error) {
	var file workspace.DescriptorWrite
	if s.merged {
		var err error
		if file, err = proj.CheckWrite(o.Key); err != nil { // the merge is written back: make sure it can be, before the server has it
			return nil, err
		}
	}
	if confirm != nil && !confirm(o) {
		o.Result = Skipped
		return o, nil
	}
	resp, err := srv.Apply(ctx, s.content, s.ifMatch, false)
	if err != nil {
		return nil, err
	}
	o.Revision, o.Result = resp.Application.Revision, Applied
	if s.merged {
		o.Result = Merged
		if err := file.Write(s.content); err != nil {
			return nil, err
		}
	}
	return o, saveBase(proj, target, o.Key, o.Revision, s.content)
}

// settle records the server's version as the base when nothing needs to
// be pushed; when the local changes were already on the server, the file
// takes the server's version (it may hold other changes made there).
func settle(proj workspace.Project, target Target, local, server *config.Descriptor, rev int64) error {
	content := server.Canonical()
	if !bytes.Equal(local.Canonical(), content) {
		if err := proj.WriteDescriptor(local.ApplicationKey, content); err != nil {
			return err
		}
	}
	return saveBase(proj, target, local.ApplicationKey, rev, content)
}

// send is what to apply and under which precondition.
type send struct {
	content []byte
	ifMatch api.Precondition
	merged  bool // content is local changes merged into the server's version
}

// plan decides what to send, or settles the outcome (unchanged, conflict)
// in o and returns nil.
func plan(o *PushOutcome, local, server *config.Descriptor, rev int64, base *config.Descriptor, force bool) (*send, error) {
	switch {
	case server == nil:
		o.Changes = config.DiffOrAbsent(nil, local)
		return &send{content: local.Canonical(), ifMatch: api.Absent()}, nil // fails if someone creates it first
	case force:
		o.Changes = config.Diff(server, local)
		return &send{content: local.Canonical()}, nil
	}
	if o.Changes = config.Diff(server, local); len(o.Changes) == 0 {
		o.Result, o.Revision = Unchanged, rev
		return nil, nil
	}
	switch {
	case base == nil:
		return nil, config.Errorf(config.KindConflict, "differs from the server's revision %d, and nothing tells which version it was based on (no base recorded, and neither the file nor its git HEAD version is a revision of the server); run scopectl app pull %s to merge the server's version into it, keeping your edits, then push again (or push --force to overwrite the server's version)", rev, o.Path)
	case same(base, server):
		return &send{content: local.Canonical(), ifMatch: api.Revision(rev)}, nil
	}
	merged, conflicts := config.Merge3(base, local, server)
	if len(conflicts) > 0 {
		o.Result, o.Revision, o.Conflicts = Conflict, rev, conflicts
		return nil, nil
	}
	if o.Changes = config.Diff(server, merged); len(o.Changes) == 0 {
		o.Result, o.Revision = Unchanged, rev
		return nil, nil
	}
	return &send{content: merged.Canonical(), ifMatch: api.Revision(rev), merged: true}, nil
}
