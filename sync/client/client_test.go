package client_test

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/fixtures"
	"github.com/scopectl/scopectl/schema"
	"github.com/scopectl/scopectl/sync/api"
	"github.com/scopectl/scopectl/sync/client"
	"github.com/scopectl/scopectl/sync/server/servertest"
)

func startScoped(t *testing.T) string {
	return servertest.Start(t, servertest.Client{ID: "admin", Secret: "admin-secret", Scope: "mfpadmin"})
}

func connect(t *testing.T, url, password string) *client.Client {
	t.Helper()
	c, err := client.New(context.Background(), client.Options{
		URL: url, Runtime: "mfp", Login: "admin", Password: password, Scope: client.ScopeWrite, Retries: 2,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func bank(t *testing.T) ([]byte, config.AppKey) {
	src, err := fs.ReadFile(fixtures.FS, "valid/com.example.bank-android-1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	return src, config.AppKey{ID: "com.example.bank", Platform: config.PlatformAndroid, Version: "1.0"}
}

func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	c := connect(t, startScoped(t), "admin-secret")
	src, key := bank(t)
	res, err := c.Apply(ctx, src, api.Absent(), false)
	if err != nil || res.Application.Revision != 1 {
		t.Fatalf("apply: %+v %v", res, err)
	}
	got, rev, err := c.Descriptor(ctx, key)
	want := schema.Validate(src).Descriptor.Canonical()
	if err != nil || rev != 1 || string(got) != string(want) {
		t.Fatalf("descriptor rev %d err %v:\n%s", rev, err, got)
	}
	changed := strings.Replace(string(src), `"maxTokenExpiration": 3600`, `"maxTokenExpiration": 60`, 1)
	dry, err := c.Apply(ctx, []byte(changed), api.Revision(1), true)
	if err != nil || !dry.DryRun || len(dry.Diff) != 1 {
		t.Fatalf("dry run: %+v %v", dry, err)
	}
	if _, err := c.Apply(ctx, []byte(changed), api.Revision(1), false); err != nil {
		t.Fatal(err)
	}
	_, err = c.Apply(ctx, src, api.Revision(1), false)
	if current, ok := config.CurrentRevision(err); !ok || current != 2 {
		t.Fatalf("stale apply: %v", err)
	}
	revs, err := c.Revisions(ctx, key)
	if err != nil || len(revs) != 2 || revs[1].Summary == "" {
		t.Fatalf("revisions: %+v %v", revs, err)
	}
	old, err := c.Revision(ctx, key, 1)
	if err != nil || string(old) != string(want) {
		t.Fatalf("revision 1: %v", err)
	}
	apps, err := c.Applications(ctx)
	if err != nil || len(apps) != 1 || apps[0].Key() != key {
		t.Fatalf("applications: %+v %v", apps, err)
	}
	_, _, err = c.Descriptor(ctx, config.AppKey{ID: "nope", Platform: config.PlatformWeb, Version: "1"})
	if config.ErrorKind(err) != config.KindNotFound {
		t.Errorf("missing application: %v", err)
	}
}

func TestInvalidDescriptorFindings(t *testing.T) {
	c := connect(t, startScoped(t), "admin-secret")
	_, err := c.Apply(context.Background(), []byte(`{"applicationKey":{"id":"a","clientPlatform":"web","version":"1"},"maxTokenExpiraton":1}`), api.Any(), false)
	var inv *client.InvalidError
	if !errors.As(err, &inv) || len(inv.Findings) != 1 || inv.Findings[0].Pointer != "/maxTokenExpiraton" {
		t.Fatalf("got %v", err)
	}
}

func TestFailuresAreOneClearLine(t *testing.T) {
	url := startScoped(t)
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := "http://" + ln.Addr().String()
	ln.Close()
	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<html>Welcome to nginx</html>")
	}))
	defer html.Close()
	for _, tc := range []struct {
		name, url, password string
		kind                config.Kind
		msg                 string
	}{
		{"bad credentials", url, "wrong", config.KindUnauthorized, "refused the credentials"},
		{"connection refused", closed, "x", config.KindUnavailable, "connection refused"},
		{"not scoped", html.URL, "x", config.KindUnavailable, "did not issue a token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := connect(t, tc.url, tc.password).Applications(context.Background())
			if config.ErrorKind(err) != tc.kind || !strings.Contains(err.Error(), tc.msg) || strings.Contains(err.Error(), "\n") {
				t.Errorf("got %q (kind %s), want kind %s containing %q", err, config.ErrorKind(err), tc.kind, tc.msg)
			}
		})
	}
	// A server that issues tokens but answers the API with something else.
	garbage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/token") {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"access_token":"x","token_type":"Bearer","expires_in":60}`)
			return
		}
		io.WriteString(w, "\x00garbage<html>")
	}))
	defer garbage.Close()
	_, err := connect(t, garbage.URL, "x").Applications(context.Background())
	if config.ErrorKind(err) != config.KindUnavailable || !strings.Contains(err.Error(), "did not answer like a scoped server") {
		t.Errorf("garbage answer: %v", err)
	}
	if _, err := client.New(context.Background(), client.Options{URL: "ftp://x"}); config.ErrorKind(err) != config.KindInvalid {
		t.Errorf("ftp URL: %v", err)
	}
}

// TestRetriesHonourRetryAfter: 503 and 429 answers are retried after the
// server's Retry-After, up to the retry limit.
func TestRetriesHonourRetryAfter(t *testing.T) {
	url := startScoped(t)
	var busy atomic.Int32
	busy.Store(2)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/applications") && busy.Add(-1) >= 0 {
			w.Header().Set("Retry-After", "1")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, `{"error":"unavailable","message":"busy"}`)
			return
		}
		req, _ := http.NewRequest(r.Method, url+r.URL.RequestURI(), r.Body)
		req.Header = r.Header
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Error(err)
			return
		}
		defer resp.Body.Close()
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
	}))
	defer proxy.Close()
	start := time.Now()
	if _, err := connect(t, proxy.URL, "admin-secret").Applications(context.Background()); err != nil {
		t.Fatalf("after two 503s: %v", err)
	}
	if waited := time.Since(start); waited < 2*time.Second {
		t.Errorf("retried after %v; Retry-After asked for 1 s twice", waited)
	}
	busy.Store(5)
	_, err := connect(t, proxy.URL, "admin-secret").Applications(context.Background())
	if config.ErrorKind(err) != config.KindUnavailable || !strings.Contains(err.Error(), "busy") {
		t.Errorf("after retries ran out: %v", err)
	}
}
