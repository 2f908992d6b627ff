package transfer

import (
	"context"
	"fmt"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/api"
	"github.com/scopectl/scopectl/sync/workspace"
)

// Rollbacker is what a rollback needs of a scoped connection.
type Rollbacker interface {
	Pusher
	Revision(ctx context.Context, key config.AppKey, n int64) ([]byte, error)
}

// Rollback stores revision n of the file's application as a new revision,
// with If-Match of the server's current head, and writes it to the file.
// A file with local edits that were never pushed is refused unless force:
// the rollback would overwrite them. The server is read first, so that an
// unreachable one is reported as such.
func Rollback(ctx context.Context, srv Rollbacker, proj workspace.Project, target Target, path string, local *config.Descriptor, n int64, force bool) (*PushOutcome, error) {
	key := local.ApplicationKey
	if err := checkProjectFile(proj, path, key); err != nil {
		return nil, err
	}
	server, rev, err := ReadServer(ctx, srv, target, key)
	if err != nil {
		return nil, err
	}
	want, err := oldRevision(ctx, srv, target, key, n)
	if err != nil {
		return nil, err
	}
	if !force {
		if err := checkPushed(ctx, srv, proj, target, path, local); err != nil {
			return nil, err
		}
	}
	file, err := proj.CheckWrite(key) // the old revision is written to the file: make sure it can be first
	if err != nil {
		return nil, err
	}
	o := &PushOutcome{Path: path, Key: key, Result: Applied, Changes: config.DiffOrAbsent(server, want), Restored: n}
	ifMatch := api.Revision(rev)
	if server == nil {
		ifMatch = api.Absent()
	}
	return restore(ctx, srv, proj, target, file, o, want.Canonical(), ifMatch)
}

// oldRevision reads revision n of key from the server and checks it like
// any descriptor a server sends.
func oldRevision(ctx context.Context, srv Rollbacker, target Target, key config.AppKey, n int64) (*config.Descriptor, error) {
	old, err := srv.Revision(ctx, key, n)
	if err != nil {
		return nil, err
	}
	return checkAnswer(target, key, fmt.Sprintf("revision %d of %s", n, key), old)
}

// restore applies content, the canonical form of an old revision, under
// ifMatch (the server's head), writes it to the file, whose write was
// checked, and completes o.
func restore(ctx context.Context, srv Rollbacker, proj workspace.Project, target Target, file workspace.DescriptorWrite, o *PushOutcome, content []byte, ifMatch api.Precondition) (*PushOutcome, error) {
	resp, err := srv.Apply(ctx, content, ifMatch, false)
	if err != nil {
		return nil, err
	}
	o.Revision = resp.Application.Revision
	if resp.Unchanged {
		o.Result = Unchanged
	}
	if err := file.Write(content); err != nil {
		return nil, err
	}
	return o, saveBase(proj, target, o.Key, o.Revision, content)
}

// checkProjectFile makes sure path is the project's file for key: the base
// state is kept per application, so pushing a copy kept elsewhere would
// move the base of the real file.
func checkProjectFile(proj workspace.Project, path string, key config.AppKey) error {
	want, err := proj.DescriptorPath(key)
	if err != nil {
		return err
	}
	if !workspace.SameFile(path, want) {
		return config.Errorf(config.KindInvalid, "holds application %s; only the project's file %s can be pushed or rolled back", key, want)
	}
	return nil
}

// checkPushed makes sure the file holds no edits that were never pushed
// to the target, which a rollback would overwrite: it equals its base
// (findBase: the recorded one, or the server revision the file or its git
// HEAD version equals).
func checkPushed(ctx context.Context, srv Server, proj workspace.Project, target Target, path string, local *config.Descriptor) error {
	file, _ := proj.DescriptorPath(local.ApplicationKey) // checkProjectFile made sure it is valid and path's file
	base, err := findBase(ctx, srv, NewGitHead(proj), target, file, local)
	switch {
	case err != nil:
		return err
	case base == nil:
		return config.Errorf(config.KindConflict, "this copy has no record of the server revision it is based on, so its edits cannot be told apart; run scopectl app pull %s first (it merges, keeping your edits), or rollback --force to overwrite the file", path)
	case !same(local, base):
		return config.Errorf(config.KindConflict, "has local edits that were never pushed; push or discard them first (or rollback --force to overwrite them)")
	}
	return nil
}
