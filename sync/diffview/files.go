package diffview

import (
	"fmt"
	"io"
	"slices"

	"github.com/scopectl/scopectl/config"
)

// Files writes the comparison of several files, each a pair of
// descriptors. The formats that show one pair at a time (semantic,
// unified, github) are written file by file as they are added, and github
// ends with a line counting the changes. json and patch are collected into
// one JSON document, an array with a FileDiff for each file that differs
// ([] when none does), so that a script reads one value and knows which
// file each change belongs to, however many files were compared.
type Files struct {
	w       io.Writer
	format  string
	color   bool
	perFile [][]config.Change
	entries []FileDiff
}

// FileDiff is one file's entry in the json and patch formats: the file,
// the names of the two sides, and the changes from the first to the second.
type FileDiff struct {
	Path    string `json:"path"`
	From    string `json:"from"`
	To      string `json:"to"`
	Changes any    `json:"changes"` // []config.Change (json) or []PatchOp (patch)
}

// NewFiles starts a comparison written to w in format; colour applies to
// the semantic and unified formats.
func NewFiles(w io.Writer, format string, color bool) *Files {
	return &Files{w: w, format: format, color: color, entries: []FileDiff{}}
}

// Add compares a with b, the two sides of the file at path.
func (f *Files) Add(path string, a, b Side) error {
	if !f.document() {
		changes, err := Write(f.w, f.format, a, b, f.color)
		f.perFile = append(f.perFile, changes)
		return err
	}
	changes := config.DiffOrAbsent(a.Descriptor, b.Descriptor)
	f.perFile = append(f.perFile, changes)
	if len(changes) == 0 {
		return nil
	}
	entry := FileDiff{Path: path, From: a.Name, To: b.Name, Changes: changes}
	if f.format == "patch" {
		entry.Changes = Patch(changes)
	}
	f.entries = append(f.entries, entry)
	return nil
}

// Close ends the output: the JSON document of json and patch, the count
// of changes of github. It returns the changes of every file, in order.
func (f *Files) Close() ([]config.Change, error) {
	var err error
	switch {
	case f.document():
		err = writeJSON(f.w, f.entries)
	case f.format == "github":
		writeMarkdownSummary(f.w, f.perFile)
	}
	return slices.Concat(f.perFile...), err
}

// document reports whether the format is one JSON document for all files.
func (f *Files) document() bool {
	return f.format == "json" || f.format == "patch"
}

// writeMarkdownSummary ends the github format with a line counting the
// changes, so that a comment also says when nothing changed.
func writeMarkdownSummary(w io.Writer, perFile [][]config.Change) {
	files, changes := 0, 0
	for _, ch := range perFile {
		if len(ch) > 0 {
			files++
			changes += len(ch)
		}
	}
	if changes == 0 {
		fmt.Fprintln(w, "scopectl: no descriptor changes.")
		return
	}
	fmt.Fprintf(w, "scopectl: %s in %s.\n", count(changes, "change"), count(files, "descriptor"))
}

// count writes "1 thing" or "n things".
func count(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}
