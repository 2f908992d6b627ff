package exitcode

import (
	"fmt"
	"testing"

	"github.com/scopectl/scopectl/config"
)

func TestOf(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want int
	}{
		{nil, OK},
		{Errorf(Usage, "bad flag"), Usage},
		{fmt.Errorf("wrapped: %w", &Error{Code: Conflict}), Conflict},
		{config.Errorf(config.KindInvalid, "x"), Usage},
		{config.Errorf(config.KindNotFound, "x"), Usage},
		{config.Errorf(config.KindUnavailable, "x"), Unavailable},
		{config.Errorf(config.KindUnauthorized, "x"), Unavailable},
		{config.Errorf(config.KindStale, "x"), Conflict},
		{config.Errorf(config.KindConflict, "x"), Conflict},
		{fmt.Errorf("plain"), Failed},
	} {
		if got := Of(tc.err); got != tc.want {
			t.Errorf("Of(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}
