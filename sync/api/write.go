package api

import (
	"encoding/json"
	"net/http"
)

// WriteJSON answers status with v as JSON, as every answer of scoped and
// of the resource-server library is written: HTML characters unescaped, so
// that messages read as written. An error writing means the client went
// away; there is nobody left to tell.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v) //nolint:errcheck // the client went away
}
