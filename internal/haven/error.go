package haven

import (
	"errors"
	"fmt"
)

// Application error codes. Every error a service returns carries one of
// these (see ErrorCode); internal/http is the one place that maps them to
// HTTP statuses, ESP response codes and page messages.
const (
	EINVALID      = "invalid"      // the input is wrong; the message says what to fix
	ENOTFOUND     = "not_found"    // no such record (or the actor may not know it exists)
	ECONFLICT     = "conflict"     // the record exists or changed underneath
	EUNAUTHORIZED = "unauthorized" // the caller is not signed in or the credentials are wrong
	EFORBIDDEN    = "forbidden"    // signed in, but not allowed to do this
	ELOCKED       = "locked"       // the account is locked out for a while
	EINTERNAL     = "internal"     // a fault on our side; details go to the log only
)

// Error is an application error: a code for programs and a message a user
// can act on. Messages never contain internal details.
type Error struct {
	Code    string
	Message string
	// Field names the input field at fault, when there is one.
	Field string
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("haven %s: %s: %s", e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("haven %s: %s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code string, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError returns an EINVALID error that names the field at fault.
func FieldError(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err's *Error, or a generic
// message for internal errors (whose details must not reach users).
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// ErrorField returns the field named by err's *Error, if any.
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}
