package server

import (
	"context"
	"time"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/accesstoken"
	"github.com/scopectl/scopectl/sync/store"
)

// clientTTL is how long a process trusts what it read about a client when
// checking tokens: removing a client, narrowing its scope or changing its
// secret revokes its tokens on every process within this time.
const clientTTL = time.Second

// lookupClient returns a confidential client, from the cache when fresh.
func (s *Server) lookupClient(ctx context.Context, runtime, id string) (store.Client, bool, error) {
	return s.clients.Get([2]string{runtime, id}, time.Now(), func() (store.Client, error) { return s.store.Client(ctx, runtime, id) })
}

// verifyToken checks a bearer token's signature and claims, then checks it
// against its client as it is now, and returns the claims and the granted
// scope: a confidential client must exist, must still have the secret the
// token was issued under, and must still be allowed every element the
// token grants; a mobile client must still be registered (deleting it
// revokes its tokens).
func (s *Server) verifyToken(ctx context.Context, runtime, token string) (accesstoken.Claims, config.Scope, error) {
	c, err := s.tokens.Verifier.Verify(ctx, token, s.issuerOf(runtime))
	if err != nil {
		return c, nil, err
	}
	granted, _ := config.ParseScope(c.Scope)
	if c.Mobile() {
		return c, granted, s.checkMobileClient(ctx, runtime, c)
	}
	return c, granted, s.checkConfidentialClient(ctx, runtime, c, granted)
}

func (s *Server) checkConfidentialClient(ctx context.Context, runtime string, c accesstoken.Claims, granted config.Scope) error {
	client, found, err := s.lookupClient(ctx, runtime, c.ClientID)
	switch {
	case err != nil:
		return err
	case !found:
		return config.Errorf(config.KindUnauthorized, "the client of this token no longer exists")
	case c.SecretVersion != client.SecretSetAt.UnixMicro():
		return config.Errorf(config.KindUnauthorized, "the client's secret changed after this token was issued")
	}
	if e, ok := client.AllowedScope.AllowsAll(granted); !ok {
		return config.Errorf(config.KindUnauthorized, "the client is no longer allowed scope %q", e)
	}
	return nil
}

func (s *Server) checkMobileClient(ctx context.Context, runtime string, c accesstoken.Claims) error {
	rt := s.mobile[runtime]
	if rt == nil {
		return config.Errorf(config.KindUnauthorized, "runtime %s has no mobile clients", runtime)
	}
	found, err := rt.Registered(ctx, c.ClientID)
	if err == nil && !found {
		return config.Errorf(config.KindUnauthorized, "the mobile client of this token is no longer registered")
	}
	return err
}
