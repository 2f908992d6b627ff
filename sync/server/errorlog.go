package server

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Repeated errors are logged once per errorLogInterval: when the store
// fails every request (a full disk), one ERROR line per request buried
// everything else (25,955 lines in 12 s). The first occurrence of an
// error (the same message and error text) is logged in full; the next
// ones within errorLogInterval are only counted, and the count is logged
// as one line ("internal error: 833 more like this in 10s, not logged")
// at the next occurrence or health check after the interval. At most
// maxErrorKinds errors are tracked at once; others in the same interval
// are counted together, so memory and lines stay bounded whatever fails.
const (
	errorLogInterval = 10 * time.Second
	maxErrorKinds    = 100
	maxErrorKeyLen   = 1024
)

// errorLog is the rate limiter of ERROR lines; safe for concurrent use.
type errorLog struct {
	log *slog.Logger
	now func() time.Time

	mu     sync.Mutex
	recent map[string]*errorWindow // by message and error text
	others errorWindow             // errors not tracked, recent being full
}

// errorWindow is an error logged at start and the occurrences since.
type errorWindow struct {
	start      time.Time
	msg, err   string
	suppressed int
}

func newErrorLog(log *slog.Logger, now func() time.Time) *errorLog {
	return &errorLog{log: log, now: now, recent: map[string]*errorWindow{}}
}

// error logs msg at level ERROR with args and err, unless the same msg
// and err were logged less than errorLogInterval ago.
func (l *errorLog) error(ctx context.Context, msg string, err error, args ...any) {
	text := err.Error()
	key := msg + "\x00" + text
	if len(key) > maxErrorKeyLen {
		key = key[:maxErrorKeyLen]
	}
	l.mu.Lock()
	now := l.now()
	done := l.expire(now)
	first := false
	if w, seen := l.recent[key]; seen {
		w.suppressed++
	} else if len(l.recent) < maxErrorKinds {
		l.recent[key] = &errorWindow{start: now, msg: msg, err: text}
		first = true
	} else {
		if l.others.suppressed == 0 {
			l.others.start = now
		}
		l.others.suppressed++
	}
	l.mu.Unlock()
	l.summarize(ctx, done)
	if first {
		l.log.ErrorContext(ctx, msg, append(args, "err", err)...)
	}
}

// flush logs the counts of the windows that have ended.
func (l *errorLog) flush(ctx context.Context) {
	l.mu.Lock()
	done := l.expire(l.now())
	l.mu.Unlock()
	l.summarize(ctx, done)
}

// expire removes the windows that ended by now and returns those with
// occurrences to report. l.mu is held.
func (l *errorLog) expire(now time.Time) []errorWindow {
	var done []errorWindow
	ended := func(w *errorWindow) bool { d := now.Sub(w.start); return d >= errorLogInterval || d < 0 }
	for key, w := range l.recent {
		if ended(w) {
			delete(l.recent, key)
			if w.suppressed > 0 {
				done = append(done, *w)
			}
		}
	}
	if l.others.suppressed > 0 && ended(&l.others) {
		done = append(done, l.others)
		l.others = errorWindow{}
	}
	return done
}

func (l *errorLog) summarize(ctx context.Context, done []errorWindow) {
	for _, w := range done {
		if w.msg == "" {
			l.log.ErrorContext(ctx, fmt.Sprintf("%d more errors of other kinds in %s, not logged", w.suppressed, errorLogInterval),
				"repeated", w.suppressed)
			continue
		}
		l.log.ErrorContext(ctx, fmt.Sprintf("%s: %d more like this in %s, not logged", w.msg, w.suppressed, errorLogInterval),
			"err", w.err, "repeated", w.suppressed)
	}
}
