package admin

import (
	"context"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/api"
	"github.com/scopectl/scopectl/sync/store"
)

// Applications lists the applications of a runtime with their head
// revision, ordered by key.
func (s *Service) Applications(ctx context.Context, runtime string) ([]store.Revision, error) {
	return s.store.Applications(ctx, runtime)
}

// Head returns the latest revision of an application, with content; a
// KindNotFound error when there is none.
func (s *Service) Head(ctx context.Context, runtime string, key config.AppKey) (store.Revision, error) {
	return s.store.Head(ctx, runtime, key)
}

// Revisions lists every revision of an application, oldest first, without
// content (also after the application was deleted).
func (s *Service) Revisions(ctx context.Context, runtime string, key config.AppKey) ([]store.Revision, error) {
	return s.store.Revisions(ctx, runtime, key)
}

// Revision returns revision n of an application, with content.
func (s *Service) Revision(ctx context.Context, runtime string, key config.AppKey, n int64) (store.Revision, error) {
	return s.store.Revision(ctx, runtime, key, n)
}

// Delete removes an application if ifMatch holds (else a KindStale
// error); its history is kept and a later apply continues its revision
// numbers.
func (s *Service) Delete(ctx context.Context, runtime string, key config.AppKey, ifMatch api.Precondition) error {
	return s.store.Delete(ctx, runtime, key, ifMatch)
}

// Clients returns the confidential clients of a runtime, ordered by id.
func (s *Service) Clients(ctx context.Context, runtime string) ([]store.Client, error) {
	return s.store.Clients(ctx, runtime)
}
