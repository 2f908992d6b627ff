// Package transfer moves descriptors between a project's working copy and
// a scoped server without ever losing an edit: pull refuses to overwrite
// local changes that were never pushed, and records what it wrote as the
// base of later conflict-safe pushes.
package transfer

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/schema"
	"github.com/scopectl/scopectl/sync/api"
	"github.com/scopectl/scopectl/sync/workspace"
)

// Server is what transfer needs of a scoped connection.
type Server interface {
	Applications(ctx context.Context) ([]api.Application, error)
	Descriptor(ctx context.Context, key config.AppKey) ([]byte, int64, error)
}

// Target names the server a project talks to, for base state.
type Target struct {
	URL, Runtime string
}

// PullResult says what a pull did to each file.
type PullResult struct {
	Written   []string // files written or rewritten
	Unchanged []string // files that already held the server's content
	Refused   []string // files with local edits that were left alone
}

// Pull writes the server's canonical descriptors of keys into the
// project, atomically, and records each as the base for the server. A
// file whose content differs from both the server's and the last base
// holds edits that were never pushed: it is left alone unless force is
// set, and the result lists it as refused.
func Pull(ctx context.Context, srv Server, proj workspace.Project, target Target, keys []config.AppKey, force bool) (PullResult, error) {
	var res PullResult
	for _, key := range keys {
		content, rev, err := srv.Descriptor(ctx, key)
		if err != nil {
			return res, err
		}
		path := proj.DescriptorPath(key)
		local, err := os.ReadFile(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return res, config.Errorf(config.KindInvalid, "read %s: %v", path, err)
		case bytes.Equal(local, content):
			res.Unchanged = append(res.Unchanged, path)
			if err := saveBase(proj, target, key, rev, content); err != nil {
				return res, err
			}
			continue
		case !force:
			edited, err := locallyEdited(proj, target, key, local)
			if err != nil {
				return res, err
			}
			if edited {
				res.Refused = append(res.Refused, path)
				continue
			}
		}
		if err := write(proj, target, key, content, rev); err != nil {
			return res, err
		}
		res.Written = append(res.Written, path)
	}
	return res, nil
}

func write(proj workspace.Project, target Target, key config.AppKey, content []byte, rev int64) error {
	path := proj.DescriptorPath(key)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return config.Errorf(config.KindInvalid, "create %s: %v", filepath.Dir(path), err)
	}
	if err := workspace.WriteDescriptor(path, content); err != nil {
		return err
	}
	return saveBase(proj, target, key, rev, content)
}

// saveBase records content at revision rev as what the project last had
// in common with the target for key.
func saveBase(proj workspace.Project, target Target, key config.AppKey, rev int64, content []byte) error {
	return proj.SaveBase(key, workspace.Base{Server: target.URL, Runtime: target.Runtime, Revision: rev, Content: string(content)})
}

// locallyEdited reports whether local differs in meaning from what was
// last pulled from or pushed to the target (no base counts as edited).
func locallyEdited(proj workspace.Project, target Target, key config.AppKey, local []byte) (bool, error) {
	base, err := proj.Base(target.URL, target.Runtime, key)
	if err != nil || base == nil {
		return true, err
	}
	return !sameDescriptor(local, []byte(base.Content)), nil
}

// sameDescriptor reports whether two descriptor texts have the same
// canonical form (formatting aside). Only valid descriptors compare: the
// lenient decoder would ignore a misspelt member, and a file with one is
// never the same as the server's.
func sameDescriptor(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	ra, rb := schema.Validate(a), schema.Validate(b)
	return ra.Valid() && rb.Valid() && bytes.Equal(ra.Descriptor.Canonical(), rb.Descriptor.Canonical())
}

// AllKeys lists every application of the server's runtime.
func AllKeys(ctx context.Context, srv Server) ([]config.AppKey, error) {
	apps, err := srv.Applications(ctx)
	if err != nil {
		return nil, err
	}
	keys := make([]config.AppKey, len(apps))
	for i, a := range apps {
		keys[i] = a.Key()
	}
	return keys, nil
}

// LocalKeys lists the applications that have a descriptor in the project.
func LocalKeys(proj workspace.Project) ([]config.AppKey, error) {
	files, err := filepath.Glob(filepath.Join(proj.Root, workspace.DefaultDir, "*.json"))
	if err != nil {
		return nil, err
	}
	var keys []config.AppKey
	for _, f := range files {
		if strings.HasPrefix(filepath.Base(f), ".") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, config.Errorf(config.KindInvalid, "read %s: %v", f, err)
		}
		d, err := config.ParseDescriptor(data)
		if err != nil {
			return nil, config.Errorf(config.KindInvalid, "%s: %v (run scopectl app validate)", f, err)
		}
		if want := proj.DescriptorPath(d.ApplicationKey); !workspace.SameFile(f, want) {
			return nil, config.Errorf(config.KindInvalid, "%s holds application %s; name it %s", f, d.ApplicationKey, filepath.Base(want))
		}
		keys = append(keys, d.ApplicationKey)
	}
	return keys, nil
}
