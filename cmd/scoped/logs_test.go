package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestJSONLogs: with --log-format json every log line is a JSON object,
// requests are logged with their status, and no secret or token appears.
func TestJSONLogs(t *testing.T) {
	t.Parallel()
	p := launch(t, "scoped", baseEnv("SCOPED_ADMIN_SECRET=json-logs-secret"),
		"--addr", "127.0.0.1:0", "--db", keyedSQLite(t), "--log-format", "json")
	line, err := p.stderr.waitFor(`"msg":"listening"`, p.exited, startTimeout)
	if err != nil {
		t.Fatalf("no JSON listening line: %v\n%s", err, p.stderr.tail(20))
	}
	var listening struct{ URL string }
	if err := json.Unmarshal([]byte(line), &listening); err != nil || !strings.HasPrefix(listening.URL, "http://127.0.0.1:") {
		t.Fatalf("listening line %q: %v", line, err)
	}
	c := newClient(t)
	token := mustToken(t, c, listening.URL, "admin", "json-logs-secret")
	p.stop(t)

	logs := p.stderr.String()
	for _, secret := range []string{"json-logs-secret", token} {
		if strings.Contains(logs, secret) {
			t.Fatal("a secret or a token is in the logs")
		}
	}
	requests := 0
	for _, l := range strings.Split(strings.TrimSpace(logs), "\n") {
		var entry map[string]any
		if err := json.Unmarshal([]byte(l), &entry); err != nil {
			t.Fatalf("log line is not JSON: %q", l)
		}
		if entry["msg"] == "request" && entry["status"] == float64(200) && entry["path"] == "/mfp/api/az/v1/token" {
			requests++
		}
	}
	if requests != 1 {
		t.Errorf("%d JSON request lines for the token request, want 1:\n%s", requests, logs)
	}
}
