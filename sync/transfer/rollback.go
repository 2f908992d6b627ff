package transfer

import (
	"context"

	"github.com/scopectl/scopectl/config"
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
// the rollback would overwrite them.
func Rollback(ctx context.Context, srv Rollbacker, proj workspace.Project, target Target, path string, local *config.Descriptor, n int64, force bool) (*PushOutcome, error) {
	key := local.ApplicationKey
	if err := checkProjectFile(proj, path, key); err != nil {
		return nil, err
	}
	if !force {
		edited, err := locallyEdited(proj, target, key, local.Canonical())
		if err != nil {
			return nil, err
		}
		if edited {
			return nil, config.Errorf(config.KindConflict, "has local edits that were never pushed; push or discard them first (or rollback --force)")
		}
	}
	old, err := srv.Revision(ctx, key, n)
	if err != nil {
		return nil, err
	}
	want, err := config.ParseDescriptor(old)
	if err != nil {
		return nil, err
	}
	server, rev, err := ReadServer(ctx, srv, key)
	if err != nil {
		return nil, err
	}
	o := &PushOutcome{Path: path, Key: key, Result: Applied, Changes: config.DiffOrAbsent(server, want)}
	ifMatch := rev
	if server == nil {
		ifMatch = -1
	}
	resp, err := srv.Apply(ctx, want.Canonical(), ifMatch, false)
	if err != nil {
		return nil, err
	}
	o.Revision = resp.Application.Revision
	if resp.Unchanged {
		o.Result = Unchanged
	}
	if err := workspace.WriteDescriptor(path, want.Canonical()); err != nil {
		return nil, err
	}
	return o, saveBase(proj, target, key, o.Revision, want.Canonical())
}

// checkProjectFile makes sure path is the project's file for key: the base
// state is kept per application, so pushing a copy kept elsewhere would
// move the base of the real file.
func checkProjectFile(proj workspace.Project, path string, key config.AppKey) error {
	if !workspace.SameFile(path, proj.DescriptorPath(key)) {
		return config.Errorf(config.KindInvalid, "holds application %s; only the project's file %s can be pushed or rolled back", key, proj.DescriptorPath(key))
	}
	return nil
}
