package config_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/scopectl/scopectl/config"
)

// mustParse parses src and fails the test on any diagnostic.
func mustParse(t *testing.T, src string) *config.Document {
	t.Helper()
	doc, diags := config.ParseDocument([]byte(src))
	if doc == nil || len(diags) != 0 {
		t.Fatalf("ParseDocument(%q) = doc %v, diags %v; want a document and no diagnostics", src, doc != nil, diags)
	}
	return doc
}

func TestPositionString(t *testing.T) {
	if got, want := (config.Position{Offset: 99, Line: 3, Column: 7}).String(), "3:7"; got != want {
		t.Errorf("Position.String() = %q, want %q", got, want)
	}
}

// The text below is laid out so that each expected column can be counted by
// hand: every non-ASCII character (including the 4-byte emoji, which is two
// UTF-16 units) counts as one column.
const positionsSrc = "{\n" +
	"  \"名前\": \"Zürich – café\",\n" + // line 2
	"  \"list\": [\"日本語\", true],\n" + // line 3
	"  \"n\": -1.5e3,\n" + // line 4
	"\t\"x😀y\": {\"z\": 0}\n" + // line 5, indented by one tab
	"}\n"

func TestParseDocumentPositions(t *testing.T) {
	doc := mustParse(t, positionsSrc)
	tests := []struct {
		ptr       string
		value     string // line:column of the value
		key       string // line:column of the member name
		valOffset int    // byte offset of the value
	}{
		{ptr: "", value: "1:1", key: "1:1", valOffset: 0},
		// line 2: `  "名前": "Zürich – café",` -> '"' of the name at col 3, value at col 9
		{ptr: "/名前", value: "2:9", key: "2:3", valOffset: strings.Index(positionsSrc, `"Zürich`)},
		// line 3: `  "list": ["日本語", true],`
		{ptr: "/list", value: "3:11", key: "3:3", valOffset: strings.Index(positionsSrc, "[")},
		{ptr: "/list/0", value: "3:12", key: "3:12", valOffset: strings.Index(positionsSrc, `"日本語"`)},
		{ptr: "/list/1", value: "3:19", key: "3:19", valOffset: strings.Index(positionsSrc, "true")},
		// line 4: `  "n": -1.5e3,`
		{ptr: "/n", value: "4:8", key: "4:3", valOffset: strings.Index(positionsSrc, "-1.5e3")},
		// line 5: tab, `"x😀y": {"z": 0}`: '"' col 2, '{' col 9, "z" col 10, 0 col 15
		{ptr: "/x😀y", value: "5:9", key: "5:2", valOffset: strings.Index(positionsSrc, `{"z"`)},
		{ptr: "/x😀y/z", value: "5:15", key: "5:10", valOffset: strings.Index(positionsSrc, "0}")},
		// no such value: start of the text
		{ptr: "/missing", value: "1:1", key: "1:1", valOffset: 0},
	}
	for _, tt := range tests {
		vp := doc.ValuePosition(tt.ptr)
		if got := vp.String(); got != tt.value {
			t.Errorf("ValuePosition(%q) = %s, want %s", tt.ptr, got, tt.value)
		}
		if vp.Offset != tt.valOffset {
			t.Errorf("ValuePosition(%q).Offset = %d, want %d", tt.ptr, vp.Offset, tt.valOffset)
		}
		if got := doc.KeyPosition(tt.ptr).String(); got != tt.key {
			t.Errorf("KeyPosition(%q) = %s, want %s", tt.ptr, got, tt.key)
		}
	}
}

