package server

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/api"
)

// writeError answers with the status of err's kind and a JSON body with
// its details; a stale answer names the current revision in its ETag too,
// a 401 or 403 its WWW-Authenticate challenge.
// Internal causes are logged (repeated ones rate-limited), never sent.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	kind := config.ErrorKind(err)
	body := api.Error{Error: kind, Message: err.Error()}
	var e *config.Error
	if errors.As(err, &e) {
		body.Details = e.Details
	}
	var ch *challengeError
	if errors.As(err, &ch) {
		w.Header().Set("WWW-Authenticate", ch.challenge)
	}
	if current, ok := config.CurrentRevision(err); ok && current > 0 {
		w.Header().Set("ETag", api.ETag(current))
	}
	if kind == config.KindInternal {
		s.errLog.error(r.Context(), "internal error", err, "method", r.Method, "path", r.URL.Path)
		body.Message = "internal server error"
		body.Details = nil
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
