// Package exitcode is the one table of process exit statuses shared by
// scopectl and scoped, so that a script reads both binaries the same way.
//
//	0  success (for a check: nothing found)
//	1  a check failed (invalid, different, not canonical, rejected) or an
//	   unexpected failure
//	2  usage or input error (bad flag or argument, unreadable file, bad
//	   configuration)
//	3  a server or store is unreachable, or credentials were refused
//	4  conflict (local edits a pull would overwrite, changes a push would
//	   lose, a stale precondition, a store a newer scoped migrated)
package exitcode

import (
	"errors"
	"fmt"

	"github.com/scopectl/scopectl/config"
)

// The exit statuses.
const (
	OK          = 0
	Failed      = 1
	Usage       = 2
	Unavailable = 3
	Conflict    = 4
)

// Error is an error that carries its exit status. An empty message means
// the command has already said everything.
type Error struct {
	Code int
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

// Errorf returns an *Error with status code and a formatted message.
func Errorf(code int, format string, args ...any) error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...)}
}

// Of maps an error to its exit status: the status of an *Error in its
// chain, else the status of its config.Kind.
func Of(err error) int {
	if err == nil {
		return OK
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ForKind(config.ErrorKind(err))
}

// ForKind is the table from error kinds to exit statuses.
func ForKind(k config.Kind) int {
	switch k {
	case "":
		return OK
	case config.KindInvalid, config.KindNotFound, config.KindTooLarge, config.KindUnsupported, config.KindMethod:
		return Usage
	case config.KindUnavailable, config.KindUnauthorized, config.KindForbidden:
		return Unavailable
	case config.KindConflict, config.KindStale:
		return Conflict
	}
	return Failed
}
