package oauth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"runtime"
	"time"

	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/accesstoken"
)

// Tokens issues the access tokens of one deployment, and verifies them
// with its accesstoken.Verifier, whose Keys, TTL and Now are also the
// keys that sign, the lifetime and the clock of the tokens Issue makes.
// The Verifier's Keys must be the *KeySet NewTokens was given.
type Tokens struct {
	accesstoken.Verifier
	// signers holds a slot per CPU: an RSA signature takes one for the
	// time it computes (see Sign).
	signers chan struct{}
}

// NewTokens returns a Tokens that signs with keys and issues tokens valid
// for ttl.
func NewTokens(keys *KeySet, ttl time.Duration) *Tokens {
	return &Tokens{
		Verifier: accesstoken.Verifier{Keys: keys, TTL: ttl, Now: time.Now},
		signers:  make(chan struct{}, runtime.GOMAXPROCS(0)),
	}
}

// KeySet returns the keys that sign and verify the tokens.
func (t *Tokens) KeySet() *KeySet {
	return t.Verifier.Keys.(*KeySet)
}

// Issue returns a signed access token for clientID with scope, issued by
// and for issuer (the runtime's authorization-server URL), under the
// client secret identified by secretVersion.
func (t *Tokens) Issue(ctx context.Context, issuer, clientID string, scope config.Scope, secretVersion int64) (string, accesstoken.Claims, error) {
	now := t.Now()
	c := accesstoken.Claims{
		Issuer: issuer, Subject: clientID, Audience: jwt.Audience{issuer}, ClientID: clientID,
		Scope: scope.String(), IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(t.TTL)),
		ID: newTokenID(), SecretVersion: secretVersion,
	}
	token, err := t.Sign(ctx, c)
	if err != nil {
		return "", accesstoken.Claims{}, err
	}
	return token, c, nil
}

// Sign signs c with the active key, as an access token of type at+jwt. It
// sets c's token id (jti) when it has none.
func (t *Tokens) Sign(ctx context.Context, c accesstoken.Claims) (string, error) {
	if c.ID == "" {
		c.ID = newTokenID()
	}
	key, err := t.KeySet().active(ctx)
	if err != nil {
		return "", err
	}
	release, err := t.signSlot(ctx)
	if err != nil {
		return "", err
	}
	token, err := jwt.Signed(key.sign).Claims(c).Serialize()
	release()
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	return token, nil
}

// signSlot waits for a CPU's slot to sign in, and returns what gives it
// back. Signatures beyond the CPUs would only share them: each would take
// as long as all of them together, and the scheduler's time slices would
// hand the cores out unevenly, so that under load some tokens waited many
// times longer than others. Waiting for a slot instead keeps the order of
// arrival (a channel queues its senders first in, first out): the same
// throughput, and a latency near that of the requests ahead.
//
// Having the slot, the goroutine yields once before it signs. A waiter
// that a release wakes runs on the rest of the releasing goroutine's time
// slice, and so does the one it wakes in turn: a chain of such hand-offs
// outlasts the 10 ms after which the Go runtime preempts a goroutine, and
// signers were preempted mid-signature and left on the runtime's global
// queue, holding their slots. The yield waits on that queue too, but only
// behind the goroutines already runnable (requests being read and
// parsed), and the signature then starts on a fresh slice. At 16
// connections on 2 CPUs the median p99 over 11 rounds went from 57 to
// 41 ms at the same throughput (docs/benchmarks.md).
func (t *Tokens) signSlot(ctx context.Context) (func(), error) {
	if t.signers == nil {
		return func() {}, nil
	}
	select {
	case t.signers <- struct{}{}:
		runtime.Gosched()
		if err := ctx.Err(); err != nil {
			<-t.signers
			return nil, err
		}
		return func() { <-t.signers }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func newTokenID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
