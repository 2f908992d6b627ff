package schema

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/scopectl/scopectl/config"
)

// DecodeFiles reads the descriptors at paths like ValidateFiles, for
// callers that need the descriptors and the errors but not the warnings,
// such as a diff. A file that plainly follows the schema and the lint
// rules (plain) is decoded without the schema validator, which costs most
// of the time of a large file; any other file gets ValidateFile's full
// report. So a report has a Descriptor exactly when ValidateFile's would,
// and errors with their positions exactly as ValidateFile reports them.
func DecodeFiles(paths []string, workers int) []*Report {
	decode := func(i int) *Report { return DecodeFile(paths[i]) }
	return slices.AppendSeq(make([]*Report, 0, len(paths)), ordered(len(paths), workers, decode))
}

// DecodeFile reads one descriptor as DecodeFiles does.
func DecodeFile(path string) *Report { return reportFile(path, Decode) }

// Decode is Validate for callers that need the descriptor and the errors
// but not the warnings: see DecodeFiles. Validate takes the same shortcut
// past the schema validator, but for a plain file it still records every
// position and runs the lint rules, for their warnings.
func Decode(src []byte) *Report {
	if d := decodePlain(src); d != nil {
		return &Report{Descriptor: d}
	}
	return Validate(src)
}

// decodePlain returns the descriptor of src when src is plainly valid,
// else nil. It must never accept what Validate refuses; it may refuse
// what Validate accepts (a number written 3.0, a wrong-looking but legal
// member), since such a file then goes through Validate.
func decodePlain(src []byte) *config.Descriptor {
	if len(src) > config.MaxFileSize {
		return nil
	}
	root, ok := config.ParseValue(src)
	if !ok || !plain(root) {
		return nil
	}
	d, err := config.DecodeDescriptor(root)
	if err != nil {
		return nil
	}
	if canonicalBound(len(src), root) > config.MaxFileSize && len(d.Canonical()) > config.MaxFileSize {
		return nil
	}
	return d
}

// canonicalBound is an upper bound on the size of the canonical form of a
// plain document of n bytes: no string or number of a plain document
// encodes longer in canonical form than in its source (scope strings lose
// spaces and duplicates; other strings hold no control characters, which
// are hidden, so the only characters the encoder escapes, '"' and '\',
// are escaped in the source as well, in two bytes or more), and each member
// gains at most memberGrowth bytes of indentation and separators. The
// members the canonical form writes when absent fit in canonicalOverhead.
func canonicalBound(n int, root any) int {
	return n + memberGrowth*members(root) + canonicalOverhead
}

// memberGrowth is more than the 2-space indentation of the deepest
// member (a security-check property: 6 bytes) plus `": "` and `,\n`.
const memberGrowth = 16

// members counts the members of v's objects, at every depth.
func members(v any) int {
	obj, ok := v.(map[string]any)
	if !ok {
		return 0
	}
	n := len(obj)
	for _, m := range obj {
		n += members(m)
	}
	return n
}

// plain checks root against the rules of app-descriptor.schema.json and
// the errors of config.Lint, more strictly than they are written.
func plain(root any) bool {
	obj, ok := root.(map[string]any)
	if !ok || !plainAppKey(obj["applicationKey"]) {
		return false
	}
	for name, v := range obj {
		var ok bool
		switch name {
		case "applicationKey":
			ok = true
		case "displayName":
			s, isString := v.(string)
			ok = isString && utf8.RuneCountInString(s) <= 256 && !config.ContainsHidden(s)
		case "mandatoryScope":
			ok = plainScope(v)
		case "scopeElementMapping":
			ok = plainMapping(v)
		case "securityCheckConfigurations":
			ok = plainChecks(v)
		case "maxTokenExpiration":
			n, isInt := plainInt(v)
			ok = isInt && 1 <= n && n <= 2147483647
		}
		if !ok {
			return false
		}
	}
	return true
}

// plainAppKey accepts an applicationKey with exactly the members its
// platform needs.
func plainAppKey(v any) bool {
	key, ok := v.(map[string]any)
	if !ok || len(key) != 3 {
		return false
	}
	platform, _ := key["clientPlatform"].(string)
	field := config.Platform(platform).IDField()
	id, _ := key[field].(string)
	version, _ := key["version"].(string)
	return field != "" && config.AppKey{ID: id, Platform: config.Platform(platform), Version: version}.Validate() == nil
}

// plainScope accepts a string of scope elements separated by spaces in
// which no element is written twice.
func plainScope(v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	if !strings.Contains(s, " ") { // one element or none, the usual
		return s == "" || plainElement(s)
	}
	elems, err := config.ScopeElements(s)
	if err != nil {
		return false
	}
	switch len(elems) {
	case 0, 1:
		return true
	case 2:
		return elems[0] != elems[1]
	}
	seen := make(map[string]bool, len(elems))
	for _, e := range elems {
		if seen[e] {
			return false
		}
		seen[e] = true
	}
	return true
}

// plainElement matches the schema's scopeElement pattern: one or more
// visible ASCII characters other than '"' and '\'.
func plainElement(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !config.IsScopeChar(rune(s[i])) {
			return false
		}
	}
	return true
}

func plainMapping(v any) bool {
	mapping, ok := v.(map[string]any)
	if !ok {
		return false
	}
	for elem, checks := range mapping {
		if !plainElement(elem) || !plainScope(checks) {
			return false
		}
	}
	return true
}

func plainChecks(v any) bool {
	checks, ok := v.(map[string]any)
	if !ok {
		return false
	}
	for name, c := range checks {
		props, ok := c.(map[string]any)
		if !ok || !plainElement(name) {
			return false
		}
		for prop, value := range props {
			if config.ContainsHidden(prop) || !plainProperty(config.KnownProperties[prop], value) {
				return false
			}
		}
	}
	return true
}

// plainProperty accepts a known integer property written as a whole
// number ≥ 0 or a string of digits, enableSSO as a boolean or "true" or
// "false", and other properties as a whole number, a boolean or a string.
func plainProperty(kind config.PropertyKind, v any) bool {
	switch v := v.(type) {
	case bool:
		return kind != config.PropertyInteger
	case string:
		switch kind {
		case config.PropertyInteger:
			_, ok := config.IntegerString(v)
			return ok
		case config.PropertyBoolean:
			return v == "true" || v == "false"
		}
		return !config.ContainsHidden(v)
	case json.Number:
		n, ok := plainInt(v)
		if kind == config.PropertyBoolean || !ok {
			return false
		}
		if kind == config.PropertyInteger {
			return 0 <= n && n <= config.MaxSafeInteger
		}
		return -config.MaxSafeInteger <= n && n <= config.MaxSafeInteger
	}
	return false
}

// plainInt returns the value of a JSON number written as an integer
// literal: digits with an optional minus, no fraction or exponent.
func plainInt(v any) (int64, bool) {
	num, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(string(num), 10, 64)
	return n, err == nil
}
