// Package profiles keeps scopectl's server profiles: the named scoped
// servers, their credentials and the default, in the user's servers.json
// (written 0600). Only the scopectl command uses them.
package profiles

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/workspace"
)

// Profile is a named scoped server and the credentials to use with it.
type Profile struct {
	Name     string `json:"-"`
	URL      string `json:"url"`
	Runtime  string `json:"runtime"`
	Login    string `json:"login"`
	Password string `json:"password,omitempty"`
}

// LocalProfile is the built-in profile of a development server started
// with `scoped --dev` on this machine.
var LocalProfile = Profile{Name: "local", URL: "http://localhost:9080", Runtime: "mfp", Login: "admin", Password: "admin"}

// Profiles is the content of the servers file: named profiles and which
// one is used when a command names none. The local profile is built in;
// a stored profile named local replaces it.
type Profiles struct {
	Default string             `json:"default,omitempty"`
	Servers map[string]Profile `json:"servers"`
}

// profileName is compiled on first use: the {0,63} repetition makes a
// program of about 60 KB, which every scopectl command paid at start-up
// (0.2-0.4 ms, GODEBUG=inittrace=1) when it was compiled in init.
var profileName = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
})

// LoadProfiles reads the servers file at path; a missing file holds no
// profiles.
func LoadProfiles(path string) (*Profiles, error) {
	p := &Profiles{Servers: map[string]Profile{}}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return p, nil
	}
	if err != nil {
		return nil, config.Errorf(config.KindInvalid, "read %s: %v", path, err)
	}
	if err := json.Unmarshal(data, p); err != nil {
		return nil, config.Errorf(config.KindInvalid, "%s is not a valid servers file: %v", path, err)
	}
	if p.Servers == nil {
		p.Servers = map[string]Profile{}
	}
	return p, nil
}

// Save writes the servers file atomically, readable by its owner only,
// since it holds secrets.
func (p *Profiles) Save(path string) error {
	data, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("create %s: %w", filepath.Dir(path), err)
	}
	if _, err := os.Stat(path); err == nil {
		if err := os.Chmod(path, 0o600); err != nil {
			return err
		}
	}
	return workspace.WriteFile(path, append(data, '\n'), 0o600)
}

// Add stores a profile under its name, replacing one of the same name.
func (p *Profiles) Add(prof Profile) error {
	if !profileName().MatchString(prof.Name) {
		return config.Errorf(config.KindInvalid, "server name %q: use letters, digits, '.', '_' and '-'", prof.Name)
	}
	if err := checkURL(prof.URL); err != nil {
		return err
	}
	if prof.Runtime == "" || strings.ContainsAny(prof.Runtime, "/ ") {
		return config.Errorf(config.KindInvalid, "runtime %q is not a runtime name", prof.Runtime)
	}
	if prof.Login == "" {
		return config.Errorf(config.KindInvalid, "a login (confidential client id) is required")
	}
	prof.URL = strings.TrimSuffix(prof.URL, "/")
	p.Servers[prof.Name] = prof
	return nil
}

func checkURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return config.Errorf(config.KindInvalid, "server URL %q must be http:// or https:// with a host", redact(raw))
	case u.User != nil:
		return config.Errorf(config.KindInvalid, "server URL %s holds credentials; give them with --login and --password-file (or SCOPECTL_LOGIN and SCOPECTL_PASSWORD) instead", u.Redacted())
	}
	return nil
}

// redact hides a password in a URL that may not parse.
func redact(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Redacted()
	}
	return "(unparsable URL)"
}

// Remove deletes a stored profile; when it was the default, the default
// falls back to local (DefaultName tells).
func (p *Profiles) Remove(name string) error {
	if _, ok := p.Servers[name]; !ok {
		if name == LocalProfile.Name {
			return config.Errorf(config.KindInvalid, "local is built in and cannot be removed")
		}
		return config.Errorf(config.KindNotFound, "no server named %q", name)
	}
	delete(p.Servers, name)
	if p.Default == name {
		p.Default = ""
	}
	return nil
}

