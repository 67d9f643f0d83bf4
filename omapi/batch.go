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
// If ctx ends, no new request is sent and Batch returns an
// *InterruptedError at once; the replies to requests already sent are read
// and dropped before the next request on c, which stays usable. A
// transport, signature or protocol failure stops the batch and breaks the
// connection; the requests fn has not seen were not answered (they may or
// may not have reached the server). fn must not call methods of c.
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

// inFlight is a request of a pipeline, encoded and queued for writing.
type inFlight struct {
	i int
	m *Message
}

// written is how a pipeline's writer ended: err, how many requests
// reached the wire whole, and whether one was cut in the middle.
type written struct {
	err     error
	whole   int
	partial bool
}

// pipeline is Batch over the requests span numbers, with check (when not nil)
// refusing a request before it is sent.
func (c *Conn) pipeline(ctx context.Context, span stride, req func(i int) *Message, fn func(i int, reply *Message, err error) error, check func(*Message) error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.ready(ctx); err != nil {
		return err
	}
	n := span.count()
	if n <= 0 {
		return nil
	}
	stopInterrupt := c.watch(ctx)
	defer stopInterrupt()
	if err := c.settle(); err != nil {
		if interrupted(ctx, false, err) {
			return interruption(ctx, "read", c.addr)
		}
		return c.outOfStep(err, "waiting for the reply to an interrupted request")
	}
	c.nc.SetDeadline(time.Time{}) // each read and write arms its own

	inflight := make(chan inFlight, c.window)
	stopWriting := make(chan struct{})
	wrote := make(chan written, 1)
	var stopOnce bool
	stop := func() {
		if !stopOnce {
			stopOnce = true
			close(stopWriting)
		}
	}
	due := c.nextID // the id of the first request whose reply is not read
	go c.pipelineWriter(ctx, span, n, req, check, inflight, stopWriting, wrote)

	var fnErr error
	read := 0          // replies read
	next := span.first // the first request whose reply fn has not had
	// Alone on its connection (span.step 1), the reader spins while
	// waiting as an exchange does (about 10% faster); one of several
	// connections would take the CPU the others and dhcpd need.
	if span.step == 1 {
		c.src.on = true
		defer func() { c.src.on = false }()
	}
	for s := range inflight {
		c.arm(ctx, c.nc.SetReadDeadline)
		reply, err := c.recv(s.m)
		if err != nil {
			stop()
			for range inflight {
			}
			w := <-wrote
			return c.pipelineFailed(ctx, s.i, err, w, due, w.whole-read)
		}
		read++
		due = idAfter(s.m.ID)
		if fnErr == nil {
			if fnErr = fn(s.i, reply, statusError(s.m, reply)); fnErr != nil {
				stop()
			}
		}
		next = s.i + span.step
	}
	w := <-wrote
	if w.err == nil {
		return fnErr
	}
	var pe ProtocolError
	if !w.partial && (errors.As(w.err, &pe) || errors.Is(w.err, ErrBadRequest) || fnErr != nil) {
		// Nothing half-written, every reply read: the stream is in step.
		if fnErr != nil {
			return fnErr
		}
		return w.err
	}
	return c.pipelineFailed(ctx, next, nil, w, due, w.whole-read)
}

