package resource_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/scopectl/scopectl/sync/resource"
)

// ExampleMiddleware is a resource server whose /orders needs scope
// orders.read from tokens of a scoped runtime. The runtime here is a
// stand-in (its JWKS and tokens signed the way scoped signs them); with
// scoped --dev the issuer is http://127.0.0.1:9080/mfp/api/az/v1.
func ExampleMiddleware() {
	runtime := newStandIn()
	defer runtime.Close()

	off, err := resource.NewOffline(resource.OfflineOptions{Issuer: runtime.issuer})
	if err != nil {
		panic(err)
	}
	orders := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := resource.FromContext(r.Context())
		fmt.Fprintf(w, "the orders %s may read\n", p.ClientID)
	})
	mux := http.NewServeMux()
	mux.Handle("GET /orders", resource.Middleware(off, "orders.read")(orders))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	for _, authorization := range []string{
		"",
		"Bearer " + runtime.token("orders.read"),
		"Bearer " + runtime.token("orders.write"),
		"Bearer forged",
	} {
		req, _ := http.NewRequest("GET", srv.URL+"/orders", nil)
		req.Header.Set("Authorization", authorization)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(strings.TrimSpace(resp.Status[:3] + " " + resp.Header.Get("WWW-Authenticate")))
		fmt.Printf("  %s", body)
	}
	// Output:
	// 401 Bearer
	//   {"error":"unauthorized","message":"an access token is required"}
	// 200
	//   the orders reader may read
	// 403 Bearer error="insufficient_scope", scope="orders.read"
	//   {"error":"forbidden","message":"this resource requires scope orders.read"}
	// 401 Bearer error="invalid_token", error_description="the access token is malformed or not signed with RS256"
	//   {"error":"unauthorized","message":"the access token is malformed or not signed with RS256"}
}

// standIn publishes a JWKS under /mfp/api/az/v1/jwks and signs tokens as
// scoped does, for the example to run without a scoped.
type standIn struct {
	*httptest.Server
	issuer string
	key    *rsa.PrivateKey
}

func newStandIn() *standIn {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	s := &standIn{key: key}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}}
		json.NewEncoder(w).Encode(set)
	}))
	s.issuer = s.URL + "/mfp/api/az/v1"
	return s
}

// token is an access token for client reader with scope.
func (s *standIn) token(scope string) string {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: s.key, KeyID: "k1"}},
		(&jose.SignerOptions{}).WithType("at+jwt"))
	if err != nil {
		panic(err)
	}
	now := time.Now()
	tok, err := jwt.Signed(signer).Claims(map[string]any{
		"iss": s.issuer, "aud": s.issuer, "sub": "reader", "client_id": "reader", "scope": scope,
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "jti": "example",
	}).Serialize()
	if err != nil {
		panic(err)
	}
	return tok
}
