package omapi

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// streamDialTimeout bounds the opening of one extra connection (or the
// Dialer's Timeout when shorter): a server or firewall that takes no more
// connections must not stall a batch one connection can carry.
const streamDialTimeout = 2 * time.Second

// streamRetry is how long a Conn does without extra connections after
// opening one failed.
const streamRetry = time.Minute

// streamShare is how many windows of requests each connection of a
// ReadBatch must have to carry: opening one costs three round trips, so a
// smaller batch uses fewer connections.
const streamShare = 4

// ReadOnly reports whether m changes nothing on the server: a REFRESH, or
// an OPEN that neither creates nor updates.
func ReadOnly(m *Message) bool {
	switch m.Op {
	case OpRefresh:
		return true
	case OpOpen:
		return !flagSet(m.Message, "create") && !flagSet(m.Message, "update")
	}
	return false
}

// flagSet reports whether the message value name is present and not zero,
// as dhcpd reads a boolean.
func flagSet(vs Values, name string) bool {
	b, ok := vs.Get(name)
	if !ok {
		return false
	}
	for _, x := range b {
		if x != 0 {
			return true
		}
	}
	return false
}

// errNotReadOnly is ReadBatch's check.
func errNotReadOnly(m *Message) error {
	if ReadOnly(m) {
		return nil
	}
	return fmt.Errorf("%w: ReadBatch takes only lookups (OPEN without create or update, REFRESH), got a %v that may change the server", ErrBadRequest, m.Op)
}

// errStreamStopped tells a stream of ReadBatch to send no more.
var errStreamStopped = errors.New("omapi: stream stopped")

// ReadBatch is Batch for requests that change nothing on the server
// (ReadOnly): lookups by OPEN without create or update, and REFRESH. A
// large batch is spread over up to the Dialer's Streams connections to
// the same server, opened on first use and kept until Close; fn still
// sees every reply in request order, on the caller's goroutine. req may
// be called from several goroutines at once. Object handles in the
// replies are the server's, valid on any connection.
//
// A request that is not read-only is refused with ErrBadRequest before
// it is sent. On failure, fn has seen the replies to requests 0..i-1 for
// the request i named in the error; no other reply is passed to fn.
// Without a Dialer to open more connections (NewConn), or when opening
// one fails, ReadBatch uses the connections it has. fn must not call
// methods of c. Cancelling ctx ends the batch on every connection, which
// stay usable, as with Batch.
func (c *Conn) ReadBatch(ctx context.Context, n int, req func(i int) *Message, fn func(i int, reply *Message, err error) error) error {
	type reply struct {
		m   *Message
		err error
	}
	return MapBatch(ctx, c, n, req,
		func(_ int, m *Message, err error) reply { return reply{m, err} },
		func(i int, r reply) error { return fn(i, r.m, r.err) })
}

// MapBatch is c.ReadBatch with a conversion step: conv turns each reply
// (and its error, as fn of ReadBatch would get them) into a value of the
// caller's, on the goroutine of the connection that carried it —
// concurrently with the other connections and with fn — and fn gets the
// values in request order on the caller's goroutine. It moves per-reply
// work, such as decoding into the caller's own types, off the caller's
// goroutine. conv may be called from several goroutines at once, and for
// replies fn will not see when the batch stops early.
func MapBatch[T any](ctx context.Context, c *Conn, n int, req func(i int) *Message, conv func(i int, reply *Message, err error) T, fn func(i int, v T) error) error {
	c.streamsMu.Lock()
	defer c.streamsMu.Unlock()
	conns := append([]*Conn{c}, c.openStreams(ctx, min(c.streams, n/(streamShare*c.window))-1)...)
	k := len(conns)
	if k == 1 {
		return c.pipeline(ctx, stride{0, 1, n}, req, func(i int, m *Message, err error) error {
			return fn(i, conv(i, m, err))
		}, errNotReadOnly)
	}

	var (
		stop  atomic.Bool
		wg    sync.WaitGroup
		chans = make([]chan T, k)
		errs  = make([]error, k)
	)
	for j, sc := range conns {
		chans[j] = make(chan T, 2*sc.window)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(chans[j])
			errs[j] = sc.pipeline(ctx, stride{j, k, n}, req, func(i int, m *Message, err error) error {
				if stop.Load() {
					return errStreamStopped
				}
				chans[j] <- conv(i, m, err)
				return nil
			}, errNotReadOnly)
		}()
	}
	finish := func(err error) error {
		stop.Store(true)
		for _, ch := range chans {
			for range ch {
			}
		}
		wg.Wait()
		return err
	}
	for i := 0; i < n; i++ {
		v, ok := <-chans[i%k]
		if !ok {
			// The stream ended early; errs[j] was set before its channel
			// closed.
			err := errs[i%k]
			if err == nil {
				err = fmt.Errorf("omapi: stream %d of ReadBatch ended before request %d", i%k, i)
			}
			return finish(err)
		}
		if err := fn(i, v); err != nil {
			return finish(err)
		}
	}
	return finish(nil)
}

// openStreams returns want usable extra connections, or fewer when
// dialing fails: ReadBatch then works with what it has, and tries again
// after streamRetry. It replaces broken ones and opens the missing ones.
// c.streamsMu is held.
func (c *Conn) openStreams(ctx context.Context, want int) []*Conn {
	if want <= 0 || c.redial == nil || c.Err() != nil {
		return nil
	}
	c.extraMu.Lock()
	live := c.extra[:0]
	for _, sc := range c.extra {
		if sc.Err() == nil {
			live = append(live, sc)
		} else {
			sc.Close()
		}
	}
	c.extra = live
	missing := want - len(live)
	c.extraMu.Unlock()

	if time.Now().Before(c.streamsRetryAt) {
		missing = 0
	}
	// One at a time: dhcpd listens with a backlog of one, and a second
	// connection racing the first can lose its SYN and wait a second for
	// the retry.
	for range missing {
		dctx, cancel := context.WithTimeout(ctx, min(streamDialTimeout, c.timeout))
		sc, err := c.redial(dctx)
		cancel()
		if err != nil {
			if ctx.Err() == nil {
				c.streamsRetryAt = time.Now().Add(streamRetry)
			}
			break
		}
		c.extraMu.Lock()
		if c.extraClosed { // Close ran meanwhile
			sc.Close()
		} else {
			c.extra = append(c.extra, sc)
		}
		c.extraMu.Unlock()
	}
	c.extraMu.Lock()
	defer c.extraMu.Unlock()
	return append([]*Conn(nil), c.extra[:min(want, len(c.extra))]...)
}

// closeStreams closes the extra connections of ReadBatch; a stream in use
// fails, and no new one is kept.
func (c *Conn) closeStreams() {
	c.extraMu.Lock()
	defer c.extraMu.Unlock()
	c.extraClosed = true
	for _, sc := range c.extra {
		sc.Close()
	}
	c.extra = nil
}
