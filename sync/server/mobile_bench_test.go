package server_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/scopectl/scopectl/sync/authz/authztest"
	"github.com/scopectl/scopectl/sync/server/servertest"
)

// BenchmarkMobileFlow measures, on one real scoped (127.0.0.1, SQLite in
// a temporary folder), the client-credentials token endpoint per second
// and the full mobile flow per second, with the same number of concurrent
// workers (GOMAXPROCS: run it with -cpu 2 on 2 cores), and reports their
// ratio as flows/cc-token. Each worker of the mobile flow is an app
// instance registered once; an iteration is a preauthorization whose only
// check (appAuthenticity: accessRestricted is mapped to "") has passed
// already, an authorization and a code exchange.
//
//	go test -run NONE -bench MobileFlow -benchtime 5s -cpu 2 ./sync/server/
func BenchmarkMobileFlow(b *testing.B) {
	srv := servertest.StartWith(b, servertest.Options{},
		servertest.Client{ID: "admin", Secret: "admin-secret", Scope: "mfpadmin"},
		servertest.Client{ID: "test", Secret: "test-secret", Scope: "*"})
	applyUnmapped(b, srv.URL)
	keepConnections(b, 64) // one per client goroutine, as a load tool keeps them
	var ccRate float64
	b.Run("client_credentials", func(b *testing.B) {
		b.SetParallelism(8)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				clientCredentialsToken(b, srv.URL, "test", "test-secret", "")
			}
		})
		ccRate = float64(b.N) / b.Elapsed().Seconds()
		b.ReportMetric(ccRate, "tokens/s")
	})
	flows := []struct {
		name string
		run  func(*testing.B, *authztest.Flow)
	}{
		{"token", bearerFlow}, {"preauthorize+token", mobileFlow}, {"code", codeFlow},
	}
	for _, flow := range flows {
		b.Run(flow.name, func(b *testing.B) {
			b.SetParallelism(8)
			b.RunParallel(func(pb *testing.PB) {
				f := registeredFlow(b, srv.URL)
				for pb.Next() {
					flow.run(b, f)
				}
			})
			reportFlows(b, ccRate)
		})
	}
}

// keepConnections lets the default client, which the flows use, keep n
// idle connections to a host instead of 2, for the rest of b: otherwise
// most requests of 16 goroutines open a connection.
func keepConnections(b *testing.B, n int) {
	t := http.DefaultTransport.(*http.Transport)
	was := t.MaxIdleConnsPerHost
	t.MaxIdleConnsPerHost = n
	b.Cleanup(func() { t.MaxIdleConnsPerHost = was })
}

// reportFlows reports the flows per second of b and their ratio to the
// client-credentials tokens per second of the same run.
func reportFlows(b *testing.B, ccRate float64) {
	rate := float64(b.N) / b.Elapsed().Seconds()
	b.ReportMetric(rate, "flows/s")
	b.ReportMetric(rate/ccRate, "flows/cc-token")
}

// applyUnmapped applies the bank application with accessRestricted
// mapped to "": its scope needs appAuthenticity only.
func applyUnmapped(b *testing.B, base string) {
	b.Helper()
	body := strings.Replace(fixture(b, "valid/com.example.bank-android-1.0.json"), `"accessRestricted": "PinCodeAttempts",`, `"accessRestricted": "",`, 1)
	req, _ := http.NewRequest("POST", base+apps, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+clientCredentialsToken(b, base, "admin", "admin-secret", "mfpadmin"))
	req.Header.Set("Content-Type", "application/json")
	if a, err := send(req); err != nil || a.Status != 201 {
		b.Fatalf("apply: %d %s %v", a.Status, a.Body, err)
	}
}

// send sends req with the default client, as authztest.Flow does.
func send(req *http.Request) (authztest.Answer, error) {
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return authztest.Answer{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return authztest.Answer{Status: resp.StatusCode, Header: resp.Header, Body: string(body)}, err
}

// clientCredentialsToken posts a client-credentials token request with
// Basic authentication for scope and returns the access token.
func clientCredentialsToken(b *testing.B, base, id, secret, scope string) string {
	body := url.Values{"grant_type": {"client_credentials"}, "scope": {scope}}.Encode()
	req, _ := http.NewRequest("POST", base+"/mfp/api/az/v1/token", strings.NewReader(body))
	req.Header = basicAuth(id, secret)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	a, err := send(req)
	if err != nil || a.Status != 200 {
		b.Fatalf("client credentials: %d %s %v", a.Status, a.Body, err)
	}
	var tok tokenAnswer
	if err := a.JSON(&tok); err != nil {
		b.Fatal(err)
	}
	return tok.AccessToken
}

// registeredFlow is a new instance of the bank application, registered.
func registeredFlow(b *testing.B, base string) *authztest.Flow {
	f := &authztest.Flow{URL: base, Runtime: "mfp", Device: authztest.NewDevice(bankAndroid), Now: time.Now}
	if a, err := f.Register(); err != nil || a.Status != 201 {
		b.Fatalf("registration: %d %s %v", a.Status, a.Body, err)
	}
	return f
}

// bearerFlow asks for a token with the JWT authorization grant alone,
// which runs the checks itself: the flow of an app whose checks need no
// answer, or stand in success.
func bearerFlow(b *testing.B, f *authztest.Flow) {
	if a, err := f.BearerGrant("accessRestricted"); err != nil || a.Status != 200 {
		b.Fatalf("token: %d %s %v", a.Status, a.Body, err)
	}
}

// mobileFlow runs preauthorization, then the JWT authorization grant.
func mobileFlow(b *testing.B, f *authztest.Flow) {
	if a, err := f.Preauthorize("accessRestricted", nil); err != nil || a.Status != 200 {
		b.Fatalf("preauthorization: %d %s %v", a.Status, a.Body, err)
	}
	bearerFlow(b, f)
}

// codeFlow runs preauthorization, authorization and the code exchange.
func codeFlow(b *testing.B, f *authztest.Flow) {
	if a, err := f.Preauthorize("accessRestricted", nil); err != nil || a.Status != 200 {
		b.Fatalf("preauthorization: %d %s %v", a.Status, a.Body, err)
	}
	code, err := f.Code("accessRestricted", callback)
	if err != nil {
		b.Fatal(err)
	}
	a, err := f.Exchange("authorization_code", url.Values{"code": {code}, "redirect_uri": {callback}})
	if err != nil || a.Status != 200 {
		b.Fatalf("token: %d %s %v", a.Status, a.Body, err)
	}
}
