//go:build unix

package docs_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// md turns three single quotes into a code fence so that test documents can be raw strings.
func md(s string) string { return strings.ReplaceAll(s, "'''", "```") }

// TestPlanFromMarkdown: commands, expected output, continuation lines,
// statuses and every annotation end up in the steps, in document order.
func TestPlanFromMarkdown(t *testing.T) {
	src := md(`# Title

'''json
{"not": "run"}
'''

<!-- doctest: setup mkdir -p out &&
  touch out/x -->
<!-- doctest: exit 0 1 -->
'''console
$ echo one \
    two
one two
$ false    # a comment
'''

<!-- doctest: skip — needs the network -->
'''sh
go install example.com/x@latest
'''

* In a list:

  <!-- doctest: file mobilefirst/a.json -->
  '''json
  {"a": 1}
  '''

<!-- doctest: output cat mobilefirst/a.json -->
<!-- doctest: ignore ^Date: -->
'''
{"a": 1}
'''

'''sh
cd out
export X=1
'''
`)
	p, err := loadPlan(src)
	if err != nil {
		t.Fatal(err)
	}
	type brief struct {
		Kind   stepKind
		Line   int
		Text   string
		Hidden bool
		Want   []string
		Status int
	}
	var got []brief
	for _, s := range p.steps {
		got = append(got, brief{s.kind, s.line, s.text, s.hidden, s.want, s.status})
	}
	want := []brief{
		{mustSucceed, 7, "mkdir -p out &&\n  touch out/x", true, nil, 0},
		{checkOutput, 11, "echo one \\\n    two", false, []string{"one two"}, 0},
		{checkOutput, 14, "false    # a comment", false, nil, 1},
		{mustSucceed, 24, writeFile("mobilefirst/a.json", []string{`{"a": 1}`}), true, nil, 0},
		{checkOutput, 29, "cat mobilefirst/a.json", true, []string{`{"a": 1}`}, 0},
		{mustSucceed, 36, "cd out\nexport X=1", false, nil, 0},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("steps:\n%+v\nwant:\n%+v", got, want)
	}
	if want := []string{"18: needs the network"}; !reflect.DeepEqual(p.skipped, want) {
		t.Errorf("skipped = %q, want %q", p.skipped, want)
	}
	if len(p.steps[4].ignore) != 1 || p.server {
		t.Errorf("ignore = %v, server = %v", p.steps[4].ignore, p.server)
	}
}

// TestPlanRefusesBadAnnotations: a mistake in an annotation fails the
// document instead of silently running (or not running) something.
func TestPlanRefusesBadAnnotations(t *testing.T) {
	for _, c := range []struct{ name, src, err string }{
		{"skip without reason", "<!-- doctest: skip -->\n'''sh\nx\n'''\n", "skip needs a reason"},
		{"unknown verb", "<!-- doctest: skipp — typo -->\n'''sh\nx\n'''\n", `unknown doctest annotation "skipp"`},
		{"not before a block", "<!-- doctest: exit 1 -->\nSome text.\n", "not followed by a code block"},
		{"at the end", "text\n<!-- doctest: exit 1 -->\n", "not followed by a code block"},
		{"bad status", "<!-- doctest: exit one -->\n'''console\n$ x\n'''\n", `"one" is not an exit status`},
		{"statuses do not fit", "<!-- doctest: exit 1 2 -->\n'''console\n$ a\n$ b\n$ c\n'''\n", "3 commands"},
		{"output before command", "'''console\nhello\n$ echo hello\n'''\n", "output before the first"},
		{"no command", "'''console\n'''\n", "without a"},
		{"file on a script", "<!-- doctest: file x -->\n'''sh\nx\n'''\n", "not \"sh\""},
		{"exit on a script", "<!-- doctest: exit 1 -->\n'''sh\nx\n'''\n", "console blocks and output"},
		{"skip on json", "<!-- doctest: skip — no -->\n'''json\n{}\n'''\n", "not run anyway"},
		{"setup on json", "<!-- doctest: setup x -->\n'''json\n{}\n'''\n", "which is not run"},
		{"bad regexp", "<!-- doctest: ignore ( -->\n'''console\n$ x\n'''\n", "ignore"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := loadPlan(md(c.src))
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("error = %v, want one containing %q", err, c.err)
			}
		})
	}
}

