// Package store defines how scoped keeps its state: applications and every
// revision of their descriptors, confidential clients, token signing
// keys, and the mobile runtime's clients, check states and grants.
// Implementations live in the sqlite and postgres sub-packages and must
// pass the conformance suite in storetest.
package store

import (
	"context"
	"strconv"
	"time"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/api"
	"github.com/scopectl/scopectl/sync/authz"
)

// Store is the storage of one scoped deployment. Several scoped processes
// may share one Store (PostgreSQL); every method is atomic.
//
// A text with a NUL character or invalid UTF-8 (which PostgreSQL cannot
// hold) never exists in a Store: looking one up finds nothing (a
// KindNotFound error or an empty list), writing one is a KindInvalid
// error, in every implementation alike.
type Store interface {
	// Applications lists the applications of a runtime with their head
	// revision, ordered by key.
	Applications(ctx context.Context, runtime string) ([]Revision, error)
	// Head returns the latest revision of an application, with content.
	Head(ctx context.Context, runtime string, key config.AppKey) (Revision, error)
	// Apply stores content as the next revision of its application.
	Apply(ctx context.Context, req ApplyRequest) (ApplyResult, error)
	// Revisions lists every revision of an application, oldest first,
	// without content (also after the application was deleted).
	Revisions(ctx context.Context, runtime string, key config.AppKey) ([]Revision, error)
	// Revision returns revision n of an application, with content.
	Revision(ctx context.Context, runtime string, key config.AppKey, n int64) (Revision, error)
	// LatestRevisions returns the last n revisions of an application (all
	// of them when it has fewer), oldest first, with content, in one read
	// (also after the application was deleted); n < 1 is a KindInvalid
	// error.
	LatestRevisions(ctx context.Context, runtime string, key config.AppKey, n int) ([]Revision, error)
	// Delete removes an application; its history is kept and a later
	// Apply continues its revision numbers, so an old ETag never matches
	// new content. ifMatch is a precondition as in ApplyRequest.
	Delete(ctx context.Context, runtime string, key config.AppKey, ifMatch api.Precondition) error
	// SetAppState enables or disables an application (it must exist and
	// not be deleted, else a KindNotFound error). The state is the
	// application's, not a revision's: Apply keeps it, and so does Delete.
	// Head and Applications return it in Revision.State.
	SetAppState(ctx context.Context, runtime string, key config.AppKey, state AppState) error

	// Clients returns the confidential clients of a runtime, ordered by id.
	Clients(ctx context.Context, runtime string) ([]Client, error)
	// Client returns one confidential client.
	Client(ctx context.Context, runtime, id string) (Client, error)
	// UpdateClients replaces the client list of a runtime with what update
	// returns for the current list, in one transaction that excludes
	// concurrent updates of the same runtime: checks made in update hold
	// for what is stored. An error from update changes nothing.
	UpdateClients(ctx context.Context, runtime string, update func(current []Client) ([]Client, error)) error

	// SigningKeys returns every token signing key, newest first, the
	// retired ones included and marked (Retired is set).
	SigningKeys(ctx context.Context) ([]SigningKey, error)
	// AddSigningKey stores a new key, which becomes the newest.
	AddSigningKey(ctx context.Context, k SigningKey) error
	// AddFirstSigningKey stores k only if no process has stored a first
	// key yet; it is not an error when another one did.
	AddFirstSigningKey(ctx context.Context, k SigningKey) error
	// RetireSigningKey marks key id retired, now: it must never verify or
	// sign again. Retiring a retired key changes nothing. An unknown id is
	// a KindNotFound error; the newest key is a KindConflict error (add a
	// new key first), so that some key can always sign.
	RetireSigningKey(ctx context.Context, id string) error

	// authz.Store: the registered clients of the mobile runtime, their
	// check states and their grants (codes and refresh tokens).
	authz.Store

	// Probe commits a small write, in a transaction like every write, and
	// returns its error: whether the store can take writes now. Once a
	// newer scoped has migrated the store (it holds a migration this build
	// does not know), Probe returns a config.KindConflict error, unless
	// the write itself fails first.
	Probe(ctx context.Context) error

	// Close releases the store's resources.
	Close() error
}

// Revision is one stored version of an application's descriptor.
type Revision struct {
	Runtime string
	Key     config.AppKey
	Number  int64     // 1 for the first revision, then +1 per change
	Author  string    // client id that applied it
	Time    time.Time // when it was applied (UTC, microsecond precision)
	Hash    string    // hex SHA-256 of Content
	Summary string    // one line: what changed from the previous revision
	Content []byte    // canonical descriptor; empty in listings
	// State is the application's state now; set by Head, Applications
	// and Apply only (a past revision has none of its own).
	State AppState
}

// AppState is whether an application's clients are served: an operator
// may disable an application, with a message for its users, and enable
// it again, without touching its descriptor or its history.
type AppState struct {
	Disabled bool
	Message  string // shown to the users of a disabled application; "" when enabled
}

// ApplyRequest asks to store a descriptor as a new revision.
type ApplyRequest struct {
	Runtime string
	Key     config.AppKey
	Content []byte // canonical descriptor
	Hash    string // hex SHA-256 of Content
	Summary string // one line: what changed from the head
	Author  string
	// IfMatch is what the head must be for the apply to happen.
	IfMatch api.Precondition
}

// ApplyResult says what Apply did.
type ApplyResult struct {
	Revision Revision // the new head (the old one when Unchanged)
	Previous *Revision
	// Unchanged is true when the content equals the head's: no revision
	// is added for a no-op.
	Unchanged bool
}

// Client is a confidential client: credentials for the token endpoint.
type Client struct {
	ID          string
	DisplayName string
	SecretHash  string // bcrypt hash; never the secret itself
	// SecretSetAt is when the secret was last set; tokens issued before
	// it are refused, so changing a secret revokes its tokens.
	SecretSetAt  time.Time
	AllowedScope config.Scope
}

// SigningKey is an RSA key that signs access tokens.
type SigningKey struct {
	ID         string // the JWS "kid"
	PrivatePEM []byte // PKCS #8, PEM
	Created    time.Time
	Retired    time.Time // when it was retired; zero while in use
}

// CheckPrecondition applies an ApplyRequest.IfMatch to an application
// whose head is revision current (0 when it does not exist).
func CheckPrecondition(ifMatch api.Precondition, current int64) error {
	if !ifMatch.Holds(current) {
		return Stale(current)
	}
	return nil
}

// Stale returns the KindStale error of a precondition that failed because
// the application changed (or does not exist); current is its head
// revision, 0 if none, and config.CurrentRevision reads it back.
func Stale(current int64) error {
	msg := "the application has changed: its current revision is " + strconv.FormatInt(current, 10)
	if current == 0 {
		msg = "the application does not exist"
	}
	return &config.Error{Kind: config.KindStale, Message: msg, Details: config.StaleDetails{CurrentRevision: current}}
}

// NotFound returns the error for a missing application, revision or client.
func NotFound(format string, args ...any) error {
	return config.Errorf(config.KindNotFound, format, args...)
}
