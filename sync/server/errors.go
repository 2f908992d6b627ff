package server

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/api"
)

// writeError answers with the status of err and a JSON body with its
// details, and the headers that go with err (errorHeaders).
// Internal causes are logged (repeated ones rate-limited), never sent.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	kind := config.ErrorKind(err)
	body := api.Error{Error: kind, Message: err.Error()}
	var e *config.Error
	if errors.As(err, &e) {
		body.Details = e.Details
	}
	if kind == config.KindInternal {
		s.errLog.error(r.Context(), "internal error", err, "method", r.Method, "path", r.URL.Path)
		body.Message = "internal server error"
		body.Details = nil
	}
	writeJSON(w, errorHeaders(w, err), body)
}

// errorHeaders sets the headers of an error answer, whatever its body
// (the admin API's or the token endpoint's), and returns its status: the
// status of err's kind by api.Status, except 429 Too Many Requests for an
// attempt over its failure budget. A 401 or 403 carries its
// WWW-Authenticate challenge, a 429 the wait in Retry-After, a stale
// answer the current revision in its ETag.
func errorHeaders(w http.ResponseWriter, err error) int {
	var ch *challengeError
	if errors.As(err, &ch) {
		w.Header().Set("WWW-Authenticate", ch.challenge)
	}
	if current, ok := config.CurrentRevision(err); ok && current > 0 {
		w.Header().Set("ETag", api.ETag(current))
	}
	var th *throttledError
	if errors.As(err, &th) {
		w.Header().Set("Retry-After", strconv.Itoa(th.retryAfter))
		return http.StatusTooManyRequests
	}
	return api.Status[config.ErrorKind(err)]
}

func writeJSON(w http.ResponseWriter, status int, v any) { api.WriteJSON(w, status, v) }