// TestNearestKeyPosition: a pointer the document does not hold (a
// finding on another text) is placed at the nearest member it holds.
func TestNearestKeyPosition(t *testing.T) {
	doc := mustParse(t, positionsSrc)
	for _, tt := range []struct{ ptr, want string }{
		{"/x😀y/z", "5:10"},   // held: its own member name
		{"/x😀y/gone", "5:2"}, // a missing member: its object's name
		{"/x😀y/z/deeper/still", "5:10"},
		{"/list/7", "3:3"},  // past the end of an array
		{"/missing", "1:1"}, // a missing top-level member: the root
		{"not a pointer", "1:1"},
	} {
		if got := doc.NearestKeyPosition(tt.ptr).String(); got != tt.want {
			t.Errorf("NearestKeyPosition(%q) = %s, want %s", tt.ptr, got, tt.want)
		}
	}
}

func TestParseDocumentPositionsCRLF(t *testing.T) {
	doc := mustParse(t, "{\r\n  \"a\": [1,\r\n    2]\r\n}\r\n")
	tests := []struct{ ptr, value string }{
		{"/a", "2:8"},
		{"/a/0", "2:9"},
		{"/a/1", "3:5"},
	}
	for _, tt := range tests {
		if got := doc.ValuePosition(tt.ptr).String(); got != tt.value {
			t.Errorf("ValuePosition(%q) = %s, want %s", tt.ptr, got, tt.value)
		}
	}
}

func TestDocumentLookup(t *testing.T) {
	doc := mustParse(t, `{"a/b": {"c~d": [10, 20]}, "~1": "tilde-one", "/": "slash", "": {"": "empty"}, "s": "str"}`)
	tests := []struct {
		ptr    string
		want   any
		wantOK bool
	}{
		{"/a~1b/c~0d/1", json.Number("20"), true},
		{"/a~1b/c~0d/0", json.Number("10"), true},
		{"/a~1b/c~0d", []any{json.Number("10"), json.Number("20")}, true},
		{"/~01", "tilde-one", true}, // "~01" is "~1", not "/"
		{"/~1", "slash", true},
		{"//", "empty", true},
		{"/a~1b/c~0d/2", nil, false},  // index out of range
		{"/a~1b/c~0d/-1", nil, false}, // negative index
		{"/a~1b/c~0d/x", nil, false},  // not an index
		{"/a/b", nil, false},          // the unescaped "/" is a separator
		{"/missing", nil, false},
		{"/s/0", nil, false}, // strings have no members
	}
	for _, tt := range tests {
		got, ok := doc.Lookup(tt.ptr)
		if ok != tt.wantOK || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Lookup(%q) = %#v, %v; want %#v, %v", tt.ptr, got, ok, tt.want, tt.wantOK)
		}
	}
	root, ok := doc.Lookup("")
	if !ok || !reflect.DeepEqual(root, doc.Root) {
		t.Errorf("Lookup(\"\") = %v, %v; want the root, true", root, ok)
	}
	// Positions use the same escaped pointers.
	if got, want := doc.ValuePosition("/a~1b/c~0d/1").String(), "1:22"; got != want {
		t.Errorf("ValuePosition(/a~1b/c~0d/1) = %s, want %s", got, want)
	}
	if got, want := doc.KeyPosition("/a~1b/c~0d").String(), "1:10"; got != want {
		t.Errorf("KeyPosition(/a~1b/c~0d) = %s, want %s", got, want)
	}
}

func TestPointerFunctions(t *testing.T) {
	joins := []struct{ parent, token, want string }{
		{"", "a", "/a"},
		{"/a", "b/c", "/a/b~1c"},
		{"/a", "x~y", "/a/x~0y"},
		{"", "~1", "/~01"},
		{"", "", "/"},
	}
	for _, tt := range joins {
		got := config.PointerJoin(tt.parent, tt.token)
		if got != tt.want {
			t.Errorf("PointerJoin(%q, %q) = %q, want %q", tt.parent, tt.token, got, tt.want)
		}
		parent, last := config.PointerParent(got)
		if parent != tt.parent || last != tt.token {
			t.Errorf("PointerParent(%q) = %q, %q; want %q, %q", got, parent, last, tt.parent, tt.token)
		}
	}
	tokens := []struct {
		ptr  string
		want []string
	}{
		{"", nil},
		{"/", []string{""}},
		{"/a~1b/c~0d/0", []string{"a/b", "c~d", "0"}},
		{"/~01", []string{"~1"}},
	}
	for _, tt := range tokens {
		if got := config.PointerTokens(tt.ptr); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("PointerTokens(%q) = %q, want %q", tt.ptr, got, tt.want)
		}
	}
	if parent, last := config.PointerParent(""); parent != "" || last != "" {
		t.Errorf("PointerParent(\"\") = %q, %q; want \"\", \"\"", parent, last)
	}
}

