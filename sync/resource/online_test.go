package resource_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/fixtures"
	"github.com/scopectl/scopectl/sync/api"
	"github.com/scopectl/scopectl/sync/authz/authztest"
	"github.com/scopectl/scopectl/sync/resource"
	"github.com/scopectl/scopectl/sync/server/servertest"
)

// scopedEnv is a real scoped behind a proxy that counts introspection
// requests and can replace their answers (hostile or failing scoped).
type scopedEnv struct {
	srv            *servertest.Server
	url            string // the proxy's
	introspections atomic.Int64
	// answer, if set, answers introspection requests instead of scoped.
	answer atomic.Pointer[http.HandlerFunc]
	proxy  *httptest.Server
}

func startScoped(t testing.TB, opt servertest.Options) *scopedEnv {
	t.Helper()
	srv := servertest.StartWith(t, opt,
		servertest.Client{ID: "introspector", Secret: "introspector-secret", Scope: resource.IntrospectScope},
		servertest.Client{ID: "monitor", Secret: "monitor-secret", Scope: "mfpmonitor"},
		servertest.Client{ID: "test", Secret: "test-secret", Scope: "*"},
	)
	e := &scopedEnv{srv: srv}
	e.proxy = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == api.IntrospectionPath("mfp") {
			e.introspections.Add(1)
			if h := e.answer.Load(); h != nil {
				(*h)(w, r)
				return
			}
		}
		srv.Handler.ServeHTTP(w, r)
	}))
	t.Cleanup(e.proxy.Close)
	e.url = e.proxy.URL
	return e
}