// TestMatcher: exact lines, "…" and the shapes of varying values match;
// anything else is a difference.
func TestMatcher(t *testing.T) {
	const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0.c2lnbmF0dXJl"
	const jwt2 = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.b3RoZXI"
	hash1, hash2 := strings.Repeat("ab", 32), strings.Repeat("0f", 32)
	kid1, kid2 := "7H9LQk-WRhk4otS7lp_FQKFg_hn9p2aOk6-Xb9p7RJg", "aVGYiI2zm_-wMytb8ZYQKhMCxdueWKzM5fmozuhFGAE"
	for _, c := range []struct {
		name      string
		want, got string
		ok        bool
	}{
		{"same", "a\nb", "a\nb\n", true},
		{"trailing blanks and CR", "HTTP/1.1 200 OK\n\nbody", "HTTP/1.1 200 OK \r\n\r\nbody\n\n", true},
		{"other text", "valid", "invalid", false},
		{"missing line", "a\nb", "a", false},
		{"extra line", "a", "a\nb", false},
		{"nothing expected", "", "surprise", false},
		{"leading blank line matters", "a", "\na", false},
		{"ellipsis in a line", `{"token":"eyJ…","x":1}`, `{"token":"eyJhbGc.x.y","x":1}`, true},
		{"ellipsis keeps the rest", `{"token":"eyJ…","x":1}`, `{"token":"eyJhbGc.x.y","x":2}`, false},
		{"ellipsis stays in its line", "a…b", "a\nb", false},
		{"ellipsis line", "first\n…\nlast", "first\n1\n2\n3\nlast", true},
		{"ellipsis line, zero lines", "first\n…\nlast", "first\nlast", true},
		{"ellipsis line, last wrong", "first\n…\nlast", "first\n1\nlost", false},
		{"RFC 3339 time", "at 2026-11-23T10:16:18.275576Z.", "at 2027-01-02T03:04:05Z.", true},
		{"date and time", "1  2026-11-23 10:52:01  admin", "1  2026-12-04 11:42:24  admin", true},
		{"not a time", "at 2026-11-23T10:16:18Z.", "at yesterday.", false},
		{"hash", "hash " + hash1, "hash " + hash2, true},
		{"hash of 63 digits", "hash " + hash1, "hash " + hash2[1:], false},
		{"JWT", `"access_token":"` + jwt + `"`, `"access_token":"` + jwt2 + `"`, true},
		{"not a JWT", `"access_token":"` + jwt + `"`, `"access_token":"secret"`, false},
		{"key id", "new signing key " + kid1 + "; done", "new signing key " + kid2 + "; done", true},
		{"jti iat exp", `{"exp":1795432563,"iat":1795428963,"jti":"aCYKHPtFihfmwAtoTLVMNg"}`, `{"exp":1796388155,"iat":1796384555,"jti":"LP9Y09YuVymzv9jts083Fw"}`, true},
		{"secret version", `"sub":"test","sv":1796392266593398}`, `"sub":"test","sv":1796392271000042}`, true},
		{"secret version is a number", `"sv":1796392266593398}`, `"sv":"x"}`, false},
		{"other numbers are exact", `{"expires_in":3600}`, `{"expires_in":3599}`, false},
		{"regexp characters are literal", "a.b (c)*", "aXb (c)", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			ok, diff := newMatcher(splitOutput(c.want)).match(splitOutput(c.got))
			if ok != c.ok {
				t.Errorf("match(%q, %q) = %v, want %v\n%s", c.want, c.got, ok, c.ok, diff)
			}
		})
	}
}

// TestMatcherDiff: a mismatch shows which lines the document has and
// which the command printed.
func TestMatcherDiff(t *testing.T) {
	_, diff := newMatcher([]string{"head", "…", "one", "two"}).match([]string{"head", "x", "y", "one", "three"})
	want := "  head\n  … (2 lines)\n  one\n- two\n+ three\n"
	if diff != want {
		t.Errorf("diff:\n%s\nwant:\n%s", diff, want)
	}
}

// TestHarnessReportsFailures runs a small document through the real
// sandbox and bash: shell state carries between commands, and every kind
// of failure is reported with its document line, so the harness cannot
// pass a document it did not check.
func TestHarnessReportsFailures(t *testing.T) {
	src := md(`<!-- doctest: setup export GREETING=hello -->
'''console
$ cd fixtures && echo "$GREETING from $(basename "$PWD")"
hello from fixtures
$ ls valid | head -1
com.example.bank-android-1.0.json
$ echo wrong
right
$ (exit 3)
$ printf 'no newline'; echo " on stderr" >&2
no newline on stderr
$ false
$ echo $?
1
'''

'''sh
true
false
echo after the failure
no-such-command-in-docs
'''

<!-- doctest: exit 1 -->
'''console
$ echo expected
expected
'''

'''console
$ exit 7
$ echo never
never
'''
`)
	reports, err := runMarkdown(t, "inline.md", src)
	if err != nil {
		t.Fatal(err)
	}
	wantPrefixes := []string{
		"inline.md:7: $ echo wrong\noutput differs (- document, + actual):\n- right\n+ wrong\n",
		"inline.md:9: $ (exit 3)\nexit status 3, want 0",
		"inline.md:12: $ false\nexit status 1, want 0",
		"inline.md:19: false\nfailed with exit status 1",
		"inline.md:21: no-such-command-in-docs\nfailed with exit status 127",
		"inline.md:26: $ echo expected\nexit status 0, want 1",
		"inline.md:31: $ exit 7\ndid not finish",
	}
	if len(reports) != len(wantPrefixes) {
		t.Fatalf("%d reports, want %d:\n%s", len(reports), len(wantPrefixes), strings.Join(reports, "\n\n"))
	}
	for i, w := range wantPrefixes {
		if !strings.HasPrefix(reports[i], w) {
			t.Errorf("report %d:\n%s\nwant it to start with:\n%s", i, reports[i], w)
		}
	}
	if !strings.Contains(reports[4], "bash: document line 21: no-such-command-in-docs: command not found") {
		t.Errorf("bash's message does not name the document line:\n%s", reports[4])
	}
}

