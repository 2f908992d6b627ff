package config

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
)

// DecodeDescriptor converts a parsed JSON value (as in Document.Root) into a
// Descriptor. It checks shapes only, defensively; the schema package checks
// everything else and should run first. Unknown members are ignored here.
func DecodeDescriptor(root any) (*Descriptor, error) {
	obj, ok := root.(map[string]any)
	if !ok {
		return nil, Errorf(KindInvalid, "descriptor must be a JSON object, not %s", describeType(root))
	}
	d := &Descriptor{}
	var err error
	if d.ApplicationKey, err = decodeAppKey(obj["applicationKey"]); err != nil {
		return nil, err
	}
	if d.DisplayName, err = optionalString(obj, "displayName"); err != nil {
		return nil, err
	}
	if d.MandatoryScope, err = decodeScope(obj["mandatoryScope"], "", "mandatoryScope"); err != nil {
		return nil, err
	}
	if d.ScopeElementMapping, err = decodeMapping(obj["scopeElementMapping"]); err != nil {
		return nil, err
	}
	if d.SecurityCheckConfigurations, err = decodeChecks(obj["securityCheckConfigurations"]); err != nil {
		return nil, err
	}
	if d.MaxTokenExpiration, err = decodeMaxTokenExpiration(obj["maxTokenExpiration"]); err != nil {
		return nil, err
	}
	return d, nil
}

// ParseDescriptor parses and decodes src without schema validation; use it
// for descriptors that a trusted peer already validated.
func ParseDescriptor(src []byte) (*Descriptor, error) {
	doc, diags := ParseDocument(src)
	if HasErrors(diags) {
		d := diags[len(diags)-1] // a fatal finding is always the last
		return nil, Errorf(KindInvalid, "%s: %s", d.Position, d.Message)
	}
	return DecodeDescriptor(doc.Root)
}

// ParseApplicationKey reads only the applicationKey of a descriptor, for
// commands that need to know which application a file is about even when
// the rest of it is invalid.
func ParseApplicationKey(src []byte) (AppKey, error) {
	doc, diags := ParseDocument(src)
	if HasErrors(diags) {
		d := diags[len(diags)-1]
		return AppKey{}, Errorf(KindInvalid, "%s: %s", d.Position, d.Message)
	}
	obj, ok := doc.Root.(map[string]any)
	if !ok {
		return AppKey{}, Errorf(KindInvalid, "descriptor must be a JSON object, not %s", describeType(doc.Root))
	}
	return decodeAppKey(obj["applicationKey"])
}

// UnmarshalJSON decodes a descriptor from JSON, see ParseDescriptor.
func (d *Descriptor) UnmarshalJSON(data []byte) error {
	parsed, err := ParseDescriptor(data)
	if err != nil {
		return err
	}
	*d = *parsed
	return nil
}

func decodeAppKey(v any) (AppKey, error) {
	obj, ok := v.(map[string]any)
	if !ok {
		return AppKey{}, Errorf(KindInvalid, "/applicationKey must be an object, not %s", describeType(v))
	}
	platform, _ := obj["clientPlatform"].(string)
	field := Platform(platform).IDField()
	if field == "" {
		return AppKey{}, Errorf(KindInvalid, "/applicationKey/clientPlatform must be one of android, ios, windows, web")
	}
	id, _ := obj[field].(string)
	version, _ := obj["version"].(string)
	if id == "" || version == "" {
		return AppKey{}, Errorf(KindInvalid, "/applicationKey needs %s and version", field)
	}
	return AppKey{ID: id, Platform: Platform(platform), Version: version}, nil
}

func optionalString(obj map[string]any, name string) (string, error) {
	v, ok := obj[name]
	if !ok {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", Errorf(KindInvalid, "/%s must be a string, not %s", name, describeType(v))
	}
	return s, nil
}

