package config_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/scopectl/scopectl/config"
)

// stdDecode decodes src with encoding/json as ParseDocument promises to:
// json.Number for numbers, the last duplicate member winning.
func stdDecode(src []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(src))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("content after the value")
	}
	return v, nil
}

var validJSONTexts = []string{
	`{}`,
	`[]`,
	`"plain"`,
	`""`,
	`0`,
	`-0`,
	`1E+2`,
	`0.5e-3`,
	`-12.75E-0`,
	`123456789012345678901234567890`,
	`true`,
	`null`,
	` [ false , null , true ] `,
	"\t{\r\n\"a\" :\n1 }\n",
	`"\u0000"`,
	`"\ud83d\ude00 surrogate pair"`,
	`"\uD834\uDD1E clef, upper-case hex"`,
	`"\ud800 lone high surrogate"`,
	`"\udc00 lone low surrogate"`,
	`"\"\\\/\b\f\n\r\t"`,
	`"\u00e9 and é and 日本 and 😀"`,
	`"\u2028\u2029"`,
	"\"\x7f DEL is allowed\"",
	`{"\u0061": "escaped key", "b\"c": "quote in key", "": "empty key"}`,
	`[[[[[]]]], [[{}]], [1, [2, [3, [4]]]]]`,
	`{"a": {"b": {"c": [1, {"d": null}]}}}`,
	`{"a/b": 1, "c~d": 2, "~1": 3}`,
	`{"dup": 1, "dup": {"x": [2]}}`,
	`[1e1000, -1E-1000]`,
}

var invalidJSONTexts = []string{
	``,
	`   `,
	`{"a": 1,}`,
	`[1, 2,]`,
	`{"a": 1 "b": 2}`,
	`[1 2]`,
	`{'a': 1}`,
	`['a']`,
	`"abc`,
	`"\x"`,
	`"\u12"`,
	`"\u12G4"`,
	"\"tab\there\"",
	"\"new\nline\"",
	`01`,
	`-01`,
	`1.`,
	`.5`,
	`+1`,
	`1e`,
	`1e+`,
	`-`,
	`NaN`,
	`Infinity`,
	`tru`,
	`nul`,
	`True`,
	`{}{}`,
	`[] x`,
	`{"a"}`,
	`{"a" 1}`,
	`{a: 1}`,
	`[`,
	`{`,
	`]`,
	`{,}`,
	`[,1]`,
	"\xEF\xBB\xBF{}",
	"\x00",
	"\f{}",
	"{}\xff",
}

func TestParseDocumentMatchesEncodingJSON(t *testing.T) {
	for _, src := range validJSONTexts {
		want, err := stdDecode([]byte(src))
		if err != nil {
			t.Fatalf("test text %q is not valid JSON for encoding/json: %v", src, err)
		}
		doc, diags := config.ParseDocument([]byte(src))
		if hasLoneSurrogate([]byte(src)) {
			// encoding/json decodes a lone surrogate to U+FFFD; scopectl
			// refuses it, since fmt would otherwise change the text.
			if doc != nil || diags[len(diags)-1].Rule != config.RuleEncoding {
				t.Errorf("ParseDocument(%q) = %v; want an encoding error", src, diags)
			}
			continue
		}
		if doc == nil {
			t.Errorf("ParseDocument(%q) failed: %v; encoding/json accepts it", src, diags)
			continue
		}
		if !reflect.DeepEqual(doc.Root, want) {
			t.Errorf("ParseDocument(%q).Root = %#v\nencoding/json gives %#v", src, doc.Root, want)
		}
		for _, d := range diags {
			if d.Rule != config.RuleDuplicateKey {
				t.Errorf("ParseDocument(%q) reported %s: %s; want no diagnostics but duplicate keys", src, d.Rule, d.Message)
			}
		}
	}
}

