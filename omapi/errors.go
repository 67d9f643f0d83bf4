package omapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The sentinel errors of the package; match them with errors.Is.
var (
	// ErrClosed is returned by calls on a connection that was closed.
	ErrClosed = errors.New("omapi: connection closed")

	// ErrBroken is matched by errors from calls on a connection that an
	// earlier failure left unusable: the server broke the protocol, closed the
	// connection or fell silent. Such a connection cannot be used again; dial a
	// new one. (A connection out of step after an interrupted request is
	// replaced instead: see ErrOutOfStep.)
	ErrBroken = errors.New("omapi: connection broken by an earlier failure")

	// ErrOutOfStep is matched, with ErrBroken, by the error of a connection
	// whose byte stream fell out of step after an interrupted request: the
	// request was half written when its context ended, or a reply still due to
	// an interrupted request did not come within the timeout, or something
	// else came. A Conn from Dialer.DialContext then opens a new transport at
	// its next request (Reconnects counts them): dhcpd's object handles are
	// the server's and stay valid on it; the key's authenticator, which dhcpd
	// only accepts on a connection that opened it, is opened anew.
	ErrOutOfStep = errors.New("omapi: connection out of step after an interrupted request")

	// ErrAuth is matched (errors.Is) by every authentication failure: a key the
	// server does not know or allow, a wrong secret, a missing key, a reply
	// whose signature does not verify.
	ErrAuth = errors.New("omapi: authentication failed")

	// ErrBadRequest is matched by the error for a request the client refuses
	// to send because dhcpd would drop the connection over it (a non-zero
	// rid, a STATUS or unknown opcode). What dhcpd would crash on or store
	// badly is the write policy of the omapish command (internal/policy), not
	// the library's: a Go program sends what it builds.
	ErrBadRequest = errors.New("omapi: refusing to send the request")

	// ErrTooLarge is matched by the error for a request whose values are over
	// maxRequestValues of the connection's receive cap: dhcpd would store
	// them, and no reply about the object could be read back. It also
	// matches ErrBadRequest.
	ErrTooLarge = fmt.Errorf("%w: too large", ErrBadRequest)
)

// prefix starts the text of every error of this package, once: an error
// that wraps another of the package's says its own words, then the inner
// one's without the prefix (bare).
const prefix = "omapi: "

// bare is err's text without the package's prefix.
func bare(err error) string { return strings.TrimPrefix(err.Error(), prefix) }

// wrapError is an error of this package about what, caused by err.
type wrapError struct {
	what string
	err  error
}

func (e *wrapError) Error() string { return prefix + e.what + ": " + bare(e.err) }

// Unwrap returns the cause.
func (e *wrapError) Unwrap() error { return e.err }

// brokenError is why a connection is broken: it matches ErrBroken and
// the failure that broke it.
type brokenError struct{ err error }

func (e *brokenError) Error() string { return ErrBroken.Error() + ": " + bare(e.err) }

// Unwrap makes the error match ErrBroken and its cause.
func (e *brokenError) Unwrap() []error { return []error{ErrBroken, e.err} }

// ProtocolError is a violation of the protocol by the peer: a bad startup
// message, a length over the cap, a reply that answers no request, ...
type ProtocolError string

func (e ProtocolError) Error() string { return "omapi: protocol error: " + string(e) }

// StatusError is a STATUS reply with a non-zero result: the server said no.
// errors.Is(err, ResultNotFound) and the like match its Result.
type StatusError struct {
	Op     Opcode // the request that failed
	Type   string // object type, when known
	Keys   string // what the request named, e.g. `name="host1"`, when known
	Result Result
	Text   string // the server's message value, "" when it sent none
}

func (e *StatusError) Error() string {
	// One allocation: a scan can fail this way for every address.
	op, res, text := e.Op.String(), e.Result.String(), e.Text
	if text != "" {
		text = safeText(text)
	}
	var b strings.Builder
	b.Grow(len(prefix) + len(op) + 1 + len(e.Type) + 1 + len(e.Keys) + 2 + len(text) + 2 + len(res) + 1)
	b.WriteString(prefix)
	b.WriteString(op)
	if e.Type != "" {
		b.WriteByte(' ')
		b.WriteString(e.Type)
	}
	if e.Keys != "" {
		b.WriteByte(' ')
		b.WriteString(e.Keys)
	}
	b.WriteString(": ")
	if text != "" {
		b.WriteString(text)
		b.WriteString(" (")
		b.WriteString(res)
		b.WriteByte(')')
	} else {
		b.WriteString(res)
	}
	return b.String()
}

