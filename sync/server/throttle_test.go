package server_test

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scopectl/scopectl/sync/server/servertest"
)

// tokenFrom asks for a token with Basic credentials id:secret (sent raw,
// as curl does) from remote address addr, through the server's handler,
// with any extra headers given as name, value pairs.
func (e *env) tokenFrom(addr, id, secret string, headers ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("POST", "/mfp/api/az/v1/token", strings.NewReader("grant_type=client_credentials"))
	req.RemoteAddr = addr
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(id+":"+secret)))
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	e.srv.Handler.ServeHTTP(rec, req)
	return rec
}

// wantThrottled requires a 429 token answer with Retry-After.
func wantThrottled(t *testing.T, rec *httptest.ResponseRecorder, retryAfter string) {
	t.Helper()
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") != retryAfter ||
		!strings.Contains(rec.Body.String(), `"error":"temporarily_unavailable"`) {
		t.Fatalf("got %d Retry-After %q %s; want 429, Retry-After %s, temporarily_unavailable",
			rec.Code, rec.Header().Get("Retry-After"), rec.Body.String(), retryAfter)
	}
}

func wantStatus(t *testing.T, rec *httptest.ResponseRecorder, status int) {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("got %d %s; want %d", rec.Code, rec.Body.String(), status)
	}
}

// TestGuessesAgainstOneClientAreThrottled: after 10 wrong secrets for a
// client id, from any addresses, further attempts from addresses it never
// logged in from get 429 + Retry-After without any bcrypt work, even with
// the right secret; one more attempt is allowed per second. The client
// itself, from the address it logged in from before, is not locked out.
func TestGuessesAgainstOneClientAreThrottled(t *testing.T) {
	clk := servertest.NewClock()
	e := newEnvWith(t, servertest.Options{Now: clk.Now})
	wantStatus(t, e.tokenFrom("192.0.2.200:1000", "monitor", "monitor-secret"), 200) // its usual address
	for i := range 10 {
		wantStatus(t, e.tokenFrom(fmt.Sprintf("198.51.100.%d:4000", i), "monitor", "guess"), 401)
	}
	before := e.srv.Secrets.Comparisons()
	wantThrottled(t, e.tokenFrom("198.51.100.99:4000", "monitor", "guess"), "1")
	wantThrottled(t, e.tokenFrom("203.0.113.7:4000", "monitor", "monitor-secret"), "1")
	if n := e.srv.Secrets.Comparisons() - before; n != 0 {
		t.Errorf("throttled attempts made %d bcrypt comparisons", n)
	}
	wantStatus(t, e.tokenFrom("192.0.2.200:1001", "monitor", "monitor-secret"), 200) // the known client
	wantStatus(t, e.tokenFrom("198.51.100.99:4000", "test", "test-secret"), 200)     // other ids
	clk.Advance(time.Second)
	wantStatus(t, e.tokenFrom("198.51.100.99:4000", "monitor", "guess"), 401)
	wantThrottled(t, e.tokenFrom("198.51.100.99:4000", "monitor", "guess"), "1")
}

// TestGuessesFromOneAddressAreThrottled: 30 failures from one address,
// spread over random client ids, make that address wait (3 more a
// second), also IPv6 addresses of one /64; other addresses are not
// affected, nor a client that logged in from the address before.
func TestGuessesFromOneAddressAreThrottled(t *testing.T) {
	clk := servertest.NewClock()
	e := newEnvWith(t, servertest.Options{Now: clk.Now})
	for _, tc := range []struct{ name, known, attacker, sameNet, other string }{
		{"IPv4", "192.0.2.1:5000", "192.0.2.1:6000", "192.0.2.1:7000", "192.0.2.2:6000"},
		{"IPv6 /64", "[2001:db8:1:2::1]:5000", "[2001:db8:1:2::7]:6000", "[2001:db8:1:2:ffff::9]:7000", "[2001:db8:1:3::7]:6000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantStatus(t, e.tokenFrom(tc.known, "operator", "operator-secret"), 200)
			for i := range 30 {
				wantStatus(t, e.tokenFrom(tc.attacker, fmt.Sprintf("ghost-%s-%d", tc.name, i), "guess"), 401)
			}
			rec := e.tokenFrom(tc.sameNet, "ghost-new", "guess")
			wantThrottled(t, rec, "1")
			wantThrottled(t, e.tokenFrom(tc.sameNet, "pusher", "pusher-secret"), "1")
			wantStatus(t, e.tokenFrom(tc.known, "operator", "operator-secret"), 200)
			wantStatus(t, e.tokenFrom(tc.other, "ghost-other", "guess"), 401)
			clk.Advance(time.Second)
			for range 3 {
				wantStatus(t, e.tokenFrom(tc.attacker, "ghost-later", "guess"), 401)
			}
			wantThrottled(t, e.tokenFrom(tc.attacker, "ghost-later", "guess"), "1")
		})
	}
}

