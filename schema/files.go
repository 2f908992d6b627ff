package schema

import (
	"runtime"
	"sync"

	"github.com/scopectl/scopectl/config"
)

// ValidateFiles validates the files at paths with up to workers goroutines
// (GOMAXPROCS when workers < 1) and returns their reports in path order.
func ValidateFiles(paths []string, workers int) []*Report {
	return parallel(len(paths), workers, func(i int) *Report { return ValidateFile(paths[i]) })
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
	return parallel(len(blobs), workers, func(i int) *Report {
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

// parallel runs check for 0..n-1 on up to workers goroutines (GOMAXPROCS
// when workers < 1) and returns the reports in index order.
func parallel(n, workers int, check func(i int) *Report) []*Report {
	if workers < 1 {
		workers = runtime.GOMAXPROCS(0)
	}
	reports := make([]*Report, n)
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Go(func() {
			for i := range next {
				reports[i] = check(i)
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return reports
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
