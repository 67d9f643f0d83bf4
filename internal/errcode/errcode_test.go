package errcode_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/omapish/omapish/internal/errcode"
	"github.com/omapish/omapish/internal/policy"
	"github.com/omapish/omapish/omapi"
)

func TestOf(t *testing.T) {
	status := func(r omapi.Result) error {
		return fmt.Errorf("wrapped: %w", &omapi.StatusError{Op: omapi.OpOpen, Type: "host", Result: r})
	}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, ""},
		{"exists", status(omapi.ResultExists), "exists"},
		{"not found", status(omapi.ResultNotFound), "not-found"},
		{"bare status", &omapi.StatusError{Result: omapi.ResultNotFound}, "not-found"},
		{"not implemented", status(omapi.ResultNotImplemented), "not-implemented"},
		{"invalid argument", status(omapi.ResultInvalidArg), "server"},
		{"multiple", status(omapi.ResultMultiple), "multiple"},
		{"key conflict", status(omapi.ResultKeyConflict), "key-conflict"},
		{"no keys", status(omapi.ResultNoKeys), "auth"},
		{"invalid key", status(omapi.ResultInvalidKey), "auth"},
		{"unknown attribute", status(omapi.ResultUnknownAttribute), "server"},
		{"unknown result", status(omapi.Result(999)), "server"},
		{"missing attribute", &omapi.AttrError{Type: "lease", Name: "client-hostname"}, "not-found"},
		{"bad attribute", &omapi.AttrError{Name: "ends", Msg: "3 bytes, want 4 for a number"}, "io"},
		{"too large", fmt.Errorf("x: %w", omapi.ErrTooLarge), "protocol"},
		{"protocol", omapi.ProtocolError("bad"), "protocol"},
		{"auth", &omapi.AuthError{Reason: "wrong secret"}, "auth"},
		{"canceled", &omapi.InterruptedError{Err: context.Canceled}, "canceled"},
		{"deadline", &omapi.InterruptedError{Err: context.DeadlineExceeded}, "timeout"},
		{"closed", omapi.ErrClosed, "io"},
		{"broken", fmt.Errorf("%w: %w", omapi.ErrBroken, omapi.ProtocolError("bad")), "io"},
		{"refused", fmt.Errorf("x: %w", policy.ErrRefused), "refused"},
		{"other", io.ErrClosedPipe, "io"},
		{"plain", errors.New("x"), "io"},
	}
	for _, tt := range tests {
		if got := errcode.Of(tt.err); got != tt.want {
			t.Errorf("%s: Of(%v) = %q, want %q", tt.name, tt.err, got, tt.want)
		}
	}
}
