package docs_test

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// ellipsis in an expected line matches any text; alone on a line, any
// number of lines.
const ellipsis = "…"

// shape is a kind of value that legitimately differs from run to run: in
// an expected line, a value of the shape matches any value of the shape.
type shape struct {
	name string
	find *regexp.Regexp // in an expected line; the value is group 1
	any  string         // the regular expression of any value
}

// shapes is the complete list; keep it small. The first of overlapping
// matches wins, then the earlier shape.
var shapes = []shape{
	{"JWT", regexp.MustCompile(`(eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)`), `eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+`},
	{"RFC 3339 time", regexp.MustCompile(`(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?)`), `\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?`},
	{"SHA-256 hex", regexp.MustCompile(`(?:^|[^0-9A-Za-z])([0-9a-f]{64})(?:[^0-9A-Za-z]|$)`), `[0-9a-f]{64}`},
	{"key id", regexp.MustCompile(`(?:^|[^A-Za-z0-9_-])([A-Za-z0-9_-]{43})(?:[^A-Za-z0-9_-]|$)`), `[A-Za-z0-9_-]{43}`},
	{"jti", regexp.MustCompile(`"jti": ?"([A-Za-z0-9_-]+)"`), `[A-Za-z0-9_-]+`},
	{"iat, exp, nbf, sv", regexp.MustCompile(`"(?:iat|exp|nbf|sv)": ?(\d+)`), `\d+`},
}

// span is a part of an expected line that matches more than itself.
type span struct {
	start, end int
	re         string
}

// compileLine turns an expected line into a regular expression.
func compileLine(want string) *regexp.Regexp {
	var spans []span
	for i := 0; ; {
		j := strings.Index(want[i:], ellipsis)
		if j < 0 {
			break
		}
		spans = append(spans, span{i + j, i + j + len(ellipsis), `.*`})
		i += j + len(ellipsis)
	}
	for _, sh := range shapes {
		for _, m := range sh.find.FindAllStringSubmatchIndex(want, -1) {
			spans = append(spans, span{m[2], m[3], sh.any})
		}
	}
	sort.SliceStable(spans, func(a, b int) bool { return spans[a].start < spans[b].start })
	var re strings.Builder
	re.WriteString("^")
	at := 0
	for _, s := range spans {
		if s.start < at {
			continue // overlaps an earlier span
		}
		re.WriteString(regexp.QuoteMeta(want[at:s.start]))
		re.WriteString(s.re)
		at = s.end
	}
	re.WriteString(regexp.QuoteMeta(want[at:]))
	re.WriteString("$")
	return regexp.MustCompile(re.String())
}

// normalize removes trailing white space (and CRs) from every line and
// trailing empty lines.
func normalize(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = strings.TrimRight(l, " \t\r")
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}

// splitOutput splits captured output into lines.
func splitOutput(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// matcher compares actual output with the expected lines of a document.
type matcher struct {
	want  []string
	lines []*regexp.Regexp // nil for a line that is only "…"
}

func newMatcher(want []string) matcher {
	m := matcher{want: normalize(want)}
	for _, w := range m.want {
		if strings.TrimSpace(w) == ellipsis {
			m.lines = append(m.lines, nil)
			continue
		}
		m.lines = append(m.lines, compileLine(w))
	}
	return m
}

// align computes the cheapest alignment of expected and actual lines:
// cost[i][j] is the number of unmatched lines between want[i:] and
// got[j:].
func (m matcher) align(got []string) [][]int {
	n, k := len(m.want), len(got)
	cost := make([][]int, n+1)
	for i := range cost {
		cost[i] = make([]int, k+1)
	}
	for i := n; i >= 0; i-- {
		for j := k; j >= 0; j-- {
			switch {
			case i == n:
				cost[i][j] = k - j
			case m.lines[i] == nil:
				cost[i][j] = cost[i+1][j]
				if j < k {
					cost[i][j] = min(cost[i][j], cost[i][j+1])
				}
			default:
				c := 1 + cost[i+1][j]
				if j < k {
					c = min(c, 1+cost[i][j+1])
					if m.lines[i].MatchString(got[j]) {
						c = min(c, cost[i+1][j+1])
					}
				}
				cost[i][j] = c
			}
		}
	}
	return cost
}

// maxDiffLines keeps a report readable when a command printed a page of
// something unexpected.
const maxDiffLines = 60

// match reports whether got matches, and otherwise a diff: "- " lines
// expected but missing, "+ " lines printed but not expected.
func (m matcher) match(got []string) (bool, string) {
	got = normalize(got)
	cost := m.align(got)
	if cost[0][0] == 0 {
		return true, ""
	}
	var b strings.Builder
	i, j, lines := 0, 0, 0
	for i < len(m.want) || j < len(got) {
		if lines++; lines > maxDiffLines {
			fmt.Fprintf(&b, "  (diff cut after %d lines)\n", maxDiffLines)
			break
		}
		switch {
		case i < len(m.want) && m.lines[i] == nil:
			skipped := 0
			for j < len(got) && cost[i][j] != cost[i+1][j] { // absorb only while moving on costs more
				j, skipped = j+1, skipped+1
			}
			fmt.Fprintf(&b, "  %s (%d lines)\n", ellipsis, skipped)
			i++
		case i < len(m.want) && j < len(got) && m.lines[i].MatchString(got[j]) && cost[i][j] == cost[i+1][j+1]:
			fmt.Fprintf(&b, "  %s\n", got[j])
			i, j = i+1, j+1
		case i < len(m.want) && cost[i][j] == 1+cost[i+1][j]:
			fmt.Fprintf(&b, "- %s\n", m.want[i])
			i++
		default:
			fmt.Fprintf(&b, "+ %s\n", got[j])
			j++
		}
	}
	return false, b.String()
}
