package docs_test

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// stepKind says how the result of a step is judged.
type stepKind int

const (
	// checkOutput: a command whose output and exit status are compared
	// with the document.
	checkOutput stepKind = iota
	// mustSucceed: a script (sh block, setup, file) whose commands must
	// all succeed; its output is not compared.
	mustSucceed
)

// step is one unit of shell text run in a document's sandbox.
type step struct {
	kind   stepKind
	line   int    // document line of the first line of text
	text   string // shell text, as in the document
	hidden bool   // from an annotation, not shown to readers
	want   []string
	status int
	ignore []*regexp.Regexp
}

// label is how a step is named in a failure.
func (s step) label() string {
	first, _, _ := strings.Cut(s.text, "\n")
	switch {
	case s.kind == checkOutput && !s.hidden:
		return "$ " + s.text
	case s.hidden:
		return "(hidden) " + first
	}
	return first
}

// plan is what runs for one document.
type plan struct {
	steps     []step
	skipped   []string // "LINE: REASON" of each skipped block
	server    bool     // a scoped is needed
	ignoreAll []*regexp.Regexp
}

// makePlan turns the blocks of a document into steps.
func makePlan(blocks []block) (plan, error) {
	var p plan
	var errs []error
	for _, b := range blocks {
		steps, err := p.add(b)
		if err != nil {
			errs = append(errs, fmt.Errorf("line %d: %w", b.line, err))
			continue
		}
		p.steps = append(p.steps, steps...)
	}
	return p, errors.Join(errs...)
}

// notesOf returns a block's annotations by verb.
func notesOf(b block) map[string][]note {
	m := map[string][]note{}
	for _, n := range b.notes {
		m[n.verb] = append(m[n.verb], n)
	}
	return m
}

// add returns the steps of one block (none when it is skipped or not run).
func (p *plan) add(b block) ([]step, error) {
	notes := notesOf(b)
	runnable := isConsole(b.lang) || isScript(b.lang)
	if err := checkNotes(b, notes, runnable); err != nil {
		return nil, err
	}
	if skip := notes["skip"]; len(skip) > 0 {
		p.skipped = append(p.skipped, fmt.Sprintf("%d: %s", b.line, skipReason(skip[0].arg)))
		return nil, nil
	}
	if len(notes["server"]) > 0 {
		p.server = true
	}
	for _, n := range notes["ignore-all"] {
		p.ignoreAll = append(p.ignoreAll, regexp.MustCompile(n.arg)) // checked by parseNote
	}
	var steps []step
	for _, n := range notes["setup"] {
		steps = append(steps, step{kind: mustSucceed, line: n.line, text: n.arg, hidden: true})
	}
	body, err := blockSteps(b, notes, p.ignoreAll)
	return append(steps, body...), err
}

// checkNotes refuses annotations that make no sense on a block.
func checkNotes(b block, notes map[string][]note, runnable bool) error {
	for verb, ns := range notes {
		if len(ns) > 1 && verb != "setup" && verb != "ignore" && verb != "ignore-all" {
			return fmt.Errorf("more than one doctest: %s", verb)
		}
	}
	switch {
	case len(notes["skip"]) > 0 && len(b.notes) > 1:
		return fmt.Errorf("doctest: skip cannot be combined with other annotations")
	case len(notes["skip"]) > 0 && !runnable:
		return fmt.Errorf("doctest: skip on a %q block, which is not run anyway", b.lang)
	case runnable && (len(notes["file"]) > 0 || len(notes["output"]) > 0):
		return fmt.Errorf("doctest: file and output are for blocks that are not run, not %q", b.lang)
	case len(notes["file"]) > 0 && len(notes["output"]) > 0:
		return fmt.Errorf("doctest: file and output cannot be combined")
	}
	checked := isConsole(b.lang) || len(notes["output"]) > 0
	if !checked && (len(notes["exit"]) > 0 || len(notes["ignore"]) > 0) {
		return fmt.Errorf("doctest: exit and ignore apply to console blocks and output annotations only")
	}
	documentWide := len(notes["ignore-all"]) + len(notes["server"])
	if !runnable && len(notes["file"]) == 0 && len(notes["output"]) == 0 && len(b.notes) > documentWide {
		return fmt.Errorf("doctest annotation on a %q block, which is not run", b.lang)
	}
	return nil
}