// Unwrap returns the result, so errors.Is matches Result constants.
func (e *StatusError) Unwrap() error { return e.Result }

// safeText returns text from the server fit to print in one line of a
// terminal: unchanged when it is printable UTF-8, else with newlines,
// escape sequences, other control characters and invalid bytes written as
// Go escapes (\n, \x1b, ...), so that a hostile server cannot forge lines
// or drive the terminal through an error message.
func safeText(text string) string {
	for _, r := range text {
		if r == utf8.RuneError || !unicode.IsPrint(r) {
			q := strconv.Quote(text)
			return q[1 : len(q)-1]
		}
	}
	return text
}

// AuthError is an authentication failure; it matches ErrAuth.
type AuthError struct {
	Key    string // key name, "" when the client has none
	Reason string // what went wrong, in words
	Result Result // the server's result, when it sent one
}

func (e *AuthError) Error() string {
	s := "omapi: authentication failed"
	if e.Key != "" {
		s += " (key " + e.Key + ")"
	}
	return s + ": " + e.Reason
}

// Is reports whether target is ErrAuth.
func (e *AuthError) Is(target error) bool { return target == ErrAuth }

// AttrError says an attribute is missing from an object, or its bytes do
// not fit the type asked for. It is the client's finding, not the
// server's: it matches no Result.
type AttrError struct {
	Type string // object type, when known
	Name string
	Msg  string // "" for a missing attribute
}

func (e *AttrError) Error() string {
	what := e.Name
	if e.Type != "" {
		what = e.Type + " " + e.Name
	}
	if e.Msg == "" {
		return "omapi: attribute not found: " + what
	}
	return "omapi: attribute " + what + ": " + e.Msg
}

// InterruptedError is a request whose context was cancelled (or whose
// deadline passed) before its reply came. The connection stays usable:
// when the request had been sent, its reply is read and dropped before the
// next request. errors.Is matches context.Canceled or
// context.DeadlineExceeded.
type InterruptedError struct {
	Err error // ctx.Err()
}

func (e *InterruptedError) Error() string {
	if errors.Is(e.Err, context.DeadlineExceeded) {
		return "omapi: request interrupted: its deadline passed"
	}
	return "omapi: request canceled"
}

// Unwrap returns the context's error.
func (e *InterruptedError) Unwrap() error { return e.Err }

// OpError wraps an I/O failure with the operation and the server address.
type OpError struct {
	Op   string // "dial", "write", "read", ...
	Addr string
	Err  error
}

func (e *OpError) Error() string {
	op := e.Op
	if op == "dial" {
		op = "connect to"
	}
	return prefix + op + " " + e.Addr + ": " + netErrText(e.Err)
}

// netErrText is the text of an I/O error without what OpError already
// says: the net package repeats the operation and the addresses ("dial
// tcp 127.0.0.1:1: connect: connection refused"), a DNS failure names
// the resolver, and a cancelled context is "context canceled".
func netErrText(err error) string {
	for {
		switch e := err.(type) {
		case *net.OpError:
			err = e.Err
			continue
		case *os.SyscallError:
			err = e.Err
			continue
		case *net.DNSError:
			return "lookup " + e.Name + ": " + e.Err
		}
		if err == context.Canceled {
			return "canceled"
		}
		return bare(err)
	}
}

// Unwrap returns the underlying error.
func (e *OpError) Unwrap() error { return e.Err }

// Timeout reports whether the failure was a timeout.
func (e *OpError) Timeout() bool {
	var ne net.Error
	return errors.Is(e.Err, os.ErrDeadlineExceeded) || errors.Is(e.Err, context.DeadlineExceeded) ||
		(errors.As(e.Err, &ne) && ne.Timeout())
}

func wrapf(err error, format string, args ...any) error {
	return fmt.Errorf(format+": %w", append(args, err)...)
}
