package resource

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/api"
)

// maxMetadata bounds the metadata answer read.
const maxMetadata = 64 << 10

// Discover reads the authorization-server metadata (RFC 8414) of runtime
// at the scoped reached at baseURL, and returns its issuer: the iss of its
// tokens and the aud of client assertions, which may name another address
// than baseURL (scoped --issuer). The answer is treated as hostile: at most
// 64 KiB, and the issuer must be an http(s) URL of the runtime. Every
// failure is a KindUnavailable error.
func Discover(ctx context.Context, hc *http.Client, baseURL, runtime string) (string, error) {
	base := strings.TrimSuffix(baseURL, "/")
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+api.MetadataPath(runtime), nil)
	if err != nil {
		return "", err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return "", &config.Error{Kind: config.KindUnavailable, Message: "cannot reach " + base, Err: err}
	}
	defer resp.Body.Close()
	var m api.Metadata
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxMetadata+1))
	if err != nil || resp.StatusCode != http.StatusOK || len(body) > maxMetadata || json.Unmarshal(body, &m) != nil {
		return "", config.Errorf(config.KindUnavailable, "%s answered no authorization-server metadata for runtime %s (status %d)", base, runtime, resp.StatusCode)
	}
	u, err := url.Parse(m.Issuer)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || !strings.HasSuffix(u.Path, api.AuthzPath(runtime)) {
		return "", config.Errorf(config.KindUnavailable, "%s published an issuer that is not an http(s) URL of runtime %s", base, runtime)
	}
	return m.Issuer, nil
}
