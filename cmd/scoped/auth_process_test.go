package main

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestClientSecretPolicyAndThrottling: a production scoped refuses client
// secrets under 12 characters and throttles guesses at the admin secret
// (429 + Retry-After after 10 failures), while other clients from the same
// address keep working; --dev accepts short client secrets.
func TestClientSecretPolicyAndThrottling(t *testing.T) {
	t.Parallel()
	secret := randomHex(12)
	prod := startScoped(t, "scoped", baseEnv("SCOPED_ADMIN_SECRET="+secret),
		"--addr", "127.0.0.1:0", "--db", keyedSQLite(t))
	dev := startScoped(t, "scoped --dev", baseEnv(), "--dev",
		"--addr", "127.0.0.1:0", "--db", keyedSQLite(t))
	c := newClient(t)
	clients := "/mfpadmin/management-apis/2.0/runtimes/mfp/confidentialclients"
	put := func(p *scoped, auth, clientSecret string) reply {
		return mustCall(t, c, "PUT", p.url+clients, `{"clients":[{"id":"admin","allowedScope":"mfpadmin"},{"id":"ci","allowedScope":"mfpoperator","secret":"`+clientSecret+`"}]}`,
			"Authorization", auth, "Content-Type", "application/json")
	}
	prodAdmin := bearer(mustToken(t, c, prod.url, "admin", secret))
	if r := put(prod, prodAdmin, "short-11chr"); r.status != http.StatusBadRequest || !strings.Contains(string(r.body), `client \"ci\"`) || strings.Contains(string(r.body), "short-11chr") {
		t.Errorf("production, 11-character client secret: %s; want 400 naming the client, not the secret", r)
	}
	if r := put(prod, prodAdmin, "twelve-chars"); r.status != http.StatusOK {
		t.Errorf("production, 12-character client secret: %s", r)
	}
	if r := put(dev, basic("admin", "admin"), "short"); r.status != http.StatusOK {
		t.Errorf("--dev, short client secret: %s", r)
	}

	// 10 failures, then 1 a second: the bucket refills while the guesses
	// (each a bcrypt check) run, so the 429 comes after 10 guesses plus
	// one per second spent guessing.
	start := time.Now()
	for i := 0; ; i++ {
		r := mustCall(t, c, "GET", prod.url+appsPath, "", "Authorization", basic("admin", "guess"))
		if r.status == http.StatusTooManyRequests {
			if i < 10 || r.header.Get("Retry-After") == "" {
				t.Errorf("guess %d: %s, Retry-After %q; want 401 for the first 10, then 429 with Retry-After", i+1, r, r.header.Get("Retry-After"))
			}
			break
		}
		if r.status != http.StatusUnauthorized {
			t.Fatalf("guess %d: %s; want 401 or 429", i+1, r)
		}
		if allowed := 10 + int(time.Since(start)/time.Second) + 1; i >= allowed {
			t.Fatalf("guess %d after %v is still checked (401); want 429 after 10 and 1 a second", i+1, time.Since(start))
		}
	}
	if _, err := fetchToken(c, prod.url, "ci", "twelve-chars", "mfpoperator"); err != nil {
		t.Errorf("another client from the same address: %v", err) // the address has a larger budget
	}
}
