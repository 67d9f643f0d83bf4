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
// or may not have reached the server). fn must not call methods of c.
func (c *Conn) Batch(ctx context.Context, n int, req func(i int) *Message, fn func(i int, reply *Message, err error) error) error {
	return c.pipeline(ctx, stride{0, 1, n}, req, fn, nil)
}

// stride numbers the requests of a pipeline: first, first+step, ... below
// end. Batch sends them all (0, 1, n); ReadBatch gives each stream every
// step-th one.
type stride struct{ first, step, end int }

func (s stride) count() int {
	if s.first >= s.end {
		return 0
	}
	return (s.end - s.first + s.step - 1) / s.step
}

// pipeline is Batch over the requests span numbers, with check (when not nil)
// refusing a request before it is sent.
func (c *Conn) pipeline(ctx context.Context, span stride, req func(i int) *Message, fn func(i int, reply *Message, err error) error, check func(*Message) error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usable(); err != nil {
		return err
	}
	n := span.count()
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

	c.nc.SetDeadline(time.Time{})
	if ctx.Done() != nil {
		defer context.AfterFunc(ctx, func() { c.nc.SetDeadline(time.Unix(1, 0)) })()
	}
	// Each read and write arms its own timeout, which would undo the past
	// deadline a cancellation set: after arming, a deadline is pulled back
	// when ctx has ended meanwhile.
	arm := func(set func(time.Time) error) {
		set(time.Now().Add(c.timeout))
		if ctx.Err() != nil {
			set(time.Unix(1, 0))
		}
	}

	go func() {
		defer close(inflight)
		buf := make([]byte, 0, 32<<10)
		flush := func() error {
			if len(buf) == 0 {
				return nil
			}
			arm(c.nc.SetWriteDeadline)
			_, err := c.nc.Write(buf)
			buf = buf[:0]
			if err != nil {
				c.nc.SetReadDeadline(time.Unix(1, 0)) // unblock the reader
			}
			return err
		}
		for k := 0; k < n; k++ {
			i := span.first + k*span.step
			select {
			case <-stopWriting:
				writeErr <- flush()
				return
			default:
			}
			m := req(i)
			if m == nil {
				writeErr <- fmt.Errorf("%w: batch request %d is nil", ErrBadRequest, i)
				flush()
				return
			}
			err := checkRequest(m, c.r.max)
			if err == nil && check != nil {
				err = check(m)
			}
			if err != nil {
				writeErr <- fmt.Errorf("batch request %d: %w", i, err)
				flush()
				return
			}
			m.ID = c.nextID
			if c.nextID++; c.nextID == 0 {
				c.nextID = 1
			}
			start := len(buf)
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
	next := span.first // the first request whose reply fn has not had
	// Alone on its connection (span.step 1), the reader spins while
	// waiting as an exchange does (about 10% faster); one of several
	// connections would take the CPU the others and dhcpd need.
	if span.step == 1 {
		c.src.on = true
		defer func() { c.src.on = false }()
	}
	for s := range inflight {
		arm(c.nc.SetReadDeadline)
		reply, err := c.recv(s.m)
		if err != nil {
			stop()
			for range inflight {
			}
			if werr := <-writeErr; werr != nil && !errors.Is(werr, ErrBadRequest) {
				return c.fail(ctx, ctx.Err() != nil, "write", fmt.Errorf("batch request %d: %w", s.i, werr))
			}
			return c.fail(ctx, ctx.Err() != nil, "read", fmt.Errorf("batch request %d: %w", s.i, streamEnd(err)))
		}
		if fnErr == nil {
			if fnErr = fn(s.i, reply, statusError(s.m, reply)); fnErr != nil {
				stop()
			}
		}
		next = s.i + span.step
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
		return c.fail(ctx, ctx.Err() != nil, "write", fmt.Errorf("batch request %d: %w", next, err))
	}
	return fnErr
}
