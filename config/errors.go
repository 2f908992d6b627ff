package config

import (
	"errors"
	"fmt"
)

// Kind classifies an Error so that callers can map it to an exit code or an
// HTTP status without parsing messages.
type Kind string

// The kinds of Error. Every layer of the program uses these and only these.
const (
	KindInvalid      Kind = "invalid"            // the input is malformed or breaks a rule
	KindNotFound     Kind = "not_found"          // the thing asked for does not exist
	KindConflict     Kind = "conflict"           // the request contradicts the current state
	KindStale        Kind = "stale"              // a precondition (If-Match) failed: someone changed it first
	KindUnauthorized Kind = "unauthorized"       // no or bad credentials
	KindForbidden    Kind = "forbidden"          // credentials lack a required scope
	KindTooLarge     Kind = "too_large"          // input exceeds a size limit
	KindUnsupported  Kind = "unsupported"        // the input has a media type that is not accepted
	KindMethod       Kind = "method_not_allowed" // the resource does not answer this method
	KindUnavailable  Kind = "unavailable"        // a server could not be reached
	KindInternal     Kind = "internal"           // a bug or an unexpected failure
)

// Error is the application error: a machine-readable Kind, the operation that
// failed, a message fit for users, and the internal cause (never shown to
// users, kept for logs and errors.Is/As).
type Error struct {
	Kind    Kind
	Op      string
	Message string
	Err     error
	// Details are structured facts for the "details" of an error answer
	// body: validation findings, or the StaleDetails of a KindStale error.
	Details any
}

// Error returns the user message, prefixed by the operation when there is one.
func (e *Error) Error() string {
	msg := e.Message
	if msg == "" && e.Err != nil {
		msg = e.Err.Error()
	}
	if e.Op == "" {
		return msg
	}
	return e.Op + ": " + msg
}

// Unwrap returns the internal cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error of the given kind with a formatted user message.
func Errorf(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// ErrorKind returns the Kind of the first *Error in err's chain, KindInternal
// for any other non-nil error, and "" for nil.
func ErrorKind(err error) Kind {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) && e != nil {
		return e.Kind
	}
	return KindInternal
}

// StaleDetails are the Details of a KindStale error: the revision the
// failed precondition met, 0 when the application does not exist.
type StaleDetails struct {
	CurrentRevision int64 `json:"currentRevision"`
}

// CurrentRevision returns the current revision that a KindStale error in
// err's chain carries, and false when err is not stale.
func CurrentRevision(err error) (int64, bool) {
	var e *Error
	if !errors.As(err, &e) || e == nil || e.Kind != KindStale {
		return 0, false
	}
	d, _ := e.Details.(StaleDetails)
	return d.CurrentRevision, true
}
