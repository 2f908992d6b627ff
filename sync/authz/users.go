package authz

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode"

	"golang.org/x/crypto/bcrypt"

	"github.com/scopectl/scopectl/config"
)

// UserRegistry checks the credentials that the UserLogin check receives.
type UserRegistry interface {
	// Authenticate reports whether password is username's. An unknown
	// user is false, and costs as much time as a wrong password.
	Authenticate(ctx context.Context, username, password string) (bool, error)
	// Exists reports whether username is registered: a remembered login
	// ends when its user is removed.
	Exists(ctx context.Context, username string) (bool, error)
}

// Users is a user registry read from a file of "user:hash" lines, as
// htpasswd writes them with bcrypt (-B). Blank lines and lines starting
// with '#' are ignored.
type Users struct {
	hashes map[string][]byte
	dummy  []byte // the hash an unknown user is compared with
}

// bcryptPrefixes are the hash versions Users accepts (bcrypt only).
var bcryptPrefixes = []string{"$2a$", "$2b$", "$2y$"}

// LoadUsers reads the user registry at path. A line that is not
// "user:bcrypt-hash", or names a user twice, is a KindInvalid error
// "path:line: why" (the hash itself is never quoted).
func LoadUsers(path string) (*Users, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &config.Error{Kind: config.KindInvalid, Message: "cannot read the user registry " + path, Err: err}
	}
	defer f.Close()
	return parseUsers(path, f)
}

func parseUsers(name string, r io.Reader) (*Users, error) {
	u := &Users{hashes: map[string][]byte{}}
	cost := 0
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		user, hash, err := parseUserLine(sc.Text())
		if err == nil && u.hashes[user] != nil {
			err = fmt.Errorf("user %q appears twice", user)
		}
		if err != nil {
			return nil, config.Errorf(config.KindInvalid, "%s:%d: %v", name, line, err)
		}
		if user == "" {
			continue
		}
		c, _ := bcrypt.Cost(hash) // parseUserLine checked it
		if cost != 0 && c != cost {
			return nil, config.Errorf(config.KindInvalid, "%s:%d: user %q has a hash of bcrypt cost %d, the users before it %d; hash every password at one cost (a cheaper hash would tell its user apart by time)", name, line, user, c, cost)
		}
		u.hashes[user], cost = hash, c
	}
	if err := sc.Err(); err != nil {
		return nil, &config.Error{Kind: config.KindInvalid, Message: fmt.Sprintf("%s:%d: cannot read the line", name, line+1), Err: err}
	}
	if err := u.makeDummy(cost); err != nil {
		return nil, err
	}
	return u, nil
}

// parseUserLine returns the user and hash of one line; user is "" for a
// blank or comment line.
func parseUserLine(text string) (user string, hash []byte, err error) {
	text = strings.TrimRight(text, " \t\r")
	if strings.TrimSpace(text) == "" || strings.HasPrefix(text, "#") {
		return "", nil, nil
	}
	user, h, ok := strings.Cut(text, ":")
	switch {
	case !ok:
		return "", nil, errors.New(`not "user:hash"`)
	case user == "" || strings.ContainsFunc(user, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }):
		return "", nil, errors.New("the user name must be non-empty, without spaces or control characters")
	case !hasBcryptPrefix(h):
		return "", nil, fmt.Errorf("unsupported hash for user %q: only bcrypt ($2a$, $2b$, $2y$) is accepted", user)
	}
	if _, err := bcrypt.Cost([]byte(h)); err != nil {
		return "", nil, fmt.Errorf("malformed bcrypt hash for user %q", user)
	}
	return user, []byte(h), nil
}

func hasBcryptPrefix(h string) bool {
	for _, p := range bcryptPrefixes {
		if strings.HasPrefix(h, p) {
			return true
		}
	}
	return false
}

// makeDummy makes the hash unknown users are compared with, at the cost
// of the registry (one for all its users; bcrypt.DefaultCost when it is
// empty), so that they cost as much as a wrong password.
func (u *Users) makeDummy(cost int) error {
	if cost == 0 {
		cost = bcrypt.DefaultCost
	}
	h, err := bcrypt.GenerateFromPassword([]byte("no user has this password"), cost)
	if err != nil {
		return &config.Error{Kind: config.KindInternal, Message: "cannot prepare the user registry", Err: err}
	}
	u.dummy = h
	return nil
}

// Authenticate reports whether password is username's, through one bcrypt
// comparison whether or not the user exists.
func (u *Users) Authenticate(_ context.Context, username, password string) (bool, error) {
	hash, known := u.hashes[username]
	if !known {
		hash = u.dummy
	}
	err := bcrypt.CompareHashAndPassword(hash, []byte(password))
	return known && err == nil, nil
}

// Exists reports whether username is in the registry.
func (u *Users) Exists(_ context.Context, username string) (bool, error) {
	_, ok := u.hashes[username]
	return ok, nil
}
