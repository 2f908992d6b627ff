package main

import (
	"net"
	"os"
	"strings"
	"testing"
)

// TestMainErrorMessages: golden file of what users read when a sync
// command fails; server addresses are replaced by SERVER.
func TestMainErrorMessages(t *testing.T) {
	url := project(t)
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := "http://" + ln.Addr().String()
	ln.Close()
	var out strings.Builder
	record := func(name string, r result) {
		msg := strings.ReplaceAll(r.stdout+r.stderr, url, "SERVER")
		msg = strings.ReplaceAll(msg, closed, "CLOSED")
		msg = strings.ReplaceAll(msg, strings.Replace(url, "http://", "https://", 1), "TLS-SERVER")
		out.WriteString("## " + name + " (exit " + string(rune('0'+r.code)) + ")\n" + msg + "\n")
	}
	record("pull, nothing named", scopectl(t, "app", "pull"))
	scopectl(t, "app", "pull", "--all").wantCode(t, exitOK)
	record("pull keeps local edits", func() result {
		edit(t, bankFile, `"maxTokenExpiration": 3600`, `"maxTokenExpiration": 60`)
		defer scopectl(t, "app", "pull", "--force", "--all")
		return scopectl(t, "app", "pull", "--all")
	}())
	edit(t, bankFile, `"maxTokenExpiration": 3600`, `"maxTokenExpiraton": 60`)
	record("push of an invalid descriptor", scopectl(t, "app", "push"))
	scopectl(t, "app", "pull", "--force", "--all").wantCode(t, exitOK)
	record("unreachable server", scopectl(t, "app", "pull", "--all", "--server", closed))
	record("TLS to a plain HTTP server", scopectl(t, "app", "pull", "--all", "--server", strings.Replace(url, "http://", "https://", 1)))
	t.Setenv("SCOPECTL_PASSWORD", "wrong")
	record("bad credentials", scopectl(t, "app", "pull", "--all"))
	t.Setenv("SCOPECTL_PASSWORD", "admin-secret")
	os.Remove(".scopectl/base") // no base: a push cannot know what the copy was based on
	os.RemoveAll(".scopectl")
	edit(t, bankFile, `"maxTokenExpiration": 3600`, `"maxTokenExpiration": 60`)
	record("push without a base", scopectl(t, "app", "push", bankFile))
	golden(t, "errors.txt", out.String())
}
