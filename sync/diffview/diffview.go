// Package diffview renders the difference between descriptors for people
// and programs: semantic (one line per changed member), unified (lines of
// the canonical form, via sergi/go-diff), GitHub markdown, and, over any
// number of files, JSON (the semantic changes) and JSON Patch (RFC 6902).
package diffview

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"

	"github.com/scopectl/scopectl/config"
)

// Formats lists the accepted format names.
var Formats = []string{"semantic", "unified", "json", "patch", "github"}

// Side is one side of a comparison: a name for headers and a descriptor
// (nil when the application does not exist on that side).
type Side struct {
	Name       string
	Descriptor *config.Descriptor
}

// Write renders the difference from a to b in a format that shows one
// pair at a time, semantic, unified or github (colour applies to the first
// two), and returns the changes. json and patch describe files in one
// document that names each of them: use Files.
func Write(w io.Writer, format string, a, b Side, color bool) ([]config.Change, error) {
	changes := config.DiffOrAbsent(a.Descriptor, b.Descriptor)
	var err error
	switch format {
	case "semantic":
		err = writeSemantic(w, a, b, changes, color)
	case "unified":
		err = writeUnified(w, a, b, color)
	case "github":
		err = writeMarkdown(w, a, b, changes)
	case "json", "patch":
		err = config.Errorf(config.KindInvalid, "format %q names the files it compares; use Files", format)
	default:
		err = config.Errorf(config.KindInvalid, "unknown format %q; use %s", format, strings.Join(Formats, ", "))
	}
	return changes, err
}

func canonical(d *config.Descriptor) string {
	if d == nil {
		return ""
	}
	return string(d.Canonical())
}

const (
	red    = "\x1b[31m"
	green  = "\x1b[32m"
	yellow = "\x1b[33m"
	// Cyan is the colour of headers.
	Cyan  = "\x1b[36m"
	reset = "\x1b[0m"
)

// Paint wraps s in an ANSI colour code when on is set.
func Paint(on bool, code, s string) string {
	if !on {
		return s
	}
	return code + s + reset
}

// writeSemantic writes one line per change, with element-level detail for
// scope strings: "replace /mandatoryScope: +deviceCheck -pin".
func writeSemantic(w io.Writer, a, b Side, changes []config.Change, color bool) error {
	if len(changes) == 0 {
		return nil
	}
	fmt.Fprintf(w, "%s\n", Paint(color, Cyan, a.Name+" → "+b.Name))
	for _, c := range changes {
		code := map[config.Op]string{config.OpAdd: green, config.OpRemove: red, config.OpReplace: yellow}[c.Op]
		fmt.Fprintf(w, "  %s\n", Paint(color, code, c.String()))
	}
	return nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// PatchOp is one RFC 6902 operation.
type PatchOp struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value,omitempty"`
}

// Patch turns semantic changes into a JSON Patch that transforms the
// canonical form of the first descriptor into the second.
func Patch(changes []config.Change) []PatchOp {
	ops := make([]PatchOp, 0, len(changes))
	for _, c := range changes {
		op := PatchOp{Op: string(c.Op), Path: c.Path}
		if c.Op != config.OpRemove {
			op.Value = c.New
		}
		ops = append(ops, op)
	}
	return ops
}

// contextLines is how many unchanged lines surround each unified hunk.
const contextLines = 3

// writeUnified writes a unified diff of the canonical forms.
func writeUnified(w io.Writer, a, b Side, color bool) error {
	return WriteText(w, a.Name, b.Name, canonical(a.Descriptor), canonical(b.Descriptor), color)
}

// LineDiff compares x and y line by line. It has no time limit, so that
// the same texts give the same diff however busy the machine is.
func LineDiff(x, y string) []diffmatchpatch.Diff {
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0
	a, b, lines := dmp.DiffLinesToChars(x, y)
	return dmp.DiffCharsToLines(dmp.DiffMain(a, b, false), lines)
}

