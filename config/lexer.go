package config

import (
	"encoding/json"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// string parses a JSON string literal at p.pos. Plain ASCII strings are cut
// out of the source directly; strings with escapes are validated here (for a
// precise error position) and then decoded by encoding/json.
func (p *parser) string() (any, bool) {
	start := p.pos
	p.pos++ // opening quote
	escaped := false
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == '"':
			p.pos++
			return p.decodeString(start, escaped)
		case c == '\\':
			if !p.escape() {
				return nil, false
			}
			escaped = true
		case c < 0x20:
			return nil, p.fail(p.pos, RuleSyntax, "control character U+%04X in string; write it as an escape such as \\n", c)
		case c < utf8.RuneSelf:
			p.pos++
		default:
			r, size := utf8.DecodeRune(p.src[p.pos:])
			if r == utf8.RuneError && size == 1 {
				return nil, p.fail(p.pos, RuleEncoding, "invalid UTF-8 byte 0x%02x in string; save the file as UTF-8", c)
			}
			p.pos += size
		}
	}
	return nil, p.fail(start, RuleSyntax, "string is never closed; expected '\"'")
}

func (p *parser) decodeString(start int, escaped bool) (any, bool) {
	raw := p.src[start:p.pos]
	if !escaped {
		return string(raw[1 : len(raw)-1]), true
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, p.fail(start, RuleSyntax, "invalid string: %v", err)
	}
	return s, true
}

// escape checks one backslash escape at p.pos and moves past it.
func (p *parser) escape() bool {
	if p.pos+1 >= len(p.src) {
		return p.fail(p.pos, RuleSyntax, "string is never closed; expected '\"'")
	}
	switch p.src[p.pos+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		p.pos += 2
		return true
	case 'u':
		r, ok := p.hexEscape(p.pos)
		if !ok {
			return p.fail(p.pos, RuleSyntax, "invalid escape; \\u must be followed by four hex digits")
		}
		if utf16.IsSurrogate(r) {
			return p.surrogatePair(r)
		}
		p.pos += 6
		return true
	default:
		return p.fail(p.pos, RuleSyntax, "invalid escape \\%c in string", p.src[p.pos+1])
	}
}

// hexEscape reads the code unit of a \uXXXX escape at off.
func (p *parser) hexEscape(off int) (rune, bool) {
	if off+6 > len(p.src) || p.src[off] != '\\' || p.src[off+1] != 'u' || !isHex4(p.src[off+2:off+6]) {
		return 0, false
	}
	n, _ := strconv.ParseUint(string(p.src[off+2:off+6]), 16, 16)
	return rune(n), true
}

// surrogatePair checks that the high surrogate escape at p.pos is followed
// by a low one: a lone surrogate is no character, and decoding it would
// silently turn it into U+FFFD.
func (p *parser) surrogatePair(high rune) bool {
	low, ok := p.hexEscape(p.pos + 6)
	if high >= 0xDC00 || !ok || low < 0xDC00 || low > 0xDFFF {
		return p.fail(p.pos, RuleEncoding, "\\u%04X is half of a UTF-16 surrogate pair with no other half; it is not a character", high)
	}
	p.pos += 12
	return true
}

func isHex4(b []byte) bool {
	for _, c := range b {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// number parses a JSON number at p.pos into a json.Number holding its
// literal text. Literals too long or with exponents too large to compare
// safely are refused.
func (p *parser) number() (any, bool) {
	start := p.pos
	if p.peek() == '-' {
		p.pos++
	}
	switch c := p.peek(); {
	case c == '0':
		p.pos++
	case '1' <= c && c <= '9':
		p.digits()
	default:
		return nil, p.fail(p.pos, RuleSyntax, "unexpected %s in number; expected a digit", p.describe())
	}
	if p.peek() == '.' {
		p.pos++
		if p.digits() == 0 {
			return nil, p.fail(p.pos, RuleSyntax, "unexpected %s in number; expected a digit after '.'", p.describe())
		}
	}
	if c := p.peek(); c == 'e' || c == 'E' {
		if !p.exponent() {
			return nil, false
		}
	}
	lit := string(p.src[start:p.pos])
	if len(lit) > maxNumberLiteral {
		return nil, p.fail(start, RuleNumberRange, "number has %d characters; at most %d are allowed", len(lit), maxNumberLiteral)
	}
	return json.Number(lit), true
}

func (p *parser) exponent() bool {
	p.pos++ // e or E
	if c := p.peek(); c == '+' || c == '-' {
		p.pos++
	}
	start := p.pos
	if p.digits() == 0 {
		return p.fail(p.pos, RuleSyntax, "unexpected %s in number; expected a digit in the exponent", p.describe())
	}
	if exp, err := strconv.Atoi(string(p.src[start:p.pos])); err != nil || exp > maxExponent {
		return p.fail(start, RuleNumberRange, "number exponent is out of range; at most %d is allowed", maxExponent)
	}
	return true
}

func (p *parser) digits() int {
	n := 0
	for p.pos < len(p.src) && '0' <= p.src[p.pos] && p.src[p.pos] <= '9' {
		p.pos++
		n++
	}
	return n
}

func (p *parser) peek() byte {
	if p.pos < len(p.src) {
		return p.src[p.pos]
	}
	return 0
}
