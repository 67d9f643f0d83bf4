package omapi

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Batch pipelines n requests on the connection: it keeps up to the
// Dialer's Window requests in flight (dhcpd answers them in order) and
// calls fn with each reply in request order. req builds request i; it runs
// on a goroutine of its own, concurrently with fn. fn gets a *StatusError
// for a failing STATUS reply, as Exchange would return it.
//
// If fn returns an error, no new request is sent, the replies to requests
// already sent are read and passed to fn, and Batch returns that error.
// A transport, signature or protocol failure stops the batch and breaks
// the connection; the requests fn has not seen were not answered (they may
// or may not have reached the server).
func (c *Conn) Batch(ctx context.Context, n int, req func(i int) *Message, fn func(i int, reply *Message, err error) error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usable(); err != nil {
		return err
	}
	if n <= 0 {
		return nil
	}
	type sent struct {
		i int
		m *Message
	}
	inflight := make(chan sent, c.window)
	stopWriting := make(chan struct{})
	writeErr := make(chan error, 1)
	var stopOnce bool
	stop := func() {
		if !stopOnce {
			stopOnce = true
			close(stopWriting)
		}
	}

	var after func() bool
	if ctx.Done() != nil {
		after = context.AfterFunc(ctx, func() { c.nc.SetDeadline(time.Unix(1, 0)) })
		defer after()
	}
	c.nc.SetDeadline(time.Time{})

	go func() {
		defer close(inflight)
		buf := make([]byte, 0, 32<<10)
		flush := func() error {
			if len(buf) == 0 {
				return nil
			}
			c.nc.SetWriteDeadline(time.Now().Add(c.timeout))
			_, err := c.nc.Write(buf)
			buf = buf[:0]
			if err != nil {
				c.nc.SetReadDeadline(time.Unix(1, 0)) // unblock the reader
			}
			return err
		}
		for i := 0; i < n; i++ {
			select {
			case <-stopWriting:
				writeErr <- flush()
				return
			default:
			}
			m := req(i)
			if m == nil {
				writeErr <- fmt.Errorf("omapi: batch request %d is nil", i)
				flush()
				return
			}
			if err := checkRequest(m); err != nil {
				writeErr <- fmt.Errorf("batch request %d: %w", i, err)
				flush()
				return
			}
			m.ID = c.nextID
			if c.nextID++; c.nextID == 0 {
				c.nextID = 1
			}
			start := len(buf)
			var err error
			if buf, err = c.encode(buf, m, true); err != nil {
				writeErr <- fmt.Errorf("batch request %d: %w", i, err)
				flush()
				return
			}
			c.traceMsg(Sent, m, buf[start:])
			select {
			case inflight <- sent{i, m}:
			default:
				if err := flush(); err != nil {
					writeErr <- err
					return
				}
				inflight <- sent{i, m}
			}
			if len(buf) >= 16<<10 {
				if err := flush(); err != nil {
					writeErr <- err
					return
				}
			}
		}
		writeErr <- flush()
	}()

	var fnErr error
	for s := range inflight {
		c.nc.SetReadDeadline(time.Now().Add(c.timeout))
		reply, err := c.recv(s.m)
		if err != nil {
			stop()
			for range inflight {
			}
			if werr := <-writeErr; werr != nil && !errors.Is(werr, ErrBadRequest) {
				return c.fail(ctx, ctx.Err() != nil, "write", werr)
			}
			return c.fail(ctx, ctx.Err() != nil, "read", fmt.Errorf("batch request %d: %w", s.i, streamEnd(err)))
		}
		if fnErr == nil {
			if fnErr = fn(s.i, reply, statusError(s.m, reply)); fnErr != nil {
				stop()
			}
		}
	}
	if err := <-writeErr; err != nil {
		var pe ProtocolError
		if errors.As(err, &pe) || errors.Is(err, ErrBadRequest) || fnErr != nil {
			// Nothing half-written: the stream is in step.
			if fnErr != nil {
				return fnErr
			}
			return err
		}
		return c.fail(ctx, ctx.Err() != nil, "write", err)
	}
	return fnErr
}
