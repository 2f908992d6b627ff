package authz

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/scopectl/scopectl/config"
)

// Applications gives the descriptor that governs an application now: the
// head revision. Behind a DescriptorCache, a push takes effect at once on
// the instance it went through and within DescriptorTTL on the others.
type Applications interface {
	// Descriptor returns the head descriptor of an application, a
	// KindNotFound error when it does not exist or was deleted, or the
	// error of ApplicationDisabled when an operator disabled it.
	Descriptor(ctx context.Context, runtime string, key config.AppKey) (*config.Descriptor, error)
}

// Runtime is the mobile authorization runtime of one scoped runtime (such
// as "mfp"): registration, preauthorization, authorization codes and
// tokens.
type Runtime struct {
	Name   string // the runtime, e.g. "mfp"
	Store  Store
	Apps   Applications
	Checks *Checks
	Tokens TokenIssuer
	// RefreshApps are the application ids whose clients get refresh
	// tokens (seed 004's server property).
	RefreshApps []string
	// Users is the registry of the user-login check, if any: a refresh
	// token of a user it no longer has is refused.
	Users UserRegistry
	// MaxLifetime caps every token's lifetime (scoped's --token-ttl, which
	// its verifier enforces); 0 means no cap beyond maxTokenExpiration.
	MaxLifetime time.Duration
	// Now returns the current time; nil means time.Now.
	Now func() time.Time

	clients clientCache
}

func (rt *Runtime) now() time.Time {
	if rt.Now != nil {
		return rt.Now()
	}
	return time.Now()
}

// Registered reports whether client id is registered, as the runtime read
// it within ClientTTL: what a bearer token of the client is checked
// against, so that deleting the client revokes its tokens.
func (rt *Runtime) Registered(ctx context.Context, id string) (bool, error) {
	_, _, err := rt.clients.get(ctx, id, rt.now(), func(ctx context.Context, id string) (Client, error) {
		return rt.Store.MobileClient(ctx, rt.Name, id)
	})
	if config.ErrorKind(err) == config.KindNotFound {
		return false, nil
	}
	return err == nil, err
}

// ForgetClient makes the runtime read a client from the store again at
// its next request, as when it was deleted.
func (rt *Runtime) ForgetClient(id string) { rt.clients.forget(id) }

// descriptor returns the descriptor of a client's application, refusing a
// client whose application is gone or disabled: its requests fail as the
// client's.
func (rt *Runtime) descriptor(ctx context.Context, key config.AppKey) (*config.Descriptor, error) {
	d, err := rt.Apps.Descriptor(ctx, rt.Name, key)
	if config.ErrorKind(err) == config.KindNotFound {
		e := config.Errorf(config.KindForbidden, "application %s is not registered on runtime %s", key, rt.Name)
		e.Err = ErrUnknownApplication
		return nil, e
	}
	return d, err
}

// ErrUnknownApplication is in the chain of the errors about a client whose
// application does not exist (any more) or is disabled: the token
// endpoint answers invalid_client, the other endpoints 403.
var ErrUnknownApplication = errors.New("unknown application")

// ErrDisabledApplication is in the chain of the errors about a client whose
// application an operator disabled. It wraps ErrUnknownApplication: such a
// client is refused as one of an application that does not exist, with
// the operator's message as the reason.
var ErrDisabledApplication = fmt.Errorf("disabled application: %w", ErrUnknownApplication)

// DisabledDetails are the Details of the error of a disabled application:
// the message its operator left for its users, to show them as it is.
type DisabledDetails struct {
	Message string `json:"disabledMessage"`
}

// ApplicationDisabled is the error an Applications answers for an
// application that an operator disabled, with message for its users
// (possibly ""): a KindForbidden error that gives the message as the
// reason, with ErrDisabledApplication in its chain.
func ApplicationDisabled(runtime string, key config.AppKey, message string) error {
	e := config.Errorf(config.KindForbidden, "application %s is disabled on runtime %s", key, runtime)
	if message != "" {
		e.Message += ": " + message
	}
	e.Err, e.Details = ErrDisabledApplication, DisabledDetails{Message: message}
	return e
}

// isRefusal reports whether err is an Applications' answer that refuses an
// application: it does not exist, or it is disabled.
func isRefusal(err error) bool {
	return config.ErrorKind(err) == config.KindNotFound || errors.Is(err, ErrDisabledApplication)
}

// resolve resolves scope for d with the checks this runtime has.
func (rt *Runtime) resolve(d *config.Descriptor, scope config.Scope) config.Resolution {
	return config.Resolve(d, scope, rt.Checks.Catalog())
}

// randomValue returns 32 random bytes, base64url: a client id, a code or a
// refresh token.
func randomValue() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
