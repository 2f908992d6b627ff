package schema

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/scopectl/scopectl/config"
)

// Schema rules: each finding of the schema is reported under one of these,
// or under the x-rule member of the schema node that failed.
const (
	RuleUnknownProperty = "unknown-property"
	RuleRequired        = "required"
	RulePlatformID      = "platform-id"
	RuleType            = "type"
	RuleEnum            = "enum"
	RuleRange           = "range"
	RuleLength          = "length"
	RuleSchema          = "schema"
)

// finding is one schema failure located in the document and in the schema.
type finding struct {
	doc     *config.Document
	ptr     string         // instance pointer (RFC 6901)
	keyword string         // the failing keyword, or the property name for a false schema
	node    map[string]any // the schema object that holds the keyword
	leaf    *jsonschema.ValidationError
}

func (f *finding) at(rule, hint, format string, args ...any) config.Diagnostic {
	return config.Diagnostic{
		Severity: config.SeverityError, Rule: rule, Pointer: f.ptr, Position: f.doc.ValuePosition(f.ptr),
		Message: fmt.Sprintf(format, args...), Hint: hint,
	}
}

func (f *finding) atKey(d config.Diagnostic) config.Diagnostic {
	d.Position = f.doc.KeyPosition(d.Pointer)
	return d
}

func (f *finding) value() any {
	v, _ := f.doc.Lookup(f.ptr)
	return v
}

// diagnose turns one leaf error of the validator into findings a person can
// act on: the exact member, what was expected, what was found.
func (c *compiled) diagnose(doc *config.Document, leaf *jsonschema.ValidationError) []config.Diagnostic {
	kw := keywordPointer(leaf.AbsoluteKeywordLocation)
	parent, keyword := config.PointerParent(kw)
	f := &finding{doc: doc, ptr: instancePointer(leaf.InstanceLocation), keyword: keyword, leaf: leaf}
	f.node, _ = lookupRaw(raw(), parent).(map[string]any)
	if leaf.Message == "not allowed" { // a false schema: an id member of another platform
		return []config.Diagnostic{f.atKey(f.platformID())}
	}
	switch keyword {
	case "additionalProperties":
		return f.unknownProperties()
	case "required":
		return f.required()
	}
	if strings.Contains(leaf.KeywordLocation, "/propertyNames/") {
		return []config.Diagnostic{f.propertyName()}
	}
	return []config.Diagnostic{f.simple()}
}

// propertyName reports a member name that breaks a propertyNames rule, at
// the name. The validator drops an empty name from the instance location,
// so a location that still names the object means the member "".
func (f *finding) propertyName() config.Diagnostic {
	if obj, ok := f.value().(map[string]any); ok {
		if _, hasEmpty := obj[""]; hasEmpty {
			f.ptr = config.PointerJoin(f.ptr, "")
		}
	}
	_, name := config.PointerParent(f.ptr)
	rule, _ := f.node["x-rule"].(string)
	msg, _ := f.node["x-message"].(string)
	d := f.at(cmp.Or(rule, "pattern"), "", "member name %s, found %q", cmp.Or(msg, "does not match "+f.leaf.Message), name)
	return f.atKey(d)
}

func (f *finding) simple() config.Diagnostic {
	switch f.keyword {
	case "type":
		return f.at(RuleType, "", "expected %s, found %s", joinTypes(f.node["type"]), describe(f.value()))
	case "enum", "const":
		return f.enum()
	case "minimum":
		return f.at(RuleRange, "", "must be at least %v, found %s", f.node["minimum"], describe(f.value()))
	case "maximum":
		return f.at(RuleRange, "", "must be at most %v, found %s", f.node["maximum"], describe(f.value()))
	case "maxLength":
		return f.at(RuleLength, "", "must be at most %v characters long", f.node["maxLength"])
	case "pattern":
		rule, _ := f.node["x-rule"].(string)
		msg, _ := f.node["x-message"].(string)
		return f.at(cmp.Or(rule, "pattern"), "", "%s, found %s", cmp.Or(msg, "does not match "+f.leaf.Message), describe(f.value()))
	}
	return f.at(RuleSchema, "", "%s", f.leaf.Message)
}

