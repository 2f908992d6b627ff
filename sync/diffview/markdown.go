package diffview

import (
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/scopectl/scopectl/config"
)

// writeMarkdown writes the changes as a GitHub-flavoured markdown section,
// for a pull-request comment or $GITHUB_STEP_SUMMARY: a heading naming
// both sides and a table with a row per change. Names and values are code
// with their punctuation written as character references, so no
// descriptor content can break the table, add markup or make a link.
func writeMarkdown(w io.Writer, a, b Side, changes []config.Change) error {
	if len(changes) == 0 {
		return nil
	}
	fmt.Fprintf(w, "#### %s → %s\n\n", code(a.Name), code(b.Name))
	fmt.Fprintln(w, "| change | member | before | after |")
	fmt.Fprintln(w, "|---|---|---|---|")
	for _, c := range changes {
		before, after := markdownValue(c.Old), markdownValue(c.New)
		if len(c.Added)+len(c.Removed) > 0 {
			before, after = elements("−", c.Removed), elements("+", c.Added)
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", c.Op, code(c.Path), before, after)
	}
	fmt.Fprintln(w)
	return nil
}

// elements lists scope elements, each marked with sign.
func elements(sign string, list []string) string {
	parts := make([]string, len(list))
	for i, e := range list {
		parts[i] = sign + code(e)
	}
	return strings.Join(parts, " ")
}

func markdownValue(v any) string {
	if v == nil {
		return ""
	}
	return code(config.FormatValue(v))
}

// code renders s as inline code that is inert inside a table cell.
func code(s string) string {
	var b strings.Builder
	b.WriteString("<code>")
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r':
			b.WriteByte(' ')
		case r < 0x80 && unicode.IsPunct(r) || unicode.IsSymbol(r) && r < 0x80:
			if r == '/' || r == '-' {
				b.WriteRune(r) // cannot start markup; keeps pointers readable
				continue
			}
			fmt.Fprintf(&b, "&#%d;", r) // markdown, HTML, autolinks: all need punctuation
		default:
			b.WriteRune(r)
		}
	}
	b.WriteString("</code>")
	return b.String()
}
