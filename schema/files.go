package schema

import (
	"iter"
	"runtime"
	"slices"
	"sync"

	"github.com/scopectl/scopectl/config"
)

// ValidateFiles validates the files at paths with up to workers goroutines
// (GOMAXPROCS when workers < 1) and returns their reports in path order.
func ValidateFiles(paths []string, workers int) []*Report {
	return slices.AppendSeq(make([]*Report, 0, len(paths)), EachFile(paths, workers))
}

// EachFile validates the files at paths like ValidateFiles but yields each
// report, in path order, as soon as it and the reports before it are done.
// It holds at most a few reports per worker, so that memory does not grow
// with the number of files when the caller does not keep them.
func EachFile(paths []string, workers int) iter.Seq[*Report] {
	return ordered(len(paths), workers, func(i int) *Report { return ValidateFile(paths[i]) })
}

// Blob is a descriptor that is not a file of its own, such as a blob in
// the git index.
type Blob struct {
	// Name names the descriptor in reports.
	Name string
	// Size is the descriptor's size in bytes; content over
	// config.MaxFileSize is refused without being looked at.
	Size int64
	// Content is the descriptor.
	Content []byte
	// Err says why the content could not be read; it is reported as is.
	Err error
}

// ValidateBlobs validates blobs like ValidateFiles validates files.
func ValidateBlobs(blobs []Blob, workers int) []*Report {
	return slices.AppendSeq(make([]*Report, 0, len(blobs)), EachBlob(blobs, workers))
}

// EachBlob validates blobs like EachFile validates files.
func EachBlob(blobs []Blob, workers int) iter.Seq[*Report] {
	return ordered(len(blobs), workers, func(i int) *Report {
		s := blobs[i]
		switch {
		case s.Err != nil:
			return &Report{Path: s.Name, Err: s.Err}
		case s.Size > config.MaxFileSize:
			return &Report{Path: s.Name, Diagnostics: []config.Diagnostic{sizeDiagnostic(s.Size)}}
		}
		r := Validate(s.Content)
		r.Path = s.Name
		return r
	})
}

// ordered runs check for 0..n-1 on up to workers goroutines (GOMAXPROCS
// when workers < 1) and yields the reports in index order. Workers run at
// most window reports ahead of the one being yielded, so a slow consumer
// (or one slow file) holds back the others instead of letting finished
// reports pile up.
func ordered(n, workers int, check func(i int) *Report) iter.Seq[*Report] {
	return func(yield func(*Report) bool) {
		if workers < 1 {
			workers = runtime.GOMAXPROCS(0)
		}
		workers = min(workers, n)
		if workers == 0 {
			return
		}
		// pending holds, in index order, the channel that each started
		// check delivers its report on; its capacity is the window.
		pending := make(chan chan *Report, 2*workers)
		jobs := make(chan job)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for j := range jobs {
					j.done <- check(j.i)
				}
			})
		}
		go feed(n, pending, jobs, stop)
		defer wg.Wait()
		defer close(stop) // before the wait: unblocks feed when yield stops early
		for done := range pending {
			if !yield(<-done) {
				return
			}
		}
	}
}

// job is one index for a worker of ordered, with the channel (buffered, so
// that the worker never waits for it to be read) for its report.
type job struct {
	i    int
	done chan *Report
}

// feed hands out the indexes 0..n-1 of ordered: each one's report channel
// into pending first, so that they are read in order, then to a worker.
func feed(n int, pending chan<- chan *Report, jobs chan<- job, stop <-chan struct{}) {
	defer close(pending)
	defer close(jobs)
	for i := range n {
		j := job{i: i, done: make(chan *Report, 1)}
		select {
		case pending <- j.done:
		case <-stop:
			return
		}
		select {
		case jobs <- j:
		case <-stop:
			return
		}
	}
}

// Format returns the canonical form of a descriptor, with the report of its
// validation. It returns nil when the file cannot be formatted without
// changing or guessing its meaning: it does not parse, does not match the
// schema, or names a member twice.
func Format(src []byte) ([]byte, *Report) {
	r := Validate(src)
	if r.Descriptor == nil || hasRule(r.Diagnostics, config.RuleDuplicateKey) {
		return nil, r
	}
	return r.Descriptor.Canonical(), r
}

// FormatFile reads the file at path (refusing files over the size limit)
// and formats it like Format, returning what was read as well.
func FormatFile(path string) (src, out []byte, r *Report) {
	src, r = readFile(path)
	if r != nil {
		return nil, nil, r
	}
	out, r = Format(src)
	r.Path = path
	return src, out, r
}

func hasRule(diags []config.Diagnostic, rule string) bool {
	for _, d := range diags {
		if d.Rule == rule {
			return true
		}
	}
	return false
}
