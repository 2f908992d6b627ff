package diffview

import (
	"fmt"
	"io"
	"strings"

	"github.com/scopectl/scopectl/config"
)

// writeMarkdown writes the changes as a GitHub-flavoured markdown section,
// for a pull-request comment or $GITHUB_STEP_SUMMARY: a heading naming
// both sides and a table with a row per change. Values are HTML-escaped
// code, so no descriptor content can break the table or inject markup.
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

// code renders s as inline code that is safe inside a table cell.
func code(s string) string {
	return "<code>" + markdownEscaper.Replace(s) + "</code>"
}

// markdownEscaper makes text inert inside an HTML element in a table cell.
var markdownEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "|", "&#124;", "\n", " ", "\r", " ")
