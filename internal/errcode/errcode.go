// Package errcode names the kind of a failure with the stable short codes
// the Lua module returns as its third result and scripts test: "not-found",
// "exists", "auth", "timeout", ...
package errcode

import (
	"context"
	"errors"
	"net"
	"os"

	"github.com/omapish/omapish/internal/policy"
	"github.com/omapish/omapish/omapi"
)

// Of returns the code of err: "not-found", "exists", "multiple",
// "key-conflict", "not-implemented", "server" (any other status), "auth",
// "timeout", "canceled", "io", "protocol", "refused" (the write policy
// would not send it); "" for nil. A call on a connection broken by an
// earlier failure is "io", whatever broke it: the earlier call already
// reported the cause.
func Of(err error) string {
	if err == nil {
		return ""
	}
	if se, ok := err.(*omapi.StatusError); ok {
		return status(se.Result) // the common case, without walking a chain
	}
	var (
		se *omapi.StatusError
		ae *omapi.AttrError
		pe omapi.ProtocolError
		ne net.Error
	)
	switch {
	case errors.Is(err, omapi.ErrBroken), errors.Is(err, omapi.ErrClosed):
		return "io"
	case errors.Is(err, policy.ErrRefused):
		return "refused"
	case errors.Is(err, omapi.ErrAuth):
		return "auth"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded),
		errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, omapi.ResultNotFound):
		return "not-found"
	case errors.As(err, &ae) && ae.Msg == "":
		// A missing attribute: pypureomapi's OmapiErrorAttributeNotFound
		// is an OmapiErrorNotFound.
		return "not-found"
	case errors.As(err, &se):
		return status(se.Result)
	case errors.As(err, &pe), errors.Is(err, omapi.ErrBadRequest):
		return "protocol"
	}
	return "io"
}

// status is the code of a STATUS reply's result.
func status(r omapi.Result) string {
	switch r {
	case omapi.ResultNotFound:
		return "not-found"
	case omapi.ResultExists:
		return "exists"
	case omapi.ResultMultiple:
		return "multiple"
	case omapi.ResultKeyConflict:
		return "key-conflict"
	case omapi.ResultNotImplemented:
		return "not-implemented"
	case omapi.ResultNoKeys, omapi.ResultInvalidKey:
		return "auth"
	}
	return "server"
}
