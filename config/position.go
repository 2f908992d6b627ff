package config

import (
	"fmt"
	"sort"
)

// Position is a place in a source text: 1-based line and column, where the
// column counts characters (runes), not bytes, as editors do.
type Position struct {
	Offset int `json:"-"`
	Line   int `json:"line"`
	Column int `json:"column"`
}

// String returns "line:column".
func (p Position) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Column) }

// lineIndex converts byte offsets of one source text into Positions in
// O(log n + checkpoint) time whatever the order of the lookups, so that a
// minified file (one long line) with many findings stays fast.
type lineIndex struct {
	src    []byte
	starts []int // byte offset at which each line begins
	// chars[i] counts the characters in src[:i*checkpoint].
	chars []int
}

const checkpoint = 4096

func newLineIndex(src []byte) *lineIndex {
	x := &lineIndex{src: src, starts: []int{0}, chars: []int{0}}
	n := 0
	for i, b := range src {
		if i > 0 && i%checkpoint == 0 {
			x.chars = append(x.chars, n)
		}
		if b == '\n' {
			x.starts = append(x.starts, i+1)
		}
		if !isContinuation(b) {
			n++
		}
	}
	return x
}

// isContinuation reports whether b continues a UTF-8 sequence. A character
// is counted at its first byte, so for valid UTF-8 the count of other
// bytes is the count of characters, as editors show columns.
func isContinuation(b byte) bool { return b&0xC0 == 0x80 }

// charsBefore counts the characters in src[:off].
func (x *lineIndex) charsBefore(off int) int {
	n := x.chars[off/checkpoint]
	for _, b := range x.src[off/checkpoint*checkpoint : off] {
		if !isContinuation(b) {
			n++
		}
	}
	return n
}

// position returns the Position of byte offset off; offsets past the end
// are clamped to the end.
func (x *lineIndex) position(off int) Position {
	off = max(0, min(off, len(x.src)))
	line := sort.Search(len(x.starts), func(i int) bool { return x.starts[i] > off }) - 1
	col := x.charsBefore(off) - x.charsBefore(x.starts[line]) + 1
	return Position{Offset: off, Line: line + 1, Column: col}
}