// WriteText writes a unified line diff of two texts named aName and bName,
// or nothing when they are equal; it is the fallback for content that is
// not a descriptor.
func WriteText(w io.Writer, aName, bName, x, y string, color bool) error {
	if x == y {
		return nil
	}
	diffs := LineDiff(x, y)
	fmt.Fprintln(w, Paint(color, "\x1b[1m", "--- "+aName))
	fmt.Fprintln(w, Paint(color, "\x1b[1m", "+++ "+bName))
	for _, h := range hunks(diffs) {
		fmt.Fprintln(w, Paint(color, Cyan, fmt.Sprintf("@@ -%d,%d +%d,%d @@", h.aStart, h.aLen, h.bStart, h.bLen)))
		for _, l := range h.lines {
			code := map[byte]string{'+': green, '-': red, ' ': ""}[l[0]]
			if code == "" {
				fmt.Fprintln(w, l)
			} else {
				fmt.Fprintln(w, Paint(color, code, l))
			}
		}
	}
	return nil
}

type hunk struct {
	aStart, aLen, bStart, bLen int
	lines                      []string
}

// line is one line of a line diff: ' ', '+' or '-' and the text.
type line struct {
	kind byte
	text string
}

func splitDiffs(diffs []diffmatchpatch.Diff) []line {
	var out []line
	for _, d := range diffs {
		kind := map[diffmatchpatch.Operation]byte{diffmatchpatch.DiffEqual: ' ', diffmatchpatch.DiffInsert: '+', diffmatchpatch.DiffDelete: '-'}[d.Type]
		for _, t := range strings.SplitAfter(d.Text, "\n") {
			if t != "" {
				out = append(out, line{kind, strings.TrimSuffix(t, "\n")})
			}
		}
	}
	return out
}

// hunks groups changed lines with contextLines of unchanged lines around
// them; changes closer than 2*contextLines share a hunk.
func hunks(diffs []diffmatchpatch.Diff) []hunk {
	ls := splitDiffs(diffs)
	aNo, bNo := lineNumbers(ls)
	var out []hunk
	for i := 0; i < len(ls); {
		if ls[i].kind == ' ' {
			i++
			continue
		}
		start, end := max(0, i-contextLines), min(len(ls), lastChange(ls, i)+contextLines+1)
		out = append(out, newHunk(ls[start:end], aNo[start], bNo[start]))
		i = end
	}
	return out
}

// lineNumbers returns, for each index of ls and one past the end, the
// line number it has in the old and in the new text.
func lineNumbers(ls []line) (aNo, bNo []int) {
	aNo, bNo = make([]int, len(ls)+1), make([]int, len(ls)+1)
	a, b := 1, 1
	for i, l := range ls {
		aNo[i], bNo[i] = a, b
		if l.kind != '+' {
			a++
		}
		if l.kind != '-' {
			b++
		}
	}
	aNo[len(ls)], bNo[len(ls)] = a, b
	return aNo, bNo
}

// newHunk is the hunk of lines, which start at line aStart of the old
// text and bStart of the new one.
func newHunk(lines []line, aStart, bStart int) hunk {
	h := hunk{aStart: aStart, bStart: bStart}
	for _, l := range lines {
		h.lines = append(h.lines, string(l.kind)+l.text)
		if l.kind != '+' {
			h.aLen++
		}
		if l.kind != '-' {
			h.bLen++
		}
	}
	if h.aLen == 0 { // by convention an empty range starts at the line before
		h.aStart--
	}
	if h.bLen == 0 {
		h.bStart--
	}
	return h
}

// lastChange returns the index of the last change of the cluster that
// starts at from: the changes after it are more than 2*contextLines
// unchanged lines away.
func lastChange(ls []line, from int) int {
	last := from
	for j := from + 1; j < len(ls); j++ {
		if ls[j].kind == ' ' {
			continue
		}
		if j-last-1 > 2*contextLines {
			break
		}
		last = j
	}
	return last
}
