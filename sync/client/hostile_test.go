package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/api"
	"github.com/scopectl/scopectl/sync/client"
)

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"plain text, 3 → 4 é 日本":           "plain text, 3 → 4 é 日本",
		"\x1b]0;pwned\x07":                 `\x1b]0;pwned\x07`,
		"\x1b[31mred":                      `\x1b[31mred`,
		"line\nbreak\ttab\r":               `line\x0abreak\x09tab\x0d`,
		"del\x7f c1\u009b[2J":              `del\x7f c1\x9b[2J`,
		"user\u202egnp.exe":                `user\u202egnp.exe`,
		"iso\u2066late\u2069 \u200f\u2028": `iso\u2066late\u2069 \u200f\u2028`,
		"bad \xff\xfe utf-8":               `bad \xff\xfe utf-8`,
		"":                                 "",
	} {
		if got := client.Printable(in); got != want {
			t.Errorf("Printable(%q) = %q, want %q", in, got, want)
		}
	}
}

// hostile starts a server that issues tokens like scoped and answers the
// admin API with api, to play a broken or malicious server.
func hostile(t *testing.T, api http.HandlerFunc) *client.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/api/az/v1/token") {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"access_token":"x","token_type":"Bearer","expires_in":60}`)
			return
		}
		api(w, r)
	}))
	t.Cleanup(srv.Close)
	return connect(t, srv.URL, "x")
}

var someKey = config.AppKey{ID: "com.example.bank", Platform: config.PlatformAndroid, Version: "1.0"}

// TestLongAnswerIsRefusedNotCut: an answer past the limit is an error
// (the server misbehaved), never a silently shortened descriptor.
func TestLongAnswerIsRefusedNotCut(t *testing.T) {
	c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"1"`)
		io.WriteString(w, `{"displayName": "`)
		io.WriteString(w, strings.Repeat("x", 20<<20))
		io.WriteString(w, `"}`)
	})
	body, _, err := c.Descriptor(context.Background(), someKey)
	if config.ErrorKind(err) != config.KindUnavailable || !strings.Contains(err.Error(), "more than 8 MiB") || body != nil {
		t.Errorf("got %d bytes, %v", len(body), err)
	}
}

// TestDescriptorNeedsARevision: an ETag that is not one revision number is
// an error, not revision 0.
func TestDescriptorNeedsARevision(t *testing.T) {
	for _, etag := range []string{"", `W/"3"`, `"abc"`, `"0"`, `"-1"`, `"+3"`, `3`, `"3`, `3"`, `"99999999999999999999"`} {
		c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
			if etag != "" {
				w.Header().Set("ETag", etag)
			}
			io.WriteString(w, "{}")
		})
		_, rev, err := c.Descriptor(context.Background(), someKey)
		if config.ErrorKind(err) != config.KindUnavailable || !strings.Contains(err.Error(), "without a revision") {
			t.Errorf("ETag %q: revision %d, %v", etag, rev, err)
		}
	}
	c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"7"`)
		io.WriteString(w, "{}")
	})
	if _, err := c.Revision(context.Background(), someKey, 3); config.ErrorKind(err) != config.KindUnavailable {
		t.Errorf("revision 3 answered with 7: %v", err)
	}
}

// TestServerFailureIsUnavailable: a 5xx answer names the server and is
// an unavailable server (exit 3) whatever error kind its body claims, so
// a server cannot pick the exit status of a pull, push or rollback.
func TestServerFailureIsUnavailable(t *testing.T) {
	for _, claimed := range []string{"internal", "conflict", "invalid", "stale"} {
		c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, `{"error":"`+claimed+`","message":"boom"}`)
		})
		_, _, err := c.Descriptor(context.Background(), someKey)
		if config.ErrorKind(err) != config.KindUnavailable || !strings.Contains(err.Error(), "http://127.0.0.1:") ||
			!strings.Contains(err.Error(), "HTTP 500") || !strings.Contains(err.Error(), "boom") {
			t.Errorf("500 claiming %q: kind %q, %v", claimed, config.ErrorKind(err), err)
		}
	}
}

// TestServerStringsArePrintable: what a server says in errors, lists and
// histories reaches the caller with control characters escaped.
func TestServerStringsArePrintable(t *testing.T) {
	const evil = "\x1b]0;pwned\x07\x1b[31m\u202e"
	c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasSuffix(r.URL.Path, "/revisions"):
			json.NewEncoder(w).Encode(api.RevisionList{Revisions: []api.Application{{ID: "a", Platform: "web", Version: "1", Revision: 1, Author: evil, Summary: evil}}})
		case strings.HasSuffix(r.URL.Path, "/applications") && r.Method == "GET":
			json.NewEncoder(w).Encode(api.ApplicationList{Applications: []api.Application{{ID: "a" + evil, Platform: "web", Version: "1"}}})
		case r.Method == "POST" && r.URL.Query().Get("dryRun") == "true":
			json.NewEncoder(w).Encode(api.ApplyResponse{Diff: []config.Change{{Op: config.OpAdd, Path: "/" + evil, New: map[string]any{evil: evil}, Added: []string{evil}}}})
		case r.Method == "POST":
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(api.Error{Error: config.KindInvalid, Message: evil, Details: []api.Finding{{Rule: evil, Message: evil, Hint: evil, Pointer: evil}}})
		default:
			w.WriteHeader(http.StatusForbidden)
			json.NewEncoder(w).Encode(api.Error{Error: config.KindForbidden, Message: "denied " + evil})
		}
	})
	ctx := context.Background()
	var seen []string
	revs, err := c.Revisions(ctx, someKey)
	if err != nil {
		t.Fatal(err)
	}
	seen = append(seen, revs[0].Author, revs[0].Summary)
	apps, err := c.Applications(ctx)
	if err != nil {
		t.Fatal(err)
	}
	seen = append(seen, apps[0].ID)
	dry, err := c.Apply(ctx, []byte("{}"), api.Any(), true)
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range dry.Diff {
		seen = append(seen, ch.String(), ch.Added[0])
	}
	_, err = c.Apply(ctx, []byte("{}"), api.Any(), false)
	var inv *client.InvalidError
	if !strings.Contains(err.Error(), `\x1b]0;pwned\x07`) {
		t.Errorf("error %q", err)
	}
	if !asInvalid(err, &inv) {
		t.Fatalf("not an InvalidError: %v", err)
	}
	f := inv.Findings[0]
	seen = append(seen, err.Error(), f.Rule, f.Message, f.Hint, f.Pointer)
	_, _, err = c.Descriptor(ctx, someKey)
	seen = append(seen, err.Error())
	for _, s := range seen {
		if strings.ContainsAny(s, "\x1b\x07\u202e") {
			t.Errorf("unescaped: %q", s)
		}
	}
}

func asInvalid(err error, target **client.InvalidError) bool { return errors.As(err, target) }
