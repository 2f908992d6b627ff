package server_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/scopectl/scopectl/sync/server/servertest"
	"github.com/scopectl/scopectl/sync/store/postgres"
	"github.com/scopectl/scopectl/sync/store/storetest"
)

// logBuffer collects the lines a server logs, from any goroutine.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// lines returns the logged lines that contain substr.
func (b *logBuffer) lines(substr string) []string {
	var out []string
	for _, l := range strings.Split(b.String(), "\n") {
		if strings.Contains(l, substr) {
			out = append(out, l)
		}
	}
	return out
}

func newLogger(b *logBuffer) *slog.Logger { return slog.New(slog.NewTextHandler(b, nil)) }

// forEachStore runs test against a server on SQLite, and on PostgreSQL
// when SCOPED_TEST_POSTGRES is set.
func forEachStore(t *testing.T, test func(t *testing.T, opt servertest.Options)) {
	t.Run("sqlite", func(t *testing.T) { test(t, servertest.Options{}) })
	t.Run("postgres", func(t *testing.T) {
		st, err := postgres.Open(context.Background(), storetest.PostgresDSN(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		test(t, servertest.Options{Store: st})
	})
}

func basicAuth(id, secret string) http.Header {
	return http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))}}
}

// TestUnstorableInput: a NUL or invalid UTF-8 in a Basic client id
// (raw or %-encoded), or %00/%ff in an application path, is a 401 or 404
// as for any unknown name, a client list with such text is a 400, on
// SQLite and PostgreSQL alike (PostgreSQL answered 500 and logged an
// ERROR for each), and nothing is logged as an error.
func TestUnstorableInput(t *testing.T) {
	forEachStore(t, func(t *testing.T, opt servertest.Options) {
		logs := &logBuffer{}
		opt.Logger = newLogger(logs)
		e := newEnvWith(t, opt)
		for _, id := range []string{"\x00", "admin\x00", "\xff", "caf\xe9", "%00", "admin%00", "%ff", "%C3%28"} {
			h := basicAuth(id, "admin-secret")
			h.Set("Content-Type", "application/x-www-form-urlencoded")
			r := e.do("POST", "/mfp/api/az/v1/token", h, strings.NewReader("grant_type=client_credentials"))
			if r.status != 401 || !strings.Contains(r.body, `"invalid_client"`) {
				t.Errorf("token for client id %q: %d %s", id, r.status, r.body)
			}
			if r := e.do("GET", apps, basicAuth(id, "admin-secret"), nil); r.status != 401 {
				t.Errorf("admin API as client id %q: %d %s", id, r.status, r.body)
			}
		}
		tok := bearer(e.token("admin", "admin-secret", "mfpadmin"))
		for _, seg := range []string{"%00", "%ff", "a%00b", "com.example.bank%00", "caf%e9"} {
			for _, app := range []string{apps + "/" + seg + "/android/1.0", apps + "/com.example.bank/android/" + seg} {
				for _, req := range [][2]string{{"GET", app + "/descriptor"}, {"GET", app + "/revisions"}, {"GET", app + "/revisions/1"}, {"DELETE", app}} {
					if r := e.do(req[0], req[1], tok, nil); r.status != 404 || !strings.Contains(r.body, `"not_found"`) {
						t.Errorf("%s %s: %d %s", req[0], req[1], r.status, r.body)
					}
				}
			}
		}
		clients := `{"clients":[{"id":"admin","allowedScope":"mfpadmin"},{"id":"x","displayName":"a\u0000b","secret":"x-secret-long","allowedScope":"mfpmonitor"}]}`
		h := jsonHeader(e.token("admin", "admin-secret", "mfpadmin"))
		if r := e.do("PUT", "/mfpadmin/management-apis/2.0/runtimes/mfp/confidentialclients", h, strings.NewReader(clients)); r.status != 400 || !strings.Contains(r.body, "NUL") {
			t.Errorf("client with a NUL in its display name: %d %s", r.status, r.body)
		}
		if errs := logs.lines("level=ERROR"); len(errs) > 0 {
			t.Errorf("%d ERROR log lines, want none:\n%s", len(errs), strings.Join(errs, "\n"))
		}
	})
}
