package workspace_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/workspace"
)

func TestProfilesRoundTripAndResolve(t *testing.T) {
	path := filepath.Join(t.TempDir(), "servers.json")
	p, err := workspace.LoadProfiles(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := p.Resolve(""); got != workspace.LocalProfile {
		t.Errorf("default is %+v, want the built-in local profile", got)
	}
	if err := p.Add(workspace.Profile{Name: "prod", URL: "https://x.example/", Runtime: "mfp", Login: "ci", Password: "pw"}); err != nil {
		t.Fatal(err)
	}
	if err := p.SetDefault("prod"); err != nil {
		t.Fatal(err)
	}
	if err := p.Save(path); err != nil {
		t.Fatal(err)
	}
	loaded, err := workspace.LoadProfiles(path)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := loaded.Resolve("")
	if got.Name != "prod" || got.URL != "https://x.example" || got.Password != "pw" {
		t.Errorf("resolved %+v", got)
	}
	if u, _ := loaded.Resolve("http://127.0.0.1:9/"); u.URL != "http://127.0.0.1:9" || u.Runtime != "mfp" || u.Password != "" {
		t.Errorf("URL as server: %+v", u)
	}
	if _, err := loaded.Resolve("nope"); config.ErrorKind(err) != config.KindNotFound {
		t.Errorf("unknown name: %v", err)
	}
	if len(loaded.All()) != 2 {
		t.Errorf("All: %+v", loaded.All())
	}
	os.Chmod(path, 0o644)
	loaded.Save(path)
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o600 {
		t.Errorf("mode %v after save, want 0600", info.Mode().Perm())
	}
}

func TestProfilesFileErrors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "servers.json")
	os.WriteFile(path, []byte("{not json"), 0o600)
	if _, err := workspace.LoadProfiles(path); config.ErrorKind(err) != config.KindInvalid {
		t.Errorf("corrupt file: %v", err)
	}
}
