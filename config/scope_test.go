package config_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/scopectl/scopectl/config"
)

func TestParseScope(t *testing.T) {
	tests := []struct {
		in   string
		want config.Scope
		str  string
	}{
		{"", nil, ""},
		{"   ", nil, ""},
		{"read", config.Scope{"read"}, "read"},
		{"write read", config.Scope{"read", "write"}, "read write"},
		{"  b   a  b a   c ", config.Scope{"a", "b", "c"}, "a b c"},
		{"B a b A", config.Scope{"A", "B", "a", "b"}, "A B a b"}, // byte order, case-sensitive
		{"push.application.* ! ~#[]{}", config.Scope{"!", "push.application.*", "~#[]{}"}, "! push.application.* ~#[]{}"},
	}
	for _, tt := range tests {
		got, err := config.ParseScope(tt.in)
		if err != nil {
			t.Errorf("ParseScope(%q) error: %v", tt.in, err)
			continue
		}
		if len(got) != len(tt.want) || (len(got) > 0 && !reflect.DeepEqual(got, tt.want)) {
			t.Errorf("ParseScope(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if s := got.String(); s != tt.str {
			t.Errorf("ParseScope(%q).String() = %q, want %q", tt.in, s, tt.str)
		}
	}
}

func TestParseScopeErrors(t *testing.T) {
	tests := []struct {
		in      string
		offset  int
		element string
		char    rune
	}{
		{`a b"c`, 3, `b"c`, '"'},
		{`"`, 0, `"`, '"'},
		{`ok  x\y`, 5, `x\y`, '\\'},
		{"a\tb c", 1, "a\tb", '\t'},
		{"a\nb", 1, "a\nb", '\n'},
		{"read écrire", 5, "écrire", 'é'},
		{"日本 x", 0, "日本", '日'},
		{"ab ¡x", 3, "¡x", '¡'},
		{"a\x7f", 1, "a\x7f", 0x7f},
		{"a\u00a0b", 1, "a\u00a0b", 0xa0}, // no-break space is not a separator
	}
	for _, tt := range tests {
		sc, err := config.ParseScope(tt.in)
		var se *config.ScopeError
		if !errors.As(err, &se) {
			t.Errorf("ParseScope(%q) = %q, %v; want a *ScopeError", tt.in, sc, err)
			continue
		}
		if sc != nil {
			t.Errorf("ParseScope(%q) returned scope %q with the error; want nil", tt.in, sc)
		}
		if se.Offset != tt.offset || se.Element != tt.element || se.Char != tt.char {
			t.Errorf("ParseScope(%q) error = {Offset %d, Element %q, Char %q}; want {%d, %q, %q}",
				tt.in, se.Offset, se.Element, se.Char, tt.offset, tt.element, tt.char)
		}
		if !strings.HasPrefix(tt.in[se.Offset:], string(tt.char)) {
			t.Errorf("ParseScope(%q): Offset %d does not point at %q", tt.in, se.Offset, tt.char)
		}
	}
}

func TestScopeErrorMessage(t *testing.T) {
	_, err := config.ParseScope(`read wr"ite`)
	if err == nil {
		t.Fatal("ParseScope accepted a double quote")
	}
	if got, want := err.Error(), `scope element "wr\"ite" contains '"', which is not a scope character`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestScopeElementsKeepsOrderAndDuplicates(t *testing.T) {
	got, err := config.ScopeElements(" b a  b ")
	if want := []string{"b", "a", "b"}; err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("ScopeElements = %q, %v; want %q", got, err, want)
	}
}

func TestIsScopeChar(t *testing.T) {
	tests := []struct {
		c    rune
		want bool
	}{
		{'!', true}, {'#', true}, {'[', true}, {']', true}, {'~', true}, {'a', true}, {'*', true},
		{' ', false}, {'"', false}, {'\\', false}, {'\t', false}, {0x7f, false}, {'é', false}, {0, false},
	}
	for _, tt := range tests {
		if got := config.IsScopeChar(tt.c); got != tt.want {
			t.Errorf("IsScopeChar(%q) = %v, want %v", tt.c, got, tt.want)
		}
	}
}

func TestNewScopeDoesNotModifyArgument(t *testing.T) {
	in := []string{"c", "a", "c", "b"}
	got := config.NewScope(in...)
	if want := (config.Scope{"a", "b", "c"}); !reflect.DeepEqual(got, want) {
		t.Errorf("NewScope = %q, want %q", got, want)
	}
	if want := []string{"c", "a", "c", "b"}; !reflect.DeepEqual(in, want) {
		t.Errorf("NewScope modified its argument: %q, want %q", in, want)
	}
}

func TestScopeContains(t *testing.T) {
	sc := config.NewScope("read", "write", "push.*", "admin")
	tests := []struct {
		elem string
		want bool
	}{
		{"read", true}, {"write", true}, {"admin", true}, {"push.*", true},
		{"push.x", false}, // Contains is literal, no wildcards
		{"rea", false}, {"reads", false}, {"", false}, {"zzz", false}, {"a", false},
	}
	for _, tt := range tests {
		if got := sc.Contains(tt.elem); got != tt.want {
			t.Errorf("%q.Contains(%q) = %v, want %v", sc, tt.elem, got, tt.want)
		}
	}
	if config.Scope(nil).Contains("") {
		t.Error("empty scope Contains(\"\") = true")
	}
}

func TestScopeDifference(t *testing.T) {
	tests := []struct {
		a, b string
		want []string
	}{
		{"a b c", "b", []string{"a", "c"}},
		{"a b c", "a b c d", nil},
		{"a b", "", []string{"a", "b"}},
		{"", "a", nil},
		{"x.* y", "x.a", []string{"x.*", "y"}}, // literal, not by pattern
	}
	for _, tt := range tests {
		a, _ := config.ParseScope(tt.a)
		b, _ := config.ParseScope(tt.b)
		got := a.Difference(b)
		if len(got) != len(tt.want) || (len(got) > 0 && !reflect.DeepEqual([]string(got), tt.want)) {
			t.Errorf("%q.Difference(%q) = %q, want %q", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestMatchElement(t *testing.T) {
	tests := []struct {
		pattern, elem string
		want          bool
	}{
		{"*", "anything", true},
		{"*", "", true},
		{"*", "*", true},
		{"push.application.*", "push.application.com.example", true},
		{"push.application.*", "push.application.com.example.bank", true},
		{"push.application.*", "push.application.", true},
		{"push.application.*", "push.applicationX", false},
		{"push.application.*", "push.application", false},
		{"push.application.*", "xpush.application.a", false},
		{"a*b*c", "abc", true},
		{"a*b*c", "aXbYc", true},
		{"a*b*c", "aXXbYYbZZc", true},
		{"a*b*c", "acb", false},
		{"a*b*c", "abcX", false},
		{"a*b*c", "ab", false},
		{"a*b*c", "ac", false},
		{"a*b*c", "abbc", true},
		{"a*b*bc", "abc", false}, // "b" and "bc" may not share the "b"
		{"a*b*bc", "abbc", true},
		{"a*a", "a", false}, // prefix and suffix may not overlap
		{"a*a", "aa", true},
		{"a*a", "aba", true},
		{"ab*ba", "aba", false},
		{"ab*ba", "abba", true},
		{"*suffix", "suffix", true},
		{"*suffix", "my.suffix", true},
		{"*suffix", "suffix.x", false},
		{"*suffix", "uffix", false},
		{"prefix*", "prefix", true},
		{"prefix*", "prefix.more", true},
		{"prefix*", "prefi", false},
		{"prefix*", "xprefix", false},
		{"*mid*", "mid", true},
		{"*mid*", "a.mid.b", true},
		{"*mid*", "mi.d", false},
		{"**", "", true},
		{"a**b", "ab", true},
		{"read", "read", true},
		{"read", "reads", false},
		{"read", "rea", false},
		{"read", "READ", false},
		{"read.x", "read*x", false},
		{"", "", true},
		{"", "a", false},
	}
	for _, tt := range tests {
		if got := config.MatchElement(tt.pattern, tt.elem); got != tt.want {
			t.Errorf("MatchElement(%q, %q) = %v, want %v", tt.pattern, tt.elem, got, tt.want)
		}
	}
}

func TestScopeAllows(t *testing.T) {
	allowed := config.NewScope("read", "push.application.*", "*admin")
	tests := []struct {
		elem string
		want bool
	}{
		{"read", true},
		{"push.application.com.example", true},
		{"push.applicationX", false},
		{"super.admin", true},
		{"administrator", false},
		{"write", false},
	}
	for _, tt := range tests {
		if got := allowed.Allows(tt.elem); got != tt.want {
			t.Errorf("%q.Allows(%q) = %v, want %v", allowed, tt.elem, got, tt.want)
		}
	}
	if config.Scope(nil).Allows("read") {
		t.Error("empty scope allows \"read\"")
	}
	if !config.NewScope("*").Allows("whatever.you.like") {
		t.Error(`scope "*" does not allow "whatever.you.like"`)
	}
}
