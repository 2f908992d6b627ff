package diffview_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/diffview"
)

func large(t *testing.T, maxExp int64, extraMapping string) *config.Descriptor {
	d := &config.Descriptor{
		ApplicationKey:      config.AppKey{ID: "a", Platform: config.PlatformWeb, Version: "1"},
		ScopeElementMapping: map[string]config.Scope{},
		MaxTokenExpiration:  maxExp,
	}
	for _, e := range []string{"e01", "e02", "e03", "e04", "e05", "e06", "e07", "e08", "e09", "e10", "e11", "e12"} {
		d.ScopeElementMapping[e] = config.NewScope("C")
	}
	if extraMapping != "" {
		d.ScopeElementMapping[extraMapping] = config.NewScope("X")
	}
	return d
}

// TestUnifiedHunks: changes far apart get separate hunks with three lines
// of context, and the counts in the headers match the lines.
func TestUnifiedHunks(t *testing.T) {
	var buf bytes.Buffer
	a := diffview.Side{Name: "a", Descriptor: large(t, 3600, "")}
	b := diffview.Side{Name: "b", Descriptor: large(t, 60, "e00")}
	if _, err := diffview.Write(&buf, "unified", a, b, false); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.Count(out, "\n@@ ") != 2 {
		t.Fatalf("want two hunks:\n%s", out)
	}
	for _, want := range []string{"@@ -7,6 +7,7 @@", "@@ -21,5 +22,5 @@", "+    \"e00\": \"X\",", "-  \"maxTokenExpiration\": 3600", "+  \"maxTokenExpiration\": 60"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
}

func TestNewApplication(t *testing.T) {
	var buf bytes.Buffer
	b := diffview.Side{Name: "b", Descriptor: large(t, 60, "")}
	diffview.Write(&buf, "unified", diffview.Side{Name: "/dev/null"}, b, false)
	if !strings.Contains(buf.String(), "@@ -0,0 +1,") {
		t.Errorf("new file hunk:\n%s", buf.String())
	}
	if ops := diffview.Patch(config.DiffOrAbsent(nil, b.Descriptor)); len(ops) == 0 || ops[0].Op != "add" && ops[0].Op != "replace" {
		t.Errorf("patch of a new application: %+v", ops)
	}
	if _, err := diffview.Write(&buf, "xml", b, b, false); config.ErrorKind(err) != config.KindInvalid {
		t.Errorf("unknown format: %v", err)
	}
}

// TestMarkdownIsInert: descriptor content cannot break the table, add
// markup, or make a link or an image in a pull-request comment.
func TestMarkdownIsInert(t *testing.T) {
	a := large(t, 3600, "")
	b := large(t, 3600, "![x](https://evil.example/p.png)")
	b.DisplayName = "x | <img src=x onerror=alert(1)> `y` [**LGTM**](https://evil.example) www.evil.example\n# heading"
	var buf bytes.Buffer
	if _, err := diffview.Write(&buf, "github", diffview.Side{Name: "old", Descriptor: a}, diffview.Side{Name: "new", Descriptor: b}, false); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	rows := strings.Split(strings.TrimSpace(out), "\n")
	if len(rows) != 6 {
		t.Fatalf("want a heading, a blank line, a table head and 2 rows:\n%s", out)
	}
	for i, row := range rows[2:] {
		if strings.Count(row, "|")-strings.Count(row, `\|`) != 5 {
			t.Errorf("row %d has extra cells: %q", i, row)
		}
	}
	// Every value is a code span (longer fence than the backticks inside),
	// in which nothing is markup, a link or a tag.
	want := "| replace | `/displayName` | `\"\"` | ``\"x \\| <img src=x onerror=alert(1)> `y` [**LGTM**](https://evil.example) www.evil.example\\n# heading\"`` |"
	if rows[4] != want {
		t.Errorf("display name row:\n got %s\nwant %s", rows[4], want)
	}
	if !strings.Contains(out, "| add | `/scopeElementMapping/![x](https:~1~1evil.example~1p.png)` |  | `\"X\"` |") {
		t.Errorf("mapping row:\n%s", out)
	}
}

// TestFilesDocument: json and patch are one array naming each file that
// differs, whatever the number of files; github ends with a count.
func TestFilesDocument(t *testing.T) {
	old, cur := diffview.Side{Name: "old", Descriptor: large(t, 3600, "")}, diffview.Side{Name: "new", Descriptor: large(t, 60, "")}
	entry := `[
  {
    "path": "b.json",
    "from": "old",
    "to": "new",
    "changes": [
      {
        "op": "replace",
        "path": "/maxTokenExpiration",
        %s
      }
    ]
  }
]
`
	for format, want := range map[string]string{
		"json":  fmt.Sprintf(entry, "\"old\": 3600,\n        \"new\": 60"),
		"patch": fmt.Sprintf(entry, "\"value\": 60"),
	} {
		var buf bytes.Buffer
		files := diffview.NewFiles(&buf, format, false)
		files.Add("a.json", old, old)
		files.Add("b.json", old, cur)
		changes, err := files.Close()
		if err != nil || len(changes) != 1 {
			t.Fatalf("%s: %v, %d changes", format, err, len(changes))
		}
		if buf.String() != want {
			t.Errorf("%s:\n%s\nwant\n%s", format, buf.String(), want)
		}
	}
	var buf bytes.Buffer
	if _, err := diffview.NewFiles(&buf, "json", false).Close(); err != nil || buf.String() != "[]\n" {
		t.Errorf("no files: %q, %v", buf.String(), err)
	}
	if _, err := diffview.Write(&buf, "json", old, cur, false); config.ErrorKind(err) != config.KindInvalid {
		t.Errorf("json of one pair without a file name: %v", err)
	}
}
