package main

import (
	"log/slog"
	"strings"
	"testing"
)

// TestServeLogBatchesRequestLines: request lines wait for the next batch,
// any other record is written at once after them, in order, and closing
// the log writes what is left.
func TestServeLogBatchesRequestLines(t *testing.T) {
	out := newLogBuffer()
	log, batched := newServeLogger("text", out)
	log.Info("request", "path", "/a")
	log.Info("request", "path", "/b")
	log.Warn("store unavailable")
	got := out.String()
	a, b, w := strings.Index(got, "path=/a"), strings.Index(got, "path=/b"), strings.Index(got, "store unavailable")
	if a < 0 || b < a || w < b {
		t.Fatalf("request lines, then the warning, in order: %q", got)
	}
	log.Info("request", "path", "/c")
	batched.Close()
	if !strings.Contains(out.String(), "path=/c") {
		t.Errorf("a request line logged before Close is lost: %q", out.String())
	}
}

// TestServeLogBatchSize: request lines are written once a batch is full,
// without waiting for the timer.
func TestServeLogBatchSize(t *testing.T) {
	out := newLogBuffer()
	log, batched := newServeLogger("json", out)
	defer batched.Close()
	line := strings.Repeat("x", 1000)
	for range logBatchBytes/1000 + 1 {
		log.LogAttrs(t.Context(), slog.LevelInfo, "request", slog.String("path", line))
	}
	if n := strings.Count(out.String(), `"msg":"request"`); n < logBatchBytes/1100 {
		t.Errorf("%d request lines written after more than %d bytes of them", n, logBatchBytes)
	}
}
