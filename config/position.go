package config

import (
	"fmt"
	"sort"
	"unicode/utf8"
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

// lineIndex converts byte offsets of one source text into Positions.
type lineIndex struct {
	src    []byte
	starts []int // byte offset at which each line begins
}

func newLineIndex(src []byte) *lineIndex {
	starts := []int{0}
	for i, b := range src {
		if b == '\n' {
			starts = append(starts, i+1)
		}
	}
	return &lineIndex{src: src, starts: starts}
}

// position returns the Position of byte offset off. Offsets past the end are
// clamped to the end; a column inside invalid UTF-8 counts each bad byte once.
func (x *lineIndex) position(off int) Position {
	off = max(0, min(off, len(x.src)))
	line := sort.Search(len(x.starts), func(i int) bool { return x.starts[i] > off }) - 1
	col := utf8.RuneCount(x.src[x.starts[line]:off]) + 1
	return Position{Offset: off, Line: line + 1, Column: col}
}
