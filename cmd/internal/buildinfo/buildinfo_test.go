package buildinfo

import (
	"strings"
	"testing"
)

func TestString(t *testing.T) {
	for _, tc := range []struct {
		in   Info
		want string
	}{
		{Info{Version: "(devel)"}, "(devel)"},
		{Info{Version: "v1.2.0", Commit: "0123456789abcdef0123", Go: "go1.26.0"}, "v1.2.0 (commit 0123456789ab, go1.26.0)"},
		{Info{Version: "v1.2.0", Commit: "abc", Modified: true}, "v1.2.0 (commit abc, modified)"},
	} {
		if got := tc.in.String(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestRead(t *testing.T) {
	info := Read("")
	if info.Version == "" || !strings.HasPrefix(info.Go, "go") {
		t.Errorf("Read: %+v", info)
	}
	if got := Read("v9.9.9").Version; got != "v9.9.9" {
		t.Errorf("link-time version ignored: %q", got)
	}
}