func TestParseDocumentRejectsWhatEncodingJSONRejects(t *testing.T) {
	for _, src := range invalidJSONTexts {
		if json.Valid([]byte(src)) {
			t.Fatalf("test text %q is valid JSON for encoding/json", src)
		}
		doc, diags := config.ParseDocument([]byte(src))
		if !config.HasErrors(diags) {
			t.Errorf("ParseDocument(%q) = no errors; encoding/json rejects it", src)
		}
		if doc != nil && !strings.HasPrefix(src, "\xEF\xBB\xBF") {
			t.Errorf("ParseDocument(%q) returned a document; want nil", src)
		}
	}
}

// jsonShape walks a text that json.Valid accepts and reports what
// ParseDocument limits on top of JSON: the nesting depth, whether an object
// repeats a member name, and whether every number is within the limits of
// 64 characters and an exponent of at most 1000.
func jsonShape(src []byte) (depth int, dup bool, numbersOK bool) {
	type frame struct {
		object  bool
		wantKey bool
		keys    map[string]bool
	}
	var stack []*frame
	numbersOK = true
	dec := json.NewDecoder(bytes.NewReader(src))
	dec.UseNumber()
	for {
		tok, err := dec.Token()
		if err != nil {
			return depth, dup, numbersOK
		}
		if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].wantKey {
			top := stack[n-1]
			if tok == json.Delim('}') {
				stack = stack[:n-1]
				continue
			}
			key, _ := tok.(string)
			dup = dup || top.keys[key]
			top.keys[key] = true
			top.wantKey = false
			continue
		}
		if n := len(stack); n > 0 && stack[n-1].object {
			stack[n-1].wantKey = true // this token starts the member's value
		}
		switch tok := tok.(type) {
		case json.Delim:
			switch tok {
			case '{':
				stack = append(stack, &frame{object: true, wantKey: true, keys: map[string]bool{}})
			case '[':
				stack = append(stack, &frame{})
			case ']':
				stack = stack[:len(stack)-1]
			}
			depth = max(depth, len(stack))
		case json.Number:
			numbersOK = numbersOK && numberWithinLimits(string(tok))
		}
	}
}

func numberWithinLimits(lit string) bool {
	if len(lit) > 64 {
		return false
	}
	i := strings.IndexAny(lit, "eE")
	if i < 0 {
		return true
	}
	exp := strings.TrimLeft(strings.TrimLeft(lit[i+1:], "+-"), "0")
	if len(exp) > 4 {
		return false
	}
	n, _ := strconv.Atoi("0" + exp)
	return n <= 1000
}

func TestJSONShape(t *testing.T) {
	tests := []struct {
		src       string
		depth     int
		dup       bool
		numbersOK bool
	}{
		{`1`, 0, false, true},
		{`[[], {"a": [1]}]`, 3, false, true},
		{`{"a": 1, "b": {"a": 2}}`, 2, false, true},
		{`{"a": {"x": 1}, "a": 2}`, 2, true, true},
		{`[{"a": 1}, {"a": 1}]`, 2, false, true},
		{`[1e1000, 1e-1000]`, 1, false, true},
		{`[1e1001]`, 1, false, false},
		{`[1e-0001001]`, 1, false, false},
		{`[1e00000001]`, 1, false, true},
		{"[" + strings.Repeat("1", 65) + "]", 1, false, false},
	}
	for _, tt := range tests {
		depth, dup, ok := jsonShape([]byte(tt.src))
		if depth != tt.depth || dup != tt.dup || ok != tt.numbersOK {
			t.Errorf("jsonShape(%q) = %d, %v, %v; want %d, %v, %v", tt.src, depth, dup, ok, tt.depth, tt.dup, tt.numbersOK)
		}
	}
}

