package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/scopectl/scopectl/config"
)

// Precondition is what a write requires of an application's head
// revision: nothing (Any), that the application does not exist yet
// (Absent, If-None-Match: *), or that its head is one revision (Revision,
// If-Match: "N"). The zero value is Any.
type Precondition struct {
	revision int64 // 0: any; -1: absent; n > 0: revision n
}

// Any is the precondition of an unconditional write.
func Any() Precondition { return Precondition{} }

// Absent is the precondition of a create-only write.
func Absent() Precondition { return Precondition{revision: -1} }

// Revision is the precondition that the head is revision n (n > 0).
func Revision(n int64) Precondition { return Precondition{revision: n} }

// IsAny reports whether p requires nothing.
func (p Precondition) IsAny() bool { return p.revision == 0 }

// Holds reports whether p holds for an application whose head is
// revision current (0 when it does not exist).
func (p Precondition) Holds(current int64) bool {
	switch {
	case p.revision > 0:
		return p.revision == current
	case p.revision < 0:
		return current == 0
	}
	return true
}

// String describes p for logs and test failures.
func (p Precondition) String() string {
	switch {
	case p.revision > 0:
		return "If-Match: " + ETag(p.revision)
	case p.revision < 0:
		return "If-None-Match: *"
	}
	return "unconditional"
}

// SetHeader sets the request header that says p: If-Match with the
// revision's ETag, If-None-Match: *, or none for Any.
func (p Precondition) SetHeader(h http.Header) {
	switch {
	case p.revision > 0:
		h.Set("If-Match", ETag(p.revision))
	case p.revision < 0:
		h.Set("If-None-Match", "*")
	}
}

// ParsePrecondition reads the preconditions this API supports from
// request headers: If-Match: "N" (a revision ETag), If-None-Match: *, or
// neither. Anything else (weak tags, lists, other If-None-Match values)
// is refused rather than ignored.
func ParsePrecondition(h http.Header) (Precondition, error) {
	switch v := strings.TrimSpace(h.Get("If-None-Match")); v {
	case "":
	case "*":
		return Absent(), nil
	default:
		return Any(), config.Errorf(config.KindInvalid, "If-None-Match supports only *")
	}
	v := strings.TrimSpace(h.Get("If-Match"))
	if v == "" {
		return Any(), nil
	}
	n, ok := ParseETag(v)
	if !ok {
		return Any(), config.Errorf(config.KindInvalid, `If-Match must be one revision ETag such as "3" (not weak, not a list, not *)`)
	}
	return Revision(n), nil
}

// ETag is the entity tag of a revision: its number in quotes, such as "3".
func ETag(revision int64) string { return `"` + strconv.FormatInt(revision, 10) + `"` }

// ParseETag reads an ETag made by ETag: a strong tag holding a revision
// number above 0 in decimal digits.
func ParseETag(v string) (int64, bool) {
	if len(v) < 3 || v[0] != '"' || v[len(v)-1] != '"' {
		return 0, false
	}
	digits := v[1 : len(v)-1]
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	return n, err == nil && n > 0
}
