package client

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/api"
)

// SetAppState enables an application, or disables it with message for its
// users ("" for the server's default reason); it returns the application
// with its new state, its strings Printable. It needs the operator scope.
func (c *Client) SetAppState(ctx context.Context, key config.AppKey, enabled bool, message string) (api.Application, error) {
	body, err := json.Marshal(api.AppState{Enabled: &enabled, Message: message})
	if err != nil {
		return api.Application{}, err
	}
	var out api.Application
	_, err = c.doJSON(ctx, "PUT", api.StatePath(c.appPath(key)), http.Header{"Content-Type": {"application/json"}}, body, &out)
	return printableApp(out), err
}