// TestForwardedHeadersAreNotTrusted: an attacker cannot buy a fresh
// per-address budget by naming another client address in X-Forwarded-For,
// X-Real-IP or Forwarded: only the connection's address counts.
func TestForwardedHeadersAreNotTrusted(t *testing.T) {
	clk := servertest.NewClock()
	e := newEnvWith(t, servertest.Options{Now: clk.Now})
	spoof := func(i int) []string {
		a := fmt.Sprintf("203.0.113.%d", i)
		return []string{"X-Forwarded-For", a, "X-Real-IP", a, "Forwarded", "for=" + a}
	}
	for i := range 30 {
		wantStatus(t, e.tokenFrom("192.0.2.9:6000", fmt.Sprintf("ghost-%d", i), "guess", spoof(i)...), 401)
	}
	wantThrottled(t, e.tokenFrom("192.0.2.9:6000", "ghost-new", "guess", spoof(99)...), "1")
}

// TestAdminBasicIsThrottled: HTTP Basic on the admin API shares the
// budget and answers 429 with Retry-After and the usual JSON error body.
func TestAdminBasicIsThrottled(t *testing.T) {
	clk := servertest.NewClock()
	e := newEnvWith(t, servertest.Options{Now: clk.Now})
	basicAuth := http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte("admin:guess"))}}
	for range 10 {
		e.do("GET", apps, basicAuth, nil).want(t, 401)
	}
	r := e.do("GET", apps, basicAuth, nil).want(t, 429)
	var body struct {
		Error, Message string
		Details        struct{ RetryAfter int }
	}
	r.json(t, &body)
	if r.header.Get("Retry-After") != "1" || body.Error != "unavailable" || body.Details.RetryAfter != 1 || !strings.Contains(body.Message, "try again in 1 s") {
		t.Errorf("429 answer: Retry-After %q, %+v", r.header.Get("Retry-After"), body)
	}
	// The token endpoint counts the same failures.
	basicAuth.Set("Content-Type", "application/x-www-form-urlencoded")
	e.do("POST", "/mfp/api/az/v1/token", basicAuth, form(url.Values{"grant_type": {"client_credentials"}})).want(t, 429)
}

// TestConcurrentGuessesCannotOverdraw: 40 guesses at once, each from its
// own address, get exactly the budget of 10 checks between them; the
// others are refused before any bcrypt work.
func TestConcurrentGuessesCannotOverdraw(t *testing.T) {
	clk := servertest.NewClock()
	e := newEnvWith(t, servertest.Options{Now: clk.Now})
	before := e.srv.Secrets.Comparisons()
	codes := make(chan int, 40)
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() { codes <- e.tokenFrom(fmt.Sprintf("198.51.100.%d:4000", i), "monitor", "guess").Code })
	}
	wg.Wait()
	close(codes)
	count := map[int]int{}
	for c := range codes {
		count[c]++
	}
	if count[401] != 10 || count[429] != 30 {
		t.Errorf("answers %v; want 10 × 401 and 30 × 429", count)
	}
	if n := e.srv.Secrets.Comparisons() - before; n != 10 {
		t.Errorf("%d bcrypt comparisons; want 10", n)
	}
}

// TestConcurrentLoginsAreNotThrottled: a client's own concurrent
// requests, from its first on, are not refused for failures none of them
// made. Each attempt reserves a failure while its secret is checked, and
// the checks take turns on bcrypt: the 11th concurrent login used to get
// 429. Now an attempt that finds the budget held by reservations waits
// for them, and a secret verified before reserves nothing.
func TestConcurrentLoginsAreNotThrottled(t *testing.T) {
	e := newEnvWith(t, servertest.Options{})
	const n = 200
	codes := make(chan int, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			codes <- e.tokenFrom(fmt.Sprintf("192.0.2.200:%d", 2000+i), "monitor", "monitor-secret").Code
		})
	}
	close(start)
	wg.Wait()
	close(codes)
	for code := range codes {
		if code != 200 {
			t.Fatalf("a concurrent login with the right secret got %d", code)
		}
	}
}
