package config

import "strings"

var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1")

var pointerUnescaper = strings.NewReplacer("~1", "/", "~0", "~")

// PointerJoin returns the RFC 6901 JSON pointer of member or index token
// under parent, escaping "~" and "/" in the token.
func PointerJoin(parent, token string) string {
	return parent + "/" + pointerEscaper.Replace(token)
}

// PointerTokens splits an RFC 6901 JSON pointer into its unescaped tokens.
// The root pointer "" has no tokens.
func PointerTokens(ptr string) []string {
	if ptr == "" {
		return nil
	}
	parts := strings.Split(strings.TrimPrefix(ptr, "/"), "/")
	for i, p := range parts {
		parts[i] = pointerUnescaper.Replace(p)
	}
	return parts
}

// PointerParent returns the pointer of the value that contains ptr, and the
// last token of ptr. The parent of the root is the root.
func PointerParent(ptr string) (parent, last string) {
	i := strings.LastIndexByte(ptr, '/')
	if i < 0 {
		return "", ""
	}
	return ptr[:i], pointerUnescaper.Replace(ptr[i+1:])
}
