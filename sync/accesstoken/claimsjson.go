package accesstoken

import (
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/go-jose/go-jose/v4/jwt"
)

// decodeClaims decodes the payload of a verified token. The claims of
// scoped's tokens are a flat object of known names, plain strings and
// whole numbers: fastClaims reads that shape in a fraction of
// encoding/json's time (the RSA check aside, decoding was most of a
// resource server's work per token). Anything else (escapes, other names,
// fractions, null, a name twice) goes to encoding/json, so the result is
// always what encoding/json would decode (FuzzDecodeClaims checks it).
func decodeClaims(payload []byte) (Claims, error) {
	if c, ok := fastClaims(payload); ok {
		return c, nil
	}
	var c Claims
	err := json.Unmarshal(payload, &c)
	return c, err
}

// claimsScanner reads the restricted shape of fastClaims; ok turns false
// at the first thing outside it.
type claimsScanner struct {
	b   []byte
	i   int
	ok  bool
	set map[string]bool
}

func fastClaims(b []byte) (Claims, bool) {
	s := &claimsScanner{b: b, ok: true}
	var c Claims
	s.space()
	if !s.byte('{') {
		return c, false
	}
	if s.space(); s.peek() == '}' {
		s.i++
	} else {
		for s.ok {
			s.member(&c)
			s.space()
			if s.byte('}') {
				break
			}
			s.expect(',')
		}
	}
	s.space()
	return c, s.ok && s.i == len(b)
}

// member reads one "name": value into c.
func (s *claimsScanner) member(c *Claims) {
	s.space()
	name := s.str()
	s.space()
	s.expect(':')
	s.space()
	if !s.ok || s.seen(name) {
		s.ok = false
		return
	}
	if target := c.stringField(name); target != nil {
		*target = s.str()
		return
	}
	switch name {
	case "aud":
		c.Audience = s.audience()
	case "iat":
		c.IssuedAt = s.date()
	case "nbf":
		c.NotBefore = s.date()
	case "exp":
		c.Expiry = s.date()
	case "sv":
		c.SecretVersion = s.int()
	default:
		s.ok = false // another name: encoding/json decides (it matches names without case)
	}
}

// stringField returns the string claim named name, nil for others.
func (c *Claims) stringField(name string) *string {
	switch name {
	case "iss":
		return &c.Issuer
	case "sub":
		return &c.Subject
	case "client_id":
		return &c.ClientID
	case "scope":
		return &c.Scope
	case "jti":
		return &c.ID
	case "app_id":
		return &c.AppID
	case "app_platform":
		return &c.AppPlatform
	case "app_version":
		return &c.AppVersion
	case "user":
		return &c.User
	case "device_id":
		return &c.DeviceID
	}
	return nil
}

func (s *claimsScanner) seen(name string) bool {
	if s.set == nil {
		s.set = make(map[string]bool, 12)
	}
	if s.set[name] {
		return true
	}
	s.set[name] = true
	return false
}

func (s *claimsScanner) space() {
	for s.i < len(s.b) && (s.b[s.i] == ' ' || s.b[s.i] == '\t' || s.b[s.i] == '\n' || s.b[s.i] == '\r') {
		s.i++
	}
}

func (s *claimsScanner) peek() byte {
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

// byte consumes c if it is next.
func (s *claimsScanner) byte(c byte) bool {
	if s.ok && s.peek() == c {
		s.i++
		return true
	}
	return false
}

func (s *claimsScanner) expect(c byte) {
	if !s.byte(c) {
		s.ok = false
	}
}

// str reads a string without escapes, of valid UTF-8.
func (s *claimsScanner) str() string {
	if !s.byte('"') {
		s.ok = false
		return ""
	}
	start := s.i
	for s.i < len(s.b) {
		switch c := s.b[s.i]; {
		case c == '"':
			v := s.b[start:s.i]
			s.i++
			if !utf8.Valid(v) {
				s.ok = false
			}
			return string(v)
		case c == '\\' || c < 0x20:
			s.ok = false
			return ""
		}
		s.i++
	}
	s.ok = false
	return ""
}

// int reads a whole number: an optional '-' and digits, no fraction or
// exponent, within int64.
func (s *claimsScanner) int() int64 {
	start := s.i
	if s.peek() == '-' {
		s.i++
	}
	for s.i < len(s.b) && '0' <= s.b[s.i] && s.b[s.i] <= '9' {
		s.i++
	}
	digits := s.b[start:s.i]
	n, err := strconv.ParseInt(string(digits), 10, 64)
	if err != nil || len(digits) > 1 && (digits[0] == '0' || digits[0] == '-' && digits[1] == '0') {
		s.ok = false
	}
	if c := s.peek(); c == '.' || c == 'e' || c == 'E' {
		s.ok = false
	}
	return n
}

func (s *claimsScanner) date() *jwt.NumericDate {
	n := s.int()
	if n < 0 || n > 1<<40 { // beyond any date, where float64 seconds stay exact
		s.ok = false
	}
	return jwt.NewNumericDate(time.Unix(n, 0))
}

// audience reads a string or an array of strings.
func (s *claimsScanner) audience() jwt.Audience {
	if s.peek() == '"' {
		return jwt.Audience{s.str()}
	}
	s.expect('[')
	aud := jwt.Audience{}
	s.space()
	if s.byte(']') {
		return aud
	}
	for s.ok {
		s.space()
		aud = append(aud, s.str())
		s.space()
		if s.byte(']') {
			break
		}
		s.expect(',')
	}
	return aud
}
