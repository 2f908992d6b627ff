package server

import (
	"net/http"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/admin"
	"github.com/scopectl/scopectl/sync/api"
	"github.com/scopectl/scopectl/sync/store"
)

// handleSetState enables or disables an application (the console's
// remote disable) through admin.Service.SetAppState: 200 with the
// application and its new state. The mobile runtime of this process
// obeys at its next request, the others within authz.DescriptorTTL.
func (s *Server) handleSetState(w http.ResponseWriter, r *http.Request) {
	key, err := appKeyOf(r)
	var state store.AppState
	if err == nil {
		state, err = decodeAppState(r)
	}
	var head store.Revision
	if err == nil {
		head, err = s.svc.SetAppState(r.Context(), r.PathValue("runtime"), key, state)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, admin.Application(head))
}

// decodeAppState reads an api.AppState, strictly: enabled is required.
func decodeAppState(r *http.Request) (store.AppState, error) {
	var req api.AppState
	if err := decodeMobileBody(r, &req); err != nil {
		return store.AppState{}, err
	}
	if req.Enabled == nil {
		return store.AppState{}, config.Errorf(config.KindInvalid, `the body must be {"enabled": true} or {"enabled": false, "message": "..."}`)
	}
	return store.AppState{Disabled: !*req.Enabled, Message: req.Message}, nil
}
