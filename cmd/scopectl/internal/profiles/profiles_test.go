package profiles_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/scopectl/scopectl/cmd/scopectl/internal/profiles"
	"github.com/scopectl/scopectl/config"
)

func TestProfilesRoundTripAndResolve(t *testing.T) {
	path := filepath.Join(t.TempDir(), "servers.json")
	p, err := profiles.LoadProfiles(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := p.Resolve(""); got != profiles.LocalProfile {
		t.Errorf("default is %+v, want the built-in local profile", got)
	}
	if err := p.Add(profiles.Profile{Name: "prod", URL: "https://x.example/", Runtime: "mfp", Login: "ci", Password: "pw"}); err != nil {
		t.Fatal(err)
	}
	if err := p.SetDefault("prod"); err != nil {
		t.Fatal(err)
	}
	if err := p.Save(path); err != nil {
		t.Fatal(err)
	}
	loaded, err := profiles.LoadProfiles(path)
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
	if _, err := profiles.LoadProfiles(path); config.ErrorKind(err) != config.KindInvalid {
		t.Errorf("corrupt file: %v", err)
	}
}

// TestResolveURLUsesMatchingProfile: --server URL takes the credentials of
// the profile with that URL, loopback names being the same server.
func TestResolveURLUsesMatchingProfile(t *testing.T) {
	p, _ := profiles.LoadProfiles(filepath.Join(t.TempDir(), "servers.json"))
	for _, prof := range []profiles.Profile{
		{Name: "dev", URL: "http://127.0.0.1:9080", Runtime: "mfp", Login: "dev", Password: "a"},
		{Name: "prod", URL: "https://scoped.example.com", Runtime: "prod", Login: "ci", Password: "b"},
		{Name: "prod2", URL: "https://SCOPED.example.com:443/", Runtime: "mfp", Login: "ci2", Password: "c"},
	} {
		if err := p.Add(prof); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct{ url, want string }{
		{"http://127.0.0.1:9080", "dev"},
		{"http://127.0.0.1:9080/", "dev"},
		{"http://localhost:9080", "dev"}, // a stored profile before the built-in local
		{"http://[::1]:9080", "dev"},
		{"http://127.0.0.1:9081", "http://127.0.0.1:9081"}, // another port: no profile
		{"https://scoped.example.com:8443", "https://scoped.example.com:8443"},
	} {
		got, err := p.Resolve(tc.url)
		if err != nil || got.Name != tc.want {
			t.Errorf("%s: resolved %q (%v), want %q", tc.url, got.Name, err, tc.want)
		}
	}
	if _, err := p.Resolve("https://scoped.example.com"); err == nil {
		t.Error("two profiles with one URL: want an error asking for a name")
	}
	p.SetDefault("prod2")
	if got, err := p.Resolve("https://scoped.example.com/"); err != nil || got.Name != "prod2" || got.Password != "c" {
		t.Errorf("the default profile decides: %+v %v", got, err)
	}
	// The built-in local profile serves the README's URL.
	p2, _ := profiles.LoadProfiles(filepath.Join(t.TempDir(), "none.json"))
	if got, err := p2.Resolve("http://127.0.0.1:9080"); err != nil || got.Name != "local" || got.Password != "admin" {
		t.Errorf("local for 127.0.0.1:9080: %+v %v", got, err)
	}
}

func TestInsecure(t *testing.T) {
	for url, want := range map[string]bool{
		"http://scoped.example.com": true, "http://10.0.0.5:9080": true,
		"https://scoped.example.com": false, "http://localhost:9080": false, "http://127.0.0.1:1": false, "http://[::1]:9": false,
	} {
		if got := profiles.Insecure(url); got != want {
			t.Errorf("Insecure(%s) = %v", url, got)
		}
	}
}
