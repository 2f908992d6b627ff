// Package buildinfo describes the running binary for `version` output:
// its module version and the VCS commit it was built from.
package buildinfo

import (
	"runtime/debug"
	"strings"
)

// Info is what a binary knows of its build.
type Info struct {
	Version  string `json:"version"`            // module version, or "(devel)"
	Commit   string `json:"commit,omitempty"`   // VCS revision, when the build recorded it
	Modified bool   `json:"modified,omitempty"` // built from a working tree with changes
	Go       string `json:"go"`                 // Go toolchain version
}

// Read returns the build information of the running binary; override,
// when not empty, is a version set at link time (-X main.version=...).
func Read(override string) Info {
	info := Info{Version: "(devel)"}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return withOverride(info, override)
	}
	info.Go = bi.GoVersion
	if bi.Main.Version != "" {
		info.Version = bi.Main.Version
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			info.Commit = s.Value
		case "vcs.modified":
			info.Modified = s.Value == "true"
		}
	}
	return withOverride(info, override)
}

func withOverride(info Info, override string) Info {
	if override != "" {
		info.Version = override
	}
	return info
}

// String writes the information in one line: "v1.2.0 (commit 0123abcd,
// modified, go1.26.0)".
func (i Info) String() string {
	var details []string
	if i.Commit != "" {
		details = append(details, "commit "+i.Commit[:min(len(i.Commit), 12)])
	}
	if i.Modified {
		details = append(details, "modified")
	}
	if i.Go != "" {
		details = append(details, i.Go)
	}
	if len(details) == 0 {
		return i.Version
	}
	return i.Version + " (" + strings.Join(details, ", ") + ")"
}