// SetDefault makes name the profile used when a command names none.
func (p *Profiles) SetDefault(name string) error {
	if _, err := p.Get(name); err != nil {
		return err
	}
	p.Default = name
	return nil
}

// Get returns the profile called name (local included).
func (p *Profiles) Get(name string) (Profile, error) {
	if prof, ok := p.Servers[name]; ok {
		prof.Name = name
		return prof, nil
	}
	if name == LocalProfile.Name {
		return LocalProfile, nil
	}
	return Profile{}, config.Errorf(config.KindNotFound, "no server named %q; see scopectl server list", name)
}

// DefaultName returns the name of the default profile.
func (p *Profiles) DefaultName() string {
	if p.Default != "" {
		return p.Default
	}
	return LocalProfile.Name
}

// Resolve returns the profile a --server value names: a profile name, or
// a URL; "" means the default profile. A URL is served by the stored
// profile with that URL (the default one if several have it; an error if
// that does not decide), else by the built-in local profile if it is that
// URL, else by a profile of its own with runtime mfp and no credentials.
func (p *Profiles) Resolve(server string) (Profile, error) {
	switch {
	case server == "":
		return p.Get(p.DefaultName())
	case strings.Contains(server, "://"):
		return p.byURL(server)
	}
	return p.Get(server)
}

func (p *Profiles) byURL(raw string) (Profile, error) {
	if err := checkURL(raw); err != nil {
		return Profile{}, err
	}
	var matches []Profile
	for _, prof := range p.All() {
		if _, stored := p.Servers[prof.Name]; stored && SameServer(prof.URL, raw) {
			if prof.Name == p.DefaultName() {
				return prof, nil
			}
			matches = append(matches, prof)
		}
	}
	switch {
	case len(matches) == 1:
		return matches[0], nil
	case len(matches) == 0 && SameServer(LocalProfile.URL, raw):
		if _, replaced := p.Servers[LocalProfile.Name]; !replaced {
			return LocalProfile, nil
		}
		fallthrough
	case len(matches) == 0:
		return Profile{Name: raw, URL: strings.TrimSuffix(raw, "/"), Runtime: LocalProfile.Runtime}, nil
	}
	names := make([]string, len(matches))
	for i, m := range matches {
		names[i] = m.Name
	}
	return Profile{}, config.Errorf(config.KindInvalid, "profiles %s all use %s; name one with --server NAME", strings.Join(names, ", "), redact(raw))
}

// SameServer reports whether two server URLs reach the same server: same
// scheme, port and path, and the same host or two loopback names
// (localhost, 127.0.0.1, ::1).
func SameServer(a, b string) bool {
	ua, errA := url.Parse(strings.TrimSuffix(a, "/"))
	ub, errB := url.Parse(strings.TrimSuffix(b, "/"))
	if errA != nil || errB != nil || !strings.EqualFold(ua.Scheme, ub.Scheme) || ua.Path != ub.Path || port(ua) != port(ub) {
		return false
	}
	return strings.EqualFold(ua.Hostname(), ub.Hostname()) || (IsLoopback(ua.Hostname()) && IsLoopback(ub.Hostname()))
}

// port is a URL's port, the scheme's default when it names none.
func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if strings.EqualFold(u.Scheme, "https") {
		return "443"
	}
	return "80"
}

// IsLoopback reports whether host names this machine: localhost or a
// loopback address.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Insecure reports whether a server URL sends credentials unencrypted
// over a network: http:// to a host other than this machine.
func Insecure(rawURL string) bool {
	u, err := url.Parse(rawURL)
	return err == nil && strings.EqualFold(u.Scheme, "http") && !IsLoopback(u.Hostname())
}

// All returns every profile, local included, ordered by name.
func (p *Profiles) All() []Profile {
	var out []Profile
	for name := range p.Servers {
		prof, _ := p.Get(name)
		out = append(out, prof)
	}
	if _, ok := p.Servers[LocalProfile.Name]; !ok {
		out = append(out, LocalProfile)
	}
	slices.SortFunc(out, func(a, b Profile) int { return strings.Compare(a.Name, b.Name) })
	return out
}
