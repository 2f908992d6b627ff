package schema

import (
	"math/rand/v2"
	"strconv"
	"testing"
	"time"
)

// TestOrderedYieldsInIndexOrder: checks that finish out of order (random
// delays, more of them than the window) are still yielded in index order.
func TestOrderedYieldsInIndexOrder(t *testing.T) {
	const n = 500
	check := func(i int) *Report {
		time.Sleep(time.Duration(rand.IntN(200)) * time.Microsecond)
		return &Report{Path: strconv.Itoa(i)}
	}
	for _, workers := range []int{0, 1, 3, 16} {
		i := 0
		for r := range ordered(n, workers, check) {
			if r.Path != strconv.Itoa(i) {
				t.Fatalf("%d workers: report %d is %s", workers, i, r.Path)
			}
			i++
		}
		if i != n {
			t.Errorf("%d workers: %d reports, want %d", workers, i, n)
		}
	}
}

// TestOrderedStopsEarly: a consumer that stops does not leave workers or
// the feeder blocked, and no more checks start than the window allows.
func TestOrderedStopsEarly(t *testing.T) {
	started := make(chan int, 1000)
	check := func(i int) *Report {
		started <- i
		return &Report{Path: strconv.Itoa(i)}
	}
	for r := range ordered(1000, 4, check) {
		if r.Path == "2" {
			break
		}
	}
	// ordered has waited for its workers; at most the window (8), the
	// workers (4) and the one yielded can have started.
	if n := len(started); n > 3+8+4+1 {
		t.Errorf("%d checks started after the consumer stopped at the third", n)
	}
}

func TestOrderedNothing(t *testing.T) {
	for range ordered(0, 0, func(int) *Report { panic("called") }) {
		t.Fatal("yielded a report of nothing")
	}
}
