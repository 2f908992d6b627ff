package config

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
)

// Op is the kind of one Change, named as in JSON Patch (RFC 6902).
type Op string

// The operations of a Change.
const (
	OpAdd     Op = "add"
	OpRemove  Op = "remove"
	OpReplace Op = "replace"
)

// Change is one difference between two descriptors, at a JSON pointer of
// the canonical form. Old is absent for OpAdd, New for OpRemove. For scope
// strings (mandatoryScope and the values of scopeElementMapping) Added and
// Removed list the elements that differ.
type Change struct {
	Op      Op       `json:"op"`
	Path    string   `json:"path"`
	Old     any      `json:"old,omitempty"`
	New     any      `json:"new,omitempty"`
	Added   []string `json:"added,omitempty"`
	Removed []string `json:"removed,omitempty"`
}

// String returns a one-line summary such as
// "replace /maxTokenExpiration: 3600 → 7200", or, for a scope string, the
// elements added and removed: "replace /mandatoryScope: +deviceCheck -pin".
func (c Change) String() string {
	if len(c.Added)+len(c.Removed) > 0 {
		parts := make([]string, 0, len(c.Added)+len(c.Removed))
		for _, e := range c.Added {
			parts = append(parts, "+"+e)
		}
		for _, e := range c.Removed {
			parts = append(parts, "-"+e)
		}
		return fmt.Sprintf("%s %s: %s", c.Op, c.Path, strings.Join(parts, " "))
	}
	switch c.Op {
	case OpAdd:
		return fmt.Sprintf("add %s: %s", c.Path, FormatValue(c.New))
	case OpRemove:
		return fmt.Sprintf("remove %s: %s", c.Path, FormatValue(c.Old))
	}
	return fmt.Sprintf("replace %s: %s → %s", c.Path, FormatValue(c.Old), FormatValue(c.New))
}

// FormatValue renders a changed value in one line, as Change.String does:
// strings quoted, properties counted.
func FormatValue(v any) string {
	switch v := v.(type) {
	case string:
		return fmt.Sprintf("%q", v)
	case Properties:
		if len(v) == 1 {
			return "{1 property}"
		}
		return fmt.Sprintf("{%d properties}", len(v))
	}
	return fmt.Sprint(v)
}

// Diff lists the changes that turn a into b, in the order of the canonical
// form. Both descriptors are compared in canonical form: an absent
// maxTokenExpiration equals 3600, scope elements are compared as sets.
func Diff(a, b *Descriptor) []Change {
	var out []Change
	ka, kb := canonicalKey(a.ApplicationKey), canonicalKey(b.ApplicationKey)
	for _, f := range []struct{ name, old, new string }{
		{"packageName", ka.PackageName, kb.PackageName},
		{"bundleId", ka.BundleID, kb.BundleID},
		{"assemblyName", ka.AssemblyName, kb.AssemblyName},
		{"id", ka.ID, kb.ID},
		{"clientPlatform", ka.ClientPlatform, kb.ClientPlatform},
		{"version", ka.Version, kb.Version},
	} {
		out = appendStringChange(out, "/applicationKey/"+f.name, f.old, f.new, true)
	}
	out = appendStringChange(out, "/displayName", a.DisplayName, b.DisplayName, false)
	out = appendScopeChange(out, "/mandatoryScope", a.MandatoryScope, b.MandatoryScope)
	out = appendMappingChanges(out, a.ScopeElementMapping, b.ScopeElementMapping)
	out = appendCheckChanges(out, a.SecurityCheckConfigurations, b.SecurityCheckConfigurations)
	if x, y := a.EffectiveMaxTokenExpiration(), b.EffectiveMaxTokenExpiration(); x != y {
		out = append(out, Change{Op: OpReplace, Path: "/maxTokenExpiration", Old: x, New: y})
	}
	return out
}

// appendStringChange compares one string member; omitEmpty says the
// canonical form leaves the member out when it is empty (the id members of
// applicationKey), so that a change to or from "" is an add or a remove.
// DiffOrAbsent is Diff where nil stands for an application that does not
// exist (on the server, in a git revision): every member of the other
// side is added (or removed), maxTokenExpiration included.
func DiffOrAbsent(a, b *Descriptor) []Change {
	switch {
	case a == nil && b == nil:
		return nil
	case a == nil:
		return everyMember(OpAdd, b)
	case b == nil:
		return everyMember(OpRemove, a)
	}
	return Diff(a, b)
}

