package authz

import (
	"context"
	"time"

	"github.com/scopectl/scopectl/config"
)

// Store is the storage the runtime needs, implemented by sync/store/sqlstore
// on SQLite and PostgreSQL. Several scoped processes may share one Store;
// every method is atomic. Lookups of what does not exist are KindNotFound
// errors.
type Store interface {
	// AddMobileClient stores a newly registered client; its ID is new.
	AddMobileClient(ctx context.Context, c Client) error
	// MobileClient returns a registered client.
	MobileClient(ctx context.Context, runtime, id string) (Client, error)
	// DeleteMobileClient removes a client with its check states and grants.
	DeleteMobileClient(ctx context.Context, runtime, id string) error

	// UpdateCheckStates replaces the check states of a client with what
	// update returns for the current ones (by check name), in one
	// transaction that excludes concurrent updates for the same client: two
	// requests racing cannot both spend the same remaining attempt. An error
	// from update changes nothing.
	UpdateCheckStates(ctx context.Context, runtime, clientID string, update func(current map[string]CheckState) (map[string]CheckState, error)) error
	// CheckStates returns the check states of a client as stored now,
	// without excluding concurrent updates.
	CheckStates(ctx context.Context, runtime, clientID string) (map[string]CheckState, error)

	// AddGrant stores authorization codes, refresh tokens or spent
	// assertion ids, by the hash of their value (the value itself is
	// never stored), all or none: a hash stored already is a KindConflict
	// error. One request's grants go in one call, one transaction.
	AddGrant(ctx context.Context, grants ...Grant) error
	// SpendAssertion stores the grant of a spent assertion id as AddGrant
	// does, and returns its client's check states as CheckStates would
	// right after, from the same transaction: a request that spends its
	// jti, then runs checks, reads the store once.
	SpendAssertion(ctx context.Context, jti Grant) (map[string]CheckState, error)
	// Grant returns the grant key names without taking it, under the
	// conditions of TakeGrant (its kind, runtime and client; an expired
	// grant is not found): what it holds decides what to issue before
	// TakeGrant spends it.
	Grant(ctx context.Context, key GrantKey) (Grant, error)
	// TakeGrant removes and returns the grant key names, only if it is of
	// key's kind, runtime and client (another client, even one that knows
	// the value, neither gets nor destroys it): a code or a refresh token
	// is good for one use, on any instance. It adds the grants of spend
	// (the request's assertion id) in the same transaction: when one exists
	// already it is a KindConflict error and nothing is taken.
	TakeGrant(ctx context.Context, key GrantKey, spend ...Grant) (Grant, error)
}

// GrantKey names a grant to take: the hash of its value, and the kind,
// runtime and client it must have.
type GrantKey struct {
	Runtime  string
	ClientID string
	Kind     GrantKind
	Hash     string
}

// GrantKind tells an authorization code from a refresh token.
type GrantKind string

// The kinds of grants.
const (
	GrantCode    GrantKind = "code"
	GrantRefresh GrantKind = "refresh"
)

// Grant is an authorization code or a refresh token, as stored.
type Grant struct {
	Hash     string // hex SHA-256 of the value
	Kind     GrantKind
	Runtime  string
	ClientID string
	App      config.AppKey
	Scope    config.Scope
	// Lifetime caps the access tokens issued from this grant, as
	// config.Resolve computed it when the checks passed; the token
	// endpoint recomputes it from the head revision and takes the smaller.
	Lifetime    time.Duration
	User        string // the user a user-login check authenticated, if any
	RedirectURI string // codes only: the redirect_uri the code was issued for
	Expires     time.Time
}
