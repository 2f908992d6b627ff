package admin

import (
	"context"
	"fmt"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/api"
	"github.com/scopectl/scopectl/sync/authz"
	"github.com/scopectl/scopectl/sync/store"
)

// The reads and Delete belong to the service so that its callers (the
// handlers, the console, the runtime) never hold the store
// (docs/architecture.md). What they add to the store is the check that
// every caller needs before a lookup by key: see knownPlatform.

// Applications lists the applications of a runtime with their head
// revision, ordered by key.
func (s *Service) Applications(ctx context.Context, runtime string) ([]store.Revision, error) {
	return s.store.Applications(ctx, runtime)
}

// Head returns the latest revision of an application, with content; a
// KindNotFound error when there is none.
func (s *Service) Head(ctx context.Context, runtime string, key config.AppKey) (store.Revision, error) {
	if err := knownPlatform(key); err != nil {
		return store.Revision{}, err
	}
	return s.store.Head(ctx, runtime, key)
}

// Descriptor returns the descriptor that governs an application now, its
// head revision parsed: what the mobile runtime obeys (through its
// authz.DescriptorCache). A KindNotFound error when the application does
// not exist or was deleted, the error of authz.ApplicationDisabled when an
// operator disabled it: the runtime refuses its clients either way.
func (s *Service) Descriptor(ctx context.Context, runtime string, key config.AppKey) (*config.Descriptor, error) {
	head, err := s.Head(ctx, runtime, key)
	if err != nil {
		return nil, err
	}
	if head.State.Disabled {
		return nil, authz.ApplicationDisabled(runtime, key, head.State.Message)
	}
	d, err := config.ParseDescriptor(head.Content)
	if err != nil {
		return nil, fmt.Errorf("stored revision %d of %s: %w", head.Number, key, err)
	}
	return d, nil
}

// Revisions lists every revision of an application, oldest first, without
// content (also after the application was deleted).
func (s *Service) Revisions(ctx context.Context, runtime string, key config.AppKey) ([]store.Revision, error) {
	if err := knownPlatform(key); err != nil {
		return nil, err
	}
	return s.store.Revisions(ctx, runtime, key)
}

// Revision returns revision n of an application, with content.
func (s *Service) Revision(ctx context.Context, runtime string, key config.AppKey, n int64) (store.Revision, error) {
	if err := knownPlatform(key); err != nil {
		return store.Revision{}, err
	}
	return s.store.Revision(ctx, runtime, key, n)
}

// LatestRevisions returns the last n revisions of an application, oldest
// first, with content.
func (s *Service) LatestRevisions(ctx context.Context, runtime string, key config.AppKey, n int) ([]store.Revision, error) {
	if err := knownPlatform(key); err != nil {
		return nil, err
	}
	return s.store.LatestRevisions(ctx, runtime, key, n)
}

// Delete removes an application if ifMatch holds (else a KindStale
// error); its history is kept and a later apply continues its revision
// numbers.
func (s *Service) Delete(ctx context.Context, runtime string, key config.AppKey, ifMatch api.Precondition) error {
	if err := knownPlatform(key); err != nil {
		return err
	}
	if err := s.store.Delete(ctx, runtime, key, ifMatch); err != nil {
		return err
	}
	s.notify(runtime, key)
	return nil
}

// Clients returns the confidential clients of a runtime, ordered by id.
func (s *Service) Clients(ctx context.Context, runtime string) ([]store.Client, error) {
	return s.store.Clients(ctx, runtime)
}

// Client returns one confidential client of a runtime; a KindNotFound
// error when there is none.
func (s *Service) Client(ctx context.Context, runtime, id string) (store.Client, error) {
	return s.store.Client(ctx, runtime, id)
}

// knownPlatform answers a key whose platform is none of config.Platforms
// with a KindNotFound error that says so: no descriptor with it passes
// the schema, and "unknown platform" tells a mistyped path apart from an
// application that is missing.
func knownPlatform(key config.AppKey) error {
	if key.Platform.IDField() == "" {
		return config.Errorf(config.KindNotFound, "unknown platform %s", QuoteName(string(key.Platform)))
	}
	return nil
}

// DeleteMobileClient removes a registered mobile client with its check
// states, codes and refresh tokens; its access tokens stop verifying once
// the token checks of each process read it again (sync/server: within a
// second). A KindNotFound error when there is none.
func (s *Service) DeleteMobileClient(ctx context.Context, runtime, id string) error {
	err := s.store.DeleteMobileClient(ctx, runtime, id)
	if err == nil && s.listener.MobileClient != nil {
		s.listener.MobileClient(runtime, id)
	}
	return err
}

// SetAppState enables an application, or disables it with a message for
// its users (at most api.MaxDisabledMessage bytes; none when enabling),
// and returns its head with the new state. Its descriptor and history
// stay; an apply keeps the state. A KindNotFound error when the
// application does not exist or was deleted.
func (s *Service) SetAppState(ctx context.Context, runtime string, key config.AppKey, state store.AppState) (store.Revision, error) {
	if err := knownPlatform(key); err != nil {
		return store.Revision{}, err
	}
	switch {
	case !state.Disabled && state.Message != "":
		return store.Revision{}, config.Errorf(config.KindInvalid, "a message is only for disabling an application")
	case len(state.Message) > api.MaxDisabledMessage:
		return store.Revision{}, config.Errorf(config.KindInvalid, "the message is %d bytes long; at most %d", len(state.Message), api.MaxDisabledMessage)
	}
	if err := s.store.SetAppState(ctx, runtime, key, state); err != nil {
		return store.Revision{}, err
	}
	s.notify(runtime, key)
	return s.store.Head(ctx, runtime, key)
}
