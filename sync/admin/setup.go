package admin

import (
	"context"
	"fmt"
	"io/fs"
	"slices"
	"time"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/schema"
	"github.com/scopectl/scopectl/sync/api"
	"github.com/scopectl/scopectl/sync/store"
)

// EnsureClient makes runtime have client id with the given secret. An
// existing client keeps its display name, and its allowed scope when that
// still includes scope; its secret is re-hashed only if it changed.
func EnsureClient(ctx context.Context, st ClientStore, v Secrets, runtime, id, secret string, scope config.Scope) error {
	return st.UpdateClients(ctx, runtime, func(current []store.Client) ([]store.Client, error) {
		i := slices.IndexFunc(current, func(c store.Client) bool { return c.ID == id })
		if i < 0 {
			current, i = append(current, store.Client{ID: id, DisplayName: id}), len(current)
		}
		c := &current[i]
		if _, ok := c.AllowedScope.AllowsAll(scope); !ok || len(c.AllowedScope) == 0 {
			c.AllowedScope = scope
		}
		if c.SecretHash == "" || !v.Verify(id, secret, c.SecretHash) {
			hash, err := v.Hash(secret)
			if err != nil {
				return nil, err
			}
			c.SecretHash, c.SecretSetAt = hash, time.Now()
		}
		return current, nil
	})
}

// RemoveDevClient deletes client id from runtime if its secret is the
// well-known development secret, so that dev credentials never survive
// into a production start on the same store. It reports whether it did.
func RemoveDevClient(ctx context.Context, st ClientStore, v Secrets, runtime, id, devSecret string) (bool, error) {
	removed := false
	err := st.UpdateClients(ctx, runtime, func(current []store.Client) ([]store.Client, error) {
		return slices.DeleteFunc(current, func(c store.Client) bool {
			dev := c.ID == id && v.Verify(id, devSecret, c.SecretHash)
			removed = removed || dev
			return dev
		}), nil
	})
	return removed, err
}

// SeedApplications applies every *.json descriptor of fsys that the
// runtime does not have yet, and returns how many it added.
func SeedApplications(ctx context.Context, st ApplicationStore, runtime string, fsys fs.FS, author string) (int, error) {
	names, err := fs.Glob(fsys, "*.json")
	if err != nil {
		return 0, err
	}
	added := 0
	for _, name := range names {
		src, err := fs.ReadFile(fsys, name)
		if err != nil {
			return added, err
		}
		r := schema.Validate(src)
		if !r.Valid() {
			return added, fmt.Errorf("seed %s: invalid descriptor", name)
		}
		req := storeRequest(runtime, r.Descriptor, author)
		req.IfMatch, req.Summary = api.Absent(), "created"
		_, err = st.Apply(ctx, req)
		switch {
		case config.ErrorKind(err) == config.KindStale: // already there
		case err != nil:
			return added, fmt.Errorf("seed %s: %w", name, err)
		default:
			added++
		}
	}
	return added, nil
}
