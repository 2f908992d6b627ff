package resource_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/api"
	"github.com/scopectl/scopectl/sync/resource"
	"github.com/scopectl/scopectl/sync/server/servertest"
)

func challengeAnswer(status int, challenges ...string) *http.Response {
	return &http.Response{StatusCode: status, Header: http.Header{"Www-Authenticate": challenges}}
}

func TestRequiredScope(t *testing.T) {
	long := strings.Repeat("a", 20<<10)
	for _, c := range []struct {
		name string
		resp *http.Response
		want string // "-" for no answer
	}{
		{"scoped's 403", challengeAnswer(403, `Bearer error="insufficient_scope", scope="mfpmonitor"`), "mfpmonitor"},
		{"several elements", challengeAnswer(403, `Bearer error="insufficient_scope", scope="scopeA scopeB"`), "scopeA scopeB"},
		{"scope first", challengeAnswer(403, `Bearer scope="a", error="insufficient_scope"`), "a"},
		{"case-insensitive scheme and names", challengeAnswer(403, `bEARER ERROR="insufficient_scope",Scope="a"`), "a"},
		{"tokens, not quoted", challengeAnswer(403, `Bearer error=insufficient_scope, scope=a.b`), "a.b"},
		{"realm too", challengeAnswer(403, `Bearer realm="mfp", error="insufficient_scope", scope="a"`), "a"},
		{"after another challenge", challengeAnswer(403, `Basic realm="x, y", Bearer error="insufficient_scope", scope="a"`), "a"},
		{"after a token68", challengeAnswer(403, `Negotiate abc==, Bearer error="insufficient_scope", scope="a"`), "a"},
		{"in a second header", challengeAnswer(403, `Basic realm="mfp"`, `Bearer error="insufficient_scope", scope="a"`), "a"},
		{"escaped space", challengeAnswer(403, `Bearer error="insufficient_scope", scope="a\ b"`), "a b"},
		{"commas and equals quoted", challengeAnswer(401, `Bearer error="invalid_token", error_description="a, scope=\"x\"", scope="b"`), "b"},
		{"401 no token", challengeAnswer(401, `Bearer`), ""},
		{"401 invalid token", challengeAnswer(401, `Bearer error="invalid_token", error_description="expired"`), ""},
		{"401 Basic only", challengeAnswer(401, `Basic realm="mfp"`), "-"},
		{"403 other error", challengeAnswer(403, `Bearer error="invalid_token"`), "-"},
		{"403 no scope", challengeAnswer(403, `Bearer error="insufficient_scope"`), "-"},
		{"403 empty scope", challengeAnswer(403, `Bearer error="insufficient_scope", scope=""`), "-"},
		{"403 no header", challengeAnswer(403), "-"},
		{"200", challengeAnswer(200, `Bearer error="insufficient_scope", scope="a"`), "-"},
		{"500", challengeAnswer(500, `Bearer`), "-"},
		{"unterminated", challengeAnswer(403, `Bearer error="insufficient_scope", scope="a`), "-"},
		{"escaped quote in scope", challengeAnswer(403, `Bearer error="insufficient_scope", scope="a\"b"`), "-"},
		{"control character", challengeAnswer(403, "Bearer error=\"insufficient_scope\", scope=\"a\x1bb\""), "-"},
		{"not a scheme", challengeAnswer(403, `"Bearer" error="insufficient_scope", scope="a"`), "-"},
		{"bearer in a quoted string only", challengeAnswer(403, `Basic realm="Bearer error=insufficient_scope, scope=a"`), "-"},
		{"hostile length", challengeAnswer(403, `Bearer error="insufficient_scope", scope="`+long+`"`), "-"},
		{"hostile challenge count", challengeAnswer(403, strings.Repeat(`Basic realm="x", `, 2000)+`Bearer error="insufficient_scope", scope="a"`), "-"},
		{"hostile header count", challengeAnswer(403, append(slices.Repeat([]string{"Basic"}, 5000), `Bearer error="insufficient_scope", scope="a"`)...), "-"},
		{"nil", nil, "-"},
	} {
		t.Run(c.name, func(t *testing.T) {
			sc, ok := resource.RequiredScope(c.resp)
			got := "-"
			if ok {
				got = sc.String()
			}
			if got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

func FuzzRequiredScope(f *testing.F) {
	for _, s := range []string{`Bearer error="insufficient_scope", scope="a b"`, `Basic realm="x", Bearer`, `Bearer scope="a\"`, `a=,=b"\`} {
		f.Add(403, s)
		f.Add(401, s)
	}
	f.Fuzz(func(t *testing.T, status int, header string) {
		sc, ok := resource.RequiredScope(challengeAnswer(status, header))
		if !ok {
			return
		}
		if status != 401 && status != 403 || !strings.Contains(strings.ToLower(header), "bearer") {
			t.Fatalf("%d %q gave scope %q", status, header, sc)
		}
		if again, err := config.ParseScope(sc.String()); err != nil || again.String() != sc.String() {
			t.Fatalf("%q gave scope %q, not a valid scope", header, sc)
		}
		if status == 403 && len(sc) == 0 {
			t.Fatalf("%q: a 403 with no scope", header)
		}
	})
}

// recorder is a RoundTripper that records what it sends.
type recorder struct {
	mu   sync.Mutex
	sent []string // "Authorization body"
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	r.mu.Lock()
	r.sent = append(r.sent, req.Header.Get("Authorization")+" "+string(body))
	r.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

// scopeTokens is a Transport.Token that gets client test's tokens from
// scoped and records the scopes asked for.
type scopeTokens struct {
	t      *testing.T
	url    string
	mu     sync.Mutex
	scopes []string
}

func (s *scopeTokens) token(ctx context.Context, scope config.Scope) (string, error) {
	s.mu.Lock()
	s.scopes = append(s.scopes, scope.String())
	s.mu.Unlock()
	return scopedToken(s.t, s.url, "test", "test-secret", scope.String()), nil
}

func TestTransportObtainsTheRequiredScope(t *testing.T) {
	srv := servertest.StartServer(t, servertest.Client{ID: "test", Secret: "test-secret", Scope: "*"})
	tokens := &scopeTokens{t: t, url: srv.URL}
	rec := &recorder{}
	hc := &http.Client{Transport: &resource.Transport{Origin: srv.URL, Base: rec, Token: tokens.token}}

	for range 2 {
		resp, err := hc.Get(srv.URL + api.ApplicationsPath("mfp")) // needs mfpmonitor
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d, want 200 after one retry", resp.StatusCode)
		}
	}
	if got := strings.Join(tokens.scopes, "|"); got != "|mfpmonitor" {
		t.Errorf("tokens asked for scopes %q, want the empty scope then mfpmonitor (and no more)", got)
	}
	if len(rec.sent) != 3 {
		t.Errorf("sent %d requests, want 3 (refused, retried, then straight)", len(rec.sent))
	}
}

func TestTransportRetriesOnlyReplayableBodies(t *testing.T) {
	srv := servertest.StartServer(t, servertest.Client{ID: "test", Secret: "test-secret", Scope: "*"})
	tokens := &scopeTokens{t: t, url: srv.URL}
	rec := &recorder{}
	hc := &http.Client{Transport: &resource.Transport{Origin: srv.URL, Base: rec, Token: tokens.token}}
	path := srv.URL + api.ApplicationsPath("mfp") // POST applies a descriptor, needs mfpoperator

	req, _ := http.NewRequest("POST", path, io.NopCloser(strings.NewReader("{}"))) // no GetBody
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if sc, ok := resource.RequiredScope(resp); resp.StatusCode != 403 || !ok || sc.String() != "mfpoperator" {
		t.Fatalf("got %d %v, want the 403 naming mfpoperator, not retried", resp.StatusCode, sc)
	}
	if len(rec.sent) != 1 {
		t.Fatalf("sent %d requests, want 1", len(rec.sent))
	}

	resp, err = hc.Post(path, "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == 401 || resp.StatusCode == 403 {
		t.Fatalf("replayable body: status %d after the retry", resp.StatusCode)
	}
	if len(rec.sent) != 3 || !strings.HasSuffix(rec.sent[2], " {}") {
		t.Fatalf("sent %q, want the body sent again with the retry", rec.sent)
	}
}

func TestTransportRetriesOnce(t *testing.T) {
	srv := servertest.StartServer(t, servertest.Client{ID: "monitor", Secret: "monitor-secret", Scope: "mfpmonitor"})
	rec := &recorder{}
	calls := 0
	tr := &resource.Transport{Origin: srv.URL, Base: rec, Token: func(ctx context.Context, scope config.Scope) (string, error) {
		calls++
		return scopedToken(t, srv.URL, "monitor", "monitor-secret", ""), nil // never the scope asked for
	}}
	resp, err := (&http.Client{Transport: tr}).Get(srv.URL + api.ApplicationsPath("mfp"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 || len(rec.sent) != 2 || calls != 2 {
		t.Fatalf("status %d after %d requests and %d tokens, want the 403 after 2 and 2", resp.StatusCode, len(rec.sent), calls)
	}
}

// TestTransportKeepsTokensToItsOrigin: a redirect to another host gets no
// token and cannot make the Transport obtain one; a scope outside Scopes
// is not asked for.
func TestTransportKeepsTokensToItsOrigin(t *testing.T) {
	var evilAuth []string
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		evilAuth = append(evilAuth, r.Header.Get("Authorization"))
		w.Header().Set("WWW-Authenticate", `Bearer error="insufficient_scope", scope="mfpadmin"`)
		w.WriteHeader(http.StatusForbidden)
	}))
	defer evil.Close()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/admin" {
			w.Header().Set("WWW-Authenticate", `Bearer error="insufficient_scope", scope="mfpadmin"`)
			w.WriteHeader(http.StatusForbidden)
			return
		}
		http.Redirect(w, r, evil.URL+"/steal", http.StatusFound)
	}))
	defer api.Close()
	var asked []string
	tr := &resource.Transport{Origin: api.URL, Scopes: config.Scope{"orders.read"}, Token: func(_ context.Context, scope config.Scope) (string, error) {
		asked = append(asked, scope.String())
		return "token-for-" + scope.String(), nil
	}}
	hc := &http.Client{Transport: tr}
	resp, err := hc.Get(api.URL + "/orders")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(evilAuth) != 1 || evilAuth[0] != "" {
		t.Errorf("the other host received Authorization %q", evilAuth)
	}
	resp, err = hc.Get(api.URL + "/admin")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || strings.Join(asked, "|") != "" {
		t.Errorf("status %d, scopes asked %q: want the 403 as it came and only the empty scope asked", resp.StatusCode, asked)
	}
	if _, err := (&http.Client{Transport: &resource.Transport{Token: tr.Token}}).Get(api.URL); err == nil {
		t.Error("a Transport without Origin sent a request")
	}
}
