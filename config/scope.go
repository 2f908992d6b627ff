package config

import (
	"fmt"
	"slices"
	"strings"
)

// Scope is a set of OAuth scope elements (RFC 6749 §3.3), kept sorted and
// without duplicates so that two equal scopes are equal slices.
type Scope []string

// ScopeError reports an invalid scope string and where in it the problem is.
type ScopeError struct {
	Offset  int    // byte offset in the scope string
	Element string // the offending element
	Char    rune   // the offending character, or 0
}

func (e *ScopeError) Error() string {
	return fmt.Sprintf("scope element %q contains %q, which is not a scope character", e.Element, e.Char)
}

// IsScopeChar reports whether c may appear in a scope element:
// %x21 / %x23-5B / %x5D-7E, i.e. visible ASCII except '"' and '\'.
func IsScopeChar(c rune) bool {
	return c == 0x21 || (0x23 <= c && c <= 0x5B) || (0x5D <= c && c <= 0x7E)
}

// ParseScope splits s on spaces into a Scope. Runs of spaces are allowed;
// any other character outside the scope-token set is an error.
func ParseScope(s string) (Scope, error) {
	elems, err := ScopeElements(s)
	if err != nil {
		return nil, err
	}
	slices.Sort(elems) // NewScope without its copy: elems is ours
	return slices.Compact(elems), nil
}

// ScopeElements splits s on spaces and returns the elements in the order
// written, duplicates included, checking every character.
func ScopeElements(s string) ([]string, error) {
	var elems []string
	for i := 0; i < len(s); {
		if s[i] == ' ' {
			i++
			continue
		}
		end := len(s)
		if j := strings.IndexByte(s[i:], ' '); j >= 0 {
			end = i + j
		}
		elem := s[i:end]
		for j, c := range elem {
			if !IsScopeChar(c) {
				return nil, &ScopeError{Offset: i + j, Element: elem, Char: c}
			}
		}
		elems = append(elems, elem)
		i = end
	}
	return elems, nil
}

// NewScope returns the Scope holding elems, sorted and de-duplicated.
func NewScope(elems ...string) Scope {
	sc := slices.Clone(elems)
	slices.Sort(sc)
	return slices.Compact(sc)
}

// String returns the canonical form: elements sorted, joined by one space.
func (sc Scope) String() string { return strings.Join(sc, " ") }

// Contains reports whether elem is an element of sc, literally. It does
// not rely on sc being sorted: scopes are small, and callers may build
// them by hand.
func (sc Scope) Contains(elem string) bool { return slices.Contains(sc, elem) }

// Difference returns the elements of sc that are not in other.
func (sc Scope) Difference(other Scope) Scope {
	var out Scope
	for _, e := range sc {
		if !other.Contains(e) {
			out = append(out, e)
		}
	}
	return out
}

// Allows reports whether some pattern element of sc matches elem (see
// MatchElement): the test of a client's allowed scope against one requested
// element.
func (sc Scope) Allows(elem string) bool {
	for _, pattern := range sc {
		if MatchElement(pattern, elem) {
			return true
		}
	}
	return false
}

// MatchElement reports whether the scope element elem matches pattern. A
// lone "*" matches every element; elsewhere each "*" matches any run
// (possibly empty) of scope characters, so "push.application.*" matches
// "push.application.com.example.bank". Without "*" the match is literal.
func MatchElement(pattern, elem string) bool {
	if pattern == "*" {
		return true
	}
	if !strings.Contains(pattern, "*") {
		return pattern == elem
	}
	parts := strings.Split(pattern, "*")
	if !strings.HasPrefix(elem, parts[0]) {
		return false
	}
	rest := elem[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, part := range parts[1 : len(parts)-1] {
		i := strings.Index(rest, part)
		if i < 0 {
			return false
		}
		rest = rest[i+len(part):]
	}
	return len(rest) >= len(last) && strings.HasSuffix(rest, last)
}
