package resource_test

import (
	"context"
	"crypto/rsa"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/accesstoken"
	"github.com/scopectl/scopectl/sync/api"
	"github.com/scopectl/scopectl/sync/resource"
	"github.com/scopectl/scopectl/sync/server/servertest"
)

// benchTokens is how many distinct tokens the benchmarks cycle through.
const benchTokens = 1024

// benchEnv is a scoped, benchTokens of its tokens and its public key.
type benchEnv struct {
	issuer, jwksURL string
	tokens          []string
	pub             *rsa.PublicKey
}

// newBenchEnv starts scoped and has it issue the tokens (signing takes
// a second or so, outside the timer).
func newBenchEnv(b *testing.B) *benchEnv {
	b.Helper()
	srv := servertest.StartServer(b)
	be := &benchEnv{issuer: srv.Issuer + api.AuthzPath("mfp"), jwksURL: srv.URL + api.JWKSPath("mfp"), tokens: make([]string, benchTokens)}
	ctx := context.Background()
	scope := config.Scope{"orders.read"}
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Go(func() {
			for i := w; i < benchTokens; i += 2 {
				tok, _, err := srv.Tokens.Issue(ctx, be.issuer, "reader", scope, 0)
				if err != nil {
					b.Error(err)
					return
				}
				be.tokens[i] = tok
			}
		})
	}
	wg.Wait()
	set := srv.Tokens.KeySet().JWKS(ctx)
	be.pub = set.Keys[0].Key.(*rsa.PublicKey)
	return be
}

// verifier returns a started Offline verifier of be's tokens.
func (be *benchEnv) verifier(b *testing.B) *resource.Offline {
	off, err := resource.NewOffline(resource.OfflineOptions{Issuer: be.issuer, JWKSURL: be.jwksURL})
	if err == nil {
		err = off.Start(context.Background())
	}
	if err != nil {
		b.Fatal(err)
	}
	return off
}

// BenchmarkOffline compares, on GOMAXPROCS cores, the offline
// verification of distinct tokens (each verified once by its verifier:
// parse, RS256, claims, scope), of tokens seen before (the verifier's
// cache: SHA-256 of the token and the claim checks), and the raw ceiling:
// go-jose verifying the RS256 signature of the same tokens with the key
// in hand. interleaved times the three on each token in turn (the JWS
// alone, go-jose's JWT verification with claims decoding, Offline), so
// that its ratios hold on a loaded machine.
//
//	go test -run '^$' -bench Offline -cpu 2 ./sync/resource/
func BenchmarkOffline(b *testing.B) {
	be := newBenchEnv(b)
	need := config.Scope{"orders.read"}
	b.Run("raw-rs256", func(b *testing.B) {
		runParallel(b, func(i int) error { return rawJWS(be.tokens[i%benchTokens], be.pub) })
	})
	b.Run("verify", func(b *testing.B) {
		// A fresh verifier per round through the tokens, so that each
		// verification is a real one.
		offs := make([]*resource.Offline, b.N/benchTokens+1)
		for i := range offs {
			offs[i] = be.verifier(b)
		}
		b.ResetTimer()
		runParallel(b, func(i int) error {
			_, err := offs[i/benchTokens].Verify(context.Background(), be.tokens[i%benchTokens], need)
			return err
		})
	})
	b.Run("interleaved", func(b *testing.B) {
		// Each iteration times both on the same token, so that the ratio
		// holds however loaded the machine is.
		offs := make([]*resource.Offline, b.N/benchTokens+1)
		for i := range offs {
			offs[i] = be.verifier(b)
		}
		var jws, jwt, ours atomic.Int64
		b.ResetTimer()
		runParallel(b, func(i int) error {
			tok := be.tokens[i%benchTokens]
			t0 := time.Now()
			err := rawJWS(tok, be.pub)
			t1 := time.Now()
			if err == nil {
				err = rawJWT(tok, be.pub)
			}
			t2 := time.Now()
			if err == nil {
				_, err = offs[i/benchTokens].Verify(context.Background(), tok, need)
			}
			jws.Add(int64(t1.Sub(t0)))
			jwt.Add(int64(t2.Sub(t1)))
			ours.Add(int64(time.Since(t2)))
			return err
		})
		b.ReportMetric(float64(jws.Load())/float64(ours.Load()), "speed-vs-jws")
		b.ReportMetric(float64(jwt.Load())/float64(ours.Load()), "speed-vs-jwt")
	})
	b.Run("cached", func(b *testing.B) {
		off := be.verifier(b)
		for _, tok := range be.tokens {
			off.Verify(context.Background(), tok, need)
		}
		b.ResetTimer()
		runParallel(b, func(i int) error {
			_, err := off.Verify(context.Background(), be.tokens[i%benchTokens], need)
			return err
		})
	})
}

// rawJWS verifies the signature of token alone, with go-jose.
func rawJWS(token string, pub *rsa.PublicKey) error {
	jws, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.RS256})
	if err == nil {
		_, err = jws.Verify(pub)
	}
	return err
}

// rawJWT verifies token and decodes its claims, with go-jose's jwt
// package alone: what any JWT verification does before checking claims.
func rawJWT(token string, pub *rsa.PublicKey) error {
	t, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return err
	}
	var c accesstoken.Claims
	return t.Claims(pub, &c)
}

// runParallel runs op b.N times over GOMAXPROCS goroutines, op i for
// each i below b.N, and reports verifications per second.
func runParallel(b *testing.B, op func(i int) error) {
	var next atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := op(int(next.Add(1) - 1)); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "verifies/s")
}
