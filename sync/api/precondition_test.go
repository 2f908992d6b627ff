package api_test

import (
	"net/http"
	"testing"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/api"
)

// TestPreconditionHeaderRoundTrip: what the client sends, the server reads
// back as the same precondition, and it holds exactly where it should.
func TestPreconditionHeaderRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		p     api.Precondition
		holds []int64
		fails []int64
	}{
		{api.Any(), []int64{0, 1, 7}, nil},
		{api.Absent(), []int64{0}, []int64{1, 7}},
		{api.Revision(7), []int64{7}, []int64{0, 6, 8}},
	} {
		h := http.Header{}
		tc.p.SetHeader(h)
		got, err := api.ParsePrecondition(h)
		if err != nil || got != tc.p {
			t.Errorf("%s: headers %v read back as %s, %v", tc.p, h, got, err)
		}
		for _, cur := range tc.holds {
			if !tc.p.Holds(cur) {
				t.Errorf("%s does not hold at revision %d", tc.p, cur)
			}
		}
		for _, cur := range tc.fails {
			if tc.p.Holds(cur) {
				t.Errorf("%s holds at revision %d", tc.p, cur)
			}
		}
	}
}

// TestPreconditionRefusals: a precondition this API cannot honour is
// refused as invalid, never ignored.
func TestPreconditionRefusals(t *testing.T) {
	for _, h := range []http.Header{
		{"If-Match": {`W/"3"`}}, {"If-Match": {`"3", "4"`}}, {"If-Match": {"*"}}, {"If-Match": {"3"}},
		{"If-Match": {`"0"`}}, {"If-Match": {`"-2"`}}, {"If-Match": {`"99999999999999999999"`}},
		{"If-None-Match": {`"3"`}},
	} {
		if p, err := api.ParsePrecondition(h); config.ErrorKind(err) != config.KindInvalid {
			t.Errorf("%v read as %s, %v", h, p, err)
		}
	}
}

// TestETag: the one ETag format, read back by the one parser.
func TestETag(t *testing.T) {
	if got := api.ETag(12); got != `"12"` {
		t.Errorf("ETag(12) = %s", got)
	}
	if n, ok := api.ParseETag(api.ETag(12)); !ok || n != 12 {
		t.Errorf("ParseETag: %d %v", n, ok)
	}
	for _, v := range []string{"", `""`, `"1`, `W/"1"`, `"1a"`, `"0"`} {
		if n, ok := api.ParseETag(v); ok {
			t.Errorf("ParseETag(%q) = %d", v, n)
		}
	}
}
