package docs_test

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// block is a fenced code block of a document, with the annotations
// written right before it.
type block struct {
	line  int      // line of the opening fence, 1-based
	lang  string   // info string's first word, lower case
	body  []string // content lines, the fence's indentation removed
	notes []note
}

// note is one doctest annotation.
type note struct {
	line int
	verb string // skip, setup, exit, file, output, ignore, ignore-all, server
	arg  string
}

// runnable languages: console transcripts and shell scripts.
func isConsole(lang string) bool { return lang == "console" }
func isScript(lang string) bool  { return lang == "sh" || lang == "bash" || lang == "shell" }

var fenceOpen = regexp.MustCompile("^( *)(```+|~~~+)\\s*([^`\\s]*)")

// parseMarkdown returns the fenced code blocks of a document with their
// annotations. It reports annotations that are malformed or not followed
// by a code block.
func parseMarkdown(src string) ([]block, error) {
	lines := strings.Split(strings.ReplaceAll(src, "\r\n", "\n"), "\n")
	var blocks []block
	var pending []note
	var errs []error
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		trimmed := strings.TrimSpace(line)
		switch {
		case fenceOpen.MatchString(line):
			b, end := readFence(lines, i)
			b.notes, pending = pending, nil
			blocks = append(blocks, b)
			i = end
		case strings.HasPrefix(trimmed, "<!--"):
			text, end := readComment(lines, i)
			if n, ok, err := parseNote(text, i+1); err != nil {
				errs = append(errs, err)
			} else if ok {
				pending = append(pending, n)
			}
			i = end
		case trimmed == "":
		default:
			if len(pending) > 0 {
				errs = append(errs, fmt.Errorf("line %d: doctest annotation not followed by a code block", pending[0].line))
				pending = nil
			}
		}
	}
	if len(pending) > 0 {
		errs = append(errs, fmt.Errorf("line %d: doctest annotation not followed by a code block", pending[0].line))
	}
	return blocks, errors.Join(errs...)
}

// readFence reads the fenced block opening at line i; it returns the block
// and the index of its closing fence (the last line when unclosed).
func readFence(lines []string, i int) (block, int) {
	m := fenceOpen.FindStringSubmatch(lines[i])
	indent, fence := len(m[1]), m[2]
	b := block{line: i + 1, lang: strings.ToLower(m[3])}
	for j := i + 1; j < len(lines); j++ {
		l := lines[j]
		if t := strings.TrimSpace(l); strings.HasPrefix(t, fence[:1]) && strings.Trim(t, fence[:1]) == "" && len(t) >= len(fence) {
			return b, j
		}
		b.body = append(b.body, dedent(l, indent))
	}
	return b, len(lines) - 1
}

// dedent removes up to n leading spaces.
func dedent(s string, n int) string {
	for n > 0 && strings.HasPrefix(s, " ") {
		s, n = s[1:], n-1
	}
	return s
}

// readComment returns the text of the HTML comment starting on line i and
// the index of the line where it ends.
func readComment(lines []string, i int) (string, int) {
	var b strings.Builder
	for j := i; j < len(lines); j++ {
		b.WriteString(lines[j])
		b.WriteByte('\n')
		if strings.Contains(lines[j], "-->") {
			text := b.String()
			text = text[strings.Index(text, "<!--")+4 : strings.LastIndex(text, "-->")]
			return text, j
		}
	}
	return "", len(lines) - 1
}

var verbs = map[string]bool{"skip": true, "setup": true, "exit": true, "file": true, "output": true, "ignore": true, "ignore-all": true, "server": true}

// parseNote parses the text of an HTML comment; ok is false when it is
// not a doctest annotation.
func parseNote(text string, line int) (n note, ok bool, err error) {
	text = strings.TrimSpace(text)
	rest, found := strings.CutPrefix(text, "doctest:")
	if !found {
		return note{}, false, nil
	}
	rest = strings.TrimSpace(rest)
	verb, arg := rest, ""
	if i := strings.IndexAny(rest, " \t\n"); i >= 0 {
		verb, arg = rest[:i], rest[i+1:]
	}
	n = note{line: line, verb: verb, arg: strings.TrimSpace(arg)}
	if !verbs[verb] {
		return n, false, fmt.Errorf("line %d: unknown doctest annotation %q", line, verb)
	}
	return n, true, n.check()
}

// check reports an annotation whose argument is missing or malformed.
func (n note) check() error {
	switch n.verb {
	case "skip":
		if strings.TrimLeft(n.arg, "—–-: ") == "" {
			return fmt.Errorf("line %d: doctest: skip needs a reason (skip — REASON)", n.line)
		}
	case "setup", "file", "output", "ignore", "ignore-all":
		if n.arg == "" {
			return fmt.Errorf("line %d: doctest: %s needs an argument", n.line, n.verb)
		}
		if strings.HasPrefix(n.verb, "ignore") {
			if _, err := regexp.Compile(n.arg); err != nil {
				return fmt.Errorf("line %d: doctest: %s: %v", n.line, n.verb, err)
			}
		}
	case "exit":
		if _, err := exitStatuses(n.arg); err != nil {
			return fmt.Errorf("line %d: doctest: %v", n.line, err)
		}
	case "server":
		if n.arg != "" {
			return fmt.Errorf("line %d: doctest: server takes no argument", n.line)
		}
	}
	return nil
}

// exitStatuses parses the statuses of an exit annotation.
func exitStatuses(arg string) ([]int, error) {
	fields := strings.Fields(arg)
	if len(fields) == 0 {
		return nil, fmt.Errorf("exit needs a status")
	}
	out := make([]int, len(fields))
	for i, f := range fields {
		n, err := strconv.Atoi(f)
		if err != nil || n < 0 || n > 255 {
			return nil, fmt.Errorf("exit: %q is not an exit status", f)
		}
		out[i] = n
	}
	return out, nil
}

// skipReason returns the reason of a skip annotation without its
// leading dash or colon.
func skipReason(arg string) string { return strings.TrimLeft(arg, "—–-: ") }
