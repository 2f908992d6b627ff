package authz

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/scopectl/scopectl/config"
)

func hashOf(t testing.TB, pw string, cost int) string {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(pw), cost)
	if err != nil {
		t.Fatal(err)
	}
	return string(h)
}

func TestLoadUsers(t *testing.T) {
	alice := hashOf(t, "secret", bcrypt.MinCost)
	bob := hashOf(t, "hunter2", bcrypt.MinCost)
	costly := hashOf(t, "hunter2", bcrypt.MinCost+1)
	tests := []struct {
		name    string
		content string
		wantErr string // "" for none
	}{
		{"htpasswd lines, comments, blank lines and CRLF", "# users\r\nalice:" + alice + "\r\n\n  \nbob:" + bob + "  \n", ""},
		{"an empty file", "", ""},
		{"a line without a colon", "alice:" + alice + "\nbob " + bob + "\n", `users.txt:2: not "user:hash"`},
		{"an empty user name", ":" + alice + "\n", "users.txt:1: the user name must be non-empty"},
		{"a user name with a space", "al ice:" + alice + "\n", "users.txt:1: the user name must be non-empty, without spaces"},
		{"an MD5 (apr1) hash", "alice:$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/\n", `users.txt:1: unsupported hash for user "alice": only bcrypt`},
		{"a SHA-1 hash", "alice:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n", `users.txt:1: unsupported hash for user "alice"`},
		{"a plain password", "alice:secret\n", `users.txt:1: unsupported hash for user "alice"`},
		{"a truncated bcrypt hash", "alice:" + alice[:40] + "\n", `users.txt:1: malformed bcrypt hash for user "alice"`},
		{"a user twice", "alice:" + alice + "\nbob:" + bob + "\nalice:" + bob + "\n", `users.txt:3: user "alice" appears twice`},
		{"two costs", "alice:" + alice + "\nbob:" + costly + "\n", `users.txt:2: user "bob" has a hash of bcrypt cost 5, the users before it 4; hash every password at one cost`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "users.txt")
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := LoadUsers(path)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("LoadUsers: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.HasPrefix(err.Error(), filepath.Dir(path)+"/"+tt.wantErr)):
				t.Fatalf("LoadUsers: %v, want %q", err, tt.wantErr)
			case err != nil && config.ErrorKind(err) != config.KindInvalid:
				t.Errorf("kind %s, want invalid", config.ErrorKind(err))
			case err != nil && strings.Contains(err.Error(), alice[7:]):
				t.Errorf("the error quotes a hash: %v", err)
			}
		})
	}
}

func TestLoadUsersMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "none.txt")
	if _, err := LoadUsers(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("LoadUsers of a missing file: %v, want an error naming it", err)
	}
}

func TestUsersAuthenticate(t *testing.T) {
	content := "alice:" + hashOf(t, "secret", bcrypt.MinCost+1) + "\nbob:" + hashOf(t, "hunter2", bcrypt.MinCost+1) + "\n"
	users, err := parseUsers("users.txt", strings.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		user, password string
		want           bool
	}{
		{"alice", "secret", true},
		{"bob", "hunter2", true},
		{"alice", "hunter2", false},
		{"alice", "", false},
		{"mallory", "secret", false},
		{"", "", false},
	} {
		if got, _ := users.Authenticate(context.Background(), tt.user, tt.password); got != tt.want {
			t.Errorf("Authenticate(%q, %q) = %v, want %v", tt.user, tt.password, got, tt.want)
		}
	}
	// An unknown user is compared with a hash as costly as the users'.
	if cost, err := bcrypt.Cost(users.dummy); err != nil || cost != bcrypt.MinCost+1 {
		t.Errorf("the dummy hash has cost %d (%v), want %d", cost, err, bcrypt.MinCost+1)
	}
}
