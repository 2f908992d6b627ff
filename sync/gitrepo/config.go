package gitrepo

import (
	"os/exec"
	"strings"
)

// Config runs git config with args (in the current directory) and returns
// what it printed, or "" when git is missing or fails.
func Config(args ...string) string {
	out, err := exec.Command("git", append([]string{"config"}, args...)...).Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}
