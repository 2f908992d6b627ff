package server

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// TestErrorLogIsBounded: 1,000 different errors in one interval log the
// first maxErrorKinds in full and count the rest together; memory holds
// at most maxErrorKinds windows, and each error is logged again (in full)
// in the next interval.
func TestErrorLogIsBounded(t *testing.T) {
	var out bytes.Buffer
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := newErrorLog(slog.New(slog.NewTextHandler(&out, nil)), func() time.Time { return now })
	ctx := context.Background()
	for i := range 1000 {
		l.error(ctx, "internal error", fmt.Errorf("failure %d", i))
		l.error(ctx, "internal error", fmt.Errorf("failure %d", i)) // a repeat of each
		if len(l.recent) > maxErrorKinds {
			t.Fatalf("%d windows kept", len(l.recent))
		}
	}
	if n := strings.Count(out.String(), "\n"); n != maxErrorKinds {
		t.Fatalf("%d lines within the interval, want %d", n, maxErrorKinds)
	}
	out.Reset()
	now = now.Add(errorLogInterval)
	l.flush(ctx)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != maxErrorKinds+1 {
		t.Fatalf("%d summary lines, want %d:\n%s", len(lines), maxErrorKinds+1, out.String())
	}
	others := fmt.Sprintf("%d more errors of other kinds in 10s, not logged", 2*(1000-maxErrorKinds))
	if !strings.Contains(out.String(), others) || !strings.Contains(out.String(), `msg="internal error: 1 more like this in 10s, not logged" err="failure 7" repeated=1`) {
		t.Errorf("summaries:\n%s", out.String())
	}
	if len(l.recent) != 0 || l.others.suppressed != 0 {
		t.Errorf("windows kept after the interval: %d, others %d", len(l.recent), l.others.suppressed)
	}
	out.Reset()
	l.error(ctx, "internal error", fmt.Errorf("failure 999"))
	if !strings.Contains(out.String(), `msg="internal error" err="failure 999"`) {
		t.Errorf("the next interval's first occurrence: %q", out.String())
	}
}