func TestParseDocumentFatalErrors(t *testing.T) {
	nested := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	tests := []struct {
		name    string
		src     string
		rule    string
		pos     string
		message string // substring of the message
	}{
		{"empty file", "", config.RuleEmpty, "1:1", "empty"},
		{"whitespace only", " \n\t\r\n  ", config.RuleEmpty, "1:1", "empty"},
		{"trailing comma in object", `{"a": 1,}`, config.RuleSyntax, "1:8", "trailing comma before '}'"},
		{"trailing comma in array", "[\n  1,\n  2,]", config.RuleSyntax, "3:4", "trailing comma before ']'"},
		{"missing comma in object", "{\n  \"a\": 1\n  \"b\": 2\n}", config.RuleSyntax, "3:3", "expected ',' or '}'"},
		{"missing comma in array", "[1\n 2]", config.RuleSyntax, "2:2", "expected ',' or ']'"},
		{"single-quoted value", `{"a": 'x'}`, config.RuleSyntax, "1:7", "double quotes"},
		{"single-quoted name", "{\n 'a': 1}", config.RuleSyntax, "2:2", "double quotes"},
		{"unterminated string", `{"a": "abc`, config.RuleSyntax, "1:7", "never closed"},
		{"unterminated string after escape", `["ab\`, config.RuleSyntax, "1:5", "never closed"},
		{"bad escape", `["a\x"]`, config.RuleSyntax, "1:4", `invalid escape \x`},
		{"short unicode escape", "{\"é\":\n \"\\u12G4\"}", config.RuleSyntax, "2:3", "four hex digits"},
		{"tab in string", "[\"a\tb\"]", config.RuleSyntax, "1:4", "U+0009"},
		{"newline in string", "{\"a\": \"x\ny\"}", config.RuleSyntax, "1:9", "U+000A"},
		{"invalid UTF-8 in string", "{\"é\": \"\xff\"}", config.RuleEncoding, "1:8", "0xff"},
		{"Latin-1 text", "{\"city\":\n  \"Z\xfcrich\"}", config.RuleEncoding, "2:5", "0xfc"},
		{"65 levels of nesting", nested(65), config.RuleDepth, "1:65", "64"},
		{"65 levels of objects", strings.Repeat(`{"a":`, 65) + "1" + strings.Repeat("}", 65), config.RuleDepth, "1:321", "64"},
		{"exponent over 1000", "[0,\n 1e1001]", config.RuleNumberRange, "2:4", "exponent"},
		{"negative exponent over 1000", "[1E-1001]", config.RuleNumberRange, "1:5", "exponent"},
		{"exponent with many digits", "[1e99999999999999999999]", config.RuleNumberRange, "1:4", "exponent"},
		{"65-character number", "[\n  " + "1" + strings.Repeat("0", 64) + "]", config.RuleNumberRange, "2:3", "65 characters"},
		{"65-character negative fraction", "[-0." + strings.Repeat("1", 62) + "]", config.RuleNumberRange, "1:2", "65 characters"},
		{"content after the value", "{}\n  x", config.RuleSyntax, "2:3", "after the end of the JSON value"},
		{"second value", `{} {}`, config.RuleSyntax, "1:4", "after the end of the JSON value"},
		{"leading zero", `[01]`, config.RuleSyntax, "1:3", "expected ',' or ']'"},
		{"fraction without digits", `[1.]`, config.RuleSyntax, "1:4", "after '.'"},
		{"exponent without digits", `[1e+]`, config.RuleSyntax, "1:5", "exponent"},
		{"lone minus", `-`, config.RuleSyntax, "1:2", "expected a digit"},
		{"bare word", `{"a": yes}`, config.RuleSyntax, "1:7", "expected a value"},
		{"truncated literal", `[tru]`, config.RuleSyntax, "1:2", "expected a value"},
		{"unclosed object", "{\"a\": 1", config.RuleSyntax, "1:8", "end of file"},
		{"unclosed array", "[1,\n", config.RuleSyntax, "2:1", "end of file"},
		{"missing colon", `{"a" 1}`, config.RuleSyntax, "1:6", "expected ':'"},
		{"unquoted name", `{a: 1}`, config.RuleSyntax, "1:2", "member name in double quotes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, diags := config.ParseDocument([]byte(tt.src))
			if doc != nil {
				t.Errorf("ParseDocument(%q) returned a document; want nil", tt.src)
			}
			if len(diags) != 1 {
				t.Fatalf("ParseDocument(%q) diagnostics = %v; want exactly one", tt.src, diags)
			}
			d := diags[0]
			if d.Rule != tt.rule || d.Position.String() != tt.pos || d.Severity != config.SeverityError {
				t.Errorf("ParseDocument(%q) = %s %s at %s; want error %s at %s", tt.src, d.Severity, d.Rule, d.Position, tt.rule, tt.pos)
			}
			if !strings.Contains(d.Message, tt.message) {
				t.Errorf("ParseDocument(%q) message = %q; want it to mention %q", tt.src, d.Message, tt.message)
			}
			if !config.HasErrors(diags) {
				t.Errorf("HasErrors(%v) = false, want true", diags)
			}
		})
	}
}

func TestParseDocumentLimitsInclusive(t *testing.T) {
	tests := []struct {
		name string
		src  string
		ptr  string
		want any
	}{
		{"64 levels of nesting", strings.Repeat("[", 63) + "[7]" + strings.Repeat("]", 63), strings.Repeat("/0", 64), json.Number("7")},
		{"exponent 1000", "[1e1000]", "/0", json.Number("1e1000")},
		{"exponent -1000", "[1E-1000]", "/0", json.Number("1E-1000")},
		{"exponent with leading zeros", "[1e0001000]", "/0", json.Number("1e0001000")},
		{"64-character number", "[1" + strings.Repeat("0", 63) + "]", "/0", json.Number("1" + strings.Repeat("0", 63))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := mustParse(t, tt.src)
			if got, ok := doc.Lookup(tt.ptr); !ok || got != tt.want {
				t.Errorf("Lookup(%q) = %#v, %v; want %#v", tt.ptr, got, ok, tt.want)
			}
		})
	}
}

func TestParseDocumentBOM(t *testing.T) {
	bom := "\xEF\xBB\xBF"
	doc, diags := config.ParseDocument([]byte(bom + "{\n  \"a\": [1]\n}"))
	if doc == nil {
		t.Fatalf("ParseDocument with BOM returned no document; want parsing to go on (diags %v)", diags)
	}
	if want := map[string]any{"a": []any{json.Number("1")}}; !reflect.DeepEqual(doc.Root, want) {
		t.Errorf("Root = %#v, want %#v", doc.Root, want)
	}
	if len(diags) != 1 || diags[0].Rule != config.RuleBOM || diags[0].Position.String() != "1:1" || diags[0].Severity != config.SeverityError {
		t.Errorf("diagnostics = %v; want one bom error at 1:1", diags)
	}
	if got, want := doc.ValuePosition("/a/0").String(), "2:9"; got != want {
		t.Errorf("ValuePosition(/a/0) = %s, want %s", got, want)
	}

	// A BOM before a broken text: both are reported, the document is nil.
	doc, diags = config.ParseDocument([]byte(bom + `{"a":}`))
	if doc != nil {
		t.Errorf("ParseDocument(BOM + broken) returned a document; want nil")
	}
	var rules []string
	for _, d := range diags {
		rules = append(rules, d.Rule+"@"+d.Position.String())
	}
	if want := []string{"bom@1:1", "syntax@1:6"}; !reflect.DeepEqual(rules, want) {
		t.Errorf("diagnostics = %v, want %v", rules, want)
	}

	// A file holding only a BOM is empty.
	_, diags = config.ParseDocument([]byte(bom))
	rules = nil
	for _, d := range diags {
		rules = append(rules, d.Rule)
	}
	if want := []string{config.RuleBOM, config.RuleEmpty}; !reflect.DeepEqual(rules, want) {
		t.Errorf("diagnostics for a lone BOM = %v, want %v", rules, want)
	}
}

func TestParseDocumentDuplicateKeys(t *testing.T) {
	tests := []struct {
		name     string
		src      string
		ptr      string
		pos      string
		first    string
		wantRoot any
	}{
		{
			name:     "top level",
			src:      "{\n  \"a\": 1,\n  \"b\": 2,\n  \"a\": 3\n}",
			ptr:      "/a",
			pos:      "4:3",
			first:    "2:3",
			wantRoot: map[string]any{"a": json.Number("3"), "b": json.Number("2")},
		},
		{
			name:     "nested, key needing escape",
			src:      `{"o": {"k/~": true, "x": 0, "k/~": false}}`,
			ptr:      "/o/k~1~0",
			pos:      "1:29",
			first:    "1:8",
			wantRoot: map[string]any{"o": map[string]any{"k/~": false, "x": json.Number("0")}},
		},
		{
			name:     "after non-ASCII text",
			src:      "{\"ä\": \"ö\",\n\"ä\": \"ü\"}",
			ptr:      "/ä",
			pos:      "2:1",
			first:    "1:2",
			wantRoot: map[string]any{"ä": "ü"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, diags := config.ParseDocument([]byte(tt.src))
			if doc == nil {
				t.Fatalf("ParseDocument(%q) returned no document; duplicates must not stop parsing (diags %v)", tt.src, diags)
			}
			if !reflect.DeepEqual(doc.Root, tt.wantRoot) {
				t.Errorf("Root = %#v, want %#v (the last duplicate wins)", doc.Root, tt.wantRoot)
			}
			if len(diags) != 1 {
				t.Fatalf("diagnostics = %v, want exactly one", diags)
			}
			d := diags[0]
			if d.Rule != config.RuleDuplicateKey || d.Severity != config.SeverityError || d.Pointer != tt.ptr || d.Position.String() != tt.pos {
				t.Errorf("got %s %s %q at %s; want error %s %q at %s", d.Severity, d.Rule, d.Pointer, d.Position, config.RuleDuplicateKey, tt.ptr, tt.pos)
			}
			if want := "first defined at " + tt.first; !strings.Contains(d.Message, want) {
				t.Errorf("message %q does not contain %q", d.Message, want)
			}
		})
	}
}

func TestParseDocumentValues(t *testing.T) {
	doc := mustParse(t, ` { "s" : "plain" , "e": "tab\tquote\"uA\u00e9", "n": null, "t": true, "f": false, "num": -0.5e-3, "arr": [ ], "obj": { } } `)
	want := map[string]any{
		"s": "plain", "e": "tab\tquote\"uAé", "n": nil, "t": true, "f": false,
		"num": json.Number("-0.5e-3"), "arr": []any{}, "obj": map[string]any{},
	}
	if !reflect.DeepEqual(doc.Root, want) {
		t.Errorf("Root = %#v\nwant %#v", doc.Root, want)
	}
}
