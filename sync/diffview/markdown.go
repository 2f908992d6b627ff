package diffview

import (
	"fmt"
	"io"
	"strings"

	"github.com/scopectl/scopectl/config"
)

// writeMarkdown writes the changes as a GitHub-flavoured markdown section,
// for a pull-request comment or $GITHUB_STEP_SUMMARY: a heading naming
// both sides and a table with a row per change. Names and values are code
// spans, so no descriptor content can break the table, add markup or make
// a link.
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

// code renders s as a code span that is inert in a table cell: nothing in
// a code span is markup, a link or an HTML tag, and GitHub's tables take
// \| as a pipe inside one. The fence is longer than any run of backticks
// in s.
func code(s string) string {
	s = strings.NewReplacer("\r", " ", "\n", " ", "|", `\|`).Replace(s)
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") || strings.HasPrefix(s, " ") && strings.HasSuffix(s, " ") {
		s = " " + s + " " // one space each side is taken off again
	}
	return fence + s + fence
}
