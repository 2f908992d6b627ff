//go:build !unix

package server_test

import "time"

// cpuTime is 0 where the process's CPU time is not read: the benchmarks
// then report no CPU per operation.
func cpuTime() time.Duration { return 0 }