// online returns a verifier of e's runtime with the introspector client.
func (e *scopedEnv) online(t testing.TB, opt resource.OnlineOptions) *resource.Online {
	t.Helper()
	opt.IntrospectionURL = e.url + api.IntrospectionPath("mfp")
	opt.TokenURL = e.url + api.TokenPath("mfp")
	if opt.ClientID == "" {
		opt.ClientID, opt.ClientSecret = "introspector", "introspector-secret"
	}
	v, err := resource.NewOnline(opt)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func (e *scopedEnv) token(t testing.TB, id, secret, scope string) string {
	t.Helper()
	return scopedToken(t, e.url, id, secret, scope)
}

func scopedToken(t testing.TB, url, id, secret, scope string) string {
	t.Helper()
	cc := clientcredentials.Config{
		ClientID: id, ClientSecret: secret, TokenURL: url + api.TokenPath("mfp"),
		Scopes: strings.Fields(scope), AuthStyle: oauth2.AuthStyleInHeader,
	}
	tok, err := cc.Token(context.Background())
	if err != nil {
		t.Fatalf("token for %s: %v", id, err)
	}
	return tok.AccessToken
}

// wantRefusal fails unless err is a *resource.Error of status and code.
func wantRefusal(t *testing.T, p *resource.Principal, err error, status int, code string) {
	t.Helper()
	var re *resource.Error
	if !errors.As(err, &re) || re.Status != status || re.Code != code {
		t.Fatalf("got %+v, %v; want a %d %q refusal", p, err, status, code)
	}
	if p != nil {
		t.Fatalf("a refusal came with a principal %+v", p)
	}
}

// wantUnavailable fails unless err says the token could not be checked
// (not a *resource.Error, so the middleware answers 503).
func wantUnavailable(t *testing.T, p *resource.Principal, err error) {
	t.Helper()
	var re *resource.Error
	if err == nil || errors.As(err, &re) || p != nil {
		t.Fatalf("got %+v, %v; want an error that is not a refusal, and no principal", p, err)
	}
}

func TestOnlineAnswersAsScoped(t *testing.T) {
	e := startScoped(t, servertest.Options{})
	v := e.online(t, resource.OnlineOptions{})
	ctx := context.Background()
	tok := e.token(t, "monitor", "monitor-secret", "mfpmonitor")

	p, err := v.Verify(ctx, tok, config.NewScope("mfpmonitor"))
	if err != nil {
		t.Fatal(err)
	}
	if p.ClientID != "monitor" || p.Scope.String() != "mfpmonitor" || p.AppID != "" {
		t.Errorf("principal %+v", p)
	}
	if d := time.Until(p.Expiry); d < 59*time.Minute || d > time.Hour {
		t.Errorf("expiry in %v, want the token's hour", d)
	}
	if _, err := v.Verify(ctx, tok, nil); err != nil {
		t.Errorf("no scope required: %v", err)
	}
	p, err = v.Verify(ctx, tok, config.NewScope("mfpadmin"))
	wantRefusal(t, p, err, 403, "insufficient_scope")
	if re := err.(*resource.Error); re.Challenge() != `Bearer error="insufficient_scope", scope="mfpadmin"` {
		t.Errorf("challenge %s", re.Challenge())
	}
	p, err = v.Verify(ctx, "not-a-token", nil)
	wantRefusal(t, p, err, 401, "invalid_token")
	p, err = v.Verify(ctx, tok[:len(tok)-4]+"AAAA", nil) // forged signature
	wantRefusal(t, p, err, 401, "invalid_token")
	p, err = v.Verify(ctx, strings.Repeat("a", 9000), nil)
	wantRefusal(t, p, err, 401, "invalid_token")
	p, err = v.Verify(ctx, "", nil)
	wantRefusal(t, p, err, 401, "")
}

func TestOnlineRefusesExpiredToken(t *testing.T) {
	clock := servertest.NewClock()
	e := startScoped(t, servertest.Options{Now: clock.Now})
	v := e.online(t, resource.OnlineOptions{Now: clock.Now})
	tok := e.token(t, "monitor", "monitor-secret", "mfpmonitor")
	clock.Advance(time.Hour + time.Second)
	p, err := v.Verify(context.Background(), tok, nil)
	wantRefusal(t, p, err, 401, "invalid_token")
}

func TestOnlineCachesAnswers(t *testing.T) {
	clock := servertest.NewClock()
	e := startScoped(t, servertest.Options{Now: clock.Now})
	v := e.online(t, resource.OnlineOptions{Now: clock.Now, CacheTTL: time.Minute})
	ctx := context.Background()
	tok := e.token(t, "monitor", "monitor-secret", "mfpmonitor")
	for _, scope := range []string{"mfpmonitor", "", "mfpmonitor", "mfpadmin"} {
		v.Verify(ctx, tok, config.NewScope(strings.Fields(scope)...))
	}
	for range 3 {
		p, err := v.Verify(ctx, "not-a-token", nil)
		wantRefusal(t, p, err, 401, "invalid_token")
	}
	if n := e.introspections.Load(); n != 2 {
		t.Fatalf("%d introspections for one valid and one invalid token, want 2", n)
	}
	clock.Advance(time.Minute)
	if _, err := v.Verify(ctx, tok, nil); err != nil {
		t.Fatal(err)
	}
	if n := e.introspections.Load(); n != 3 {
		t.Fatalf("%d introspections after CacheTTL, want 3 (asked again)", n)
	}
}

func TestOnlineCacheNeverOutlivesToken(t *testing.T) {
	clock := servertest.NewClock()
	e := startScoped(t, servertest.Options{Now: clock.Now})
	v := e.online(t, resource.OnlineOptions{Now: clock.Now, CacheTTL: 24 * time.Hour})
	ctx := context.Background()
	tok := e.token(t, "monitor", "monitor-secret", "mfpmonitor") // valid for 1 h
	if _, err := v.Verify(ctx, tok, nil); err != nil {
		t.Fatal(err)
	}
	clock.Advance(59 * time.Minute)
	if _, err := v.Verify(ctx, tok, nil); err != nil {
		t.Fatalf("59 min later: %v", err)
	}
	if n := e.introspections.Load(); n != 1 {
		t.Fatalf("%d introspections within the token's life, want 1 (cached)", n)
	}
	clock.Advance(time.Minute)
	p, err := v.Verify(ctx, tok, nil)
	wantRefusal(t, p, err, 401, "invalid_token")
	if n := e.introspections.Load(); n != 2 {
		t.Fatalf("%d introspections once the token expired, want 2 (the cached answer dropped)", n)
	}
}

func TestOnlineCacheIsBounded(t *testing.T) {
	e := startScoped(t, servertest.Options{})
	v := e.online(t, resource.OnlineOptions{CacheSize: 2})
	ctx := context.Background()
	toks := []string{
		e.token(t, "monitor", "monitor-secret", "mfpmonitor"),
		e.token(t, "monitor", "monitor-secret", ""),
		e.token(t, "test", "test-secret", "a"),
	}
	for _, tok := range toks {
		if _, err := v.Verify(ctx, tok, nil); err != nil {
			t.Fatal(err)
		}
	}
	before := e.introspections.Load()
	for _, tok := range toks {
		v.Verify(ctx, tok, nil)
	}
	if n := e.introspections.Load() - before; n == 0 {
		t.Fatal("three tokens all stayed in a cache of two")
	}
}

func TestOnlineFailsClosed(t *testing.T) {
	huge := `{"active":true,"scope":"mfpmonitor","client_id":"monitor","pad":"` + strings.Repeat("x", 1<<20) + `"}`
	for name, h := range map[string]http.HandlerFunc{
		"5xx":       func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", http.StatusServiceUnavailable) },
		"not JSON":  func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>active</html>")) },
		"oversized": func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(huge)) },
		"bad scope": func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"active":true,"scope":"a\"b"}`)) },
	} {
		t.Run(name, func(t *testing.T) {
			e := startScoped(t, servertest.Options{})
			e.answer.Store(&h)
			v := e.online(t, resource.OnlineOptions{})
			p, err := v.Verify(context.Background(), e.token(t, "monitor", "monitor-secret", "mfpmonitor"), nil)
			wantUnavailable(t, p, err)
		})
	}
	t.Run("unreachable", func(t *testing.T) {
		e := startScoped(t, servertest.Options{})
		v := e.online(t, resource.OnlineOptions{})
		tok := e.token(t, "monitor", "monitor-secret", "mfpmonitor")
		e.proxy.Close()
		p, err := v.Verify(context.Background(), tok, nil)
		wantUnavailable(t, p, err)
	})
	t.Run("no introspection scope", func(t *testing.T) {
		e := startScoped(t, servertest.Options{})
		v := e.online(t, resource.OnlineOptions{ClientID: "monitor", ClientSecret: "monitor-secret"})
		p, err := v.Verify(context.Background(), e.token(t, "monitor", "monitor-secret", "mfpmonitor"), nil)
		wantUnavailable(t, p, err)
	})
	t.Run("wrong secret", func(t *testing.T) {
		e := startScoped(t, servertest.Options{})
		v := e.online(t, resource.OnlineOptions{ClientID: "introspector", ClientSecret: "wrong"})
		p, err := v.Verify(context.Background(), e.token(t, "monitor", "monitor-secret", "mfpmonitor"), nil)
		wantUnavailable(t, p, err)
	})
}

// TestOnlineRenewsItsToken: scoped's clock runs two hours ahead of the
// resource server's, so scoped refuses Online's own token (401) while
// Online still holds it valid: Online renews it once and asks again.
func TestOnlineRenewsItsToken(t *testing.T) {
	clock := servertest.NewClock()
	e := startScoped(t, servertest.Options{Now: clock.Now})
	v := e.online(t, resource.OnlineOptions{})
	ctx := context.Background()
	if _, err := v.Verify(ctx, e.token(t, "monitor", "monitor-secret", "mfpmonitor"), nil); err != nil {
		t.Fatal(err)
	}
	clock.Advance(2 * time.Hour)
	p, err := v.Verify(ctx, e.token(t, "monitor", "monitor-secret", "mfpmonitor"), nil)
	if err != nil || p.ClientID != "monitor" {
		t.Fatalf("after scoped refused the introspection token: %+v, %v", p, err)
	}
	if n := e.introspections.Load(); n != 3 {
		t.Fatalf("%d introspections, want 3 (one, then refused and retried once)", n)
	}
}

// TestOnlineMobileToken: a token of the mobile runtime puts its
// application and client in the Principal, as scoped's introspection
// describes it.
func TestOnlineMobileToken(t *testing.T) {
	e := startScoped(t, servertest.Options{})
	src, err := fixtures.FS.ReadFile("valid/com.example.bank-android-1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", e.url+api.ApplicationsPath("mfp"), strings.NewReader(string(src)))
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth("test", "test-secret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("apply: %v %v", resp, err)
	}
	resp.Body.Close()
	bank := config.AppKey{ID: "com.example.bank", Platform: config.PlatformAndroid, Version: "1.0"}
	flow := &authztest.Flow{URL: e.url, Runtime: "mfp", Device: authztest.NewDevice(bank), Issuer: e.srv.Issuer}
	tok, err := flow.AccessToken("deletePrivilege", "com.example.bank:/oauth")
	if err != nil {
		t.Fatal(err)
	}

	v := e.online(t, resource.OnlineOptions{})
	p, err := v.Verify(context.Background(), tok, config.NewScope("deletePrivilege"))
	if err != nil {
		t.Fatal(err)
	}
	if p.AppID != "com.example.bank" || p.AppPlatform != "android" || p.AppVersion != "1.0" || p.DeviceID != "device-1" || p.ClientID == "" || p.ClientID == "test" {
		t.Errorf("principal %+v", p)
	}
	p, err = v.Verify(context.Background(), tok, config.NewScope("accessRestricted"))
	wantRefusal(t, p, err, 403, "insufficient_scope")
}

// TestOnlineSharesAnIntrospection: concurrent Verify calls of one token
// that is not cached wait for one introspection instead of each sending
// their own.
func TestOnlineSharesAnIntrospection(t *testing.T) {
	e := startScoped(t, servertest.Options{})
	v := e.online(t, resource.OnlineOptions{})
	tok := e.token(t, "monitor", "monitor-secret", "mfpmonitor")
	arrived, release := make(chan struct{}, 2), make(chan struct{})
	gate := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-release
		e.srv.Handler.ServeHTTP(w, r)
	})
	e.answer.Store(&gate)

	results := make(chan error, 2)
	verify := func() {
		p, err := v.Verify(context.Background(), tok, config.NewScope("mfpmonitor"))
		if err == nil && p.ClientID != "monitor" {
			err = errors.New("principal of another client")
		}
		results <- err
	}
	go verify()
	<-arrived // the first call's introspection is under way
	go verify()
	for resource.Joined(v) == 0 {
		select {
		case <-arrived:
			close(release)
			t.Fatal("the second call sent an introspection of its own")
		default:
			runtime.Gosched()
		}
	}
	close(release)
	for range 2 {
		if err := <-results; err != nil {
			t.Error(err)
		}
	}
	if n := e.introspections.Load(); n != 1 {
		t.Errorf("%d introspections, want 1", n)
	}
}
