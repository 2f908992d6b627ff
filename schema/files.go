package schema

import (
	"runtime"
	"sync"

	"github.com/scopectl/scopectl/config"
)

// ValidateFiles validates the files at paths with up to workers goroutines
// (GOMAXPROCS when workers < 1) and returns their reports in path order.
func ValidateFiles(paths []string, workers int) []*Report {
	if workers < 1 {
		workers = runtime.GOMAXPROCS(0)
	}
	reports := make([]*Report, len(paths))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, len(paths)) {
		wg.Go(func() {
			for i := range next {
				reports[i] = ValidateFile(paths[i])
			}
		})
	}
	for i := range paths {
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
