package config

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Lint rules: what the JSON Schema cannot express.
const (
	RuleDuplicateScopeElement = "duplicate-scope-element"
	RuleIntegerProperty       = "integer-property"
	RuleBooleanProperty       = "boolean-property"
	RuleExpirationCapped      = "expiration-capped"
	RuleSuspiciousProperty    = "suspicious-property"
)

// Lint checks a parsed descriptor against the rules beyond the schema. It
// tolerates any shape (the schema reports wrong shapes) and never panics.
func Lint(doc *Document) []Diagnostic {
	root, _ := doc.Root.(map[string]any)
	if root == nil {
		return nil
	}
	l := &linter{doc: doc}
	if holdsHidden(root) { // the usual file has none: skip the sorted walk that names them
		l.hiddenCharacters("", root)
	}
	l.scope("/mandatoryScope", root["mandatoryScope"])
	mapping, _ := root["scopeElementMapping"].(map[string]any)
	for _, elem := range slices.Sorted(maps.Keys(mapping)) {
		l.scope(PointerJoin("/scopeElementMapping", elem), mapping[elem])
	}
	maxExp := lintMaxTokenExpiration(root["maxTokenExpiration"])
	checks, _ := root["securityCheckConfigurations"].(map[string]any)
	for _, check := range slices.Sorted(maps.Keys(checks)) {
		props, _ := checks[check].(map[string]any)
		l.properties(PointerJoin("/securityCheckConfigurations", check), props, maxExp)
	}
	return l.diags
}

type linter struct {
	doc   *Document
	diags []Diagnostic
}

func (l *linter) report(sev Severity, rule, ptr, hint, format string, args ...any) {
	l.diags = append(l.diags, Diagnostic{
		Severity: sev, Rule: rule, Pointer: ptr, Position: l.doc.ValuePosition(ptr),
		Message: fmt.Sprintf(format, args...), Hint: hint,
	})
}

// scope reports elements written more than once in one scope string.
func (l *linter) scope(ptr string, v any) {
	s, ok := v.(string)
	if !ok {
		return
	}
	elems, err := ScopeElements(s)
	if err != nil {
		return // the schema pattern reports bad characters
	}
	seen := make(map[string]bool, len(elems))
	for _, e := range elems {
		if seen[e] {
			l.report(SeverityError, RuleDuplicateScopeElement, ptr, "run scopectl app fmt to remove duplicates",
				"scope element %q is listed more than once", e)
			return
		}
		seen[e] = true
	}
}

// properties type-checks the known properties of one security check and
// warns about expirations that maxTokenExpiration will cap.
func (l *linter) properties(ptr string, props map[string]any, maxExp int64) {
	for _, name := range slices.Sorted(maps.Keys(props)) {
		p := PointerJoin(ptr, name)
		switch KnownProperties[name] {
		case 0:
			l.unknownProperty(p, name)
		case PropertyInteger:
			n, ok := l.integer(p, name, props[name])
			if ok && n > maxExp && slices.Contains(expirationProperties, name) {
				l.report(SeverityWarning, RuleExpirationCapped, p,
					"lower it, or raise maxTokenExpiration if longer tokens are intended",
					"%s is %d s but maxTokenExpiration is %d s; tokens will expire after %d s", name, n, maxExp, maxExp)
			}
		case PropertyBoolean:
			if s, ok := props[name].(string); ok && s != "true" && s != "false" {
				l.report(SeverityError, RuleBooleanProperty, p, "write true or false",
					"%s must be a boolean, found %q", name, s)
			}
		}
	}
}

// knownPropertyNames lists KnownProperties sorted, computed once.
var knownPropertyNames = sync.OnceValue(func() []string { return slices.Sorted(maps.Keys(KnownProperties)) })

// unknownProperty warns about a custom property whose name is a near miss
// of a known one: the platform would ignore it and keep its default.
func (l *linter) unknownProperty(ptr, name string) {
	if best := Suggest(name, knownPropertyNames()); best != "" {
		l.report(SeverityWarning, RuleSuspiciousProperty, ptr, fmt.Sprintf("did you mean %q?", best),
			"%s is not a known property; the security check would ignore it and keep its default", name)
	}
}

// integer checks what the schema cannot about a known numeric property: a
// string must hold a whole number, and a whole JSON number must be written
// as one (3, not 3.0 or 3e0). It returns the value when it is usable.
func (l *linter) integer(ptr, name string, v any) (int64, bool) {
	switch v := v.(type) {
	case string:
		if n, ok := IntegerString(v); ok {
			return n, true
		}
		l.report(SeverityError, RuleIntegerProperty, ptr, "write a whole number such as \"60\"",
			"%s must be a whole number ≥ 0, found %q", name, v)
	case json.Number:
		if n, err := strconv.ParseInt(string(v), 10, 64); err == nil {
			return n, n >= 0
		}
		if n, err := wholeNumber(v); err == nil && n >= 0 {
			l.report(SeverityError, RuleIntegerProperty, ptr, fmt.Sprintf("write %d", n),
				"%s must be written as a whole number, found %s", name, v)
		}
	}
	return 0, false // other types and values are the schema's to report
}

func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// IntegerString returns the value of a numeric property written as a
// string: digits only, at most MaxSafeInteger.
func IntegerString(s string) (int64, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && isDigits(s) && n <= MaxSafeInteger
}

func lintMaxTokenExpiration(v any) int64 {
	if num, ok := v.(json.Number); ok {
		if n, err := wholeNumber(num); err == nil && n >= 1 {
			return n
		}
	}
	return DefaultMaxTokenExpiration
}
