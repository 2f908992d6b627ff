package config

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
)

// Conflict is a member that both sides of a three-way merge changed in
// different ways. Values are as in the canonical JSON form; nil means the
// member is absent on that side.
type Conflict struct {
	Path   string `json:"path"`
	Base   any    `json:"base"`
	Local  any    `json:"local"`
	Server any    `json:"server"`
}

// Merged is the outcome of merging a local descriptor with the server's.
// Without conflicts Local and Server are the same merged descriptor. With
// conflicts they differ exactly in the conflicting members, Local holding
// the local value of each and Server the server's; every other member is
// merged in both. Written one after the other with conflict markers
// between them, they make the file a person resolves by hand.
type Merged struct {
	Local, Server *Descriptor
	Conflicts     []Conflict
}

// Merge merges local and server: three-way when base, the version both
// started from, is known, as Merge3 does; two-way when base is nil, where
// members equal on both sides are kept and every member that differs is a
// conflict (Conflict.Base is nil), since nothing tells which side changed
// it.
func Merge(base, local, server *Descriptor) Merged {
	if base == nil {
		return merge2(local, server)
	}
	return merge3(base, local, server)
}

// Merge3 applies the changes that turn base into local onto server. Two
// changes conflict when they touch the same member (or one member inside
// the other) and differ; scope strings merge element by element, so adding
// different elements on the two sides is no conflict. It returns the
// merged descriptor, or the conflicts and nil.
func Merge3(base, local, server *Descriptor) (*Descriptor, []Conflict) {
	m := merge3(base, local, server)
	if len(m.Conflicts) > 0 {
		return nil, m.Conflicts
	}
	return m.Local, nil
}

func merge2(local, server *Descriptor) Merged {
	localTree, serverTree := tree(local), tree(server)
	var conflicts []Conflict
	for _, c := range Diff(server, local) {
		conflicts = append(conflicts, Conflict{Path: c.Path, Local: valueAt(localTree, c.Path), Server: valueAt(serverTree, c.Path)})
	}
	if len(conflicts) == 0 {
		return Merged{Local: server, Server: server}
	}
	return Merged{Local: local, Server: server, Conflicts: conflicts}
}

func merge3(base, local, server *Descriptor) Merged {
	baseTree, localTree, serverTree := tree(base), tree(local), tree(server)
	result := tree(server)
	theirs := Diff(base, server)
	var conflicts []Conflict
	var contested []string // the outer member of each conflict
	for _, mine := range Diff(base, local) {
		other, overlaps := overlapping(mine, theirs)
		switch {
		case !overlaps:
			applyChange(result, mine)
		case sameChange(mine, other):
		case isScopeChange(mine) && isScopeChange(other) && mine.Path == other.Path:
			// Both sides changed elements of one scope relative to the same
			// base, so their additions and removals cannot contradict.
			merged := NewScope(append(elementsAt(result, mine.Path), mine.Added...)...).Difference(NewScope(mine.Removed...))
			setAt(result, mine.Path, merged.String())
		default:
			conflicts = append(conflicts, Conflict{
				Path: mine.Path, Base: valueAt(baseTree, mine.Path), Local: generic(mine.New), Server: valueAt(serverTree, mine.Path),
			})
			contested = append(contested, outer(mine.Path, other.Path))
		}
	}
	serverSide := fromTree(result)
	if len(conflicts) == 0 {
		return Merged{Local: serverSide, Server: serverSide}
	}
	for _, ptr := range contested {
		replaceAt(result, ptr, valueAt(localTree, ptr))
	}
	return Merged{Local: fromTree(result), Server: serverSide, Conflicts: conflicts}
}

// outer returns the one of two overlapping pointers that contains the
// other.
func outer(a, b string) string {
	if len(b) < len(a) {
		return b
	}
	return a
}

// fromTree decodes a merged tree; merging valid descriptors member by
// member always gives a valid one.
func fromTree(t map[string]any) *Descriptor {
	out, _ := json.Marshal(t)
	d, err := ParseDescriptor(out)
	if err != nil {
		panic("config: merge produced an unreadable descriptor: " + err.Error())
	}
	return d
}

func overlapping(c Change, others []Change) (Change, bool) {
	for _, o := range others {
		if o.Path == c.Path || strings.HasPrefix(o.Path, c.Path+"/") || strings.HasPrefix(c.Path, o.Path+"/") {
			return o, true
		}
	}
	return Change{}, false
}

func sameChange(a, b Change) bool {
	return a.Path == b.Path && a.Op == b.Op && reflect.DeepEqual(generic(a.New), generic(b.New))
}

func isScopeChange(c Change) bool {
	return c.Op == OpReplace && (c.Path == "/mandatoryScope" || strings.HasPrefix(c.Path, "/scopeElementMapping/"))
}

// tree returns the canonical form of d as generic JSON values.
func tree(d *Descriptor) map[string]any {
	var t map[string]any
	dec := json.NewDecoder(bytes.NewReader(d.Canonical()))
	dec.UseNumber()
	if err := dec.Decode(&t); err != nil {
		panic("config: canonical form does not decode: " + err.Error())
	}
	return t
}

// generic converts a Change value to generic JSON values.
func generic(v any) any {
	if v == nil {
		return nil
	}
	b, _ := json.Marshal(v)
	var out any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	dec.Decode(&out)
	return out
}

func valueAt(t map[string]any, ptr string) any {
	var v any = t
	for _, tok := range PointerTokens(ptr) {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[tok]
	}
	return v
}

func elementsAt(t map[string]any, ptr string) []string {
	s, _ := valueAt(t, ptr).(string)
	sc, _ := ParseScope(s)
	return sc
}

// applyChange performs one change on t, creating parent objects as needed.
func applyChange(t map[string]any, c Change) {
	if c.Op == OpRemove {
		parent, last := PointerParent(c.Path)
		if m, ok := valueAt(t, parent).(map[string]any); ok {
			delete(m, last)
		}
		return
	}
	setAt(t, c.Path, generic(c.New))
}

// replaceAt sets the member at ptr to v, or removes it when v is nil
// (absent).
func replaceAt(t map[string]any, ptr string, v any) {
	if v == nil {
		applyChange(t, Change{Op: OpRemove, Path: ptr})
		return
	}
	setAt(t, ptr, v)
}

func setAt(t map[string]any, ptr string, v any) {
	toks := PointerTokens(ptr)
	m := t
	for _, tok := range toks[:len(toks)-1] {
		next, ok := m[tok].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[tok] = next
		}
		m = next
	}
	m[toks[len(toks)-1]] = v
}
