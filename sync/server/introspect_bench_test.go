package server_test

import (
	"bytes"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/scopectl/scopectl/sync/server/servertest"
)

// BenchmarkIntrospectionHandler measures scoped's own work per RFC 7662
// introspection (the caller's token checked, the subject's checked and
// answered, the request logged and counted) without the network: the
// part of an introspection that a minimal net/http server does not do.
func BenchmarkIntrospectionHandler(b *testing.B) {
	srv := servertest.StartWith(b, servertest.Options{}, servertest.Client{ID: "test", Secret: "test-secret", Scope: "*"})
	caller := clientCredentialsToken(b, srv.URL, "test", "test-secret", "authorization.introspect")
	subject := clientCredentialsToken(b, srv.URL, "test", "test-secret", "accessRestricted")
	body := "token=" + subject
	base := httptest.NewRequest("POST", "/mfp/api/az/v1/introspection", nil)
	base.RemoteAddr = "127.0.0.1:4000"
	base.Header.Set("Authorization", "Bearer "+caller)
	base.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		req := *base // what net/http hands a handler: a new request, its body unread
		req.Body = io.NopCloser(strings.NewReader(body))
		req.ContentLength = int64(len(body))
		w := httptest.NewRecorder()
		srv.Handler.ServeHTTP(w, &req)
		if w.Code != 200 || !bytes.Contains(w.Body.Bytes(), []byte(`"active":true`)) {
			b.Fatalf("%d %s", w.Code, w.Body)
		}
	}
}
