package config

import "bytes"

// RuleMergeConflict names the finding of a file that still holds the
// conflict markers of a merge (git's, or scopectl app pull's).
const RuleMergeConflict = "merge-conflict"

// The conflict markers, as git writes them: the first line of the local
// version, the line between the two versions, the last line of the other
// version, and the first line of the base in git's diff3 style.
const (
	MarkerLocal  = "<<<<<<<"
	MarkerMiddle = "======="
	MarkerOther  = ">>>>>>>"
	MarkerBase   = "|||||||"
)

// conflictFindings reports the unresolved merge conflicts of src: one
// finding at each line that opens a conflict, or at the first marker line
// when no line does. A marker line is never valid JSON (no JSON line can
// start with these characters, and strings cannot span lines), so the
// findings replace the syntax error the parser stopped at.
func conflictFindings(src []byte, lines *lineIndex) []Diagnostic {
	var opening, markers []int
	for off := 0; off < len(src); {
		line := src[off:]
		if i := bytes.IndexByte(line, '\n'); i >= 0 {
			line = line[:i+1]
		}
		if m := markerOf(line); m != "" {
			markers = append(markers, off)
			if m == MarkerLocal {
				opening = append(opening, off)
			}
		}
		off += len(line)
	}
	if len(opening) == 0 && len(markers) > 0 {
		opening = markers[:1]
	}
	out := make([]Diagnostic, len(opening))
	for i, off := range opening {
		out[i] = Diagnostic{
			Severity: SeverityError, Rule: RuleMergeConflict, Position: lines.position(off),
			Message: "unresolved merge conflict: keep one side and delete the markers",
			Hint:    "the lines between <<<<<<< and ======= are one version, those between ======= and >>>>>>> the other",
		}
	}
	return out
}

// markerOf returns the conflict marker line starts with, or "": seven
// marker characters followed by a space or the end of the line.
func markerOf(line []byte) string {
	for _, m := range []string{MarkerLocal, MarkerMiddle, MarkerOther, MarkerBase} {
		if rest, ok := bytes.CutPrefix(line, []byte(m)); ok && (len(rest) == 0 || rest[0] == ' ' || rest[0] == '\n' || rest[0] == '\r') {
			return m
		}
	}
	return ""
}
