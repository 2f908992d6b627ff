package client

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/api"
)

// Printable returns s with everything that would act on a terminal
// instead of showing on it replaced by a visible escape: C0 controls, DEL
// and C1 controls (escape sequences that move the cursor, recolour the
// screen or set the window title start with these) as \xNN, the Unicode
// characters that reorder or break lines (bidirectional overrides and
// isolates, line and paragraph separators) as \uNNNN, and bytes that are
// not UTF-8 as \xNN. Everything else, non-ASCII letters included, is
// unchanged, so ordinary messages read as before.
//
// The client applies it to every string a server sends that scopectl may
// print: error messages, findings, application lists and histories, the
// changes an apply reports.
func Printable(s string) string {
	if isPlain(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r < 0xa0 && config.IsHiddenRune(r): // C0, DEL, C1
			fmt.Fprintf(&b, `\x%02x`, r)
		case config.IsHiddenRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// isPlain reports whether s is printable ASCII, the common case.
func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// printableApp escapes the strings of an application revision.
func printableApp(a api.Application) api.Application {
	a.ID, a.Platform, a.Version = Printable(a.ID), Printable(a.Platform), Printable(a.Version)
	a.Author, a.Hash, a.Summary = Printable(a.Author), Printable(a.Hash), Printable(a.Summary)
	a.DisabledMessage = Printable(a.DisabledMessage)
	return a
}

// printableChange escapes a change reported by a server.
func printableChange(c config.Change) config.Change {
	c.Op, c.Path = config.Op(Printable(string(c.Op))), Printable(c.Path)
	c.Old, c.New = printableValue(c.Old), printableValue(c.New)
	for i := range c.Added {
		c.Added[i] = Printable(c.Added[i])
	}
	for i := range c.Removed {
		c.Removed[i] = Printable(c.Removed[i])
	}
	return c
}

// printableValue escapes the strings in a decoded JSON value, member names
// included.
func printableValue(v any) any {
	switch v := v.(type) {
	case string:
		return Printable(v)
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[Printable(k)] = printableValue(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = printableValue(e)
		}
		return out
	}
	return v
}

// printableFinding escapes a validation finding reported by a server.
func printableFinding(f api.Finding) api.Finding {
	f.Severity = config.Severity(Printable(string(f.Severity)))
	f.Rule, f.Pointer = Printable(f.Rule), Printable(f.Pointer)
	f.Message, f.Hint = Printable(f.Message), Printable(f.Hint)
	return f
}
