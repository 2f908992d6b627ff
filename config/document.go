package config

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on descriptor files. Real descriptors are a few kilobytes and four
// levels deep; the limits only keep hostile input from costing memory or time.
const (
	MaxFileSize      = 1 << 20 // bytes; the server's request body limit too
	MaxDepth         = 64      // nested objects and arrays
	maxNumberLiteral = 64      // characters in one number
	maxExponent      = 1000    // |exponent| of one number
)

// Rules reported while reading a file, before any schema or lint rule.
const (
	RuleSize         = "size"
	RuleEmpty        = "empty"
	RuleBOM          = "bom"
	RuleEncoding     = "encoding"
	RuleSyntax       = "syntax"
	RuleDepth        = "depth"
	RuleNumberRange  = "number-range"
	RuleDuplicateKey = "duplicate-key"
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// Document is a parsed JSON text that remembers where each value and each
// object member name was written, so that every finding can name a line and
// column. Root holds the value as map[string]any, []any, json.Number, string,
// bool or nil.
type Document struct {
	Root  any
	lines *lineIndex
	pos   *posNode // mirrors Root
}

// posNode records where one value (and, for a member, its name) starts. The
// tree mirrors the value tree, so that memory stays proportional to the
// input however long its member names are.
type posNode struct {
	value   int // byte offset of the value
	key     int // byte offset of the member name; -1 for the root and array elements
	members map[string]*posNode
	items   []*posNode
}

// node returns the position node of the value at ptr, or nil.
func (d *Document) node(ptr string) *posNode {
	n := d.pos
	for _, tok := range PointerTokens(ptr) {
		switch {
		case n == nil:
			return nil
		case n.members != nil:
			n = n.members[tok]
		default:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(n.items) {
				return nil
			}
			n = n.items[i]
		}
	}
	return n
}

// ValuePosition returns where the value at ptr starts, or the start of the
// text when ptr names no value.
func (d *Document) ValuePosition(ptr string) Position {
	if n := d.node(ptr); n != nil {
		return d.lines.position(n.value)
	}
	return d.lines.position(0)
}

// KeyPosition returns where the member name of the value at ptr starts, or
// the value's position for the root and array elements.
func (d *Document) KeyPosition(ptr string) Position {
	if n := d.node(ptr); n != nil && n.key >= 0 {
		return d.lines.position(n.key)
	}
	return d.ValuePosition(ptr)
}

// NearestKeyPosition returns the KeyPosition of ptr, or, when the
// document does not hold ptr, of its nearest ancestor that it holds (the
// whole text for a string that is not a pointer). It places a finding
// made on another text, such as a server's on what it was sent.
func (d *Document) NearestKeyPosition(ptr string) Position {
	for ptr != "" && d.node(ptr) == nil {
		ptr = ptr[:max(strings.LastIndexByte(ptr, '/'), 0)]
	}
	return d.KeyPosition(ptr)
}

// ParseDocument parses src as one JSON value. It reports a leading byte-order
// mark and duplicate member names as errors but goes on (the last duplicate
// wins, as in encoding/json). Any other problem is fatal: the returned
// Document is nil and the diagnostics say where parsing stopped and why,
// or, for a file with merge-conflict markers, where each conflict starts.
func ParseDocument(src []byte) (*Document, []Diagnostic) {
	var diags []Diagnostic
	if bytes.HasPrefix(src, utf8BOM) {
		src = src[len(utf8BOM):]
		diags = append(diags, Diagnostic{
			Severity: SeverityError, Rule: RuleBOM, Position: Position{Line: 1, Column: 1},
			Message: "file starts with a UTF-8 byte-order mark, which JSON does not allow",
			Hint:    "run scopectl app fmt to remove it",
		})
	}
	p := &parser{src: src, doc: &Document{lines: newLineIndex(src)}, diags: diags}
	switch {
	case isJSONSpace(src):
		p.fail(0, RuleEmpty, "file is empty; expected a JSON object")
		return nil, p.diags
	case bytes.HasPrefix(src, []byte{0xFF, 0xFE}), bytes.HasPrefix(src, []byte{0xFE, 0xFF}):
		p.fail(0, RuleEncoding, "file is UTF-16; save it as UTF-8")
		return nil, p.diags
	}
	root := &posNode{key: -1}
	v, ok := p.value(root)
	if ok {
		p.skipSpace()
		if p.pos < len(p.src) {
			ok = p.fail(p.pos, RuleSyntax, "unexpected %s after the end of the JSON value", p.describe())
		}
	}
	if !ok {
		if conflicts := conflictFindings(p.src, p.doc.lines); len(conflicts) > 0 {
			p.diags = append(p.diags[:len(p.diags)-1], conflicts...) // instead of the syntax error
		}
		return nil, p.diags
	}
	p.doc.Root, p.doc.pos = v, root
	return p.doc, p.diags
}

// ParseValue parses src as ParseDocument does, without recording
// positions, for a caller that only wants a value when there is nothing to
// report: ok is true exactly when ParseDocument would return a Document
// and no diagnostics.
func ParseValue(src []byte) (v any, ok bool) {
	if bytes.HasPrefix(src, utf8BOM) {
		return nil, false
	}
	p := &parser{src: src} // no doc: no positions, findings not kept
	v, ok = p.value(nil)
	p.skipSpace()
	return v, ok && p.pos == len(p.src)
}

// isJSONSpace reports whether src holds nothing but JSON whitespace.
func isJSONSpace(src []byte) bool {
	for _, c := range src {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	return true
}

// parser is a recursive-descent JSON parser that records positions. Each
// parse method returns false after recording a fatal diagnostic.
type parser struct {
	src   []byte
	pos   int
	depth int
	path  []string  // tokens of the value being parsed, for messages
	doc   *Document // nil for ParseValue, which stops at the first finding
	diags []Diagnostic
}

// pointer returns the JSON pointer of the value being parsed.
func (p *parser) pointer() string {
	var b strings.Builder
	for _, tok := range p.path {
		b.WriteString(PointerJoin("", tok))
	}
	return b.String()
}

func (p *parser) fail(off int, rule, format string, args ...any) bool {
	if p.doc == nil {
		return false
	}
	p.diags = append(p.diags, Diagnostic{
		Severity: SeverityError, Rule: rule, Pointer: p.pointer(), Position: p.doc.lines.position(off),
		Message: fmt.Sprintf(format, args...),
	})
	return false
}

func (p *parser) skipSpace() {
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

// describe names the byte at the current position for an error message.
func (p *parser) describe() string {
	if p.pos >= len(p.src) {
		return "end of file"
	}
	r, _ := utf8.DecodeRune(p.src[p.pos:])
	switch {
	case r == utf8.RuneError:
		return fmt.Sprintf("byte 0x%02x", p.src[p.pos])
	case r == '\'':
		return `"'"`
	case unicode.IsPrint(r):
		return fmt.Sprintf("'%c'", r)
	}
	return fmt.Sprintf("character U+%04X", r)
}

// value parses one value into n, which records where it starts.
func (p *parser) value(n *posNode) (any, bool) {
	p.skipSpace()
	if n != nil {
		n.value = p.pos
	}
	if p.pos >= len(p.src) {
		return nil, p.fail(p.pos, RuleSyntax, "unexpected end of file; expected a value")
	}
	switch c := p.src[p.pos]; {
	case c == '{':
		return p.object(n)
	case c == '[':
		return p.array(n)
	case c == '"':
		return p.string()
	case c == '-' || ('0' <= c && c <= '9'):
		return p.number()
	case c == 't':
		return true, p.literal("true")
	case c == 'f':
		return false, p.literal("false")
	case c == 'n':
		return nil, p.literal("null")
	case c == '\'':
		return nil, p.fail(p.pos, RuleSyntax, "unexpected %s; JSON strings use double quotes", p.describe())
	default:
		return nil, p.fail(p.pos, RuleSyntax, "unexpected %s; expected a value", p.describe())
	}
}

func (p *parser) enter() bool {
	p.depth++
	if p.depth > MaxDepth {
		return p.fail(p.pos, RuleDepth, "values are nested more than %d levels deep", MaxDepth)
	}
	return true
}

func (p *parser) object(n *posNode) (any, bool) {
	if !p.enter() {
		return nil, false
	}
	defer func() { p.depth-- }()
	obj := make(map[string]any)
	if n != nil {
		n.members = make(map[string]*posNode)
	}
	p.pos++ // '{'
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == '}' {
		p.pos++
		return obj, true
	}
	for {
		if !p.member(n, obj) {
			return nil, false
		}
		switch done, ok := p.separator('}', "object member"); {
		case !ok:
			return nil, false
		case done:
			return obj, true
		}
	}
}

// separator reads what follows a member or element (what) of a container
// that ends with closing: the end, or a comma and more to come. It
// reports whether the container ended and whether the input was valid.
func (p *parser) separator(closing byte, what string) (done, ok bool) {
	p.skipSpace()
	if p.pos >= len(p.src) {
		return false, p.fail(p.pos, RuleSyntax, "unexpected end of file; expected ',' or '%c'", closing)
	}
	switch p.src[p.pos] {
	case closing:
		p.pos++
		return true, true
	case ',':
		comma := p.pos
		p.pos++
		p.skipSpace()
		if p.pos < len(p.src) && p.src[p.pos] == closing {
			return false, p.fail(comma, RuleSyntax, "trailing comma before '%c'", closing)
		}
		return false, true
	}
	return false, p.fail(p.pos, RuleSyntax, "unexpected %s after %s; expected ',' or '%c'", p.describe(), what, closing)
}

// member parses one `"name": value` pair into obj and n. Positions are
// those of the last occurrence of a name, the one whose value counts.
func (p *parser) member(n *posNode, obj map[string]any) bool {
	p.skipSpace()
	if p.pos >= len(p.src) || p.src[p.pos] != '"' {
		return p.fail(p.pos, RuleSyntax, "unexpected %s; expected a member name in double quotes", p.describe())
	}
	keyOff := p.pos
	k, ok := p.string()
	if !ok {
		return false
	}
	key := k.(string)
	p.path = append(p.path, key)
	defer func() { p.path = p.path[:len(p.path)-1] }()
	if n == nil {
		if _, dup := obj[key]; dup {
			return p.fail(keyOff, RuleDuplicateKey, "duplicate member")
		}
	} else if first, dup := n.members[key]; dup {
		p.diags = append(p.diags, Diagnostic{
			Severity: SeverityError, Rule: RuleDuplicateKey, Pointer: p.pointer(),
			Position: p.doc.lines.position(keyOff),
			Message:  fmt.Sprintf("duplicate member %q; first defined at %s", key, p.doc.lines.position(first.key)),
			Hint:     "remove one of them: only the last one would count",
		})
	}
	p.skipSpace()
	if p.pos >= len(p.src) || p.src[p.pos] != ':' {
		return p.fail(p.pos, RuleSyntax, "unexpected %s after member name; expected ':'", p.describe())
	}
	p.pos++
	var child *posNode
	if n != nil {
		child = &posNode{key: keyOff}
		n.members[key] = child
	}
	v, ok := p.value(child)
	obj[key] = v
	return ok
}

func (p *parser) array(n *posNode) (any, bool) {
	if !p.enter() {
		return nil, false
	}
	defer func() { p.depth-- }()
	arr := []any{}
	p.pos++ // '['
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == ']' {
		p.pos++
		return arr, true
	}
	for {
		var child *posNode
		if n != nil {
			child = &posNode{key: -1}
			n.items = append(n.items, child)
		}
		p.path = append(p.path, strconv.Itoa(len(arr)))
		v, ok := p.value(child)
		p.path = p.path[:len(p.path)-1]
		if !ok {
			return nil, false
		}
		arr = append(arr, v)
		switch done, ok := p.separator(']', "array element"); {
		case !ok:
			return nil, false
		case done:
			return arr, true
		}
	}
}

func (p *parser) literal(word string) bool {
	if bytes.HasPrefix(p.src[p.pos:], []byte(word)) {
		p.pos += len(word)
		return true
	}
	return p.fail(p.pos, RuleSyntax, "unexpected %s; expected a value (strings need double quotes)", p.describe())
}

// Lookup returns the value at the JSON pointer ptr.
func (d *Document) Lookup(ptr string) (any, bool) {
	v := d.Root
	for _, tok := range PointerTokens(ptr) {
		switch c := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = c[tok]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			v = c[i]
		default:
			return nil, false
		}
	}
	return v, true
}
