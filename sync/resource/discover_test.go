package resource_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/scopectl/scopectl/sync/resource"
	"github.com/scopectl/scopectl/sync/server/servertest"
)

// TestDiscover: the issuer comes from a real scoped's metadata; a server
// answering anything else is refused with a reason.
func TestDiscover(t *testing.T) {
	srv := servertest.StartWith(t, servertest.Options{Issuer: "https://scoped.example"})
	issuer, err := resource.Discover(context.Background(), http.DefaultClient, srv.URL, "mfp")
	if err != nil || issuer != "https://scoped.example/mfp/api/az/v1" {
		t.Errorf("Discover = %q, %v", issuer, err)
	}
	for name, body := range map[string]string{
		"another runtime's issuer": `{"issuer": "https://x/other/api/az/v1"}`,
		"a non-http issuer":        `{"issuer": "javascript:alert(1)//mfp/api/az/v1"}`,
		"not JSON":                 `<html>`,
		"over 64 KiB":              `{"issuer": "` + strings.Repeat("a", 70<<10) + `"}`,
	} {
		evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(body)) }))
		if _, err := resource.Discover(context.Background(), http.DefaultClient, evil.URL, "mfp"); err == nil {
			t.Errorf("%s: accepted", name)
		}
		evil.Close()
	}
}
