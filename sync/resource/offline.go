package resource

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/accesstoken"
)

// OfflineOptions configure NewOffline; only Issuer is required.
type OfflineOptions struct {
	// Issuer is the runtime's issuer URL, the iss and aud of its tokens:
	// scoped's external base URL and the runtime's authorization path,
	// e.g. http://127.0.0.1:9080/mfp/api/az/v1.
	Issuer string
	// JWKSURL is where the runtime publishes its keys; "" means
	// Issuer+"/jwks".
	JWKSURL string
	// HTTPClient fetches the JWKS; nil means a client with a 10 s timeout.
	HTTPClient *http.Client
	// Leeway is the clock skew tolerated on exp, nbf and iat; 0 means 30 s.
	Leeway time.Duration
	// MaxLifetime is the longest lifetime (exp - iat) of a token accepted;
	// 0 means 24 h.
	MaxLifetime time.Duration
	// Algorithms are the signature algorithms accepted, among the RSA ones
	// (RS256, RS384, RS512, PS256, PS384, PS512); nil means RS256 only.
	Algorithms []jose.SignatureAlgorithm
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// RefreshInterval is how old the keys get before they are refetched,
	// so that a key the runtime retires stops verifying; 0 means 5 min,
	// the max-age scoped gives its JWKS.
	RefreshInterval time.Duration
	// MinRefetchInterval is the shortest time between two fetches, however
	// many tokens name an unknown kid; 0 means 10 s.
	MinRefetchInterval time.Duration
	// MaxKeyAge is how long keys that could not be refetched remain in
	// use; past it no token verifies (fail closed) until a fetch
	// succeeds. 0 means twice RefreshInterval.
	MaxKeyAge time.Duration
}

// Offline verifies access tokens without asking the runtime about each:
// the signature against the keys of its JWKS, then the claims (RFC 9068).
// It is safe for concurrent use; a token verified once is not checked
// again while its key is published (accesstoken.Verifier).
type Offline struct {
	issuer   string
	keys     *keyCache
	verifier *accesstoken.Verifier
}

// NewOffline returns an offline verifier of the tokens of opt.Issuer. It
// fetches the keys at the first Verify (or Start).
func NewOffline(opt OfflineOptions) (*Offline, error) {
	if err := opt.setDefaults(); err != nil {
		return nil, err
	}
	keys := &keyCache{
		url: opt.JWKSURL, client: opt.HTTPClient, timeout: 10 * time.Second, refresh: opt.RefreshInterval,
		minInterval: opt.MinRefetchInterval, maxAge: opt.MaxKeyAge, algs: opt.Algorithms, now: opt.Now,
	}
	o := &Offline{issuer: opt.Issuer, keys: keys}
	o.verifier = o.newTokenVerifier(opt)
	return o, nil
}

func (o *Offline) newTokenVerifier(opt OfflineOptions) *accesstoken.Verifier {
	return &accesstoken.Verifier{Keys: o.keys, TTL: opt.MaxLifetime, Now: opt.Now, Leeway: opt.Leeway, Algorithms: opt.Algorithms}
}

var rsaAlgorithms = []jose.SignatureAlgorithm{jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512}

func (opt *OfflineOptions) setDefaults() error {
	if !strings.HasPrefix(opt.Issuer, "https://") && !strings.HasPrefix(opt.Issuer, "http://") {
		return fmt.Errorf("resource: the issuer %q is not an http(s) URL", opt.Issuer)
	}
	for _, a := range opt.Algorithms {
		if !slices.Contains(rsaAlgorithms, a) {
			return fmt.Errorf("resource: algorithm %s is not supported (RSA signatures only)", a)
		}
	}
	if opt.Algorithms == nil {
		opt.Algorithms = []jose.SignatureAlgorithm{jose.RS256}
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	opt.JWKSURL = cmp.Or(opt.JWKSURL, strings.TrimSuffix(opt.Issuer, "/")+"/jwks")
	opt.HTTPClient = cmp.Or(opt.HTTPClient, &http.Client{Timeout: 10 * time.Second})
	opt.Leeway = cmp.Or(opt.Leeway, accesstoken.Leeway)
	opt.MaxLifetime = cmp.Or(opt.MaxLifetime, 24*time.Hour)
	opt.RefreshInterval = cmp.Or(opt.RefreshInterval, 5*time.Minute)
	opt.MinRefetchInterval = cmp.Or(opt.MinRefetchInterval, 10*time.Second)
	opt.MaxKeyAge = cmp.Or(opt.MaxKeyAge, 2*opt.RefreshInterval)
	return nil
}

// Start fetches the keys now rather than at the first Verify, so that a
// resource server can refuse to start without them.
func (o *Offline) Start(ctx context.Context) error {
	_, err := o.keys.current(ctx)
	return err
}

// maxTokenBytes bounds the tokens Verify reads, as scoped bounds the
// Authorization header.
const maxTokenBytes = 8 << 10

// Verify checks token as seed 001's library does: the signature (an
// allowed algorithm, typ at+jwt, by a published key), then expiration
// (exp, nbf, iat, lifetime), issuer and audience, then scope. A refusal
// is a *Error; when the keys cannot be fetched the error is another one
// (the middleware answers 503).
func (o *Offline) Verify(ctx context.Context, token string, scope config.Scope) (*Principal, error) {
	switch {
	case token == "":
		return nil, ErrNoToken
	case len(token) > maxTokenBytes:
		return nil, InvalidToken("the access token is too long")
	}
	rep := &fetchReport{}
	c, err := o.verifier.Verify(context.WithValue(ctx, reportKey{}, rep), token, o.issuer)
	switch {
	case rep.err != nil:
		return nil, fmt.Errorf("resource: cannot verify tokens: %w", rep.err)
	case err != nil:
		return nil, InvalidToken(err.Error())
	}
	p, err := principalOf(c)
	if err != nil {
		return nil, err
	}
	if err := CheckScope(p.Scope, scope); err != nil {
		return nil, err
	}
	return p, nil
}

// principalOf is the Principal of the claims of a valid token.
func principalOf(c accesstoken.Claims) (*Principal, error) {
	granted, err := config.ParseScope(c.Scope)
	if err != nil {
		return nil, InvalidToken("the access token's scope is malformed")
	}
	return &Principal{
		ClientID: c.ClientID, Subject: c.Subject, AppID: c.AppID, AppPlatform: c.AppPlatform,
		AppVersion: c.AppVersion, User: c.User, DeviceID: c.DeviceID, Scope: granted, Expiry: c.Expiry.Time(),
	}, nil
}