func (f *finding) enum() config.Diagnostic {
	allowed := stringsOf(f.node["enum"])
	if s, ok := f.node["const"].(string); ok {
		allowed = []string{s}
	}
	hint := ""
	if s, ok := f.value().(string); ok {
		if best := config.Suggest(s, allowed); best != "" {
			hint = fmt.Sprintf("did you mean %q?", best)
		}
	}
	return f.at(RuleEnum, hint, "must be one of %s, found %s", quoteAll(allowed), describe(f.value()))
}

// unknownProperties reports each member that the failing object schema does
// not list, at the member name, with the closest known name as a hint.
func (f *finding) unknownProperties() []config.Diagnostic {
	obj, _ := f.value().(map[string]any)
	props, _ := f.node["properties"].(map[string]any)
	known := slices.Sorted(maps.Keys(props))
	var out []config.Diagnostic
	for _, name := range slices.Sorted(maps.Keys(obj)) {
		if _, ok := props[name]; ok {
			continue
		}
		hint := "allowed members: " + strings.Join(known, ", ")
		if best := config.Suggest(name, known); best != "" {
			hint = fmt.Sprintf("did you mean %q?", best)
		}
		d := f.at(RuleUnknownProperty, hint, "unknown member %q", name)
		d.Pointer = config.PointerJoin(f.ptr, name)
		out = append(out, f.atKey(d))
	}
	return out
}

// required reports each missing member at the object that lacks it.
func (f *finding) required() []config.Diagnostic {
	obj, _ := f.value().(map[string]any)
	var out []config.Diagnostic
	for _, name := range stringsOf(f.node["required"]) {
		if _, ok := obj[name]; ok {
			continue
		}
		d := f.at(RuleRequired, "", "missing required member %q", name)
		if platform := f.platform(); platform.IDField() == name {
			d.Rule = RulePlatformID
			d.Message = fmt.Sprintf("missing %q: the application id on %s goes in %q", name, platform, name)
		}
		d.Pointer = config.PointerJoin(f.ptr, name)
		out = append(out, d)
	}
	return out
}

func (f *finding) platformID() config.Diagnostic {
	platform := f.platform()
	return f.at(RulePlatformID, fmt.Sprintf("rename it to %q", platform.IDField()),
		"%q is not used on %s; the application id goes in %q", f.keyword, platform, platform.IDField())
}

// platform returns the clientPlatform of the applicationKey under f.ptr.
func (f *finding) platform() config.Platform {
	v, _ := f.doc.Lookup("/applicationKey/clientPlatform")
	s, _ := v.(string)
	return config.Platform(s)
}

// instancePointer converts the validator's instance location, whose tokens
// are URL-path-escaped RFC 6901 tokens, to a plain RFC 6901 pointer.
func instancePointer(loc string) string {
	toks := strings.Split(loc, "/")
	for i, t := range toks {
		if u, err := url.PathUnescape(t); err == nil {
			toks[i] = u
		}
	}
	return strings.Join(toks, "/")
}

// keywordPointer returns the fragment of an absolute keyword location as a
// JSON pointer into the schema document.
func keywordPointer(abs string) string {
	_, frag, _ := strings.Cut(abs, "#")
	return instancePointer(frag)
}

func lookupRaw(v any, ptr string) any {
	for _, tok := range config.PointerTokens(ptr) {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[tok]
	}
	return v
}

// describe renders a found value for a message: strings quoted (and cut
// when long), numbers as written.
func describe(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		if r := []rune(v); len(r) > 40 {
			v = string(r[:40]) + "…"
		}
		return fmt.Sprintf("string %q", v)
	case json.Number:
		return "number " + string(v)
	case bool:
		return fmt.Sprintf("boolean %t", v)
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	}
	return fmt.Sprint(v)
}

func joinTypes(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return strings.Join(stringsOf(v), " or ")
}

func stringsOf(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, e := range list {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// Rules lists every rule a Report can name, for documentation and tests.
func Rules() []string {
	return []string{
		config.RuleSize, config.RuleEmpty, config.RuleBOM, config.RuleEncoding, config.RuleSyntax, config.RuleMergeConflict,
		config.RuleDepth, config.RuleNumberRange, config.RuleDuplicateKey,
		RuleType, RuleRequired, RuleUnknownProperty, RulePlatformID, RuleEnum, RuleRange, RuleLength,
		"application-id", "version", "scope-syntax",
		config.RuleDuplicateScopeElement, config.RuleIntegerProperty, config.RuleBooleanProperty, config.RuleHiddenCharacter,
		config.RuleExpirationCapped, config.RuleSuspiciousProperty,
	}
}
