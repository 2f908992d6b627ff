package main

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/scopectl/scopectl/sync/server"
)

// Batching of the per-request log lines (server.RequestLogMessage): written when this much has
// accumulated, and at least every logFlushInterval.
const (
	logBatchBytes    = 64 << 10
	logFlushInterval = 100 * time.Millisecond
)

// batchedLog is scoped's log output. The per-request lines (message
// "request") are collected and written in batches, so that a request
// costs no write system call of its own (about a tenth of the CPU of a
// small request before); every other record is written at once, with the
// lines before it, in order. What a crash of the process can lose is the
// request lines of the last logFlushInterval.
type batchedLog struct {
	mu   sync.Mutex
	out  io.Writer
	buf  []byte
	stop chan struct{}
	done chan struct{}
}

// newBatchedLog returns a batchedLog writing to out, flushed every
// logFlushInterval until Close.
func newBatchedLog(out io.Writer) *batchedLog {
	b := &batchedLog{out: out, stop: make(chan struct{}), done: make(chan struct{})}
	go b.flushEvery(logFlushInterval)
	return b
}

func (b *batchedLog) flushEvery(d time.Duration) {
	defer close(b.done)
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			b.Flush()
		case <-b.stop:
			b.Flush()
			return
		}
	}
}

// Write collects p, a log record, and writes what was collected once it
// reaches logBatchBytes.
func (b *batchedLog) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if len(b.buf) >= logBatchBytes {
		return len(p), b.flushLocked()
	}
	return len(p), nil
}

// Flush writes what was collected.
func (b *batchedLog) Flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.flushLocked()
}

func (b *batchedLog) flushLocked() error {
	if len(b.buf) == 0 {
		return nil
	}
	_, err := b.out.Write(b.buf)
	b.buf = b.buf[:0]
	return err
}

// Close stops the periodic flush and writes what is left.
func (b *batchedLog) Close() {
	close(b.stop)
	<-b.done
}

// flushingHandler writes every record but the per-request lines at once
// (with the lines collected before it).
type flushingHandler struct {
	slog.Handler
	log *batchedLog
}

func (h flushingHandler) Handle(ctx context.Context, r slog.Record) error {
	err := h.Handler.Handle(ctx, r)
	if r.Message != server.RequestLogMessage {
		if ferr := h.log.Flush(); err == nil {
			err = ferr
		}
	}
	return err
}

func (h flushingHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return flushingHandler{Handler: h.Handler.WithAttrs(attrs), log: h.log}
}

func (h flushingHandler) WithGroup(name string) slog.Handler {
	return flushingHandler{Handler: h.Handler.WithGroup(name), log: h.log}
}