// blockSteps returns the steps of a block that is not skipped; ignoreAll
// holds the document's ignore-all patterns so far.
func blockSteps(b block, notes map[string][]note, ignoreAll []*regexp.Regexp) ([]step, error) {
	ignore := slices.Clone(ignoreAll)
	for _, n := range notes["ignore"] {
		ignore = append(ignore, regexp.MustCompile(n.arg)) // checked by parseNote
	}
	switch {
	case len(notes["file"]) > 0:
		n := notes["file"][0]
		return []step{{kind: mustSucceed, line: n.line, text: writeFile(n.arg, b.body), hidden: true}}, nil
	case len(notes["output"]) > 0:
		n := notes["output"][0]
		steps := []step{{kind: checkOutput, line: n.line, text: n.arg, hidden: true, want: b.body, ignore: ignore}}
		return steps, setStatuses(steps, notes["exit"])
	case isConsole(b.lang):
		steps, err := consoleSteps(b)
		if err != nil {
			return nil, err
		}
		for i := range steps {
			steps[i].ignore = ignore
		}
		return steps, setStatuses(steps, notes["exit"])
	case isScript(b.lang):
		return []step{{kind: mustSucceed, line: b.line + 1, text: strings.Join(b.body, "\n")}}, nil
	}
	return nil, nil
}

// consoleSteps splits a transcript into commands and their expected
// output.
func consoleSteps(b block) ([]step, error) {
	var steps []step
	for i := 0; i < len(b.body); i++ {
		l := b.body[i]
		if l != "$" && !strings.HasPrefix(l, "$ ") {
			if len(steps) == 0 {
				if strings.TrimSpace(l) == "" {
					continue
				}
				return nil, fmt.Errorf("console block: output before the first \"$ \" command (use a plain block, or doctest: output)")
			}
			steps[len(steps)-1].want = append(steps[len(steps)-1].want, l)
			continue
		}
		s := step{kind: checkOutput, line: b.line + 1 + i, text: strings.TrimPrefix(strings.TrimPrefix(l, "$"), " ")}
		for incomplete(s.text) && i+1 < len(b.body) {
			i++
			s.text += "\n" + b.body[i]
		}
		steps = append(steps, s)
	}
	if len(steps) == 0 {
		return nil, fmt.Errorf("console block without a \"$ \" command")
	}
	return steps, nil
}

// setStatuses applies an exit annotation: one status for every step, or
// one per step.
func setStatuses(steps []step, exit []note) error {
	if len(exit) == 0 {
		return nil
	}
	codes, _ := exitStatuses(exit[0].arg) // checked by parseNote
	if len(codes) != 1 && len(codes) != len(steps) {
		return fmt.Errorf("doctest: exit lists %d statuses for %d commands", len(codes), len(steps))
	}
	for i := range steps {
		steps[i].status = codes[min(i, len(codes)-1)]
	}
	return nil
}

// heredocEnd ends the here-document that writes a file; no document line
// is expected to be exactly this.
const heredocEnd = "__DOCTEST_END_OF_FILE__"

// writeFile is shell text that writes lines to path.
func writeFile(path string, lines []string) string {
	q := shellQuote(path)
	return fmt.Sprintf("mkdir -p -- \"$(dirname -- %s)\" && cat > %s <<'%s'\n%s\n%s", q, q, heredocEnd, strings.Join(lines, "\n"), heredocEnd)
}

// shellQuote quotes s for bash.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// incomplete reports whether a command continues on the next line, as
// bash would read it: after a trailing backslash or inside quotes.
func incomplete(text string) bool {
	var quote byte // 0, '\'' or '"'
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case quote == '\'':
			if c == '\'' {
				quote = 0
			}
		case c == '\\':
			if i+1 == len(text) {
				return true // line continuation
			}
			i++
		case quote == '"':
			if c == '"' {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '#' && (i == 0 || text[i-1] == ' ' || text[i-1] == '\t'):
			for i < len(text) && text[i] != '\n' {
				i++ // a comment: quotes in it do not count
			}
		}
	}
	return quote != 0
}