// hasLoneSurrogate reports whether valid JSON text src has a \u escape of
// a UTF-16 surrogate that is not half of a high+low pair.
func hasLoneSurrogate(src []byte) bool {
	unit := func(i int) (rune, bool) {
		if i+6 > len(src) || src[i] != '\\' || src[i+1] != 'u' {
			return 0, false
		}
		n, err := strconv.ParseUint(string(src[i+2:i+6]), 16, 16)
		return rune(n), err == nil
	}
	for i := 0; i < len(src); i++ {
		if src[i] != '\\' {
			continue
		}
		r, ok := unit(i)
		if !ok {
			i++ // another escape: skip the escaped character
			continue
		}
		if low, ok := unit(i + 6); r >= 0xD800 && r <= 0xDBFF && ok && low >= 0xDC00 && low <= 0xDFFF {
			i += 11
			continue
		}
		if r >= 0xD800 && r <= 0xDFFF {
			return true
		}
		i += 5
	}
	return false
}

func FuzzParseDocument(f *testing.F) {
	for _, s := range validJSONTexts {
		f.Add([]byte(s))
	}
	for _, s := range invalidJSONTexts {
		f.Add([]byte(s))
	}
	f.Add([]byte(positionsSrc))
	f.Add([]byte(`{"applicationKey": {"packageName": "com.example", "clientPlatform": "android", "version": "1.0"}, "mandatoryScope": "a b", "scopeElementMapping": {"a": "pin"}, "securityCheckConfigurations": {"pin": {"maxAttempts": 3, "enableSSO": "true"}}, "maxTokenExpiration": 3600}`))
	f.Add([]byte("\"\xff\""))
	f.Add([]byte(strings.Repeat("[", 65) + strings.Repeat("]", 65)))
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) > 1<<16 {
			return // keep each run fast; the parser is linear anyway
		}
		doc, diags := config.ParseDocument(src)
		if doc == nil && !config.HasErrors(diags) {
			t.Fatalf("ParseDocument(%q) returned neither a document nor an error", src)
		}
		for _, d := range diags {
			if d.Line < 1 || d.Column < 1 {
				t.Fatalf("ParseDocument(%q) diagnostic %v has a position before 1:1", src, d)
			}
		}
		if !json.Valid(src) {
			if !config.HasErrors(diags) {
				t.Fatalf("ParseDocument(%q) reported no error; encoding/json rejects it", src)
			}
			if doc != nil && !bytes.HasPrefix(src, []byte("\xEF\xBB\xBF")) {
				t.Fatalf("ParseDocument(%q) returned a document for invalid JSON", src)
			}
			return
		}
		depth, dup, numbersOK := jsonShape(src)
		fatal := map[string]bool{}
		if !utf8.Valid(src) || hasLoneSurrogate(src) {
			// encoding/json accepts invalid UTF-8 and lone surrogate escapes
			// in strings (turning them into U+FFFD); scopectl does not.
			fatal[config.RuleEncoding] = true
		}
		if depth > config.MaxDepth {
			fatal[config.RuleDepth] = true
		}
		if !numbersOK {
			fatal[config.RuleNumberRange] = true
		}
		switch {
		case len(fatal) > 0:
			// The first problem in the text stops parsing; it is the last diagnostic.
			if doc != nil || len(diags) == 0 || !fatal[diags[len(diags)-1].Rule] {
				t.Fatalf("ParseDocument(%q) = %v; want a fatal error with one of the rules %v", src, diags, fatal)
			}
		default:
			if doc == nil {
				t.Fatalf("ParseDocument(%q) failed: %v; encoding/json accepts it", src, diags)
			}
			want, err := stdDecode(src)
			if err != nil {
				t.Fatalf("encoding/json: Valid but Decode failed: %v", err)
			}
			if !reflect.DeepEqual(doc.Root, want) {
				t.Fatalf("ParseDocument(%q).Root = %#v\nencoding/json gives %#v", src, doc.Root, want)
			}
			if !dup && len(diags) != 0 {
				t.Fatalf("ParseDocument(%q) = %v; want no diagnostics", src, diags)
			}
			if dup && len(diags) == 0 {
				t.Fatalf("ParseDocument(%q) reported no duplicate member", src)
			}
			for _, d := range diags {
				if d.Rule != config.RuleDuplicateKey {
					t.Fatalf("ParseDocument(%q) reported %v; only duplicate members are expected", src, d)
				}
			}
		}
	})
}
