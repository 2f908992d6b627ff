package server

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/api"
	"github.com/scopectl/scopectl/sync/store"
)

// detailedError is an application error with structured details for the
// body, such as every validation finding.
type detailedError struct {
	err     *config.Error
	details any
}

func (e *detailedError) Error() string { return e.err.Error() }
func (e *detailedError) Unwrap() error { return e.err }

// writeError answers with the status of err's kind and a JSON body.
// Internal causes are logged (repeated ones rate-limited), never sent.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	kind := config.ErrorKind(err)
	body := api.Error{Error: kind, Message: err.Error()}
	var stale *store.StaleError
	var detailed *detailedError
	switch {
	case errors.As(err, &stale):
		kind = config.KindStale
		body = api.Error{Error: kind, Message: stale.Error(), Details: map[string]int64{"currentRevision": stale.Current}}
		if stale.Current > 0 {
			w.Header().Set("ETag", etag(stale.Current))
		}
	case errors.As(err, &detailed):
		body.Details = detailed.details
	case kind == config.KindInternal:
		s.errLog.error(r.Context(), "internal error", err, "method", r.Method, "path", r.URL.Path)
		body.Message = "internal server error"
	}
	writeJSON(w, api.Status[kind], body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		slog.Debug("write response", "err", err) // the client went away
	}
}
