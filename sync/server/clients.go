package server

import (
	"encoding/json"
	"net/http"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/api"
)

func (s *Server) handleGetClients(w http.ResponseWriter, r *http.Request) {
	clients, err := s.svc.Clients(r.Context(), r.PathValue("runtime"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := api.ClientList{Clients: []api.Client{}}
	for _, c := range clients {
		out.Clients = append(out.Clients, api.Client{ID: c.ID, DisplayName: c.DisplayName, AllowedScope: c.AllowedScope.String()})
	}
	writeJSON(w, http.StatusOK, out)
}

// handlePutClients replaces the whole client list, as MobileFirst does,
// through admin.Service.ReplaceClients, which holds the policy: who may
// grant which scopes, and that nobody is locked out.
func (s *Server) handlePutClients(w http.ResponseWriter, r *http.Request) {
	runtime := r.PathValue("runtime")
	list, err := decodeClientList(r)
	if err == nil {
		err = s.svc.ReplaceClients(r.Context(), runtime, callerOf(r.Context()), list.Clients)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.handleGetClients(w, r)
}

func decodeClientList(r *http.Request) (api.ClientList, error) {
	var list api.ClientList
	body, err := readJSONBody(r, MaxBodySize)
	if err != nil {
		return list, err
	}
	if err := json.Unmarshal(body, &list); err != nil {
		return list, config.Errorf(config.KindInvalid, "the body must be {\"clients\": [...]}: %v", err)
	}
	return list, nil
}
