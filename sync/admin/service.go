// Package admin is the service behind scoped's admin API: applying
// descriptors (validate, canonicalise, diff, precondition, store, dry
// run), the client-list policy (who may grant which scopes) and the
// bootstrap of a store (setup clients, seed applications). It speaks in
// config.Error kinds and knows nothing of HTTP: sync/server decodes a
// request, calls it and encodes the answer, and the console and the
// runtime will call it the same way, never the store.
package admin

import (
	"context"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/api"
	"github.com/scopectl/scopectl/sync/store"
)

// ApplicationStore is the part of the store that applies descriptors
// (SeedApplications needs only this).
type ApplicationStore interface {
	Head(ctx context.Context, runtime string, key config.AppKey) (store.Revision, error)
	Apply(ctx context.Context, req store.ApplyRequest) (store.ApplyResult, error)
}

// ClientStore is the part of the store that changes confidential clients
// (EnsureClient and RemoveDevClient need only this).
type ClientStore interface {
	UpdateClients(ctx context.Context, runtime string, update func(current []store.Client) ([]store.Client, error)) error
}

// Store is what a Service needs of the store: applying and reading
// descriptors and their history, and reading and changing clients.
type Store interface {
	ApplicationStore
	ClientStore
	Applications(ctx context.Context, runtime string) ([]store.Revision, error)
	Revisions(ctx context.Context, runtime string, key config.AppKey) ([]store.Revision, error)
	Revision(ctx context.Context, runtime string, key config.AppKey, n int64) (store.Revision, error)
	LatestRevisions(ctx context.Context, runtime string, key config.AppKey, n int) ([]store.Revision, error)
	Delete(ctx context.Context, runtime string, key config.AppKey, ifMatch api.Precondition) error
	SetAppState(ctx context.Context, runtime string, key config.AppKey, state store.AppState) error
	Clients(ctx context.Context, runtime string) ([]store.Client, error)
	Client(ctx context.Context, runtime, id string) (store.Client, error)
	DeleteMobileClient(ctx context.Context, runtime, id string) error
}

// Secrets hashes client secrets and checks a secret against a hash, as
// oauth.SecretVerifier does.
type Secrets interface {
	Hash(secret string) (string, error)
	Verify(id, secret, storedHash string) bool
}

// Config is what a Service needs.
type Config struct {
	Store   Store
	Secrets Secrets
	// MinSecret is the fewest characters of a client secret set through
	// ReplaceClients; optional, MinSecretLength by default.
	MinSecret int
}

// Service carries out the admin operations on one store. Its methods are
// safe for concurrent use.
type Service struct {
	store     Store
	secrets   Secrets
	minSecret int
	// applyLocks serialises applies of one application in this process.
	applyLocks keyLocks
	// knownChecks, when set, are the only security checks a descriptor
	// may lead to (config.LintChecks).
	knownChecks config.CheckCatalog
	// listener hears of what the service changed.
	listener Listener
}

// Listener is told what the service changed, so that the caches of this
// process (descriptors, clients) forget the old at once, whatever entry
// point made the change (the API, the console). Each func is optional.
type Listener struct {
	// Application: an apply that reached the store, a delete, a disable
	// or an enable.
	Application func(runtime string, key config.AppKey)
	// Clients: the confidential clients of a runtime were replaced.
	Clients func(runtime string)
	// MobileClient: a registered mobile client was deleted.
	MobileClient func(runtime, id string)
}

// RequireKnownChecks makes Apply refuse a descriptor that maps a scope
// element to a security check known lacks, or whose mandatory scope names
// one: no client could pass it. Call it before the service is used.
func (s *Service) RequireKnownChecks(known config.CheckCatalog) { s.knownChecks = known }

// Listen makes the service tell l of its changes. Call it before the
// service is used.
func (s *Service) Listen(l Listener) { s.listener = l }

// notify tells the listener that an application changed.
func (s *Service) notify(runtime string, key config.AppKey) {
	if s.listener.Application != nil {
		s.listener.Application(runtime, key)
	}
}

// New returns the Service of cfg.
func New(cfg Config) *Service {
	s := &Service{store: cfg.Store, secrets: cfg.Secrets, minSecret: cfg.MinSecret}
	if s.minSecret <= 0 {
		s.minSecret = MinSecretLength
	}
	return s
}

// Application is the wire form of a revision's metadata.
func Application(r store.Revision) api.Application {
	return api.Application{
		ID: r.Key.ID, Platform: string(r.Key.Platform), Version: r.Key.Version,
		Revision: r.Number, Author: r.Author, Time: r.Time, Hash: r.Hash, Summary: r.Summary,
		Disabled: r.State.Disabled, DisabledMessage: r.State.Message,
	}
}
