package omapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// How a request ends other than with its reply: the caller's context
// ending, a timeout, the server closing or breaking the stream.

// watch arms the deadline for one exchange and makes ctx cancellation
// interrupt blocked I/O. The returned stop reports whether ctx ended.
func (c *Conn) watch(ctx context.Context) (stop func() bool) {
	dl := time.Now().Add(c.timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(dl) {
		dl = d
	}
	c.nc.SetDeadline(dl)
	return c.interruptOn(ctx)
}

// testHookCancel, when set (by tests), is called with "callback" by the
// cancellation callback of interruptOn before it sets its deadline, and
// with "stop" by stop before it waits for that callback.
var testHookCancel func(event string)

// interruptOn makes ctx ending interrupt blocked I/O on c, by setting a
// past deadline. The returned stop disarms it and reports whether ctx
// ended. context.AfterFunc's own stop does not wait for a callback
// already running: this one does, or a cancellation landing as the reply
// arrives would set its past deadline on the next exchange.
func (c *Conn) interruptOn(ctx context.Context) (stop func() bool) {
	if ctx.Done() == nil {
		return func() bool { return false }
	}
	c.cancelWG.Add(1)
	after := context.AfterFunc(ctx, func() {
		defer c.cancelWG.Done()
		if testHookCancel != nil {
			testHookCancel("callback")
		}
		c.nc.SetDeadline(time.Unix(1, 0))
	})
	return func() bool {
		if after() {
			c.cancelWG.Done()
			return false
		}
		if testHookCancel != nil {
			testHookCancel("stop")
		}
		c.cancelWG.Wait()
		return true
	}
}

// interrupted reports whether the I/O error err came from ctx ending
// (cancelled, or its deadline passed) rather than from the server or the
// connection's own timeout; ended is what stop returned.
func interrupted(ctx context.Context, ended bool, err error) bool {
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		return false
	}
	if ended || ctx.Err() != nil {
		return true
	}
	if d, ok := ctx.Deadline(); ok && !time.Now().Before(d) {
		// The context's deadline fired the I/O timeout; the context
		// ends at once, if it has not yet.
		<-ctx.Done()
		return true
	}
	return false
}

// interruption is the error of a request interrupted by ctx: an
// *InterruptedError, or the dialer's own timeout during startup.
func interruption(ctx context.Context, op, addr string) error {
	var te *timeoutError
	if errors.As(context.Cause(ctx), &te) {
		return &OpError{Op: op, Addr: addr, Err: &timeoutError{what: op, d: te.d}}
	}
	return &InterruptedError{Err: ctx.Err()}
}

// outOfStep marks the connection out of step (ErrOutOfStep) after err,
// closes its transport and returns err with what happened and what comes
// next.
func (c *Conn) outOfStep(err error, what string) error {
	if errors.Is(err, os.ErrDeadlineExceeded) && !errors.Is(err, context.DeadlineExceeded) {
		err = &timeoutError{what: "read", d: c.timeout}
	} else {
		err = streamEnd(err)
	}
	e := &outOfStepError{what: what, err: err, reopens: c.dialer != nil}
	c.broken = &brokenError{e}
	c.owed = nil
	c.nc.Close()
	return e
}

// outOfStepError is the failure that left a connection out of step.
type outOfStepError struct {
	what    string // "half written", ...
	err     error
	reopens bool // the next request opens a new transport
}

func (e *outOfStepError) Error() string {
	s := prefix + bare(e.err) + " (" + e.what + "): the connection is out of step"
	if !e.reopens {
		return s + "; dial a new one"
	}
	return s + ", and the next request opens a new one (object handles stay valid: they are the server's)"
}

// Unwrap makes the error match ErrOutOfStep and its cause.
func (e *outOfStepError) Unwrap() []error { return []error{ErrOutOfStep, e.err} }

// fail marks the connection broken and wraps err for the caller. A
// protocol or authentication error that left the stream in step (a
// complete reply was read) is not fatal to the connection. Interruptions
// by the caller's context are not failures: see exchange.
func (c *Conn) fail(op string, err error) error {
	var ae *AuthError
	if errors.As(err, &ae) && ae.Result != 0 {
		return err // a whole STATUS was read: the stream is in step
	}
	if errors.Is(err, os.ErrDeadlineExceeded) && !errors.Is(err, context.DeadlineExceeded) {
		err = &timeoutError{what: op, d: c.timeout}
	} else {
		err = streamEnd(err)
	}
	var pe ProtocolError
	if errors.As(err, &pe) || errors.As(err, &ae) {
		c.broken = &brokenError{err}
		c.nc.Close()
		return err
	}
	oe := &OpError{Op: op, Addr: c.addr, Err: err}
	c.broken = &brokenError{oe}
	c.nc.Close()
	return oe
}

// ctxErr is why ctx ended, for the step what ("dial", "startup", "read",
// ...): a *timeoutError when the dialer's own deadline ran out, else
// ctx.Err() (the caller cancelled, or its deadline passed).
func ctxErr(ctx context.Context, what string) error {
	var te *timeoutError
	if errors.As(context.Cause(ctx), &te) {
		return &timeoutError{what: what, d: te.d}
	}
	return ctx.Err()
}

// timeoutError is a step that ran out of the connection's own timeout
// (Dialer.Timeout), not of a deadline the caller set. It matches
// os.ErrDeadlineExceeded.
type timeoutError struct {
	what string // "dial", "startup", "read" or "write"
	d    time.Duration
}

func (e *timeoutError) Error() string {
	switch e.what {
	case "dial":
		return fmt.Sprintf("timeout: no connection within %v", e.d)
	case "write":
		return fmt.Sprintf("timeout: the server took no request for %v", e.d)
	case "startup":
		return fmt.Sprintf("timeout: no startup message within %v (is it an OMAPI port?)", e.d)
	}
	return fmt.Sprintf("timeout: no reply within %v", e.d)
}

// Is makes the error match os.ErrDeadlineExceeded.
func (e *timeoutError) Is(target error) bool { return target == os.ErrDeadlineExceeded }

// Timeout reports true, as net.Error does for a timeout.
func (e *timeoutError) Timeout() bool { return true }

// streamEnd says in words that the server closed the connection, when
// err is the end of the stream (io.EOF between messages, unexpected EOF in
// the middle of one); other errors are returned as they are.
func streamEnd(err error) error {
	switch {
	case err == io.EOF:
		return errServerClosed{}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return ProtocolError("server closed the connection in the middle of a message")
	}
	return err
}

// errServerClosed is the end of the stream between messages, in words; it
// matches io.EOF.
type errServerClosed struct{}

func (errServerClosed) Error() string {
	return "server closed the connection (dhcpd stopped, or dropped the connection over a request it rejects)"
}

// Unwrap returns io.EOF.
func (errServerClosed) Unwrap() error { return io.EOF }

// checkRequest refuses what dhcpd would drop the connection over (Check),
// and values too large to be read back under the receive cap max.
func checkRequest(m *Message, max int) error {
	if err := m.Check(); err != nil {
		return err
	}
	return checkSize(m, max)
}
