package main

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scopectl/scopectl/cmd/internal/cliargs/cliargstest"
)

// TestServeInProcess: scoped serve run as a function writes its log and
// banner to the writers it is given, answers on the address it logs, and
// stops cleanly (exit 0) when its context ends, as on SIGTERM.
func TestServeInProcess(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdout, stderr := newLogBuffer(), newLogBuffer()
	code, exited := make(chan int, 1), make(chan struct{})
	db := filepath.Join(t.TempDir(), "scoped.db")
	go func() {
		defer close(exited)
		code <- runContext(ctx, []string{"scoped", "--dev", "--addr", "127.0.0.1:0", "--db", "sqlite:" + db}, stdout, stderr)
	}()
	line, err := stderr.waitFor("msg=listening ", exited, startTimeout)
	if err != nil {
		t.Fatalf("no listening line: %v\n%s", err, stderr.String())
	}
	m := listeningRE.FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("listening line %q", line)
	}
	resp, err := http.Get(m[1] + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /healthz: %v %v", resp, err)
	}
	resp.Body.Close()
	cancel()
	if c := <-code; c != 0 {
		t.Errorf("exit status %d after the context ended, want 0\n%s", c, stderr.String())
	}
	logs := stderr.String()
	for _, want := range []string{"running in DEVELOPMENT mode", "msg=stopped"} {
		if !strings.Contains(logs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, logs)
		}
	}
	if stdout.String() != "" {
		t.Errorf("stdout: %q", stdout.String())
	}
}

// TestEveryFlagHasAVariable: every flag of scoped and of its commands can
// also be set with a SCOPED_* environment variable, as containers expect.
func TestEveryFlagHasAVariable(t *testing.T) {
	if missing := cliargstest.FlagsWithoutVariable(newApp(nil, nil), "SCOPED_"); len(missing) > 0 {
		t.Errorf("flags without a SCOPED_* variable: %v", missing)
	}
}
