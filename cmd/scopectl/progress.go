package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/urfave/cli/v2"
)

// progress keeps one status line on stderr while a command works through
// several applications or waits for a slow server: "⠙ pulling 3/17
// com.example.bank/android/1.0". It appears only on a terminal and only
// after a short delay, so quick runs and scripts see nothing, and it is
// erased before anything else is printed.
type progress struct {
	w     io.Writer
	verb  string
	total int

	mu      sync.Mutex
	done    int
	current string
	frame   int
	shown   bool
	stop    chan struct{}
	stopped sync.WaitGroup
}

// progressDelay is how long work runs before the line appears.
const progressDelay = 300 * time.Millisecond

var spinnerFrames = []rune("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏")

// startProgress starts the line for total items; it is inert when stderr
// is not a terminal (or colour is off, which also asks for plain output).
func startProgress(c *cli.Context, verb string, total int) *progress {
	p := &progress{w: c.App.ErrWriter, verb: verb, total: total}
	if !colorEnabled(c, c.App.ErrWriter) {
		return p
	}
	p.stop = make(chan struct{})
	p.stopped.Add(1)
	go p.run(time.NewTicker(100 * time.Millisecond))
	return p
}

func (p *progress) run(tick *time.Ticker) {
	defer p.stopped.Done()
	defer tick.Stop()
	delay := time.After(progressDelay)
	visible := false
	for {
		select {
		case <-p.stop:
			return
		case <-delay:
			visible = true
		case <-tick.C:
		}
		if visible {
			p.mu.Lock()
			p.render()
			p.mu.Unlock()
		}
	}
}

// step says that work on item name begins; the previous one is done.
func (p *progress) step(name string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.current != "" {
		p.done++
	}
	p.current = name
}

// clear erases the line so that a message can be printed, and runs print
// while the line stays erased.
func (p *progress) clear(print func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.erase()
	print()
}

// finish erases the line for good.
func (p *progress) finish() {
	if p.stop != nil {
		close(p.stop)
		p.stopped.Wait()
		p.stop = nil
	}
	p.mu.Lock()
	p.erase()
	p.mu.Unlock()
}

// render draws the line; the caller holds mu.
func (p *progress) render() {
	p.frame++
	line := fmt.Sprintf("%c %s %d/%d %s", spinnerFrames[p.frame%len(spinnerFrames)], p.verb, p.done+1, p.total, p.current)
	if p.total <= 1 {
		line = fmt.Sprintf("%c %s %s", spinnerFrames[p.frame%len(spinnerFrames)], p.verb, p.current)
	}
	fmt.Fprint(p.w, "\r\x1b[2K"+strings.TrimSpace(line))
	p.shown = true
}

// erase removes the line; the caller holds mu.
func (p *progress) erase() {
	if p.shown {
		fmt.Fprint(p.w, "\r\x1b[2K")
		p.shown = false
	}
}
