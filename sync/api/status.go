package api

import (
	"net/http"

	"github.com/scopectl/scopectl/config"
)

// Status is the one table from error kinds to HTTP statuses: the server
// answers with it, and the client reads answers back through KindOf.
var Status = map[config.Kind]int{
	config.KindInvalid:      http.StatusBadRequest,
	config.KindNotFound:     http.StatusNotFound,
	config.KindConflict:     http.StatusConflict,
	config.KindStale:        http.StatusPreconditionFailed,
	config.KindUnauthorized: http.StatusUnauthorized,
	config.KindForbidden:    http.StatusForbidden,
	config.KindTooLarge:     http.StatusRequestEntityTooLarge,
	config.KindUnsupported:  http.StatusUnsupportedMediaType,
	config.KindMethod:       http.StatusMethodNotAllowed,
	config.KindUnavailable:  http.StatusServiceUnavailable,
	config.KindInternal:     http.StatusInternalServerError,
}

// KindOf returns the error kind of an HTTP status, by Status read
// backwards; statuses not in the table are unavailable (429, other 5xx)
// or internal.
func KindOf(status int) config.Kind {
	for kind, s := range Status {
		if s == status {
			return kind
		}
	}
	if status == http.StatusTooManyRequests || status >= 500 {
		return config.KindUnavailable
	}
	return config.KindInternal
}
