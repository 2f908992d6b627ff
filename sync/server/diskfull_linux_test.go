//go:build linux

package server_test

import (
	"fmt"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/scopectl/scopectl/sync/server/servertest"
)

// failWrites makes this process's writes to regular files fail, as on a
// full disk, until the returned function (also run at cleanup) is
// called: it sets RLIMIT_FSIZE to 0, so write(2) fails with EFBIG where a
// full disk gives ENOSPC, for root too. Reads still work, and the Go
// runtime ignores the SIGXFSZ that comes with the error. The tests of
// this package do not run in parallel: nothing else writes meanwhile.
func failWrites(t *testing.T) (restore func()) {
	t.Helper()
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		t.Fatal(err)
	}
	limit := old
	limit.Cur = 0
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &limit); err != nil {
		t.Fatal(err)
	}
	restore = func() {
		if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(restore)
	return restore
}

// TestHealthFailsWhenWritesFail: when the store cannot write (every apply
// answers 500), /healthz answers 503 with a JSON error within a second
// (it answered 200: it only read), and 200 again once writes work.
func TestHealthFailsWhenWritesFail(t *testing.T) {
	clk := servertest.NewClock()
	logs := &logBuffer{}
	e := newEnvWith(t, servertest.Options{Now: clk.Now, Logger: newLogger(logs)})
	tok := e.token("admin", "admin-secret", "mfpadmin")
	src := fixture(t, "valid/com.example.bank-android-1.0.json")
	if r := e.do("GET", "/healthz", nil, nil).want(t, 200); r.body != "{\"status\":\"ok\"}\n" {
		t.Errorf("healthy: %q", r.body)
	}

	restore := failWrites(t)
	e.apply(tok, src, nil).want(t, 500)
	e.do("GET", "/healthz", nil, nil).want(t, 200) // the last second's probe
	clk.Advance(time.Second)
	r := e.do("GET", "/healthz", nil, nil).want(t, 503)
	var body struct{ Status, Error, Message string }
	r.json(t, &body)
	if r.header.Get("Content-Type") != "application/json" || body.Status != "store unavailable" || body.Error != "unavailable" || !strings.Contains(body.Message, "cannot commit a write") {
		t.Errorf("503 answer: %s %q", r.header.Get("Content-Type"), r.body)
	}
	if lines := logs.lines(`msg="health check"`); len(lines) != 1 || !strings.Contains(lines[0], "I/O error") {
		t.Errorf("health check log lines: %q", lines)
	}

	restore()
	e.do("GET", "/healthz", nil, nil).want(t, 503) // cached for a second
	clk.Advance(time.Second)
	e.do("GET", "/healthz", nil, nil).want(t, 200)
	e.apply(tok, src, nil).want(t, 201)
}

// TestRepeatedErrorsAreRateLimited: 1,000 applies that fail the same way
// over 12 s (the disk is full) log one ERROR line, one line counting the
// others per 10 s, and the last count at the next health check: a bounded
// number of lines instead of one per request, and no failure uncounted.
func TestRepeatedErrorsAreRateLimited(t *testing.T) {
	clk := servertest.NewClock()
	logs := &logBuffer{}
	e := newEnvWith(t, servertest.Options{Now: clk.Now, Logger: newLogger(logs)})
	tok := e.token("admin", "admin-secret", "mfpadmin")
	body := fixture(t, "valid/com.example.bank-android-1.0.json")
	h := jsonHeader(tok)

	restore := failWrites(t)
	const requests = 1000
	for range requests {
		req := httptest.NewRequest("POST", apps, strings.NewReader(body))
		req.Header = h.Clone()
		rec := httptest.NewRecorder()
		e.srv.Handler.ServeHTTP(rec, req)
		if rec.Code != 500 {
			t.Fatalf("apply on a full disk: %d %s", rec.Code, rec.Body.String())
		}
		clk.Advance(12 * time.Millisecond)
	}
	restore()
	clk.Advance(10 * time.Second)
	e.do("GET", "/healthz", nil, nil).want(t, 200)

	errs := logs.lines("level=ERROR")
	logged, counted := 0, 0
	for _, l := range errs {
		if !strings.Contains(l, `msg="internal error`) || !strings.Contains(l, "I/O error") {
			t.Errorf("unexpected ERROR line: %s", l)
			continue
		}
		m := regexp.MustCompile(` repeated=(\d+)`).FindStringSubmatch(l)
		if m == nil {
			logged++
			continue
		}
		n, _ := strconv.Atoi(m[1])
		counted += n
		if !strings.Contains(l, fmt.Sprintf(`msg="internal error: %d more like this in 10s, not logged"`, n)) {
			t.Errorf("summary line: %s", l)
		}
	}
	if len(errs) > 4 || logged+counted != requests {
		t.Errorf("%d ERROR lines (%d logged in full, %d counted) for %d failed requests; want at most 4 lines accounting for all:\n%s",
			len(errs), logged, counted, requests, strings.Join(errs, "\n"))
	}
	t.Logf("%d failed requests: %d ERROR lines (%d in full, %d counted)", requests, len(errs), logged, counted)
}
