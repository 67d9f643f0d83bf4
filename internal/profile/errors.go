package profile

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Sentinel errors for [errors.Is]. Every error this package returns is an
// [*Error] (or several joined with [errors.Join]); all of them match
// ErrBadConfig, and the Err field of each holds the finer cause.
var (
	// ErrBadConfig matches every error from this package: a missing or
	// unreadable file, invalid TOML, an unknown key, a value of the wrong
	// type, an invalid value, an insecure file or an unknown profile.
	ErrBadConfig = errors.New("bad configuration")

	// ErrInsecure is the cause when a file holding a secret is readable or
	// writable by group or others.
	ErrInsecure = errors.New("secret readable by others")

	// ErrNoProfile is the cause when a profile is asked for that the
	// configuration does not define, when no profile is named and there is
	// no default, and when default names a profile that does not exist.
	ErrNoProfile = errors.New("no such profile")
)

// Error is a configuration error, located in a file when Path is set and at a
// line and column when Line is set.
//
// Its message never contains secret material.
type Error struct {
	Path string // configuration or secret file; may be empty
	Line int    // 1-based line, 0 when unknown or not applicable
	Col  int    // 1-based byte column, 0 when unknown
	Msg  string // human-readable description
	Err  error  // cause, for errors.Is and errors.As; may be nil
}

// Error formats e as "path:line:col: msg", leaving out the parts that are
// unknown. When Msg is empty the cause's message is used.
func (e *Error) Error() string {
	var b strings.Builder
	if e.Path != "" {
		b.WriteString(e.Path)
		if e.Line > 0 {
			b.WriteString(":" + strconv.Itoa(e.Line))
			if e.Col > 0 {
				b.WriteString(":" + strconv.Itoa(e.Col))
			}
		}
		b.WriteString(": ")
	}
	msg := e.Msg
	if msg == "" && e.Err != nil {
		msg = e.Err.Error()
	}
	b.WriteString(msg)
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is ErrBadConfig, which every *Error matches.
func (e *Error) Is(target error) bool { return target == ErrBadConfig }

// errorList collects the errors found while checking a file.
type errorList []*Error

func (l *errorList) add(path string, p position, cause error, format string, args ...any) {
	*l = append(*l, &Error{Path: path, Line: p.Line, Col: p.Col, Msg: fmt.Sprintf(format, args...), Err: cause})
}

// err returns nil, the only error, or all of them joined in file order.
func (l errorList) err() error {
	switch len(l) {
	case 0:
		return nil
	case 1:
		return l[0]
	}
	slices.SortStableFunc(l, func(a, b *Error) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col))
	})
	errs := make([]error, len(l))
	for i, e := range l {
		errs[i] = e
	}
	return errors.Join(errs...)
}
