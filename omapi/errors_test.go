package omapi

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// TestPrefixOnce: however many layers of the package wrap an error, its
// text says "omapi: " once, at the start, and the chain keeps every cause.
func TestPrefixOnce(t *testing.T) {
	eof := &wrapError{"batch request 3", streamEnd(io.EOF)}
	read := &OpError{Op: "read", Addr: "192.0.2.1:7911", Err: eof}
	tests := []struct {
		name string
		err  error
		is   []error
	}{
		{"read", read, []error{io.EOF}},
		{"broken", &brokenError{read}, []error{ErrBroken, io.EOF}},
		{"out of step", &brokenError{&outOfStepError{what: "half written", err: ProtocolError("x")}}, []error{ErrBroken, ErrOutOfStep}},
		{"reopen", &wrapError{"opening a new connection in place of one out of step", &AuthError{Reason: "wrong secret"}}, []error{ErrAuth}},
		{"request", &wrapError{"batch request 0", fmt.Errorf("%w: too many", ErrTooLarge)}, []error{ErrBadRequest}},
	}
	for _, tt := range tests {
		s := tt.err.Error()
		if !strings.HasPrefix(s, "omapi: ") || strings.Count(s, "omapi: ") != 1 {
			t.Errorf("%s: %q says \"omapi: \" other than once at the start", tt.name, s)
		}
		for _, target := range tt.is {
			if !errors.Is(tt.err, target) {
				t.Errorf("%s: %q does not match %v", tt.name, s, target)
			}
		}
	}
}