// pipelineWriter encodes the requests of a pipeline and writes them in
// blocks, queueing each on inflight for the reader, until stopWriting is
// closed; it reports how it ended on wrote, and closes inflight.
func (c *Conn) pipelineWriter(ctx context.Context, span stride, n int, req func(i int) *Message, check func(*Message) error, inflight chan<- inFlight, stopWriting <-chan struct{}, wrote chan<- written) {
	defer close(inflight)
	var w written
	buf := make([]byte, 0, 32<<10)
	var ends []int // where each request in buf ends
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		c.arm(ctx, c.nc.SetWriteDeadline)
		k, err := c.nc.Write(buf)
		whole := 0
		for whole < len(ends) && ends[whole] <= k {
			whole++
		}
		w.whole += whole
		if err != nil {
			w.partial = whole < len(ends) && (whole == 0 && k > 0 || whole > 0 && k > ends[whole-1])
			c.nc.SetReadDeadline(time.Unix(1, 0)) // unblock the reader
		}
		buf, ends = buf[:0], ends[:0]
		return err
	}
	end := func(err error) {
		if ferr := flush(); err == nil {
			err = ferr
		}
		w.err = err
		wrote <- w
	}
	for k := 0; k < n; k++ {
		i := span.first + k*span.step
		select {
		case <-stopWriting:
			end(nil)
			return
		default:
		}
		start := len(buf)
		m, b, err := c.batchRequest(buf, i, req, check)
		if buf = b; err != nil {
			end(err)
			return
		}
		ends = append(ends, len(buf))
		c.traceMsg(Sent, m, buf[start:])
		select {
		case inflight <- inFlight{i, m}:
		default:
			// The window is full: write what waits, so that replies come.
			if err := flush(); err != nil {
				w.err = err
				wrote <- w
				return
			}
			inflight <- inFlight{i, m}
		}
		if len(buf) >= 16<<10 {
			if err := flush(); err != nil {
				w.err = err
				wrote <- w
				return
			}
		}
	}
	end(nil)
}

// batchRequest makes request i of a pipeline, checks it, gives it the
// next transaction id and appends its encoding to buf (unchanged on
// failure).
func (c *Conn) batchRequest(buf []byte, i int, req func(i int) *Message, check func(*Message) error) (*Message, []byte, error) {
	m := req(i)
	if m == nil {
		return nil, buf, fmt.Errorf("%w: batch request %d is nil", ErrBadRequest, i)
	}
	err := checkRequest(m, c.r.max)
	if err == nil && check != nil {
		err = check(m)
	}
	if err != nil {
		return nil, buf, &wrapError{fmt.Sprintf("batch request %d", i), err}
	}
	m.ID = c.nextID
	c.nextID = idAfter(c.nextID)
	start := len(buf)
	if buf, err = c.encode(buf, m, true); err != nil {
		return nil, buf[:start], &wrapError{fmt.Sprintf("batch request %d", i), err}
	}
	return m, buf, nil
}

// pipelineFailed is the end of a pipeline whose reader failed with rerr
// at request i (nil: every reply queued was read) or whose writer failed
// (w.err). owed requests from id due on reached the server whole and
// were not answered yet. Interrupted by ctx, the connection stays in step
// unless a request was half written: the replies owed are dropped before
// the next request.
func (c *Conn) pipelineFailed(ctx context.Context, i int, rerr error, w written, due uint32, owed int) error {
	if interrupted(ctx, false, rerr) || interrupted(ctx, false, w.err) {
		if w.partial {
			return c.outOfStep(interruption(ctx, "write", c.addr), "a batch request half written")
		}
		for ; owed > 0; owed-- {
			c.owed = append(c.owed, due)
			due = idAfter(due)
		}
		return interruption(ctx, "read", c.addr)
	}
	if rerr == nil || w.err != nil && !errors.Is(w.err, ErrBadRequest) {
		return c.fail("write", &wrapError{fmt.Sprintf("batch request %d", i), w.err})
	}
	return c.fail("read", &wrapError{fmt.Sprintf("batch request %d", i), streamEnd(rerr)})
}

// idAfter is the transaction id after id (0 is skipped).
func idAfter(id uint32) uint32 {
	if id++; id == 0 {
		id = 1
	}
	return id
}

// arm sets a read or write deadline of the connection's timeout from
// now, pulled back to the past when ctx has ended meanwhile: it would
// undo the past deadline the cancellation set.
func (c *Conn) arm(ctx context.Context, set func(time.Time) error) {
	set(time.Now().Add(c.timeout))
	if ctx.Err() != nil {
		set(time.Unix(1, 0))
	}
}