// everyMember lists the members of d as changes of op: what adding or
// removing the application means.
func everyMember(op Op, d *Descriptor) []Change {
	out := Diff(&Descriptor{ApplicationKey: d.ApplicationKey}, d)
	out = slices.DeleteFunc(out, func(c Change) bool { return c.Path == "/maxTokenExpiration" })
	out = append(out, Change{Path: "/maxTokenExpiration", New: d.EffectiveMaxTokenExpiration()})
	for i := range out {
		c := &out[i]
		c.Op, c.Old = op, nil
		if op == OpRemove {
			c.Old, c.New, c.Removed, c.Added = c.New, nil, c.Added, nil
		}
	}
	return out
}

func appendStringChange(out []Change, path, old, new string, omitEmpty bool) []Change {
	switch {
	case old == new:
		return out
	case old == "" && omitEmpty:
		return append(out, Change{Op: OpAdd, Path: path, New: new})
	case new == "" && omitEmpty:
		return append(out, Change{Op: OpRemove, Path: path, Old: old})
	}
	return append(out, Change{Op: OpReplace, Path: path, Old: old, New: new})
}

// appendScopeChange compares two scopes element by element.
func appendScopeChange(out []Change, path string, old, new Scope) []Change {
	if slices.Equal(old, new) { // the usual element of a large mapping
		return out
	}
	old, new = NewScope(old...), NewScope(new...)
	if slices.Equal(old, new) {
		return out
	}
	return append(out, Change{
		Op: OpReplace, Path: path, Old: old.String(), New: new.String(),
		Added: new.Difference(old), Removed: old.Difference(new),
	})
}

// appendMappingChanges compares two mappings. A mapping may have
// thousands of elements and a change few of them, so it picks the elements
// that changed before sorting them and joining their pointers.
func appendMappingChanges(out []Change, a, b map[string]Scope) []Change {
	var changed []string
	for elem, old := range a {
		if new, inB := b[elem]; !inB || !slices.Equal(old, new) {
			changed = append(changed, elem)
		}
	}
	for elem := range b {
		if _, inA := a[elem]; !inA {
			changed = append(changed, elem)
		}
	}
	slices.Sort(changed)
	for _, elem := range changed {
		path := PointerJoin("/scopeElementMapping", elem)
		old, inA := a[elem]
		new, inB := b[elem]
		switch {
		case !inB:
			out = append(out, Change{Op: OpRemove, Path: path, Old: NewScope(old...).String()})
		case !inA:
			out = append(out, Change{Op: OpAdd, Path: path, New: NewScope(new...).String()})
		default:
			out = appendScopeChange(out, path, old, new)
		}
	}
	return out
}

func appendCheckChanges(out []Change, a, b map[string]Properties) []Change {
	for _, check := range unionKeys(a, b) {
		path := PointerJoin("/securityCheckConfigurations", check)
		old, inA := a[check]
		new, inB := b[check]
		switch {
		case !inB:
			out = append(out, Change{Op: OpRemove, Path: path, Old: old})
		case !inA:
			out = append(out, Change{Op: OpAdd, Path: path, New: new})
		default:
			out = appendPropertyChanges(out, path, old, new)
		}
	}
	return out
}

func appendPropertyChanges(out []Change, path string, a, b Properties) []Change {
	for _, name := range unionKeys(a, b) {
		p := PointerJoin(path, name)
		old, inA := a[name]
		new, inB := b[name]
		switch {
		case !inB:
			out = append(out, Change{Op: OpRemove, Path: p, Old: old})
		case !inA:
			out = append(out, Change{Op: OpAdd, Path: p, New: new})
		case !reflect.DeepEqual(old, new):
			out = append(out, Change{Op: OpReplace, Path: p, Old: old, New: new})
		}
	}
	return out
}

func unionKeys[V any](a, b map[string]V) []string {
	keys := slices.Collect(maps.Keys(a))
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}
