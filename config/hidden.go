package config

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// RuleHiddenCharacter reports a string or member name holding a character
// that acts on a screen instead of showing on it, so that a reviewer would
// not see what is stored.
const RuleHiddenCharacter = "hidden-character"

// IsHiddenRune reports whether r acts on a terminal or on the layout of
// text instead of showing: C0 and C1 controls and DEL (escape sequences
// start with these), the characters that reorder text (bidirectional
// marks, embeddings, overrides and isolates) and the line and paragraph
// separators.
func IsHiddenRune(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, 0x80 <= r && r <= 0x9f: // C0, DEL, C1
	case r == 0x061c, r == 0x200e, r == 0x200f: // letter marks
	case 0x202a <= r && r <= 0x202e: // embeddings and overrides
	case 0x2066 <= r && r <= 0x2069: // isolates
	case r == 0x2028, r == 0x2029: // line and paragraph separators
	default:
		return false
	}
	return true
}

// hiddenCharacters reports every member name and string of the document
// that holds a hidden rune: no field of a descriptor has a use for one,
// and a right-to-left override in a scope mapping shows a reviewer a
// different mapping from the one the server applies.
func (l *linter) hiddenCharacters(ptr string, v any) {
	switch v := v.(type) {
	case map[string]any:
		for _, name := range slices.Sorted(maps.Keys(v)) {
			child := PointerJoin(ptr, name)
			if r, ok := firstHidden(name); ok {
				l.diags = append(l.diags, Diagnostic{
					Severity: SeverityError, Rule: RuleHiddenCharacter, Pointer: child, Position: l.doc.KeyPosition(child),
					Message: fmt.Sprintf("the member name %q contains U+%04X, which changes what is shown instead of showing", name, r),
					Hint:    hiddenHint,
				})
			}
			l.hiddenCharacters(child, v[name])
		}
	case []any:
		for i, item := range v {
			l.hiddenCharacters(fmt.Sprintf("%s/%d", ptr, i), item)
		}
	case string:
		if r, ok := firstHidden(v); ok {
			l.report(SeverityError, RuleHiddenCharacter, ptr, hiddenHint, "%q contains U+%04X, which changes what is shown instead of showing", v, r)
		}
	}
}

// ContainsHidden reports whether s holds a rune that Lint reports as
// hidden (IsHiddenRune).
func ContainsHidden(s string) bool {
	_, ok := firstHidden(s)
	return ok
}

// holdsHidden reports whether any member name or string in v holds a rune
// that hiddenCharacters reports.
func holdsHidden(v any) bool {
	switch v := v.(type) {
	case map[string]any:
		for name, child := range v {
			if _, ok := firstHidden(name); ok || holdsHidden(child) {
				return true
			}
		}
	case []any:
		return slices.ContainsFunc(v, holdsHidden)
	case string:
		_, ok := firstHidden(v)
		return ok
	}
	return false
}

const hiddenHint = "remove it: no field of a descriptor needs control or text-direction characters"

// firstHidden returns the first hidden rune of s other than a tab, which
// only moves the text along.
func firstHidden(s string) (rune, bool) {
	i := strings.IndexFunc(s, func(r rune) bool { return r != '\t' && IsHiddenRune(r) })
	if i < 0 {
		return 0, false
	}
	return []rune(s[i:])[0], true
}
