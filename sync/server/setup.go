package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/schema"
	"github.com/scopectl/scopectl/sync/oauth"
	"github.com/scopectl/scopectl/sync/store"
)

// EnsureClient makes runtime have client id with the given secret. An
// existing client keeps its display name, and its allowed scope when that
// still includes scope; its secret is re-hashed only if it changed.
func EnsureClient(ctx context.Context, st store.Store, v *oauth.SecretVerifier, runtime, id, secret string, scope config.Scope) error {
	c, err := st.Client(ctx, runtime, id)
	switch {
	case config.ErrorKind(err) == config.KindNotFound:
		c = store.Client{ID: id, DisplayName: id}
	case err != nil:
		return err
	}
	if !scopeIncludes(c.AllowedScope, scope) {
		c.AllowedScope = scope
	}
	if c.SecretHash == "" || !v.Verify(id, secret, c.SecretHash) {
		if c.SecretHash, err = oauth.HashSecret(secret); err != nil {
			return err
		}
		c.SecretSetAt = time.Now()
	}
	return st.PutClient(ctx, runtime, c)
}

func scopeIncludes(allowed, scope config.Scope) bool {
	for _, e := range scope {
		if !allowed.Allows(e) {
			return false
		}
	}
	return len(allowed) > 0
}

// RemoveDevClient deletes client id from runtime if its secret is the
// well-known development secret, so that dev credentials never survive
// into a production start on the same store. It reports whether it did.
func RemoveDevClient(ctx context.Context, st store.Store, v *oauth.SecretVerifier, runtime, id, devSecret string) (bool, error) {
	clients, err := st.Clients(ctx, runtime)
	if err != nil {
		return false, err
	}
	kept := clients[:0]
	removed := false
	for _, c := range clients {
		if c.ID == id && v.Verify(id, devSecret, c.SecretHash) {
			removed = true
			continue
		}
		kept = append(kept, c)
	}
	if !removed {
		return false, nil
	}
	return true, st.ReplaceClients(ctx, runtime, kept)
}

// SeedApplications applies every *.json descriptor of fsys that the
// runtime does not have yet, and returns how many it added.
func SeedApplications(ctx context.Context, st store.Store, runtime string, fsys fs.FS, author string) (int, error) {
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
		req := applyRequest(runtime, r.Descriptor, author)
		req.IfMatch, req.Summary = -1, "created"
		_, err = st.Apply(ctx, req)
		var stale *store.StaleError
		switch {
		case errors.As(err, &stale): // already there
		case err != nil:
			return added, fmt.Errorf("seed %s: %w", name, err)
		default:
			added++
		}
	}
	return added, nil
}

// applyRequest prepares the store request for a validated descriptor: its
// canonical form and that form's hash.
func applyRequest(runtime string, d *config.Descriptor, author string) store.ApplyRequest {
	content := d.Canonical()
	sum := sha256.Sum256(content)
	return store.ApplyRequest{
		Runtime: runtime, Key: d.ApplicationKey, Content: content, Hash: hex.EncodeToString(sum[:]), Author: author,
	}
}