// TestAddressesRewritten: documented server addresses reach the sandbox's
// server, and its port is shown as the document's in the output.
func TestAddressesRewritten(t *testing.T) {
	sb := &sandbox{port: "41234", docPort: "19555"}
	s := sb.build([]step{{kind: checkOutput, line: 3, text: "curl http://127.0.0.1:19555/x http://localhost:9080/y http://127.0.0.1:90800/z"}})
	text := s.text.String()
	if !strings.Contains(text, "curl http://127.0.0.1:41234/x http://localhost:41234/y http://127.0.0.1:90800/z\n") {
		t.Errorf("script does not reach the server:\n%s", text)
	}
	out := "url=http://127.0.0.1:41234 http://localhost:41234/y :412345\n\x1edoctest-end 0 0\x1e\n"
	r := sb.split(out, s, 1)
	if want := "url=http://127.0.0.1:19555 http://localhost:19555/y :412345\n"; r[0].output != want || !r[0].done {
		t.Errorf("output = %q, want %q", r[0].output, want)
	}
}

// TestIncomplete: a command continues after a trailing backslash or an
// open quote, as at a terminal; quotes in comments do not count.
func TestIncomplete(t *testing.T) {
	for text, want := range map[string]bool{
		`echo hi`:                         false,
		`echo hi \`:                       true,
		`echo 'a \`:                       true,
		`echo 'a \'`:                      false, // no escapes inside single quotes
		`echo "a \" b`:                    true,
		`echo "a \" b"`:                   false,
		`curl -d '{"clients":[`:           true,
		"curl -d '{\"a\":[\n 1]}' \\":     true,
		"curl -d '{\"a\":[\n 1]}' \\\n x": false,
		`git diff   # it's fine`:          false,
		`echo a#'b`:                       true,
		`echo \\`:                         false,
	} {
		if got := incomplete(text); got != want {
			t.Errorf("incomplete(%q) = %v, want %v", text, got, want)
		}
	}
}

// TestIgnoreAll: an ignore-all pattern applies from its block to the end
// of the document, and lines it names are left out of the comparison
// only.
func TestIgnoreAll(t *testing.T) {
	p, err := loadPlan(md(`'''console
$ a
'''

<!-- doctest: ignore-all ^Date: -->
'''json
{}
'''

<!-- doctest: ignore ^X- -->
'''console
$ b
'''
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.steps) != 2 || len(p.steps[0].ignore) != 0 || len(p.steps[1].ignore) != 2 {
		t.Fatalf("steps = %+v", p.steps)
	}
	got := dropIgnored([]string{"HTTP/1.1 200 OK", "Date: today", "X-A: 1", "body Date: kept"}, p.steps[1].ignore)
	if want := []string{"HTTP/1.1 200 OK", "body Date: kept"}; !reflect.DeepEqual(got, want) {
		t.Errorf("dropIgnored = %q, want %q", got, want)
	}
}

// TestFreePortKeepsWidth: the sandbox's port has as many digits as the
// document's, so columns aligned around a URL stay aligned.
func TestFreePortKeepsWidth(t *testing.T) {
	for _, doc := range []string{"9080", "19555"} {
		if got := freePort(t, doc); len(got) != len(doc) {
			t.Errorf("freePort(%s) = %s", doc, got)
		}
	}
}

// TestDocumentsHaveCommands: the parser finds the README's commands and
// their expected output, so a broken parser cannot make TestDocs pass by
// running nothing.
func TestDocumentsHaveCommands(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := loadPlan(string(src))
	if err != nil {
		t.Fatal(err)
	}
	checked, lines := 0, 0
	for _, s := range p.steps {
		if s.kind == checkOutput {
			checked, lines = checked+1, lines+len(s.want)
		}
	}
	if checked < 10 || lines < 20 || len(p.skipped) == 0 {
		t.Errorf("README.md: %d commands with %d expected lines, %d skipped blocks; the parser misses them", checked, lines, len(p.skipped))
	}
}