// decodeScope decodes the scope at the pointer PointerJoin(parent, name),
// which it joins only for an error: a mapping has thousands of scopes.
func decodeScope(v any, parent, name string) (Scope, error) {
	if v == nil {
		return nil, nil
	}
	s, ok := v.(string)
	if !ok {
		return nil, Errorf(KindInvalid, "%s must be a string, not %s", PointerJoin(parent, name), describeType(v))
	}
	sc, err := ParseScope(s)
	if err != nil {
		return nil, &Error{Kind: KindInvalid, Message: PointerJoin(parent, name) + ": " + err.Error(), Err: err}
	}
	return sc, nil
}

func decodeMapping(v any) (map[string]Scope, error) {
	obj, err := optionalObject(v, "/scopeElementMapping")
	if err != nil {
		return nil, err
	}
	out := make(map[string]Scope, len(obj))
	for elem, checks := range obj {
		sc, err := decodeScope(checks, "/scopeElementMapping", elem)
		if err != nil {
			return nil, err
		}
		if sc == nil {
			sc = Scope{}
		}
		out[elem] = sc
	}
	return out, nil
}

func decodeChecks(v any) (map[string]Properties, error) {
	obj, err := optionalObject(v, "/securityCheckConfigurations")
	if err != nil {
		return nil, err
	}
	out := make(map[string]Properties, len(obj))
	for check, props := range obj {
		ptr := PointerJoin("/securityCheckConfigurations", check)
		if out[check], err = decodeProperties(props, ptr); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func decodeProperties(v any, ptr string) (Properties, error) {
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, Errorf(KindInvalid, "%s must be an object, not %s", ptr, describeType(v))
	}
	props := make(Properties, len(obj))
	for name, val := range obj {
		switch val := val.(type) {
		case string, bool:
			props[name] = val
		case json.Number:
			n, err := wholeNumber(val)
			if err != nil {
				return nil, Errorf(KindInvalid, "%s: %v", PointerJoin(ptr, name), err)
			}
			props[name] = n
		default:
			return nil, Errorf(KindInvalid, "%s must be a string, integer or boolean, not %s", PointerJoin(ptr, name), describeType(val))
		}
	}
	return props, nil
}

func optionalObject(v any, ptr string) (map[string]any, error) {
	if v == nil {
		return nil, nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, Errorf(KindInvalid, "%s must be an object, not %s", ptr, describeType(v))
	}
	return obj, nil
}

func decodeMaxTokenExpiration(v any) (int64, error) {
	if v == nil {
		return 0, nil
	}
	num, ok := v.(json.Number)
	if !ok {
		return 0, Errorf(KindInvalid, "/maxTokenExpiration must be an integer, not %s", describeType(v))
	}
	n, err := wholeNumber(num)
	if err != nil || n < 1 {
		return 0, Errorf(KindInvalid, "/maxTokenExpiration must be a whole number of seconds ≥ 1, not %s", num)
	}
	return n, nil
}

// MaxSafeInteger is the largest integer every JSON implementation keeps
// exact (2^53-1), the schema's bound on whole numbers.
const MaxSafeInteger = 1<<53 - 1

// wholeNumber returns the integer value of a JSON number literal, accepting
// exactly integral forms such as 12.0 or 1e3 within ±(2^53-1). The parser
// bounds exponents, so the exact rational arithmetic stays cheap.
func wholeNumber(num json.Number) (int64, error) {
	// Fast path for the usual literal: digits with an optional minus (a
	// JSON number has no "+", no leading zeros and no underscores).
	if n, err := strconv.ParseInt(string(num), 10, 64); err == nil && -MaxSafeInteger <= n && n <= MaxSafeInteger {
		return n, nil
	}
	r, ok := new(big.Rat).SetString(string(num))
	if !ok || !r.IsInt() || r.Num().CmpAbs(big.NewInt(MaxSafeInteger)) > 0 {
		return 0, fmt.Errorf("%s is not a whole number between -%d and %d", num, int64(MaxSafeInteger), int64(MaxSafeInteger))
	}
	return r.Num().Int64(), nil
}
