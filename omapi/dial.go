package omapi

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"time"
)

// Defaults of a Dialer.
const (
	// DefaultPort is the conventional OMAPI port (omshell's default).
	DefaultPort = 7911

	// DefaultTimeout bounds every exchange whose context has no earlier deadline.
	DefaultTimeout = 5 * time.Second

	// DefaultWindow is how many requests Batch keeps in flight.
	//
	// dhcpd 4.4.3 aborts (dst_api.c:353 REQUIRE failure, the process exits)
	// when it finds some two dozen signed requests waiting at once and their
	// replies mix UPDATEs and STATUSes — e.g. a lease scan where some
	// addresses are unknown. In the lab, windows up to 16 never triggered it
	// in thousands of mixed requests; 24 did at once. So signed connections
	// keep at most MaxSignedWindow requests in flight; unsigned ones may go
	// deeper.
	DefaultWindow = 8

	// MaxSignedWindow caps the window of a signed connection (see DefaultWindow).
	MaxSignedWindow = 16
)

// Dialer opens connections. Its zero value works: unsigned, 5 s timeout,
// one connection, reads that sleep until the reply comes. Spin and Streams
// turn on the fast paths the omapish command uses.
type Dialer struct {
	// Auth signs every request and verifies every reply; nil for none.
	Auth Authenticator
	// Timeout bounds dialing and each exchange when the context has no
	// earlier deadline; 0 means DefaultTimeout.
	Timeout time.Duration
	// MaxMessageSize caps a message read from the server;
	// 0 means DefaultMaxMessageSize.
	MaxMessageSize int
	// Window is how many requests Batch keeps in flight; 0 means
	// DefaultWindow. With Auth set it is capped at MaxSignedWindow.
	Window int
	// Streams is how many connections ReadBatch may spread a large batch
	// over, this one included; 0 or 1 keeps it on one connection. dhcpd
	// serves one request at a time and a signed connection may keep only
	// MaxSignedWindow in flight, so on one connection dhcpd idles between
	// turns (55% busy in the lab); eight keep it 85% busy, for twice the
	// lookups per second.
	Streams int
	// Spin makes a read waiting for a single reply poll the socket for up
	// to 100 µs before it sleeps. Polling makes lookups to a dhcpd on the
	// same machine about 17% faster for that CPU time; leave it off when
	// the CPU matters more, or when the server runs in the same process (a
	// test peer), whose goroutines need it.
	Spin bool
	// NetDial opens the transport; nil means a net.Dialer. The lab uses
	// it to dial inside its network namespace.
	NetDial func(ctx context.Context, network, addr string) (net.Conn, error)
	// FirstID is the first transaction id; 0 picks a random one. A test seam.
	FirstID uint32
	// Trace, when set, sees every message sent and received with its raw
	// bytes, one call at a time, and must not keep raw. stream is 0 for the
	// connection itself and 1, 2, ... for the extra connections of
	// ReadBatch.
	Trace func(stream int, dir Direction, m *Message, raw []byte)
}

// Direction tells a Trace function which way a message went.
type Direction int

// Directions of traced messages.
const (
	Sent Direction = iota
	Received
)

// Dial connects to addr ("host:port"; port 7911 when absent) with an
// optional key. It is (&Dialer{Auth: auth}).DialContext.
func Dial(ctx context.Context, addr string, auth Authenticator) (*Conn, error) {
	return (&Dialer{Auth: auth}).DialContext(ctx, addr)
}

// DialContext connects to addr, exchanges startup messages and, with a
// key, opens the authenticator.
func (d *Dialer) DialContext(ctx context.Context, addr string) (*Conn, error) {
	addr = WithPort(addr)
	// The dialer's own deadline carries a cause, so that running out of
	// it reads "timeout: ... within 5s" rather than a context error.
	ctx, cancel := context.WithTimeoutCause(ctx, d.timeout(), &timeoutError{what: "dial", d: d.timeout()})
	defer cancel()
	dial := d.NetDial
	if dial == nil {
		dial = (&net.Dialer{}).DialContext
	}
	nc, err := dial(ctx, "tcp", addr)
	if err != nil {
		if dl, ok := ctx.Deadline(); ok && ctx.Err() == nil && !time.Now().Before(dl) {
			// The socket's deadline (ctx's) fired an instant before
			// ctx's own timer: let ctx say why.
			<-ctx.Done()
		}
		if ctx.Err() != nil {
			// Why the dial ended (a timeout, Ctrl-C), not how the net
			// package saw it ("dial tcp ...: i/o timeout").
			err = ctxErr(ctx, "dial")
		}
		return nil, &OpError{Op: "dial", Addr: addr, Err: err}
	}
	c, err := d.NewConn(ctx, nc)
	if err != nil {
		nc.Close()
		return nil, err
	}
	reopen := *d
	reopen.Streams = 1
	c.dialer, c.dialAddr = &reopen, addr
	if c.streams > 1 {
		sd := *d
		sd.Streams = 1
		opened := 0
		c.redial = func(ctx context.Context) (*Conn, error) {
			opened++ // under c.streamsMu
			sd.Trace = nil
			if d.Trace != nil {
				stream := opened
				// The streams trace from their own goroutines: one at a time.
				sd.Trace = func(_ int, dir Direction, m *Message, raw []byte) {
					c.traceMu.Lock()
					defer c.traceMu.Unlock()
					d.Trace(stream, dir, m, raw)
				}
			}
			return sd.DialContext(ctx, addr)
		}
	}
	return c, nil
}

// NewConn runs the startup exchange and the authenticator open over an
// already connected transport, e.g. one end of net.Pipe in tests.
func (d *Dialer) NewConn(ctx context.Context, nc net.Conn) (*Conn, error) {
	c := &Conn{
		nc:      nc,
		addr:    nc.RemoteAddr().String(),
		timeout: d.timeout(),
		window:  d.Window,
		auth:    d.Auth,
		trace:   d.Trace,
		nextID:  d.FirstID,
		streams: max(d.Streams, 1),
	}
	if c.window <= 0 {
		c.window = DefaultWindow
	}
	if c.auth != nil && c.window > MaxSignedWindow {
		c.window = MaxSignedWindow
	}
	for c.nextID == 0 {
		c.nextID = rand.Uint32() >> 1
	}
	c.src = newSpinReader(nc, d.Spin)
	c.r = NewReader(bufio.NewReaderSize(c.src, 16<<10), d.MaxMessageSize)
	c.mu.Lock()
	defer c.mu.Unlock()
	stop := c.watch(ctx)
	err := c.intro()
	if stop() && err != nil {
		err = ctxErr(ctx, "startup")
	} else if errors.Is(err, os.ErrDeadlineExceeded) && !errors.Is(err, context.DeadlineExceeded) {
		err = &timeoutError{what: "startup", d: c.timeout}
	}
	if err != nil {
		return nil, &OpError{Op: "startup", Addr: c.addr, Err: err}
	}
	if c.auth != nil {
		if err := c.openAuthenticator(ctx); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (d *Dialer) timeout() time.Duration {
	if d.Timeout > 0 {
		return d.Timeout
	}
	return DefaultTimeout
}

// WithPort adds the default port to an address without one.
func WithPort(addr string) string {
	if _, _, err := net.SplitHostPort(addr); err == nil {
		return addr
	}
	return net.JoinHostPort(addr, strconv.Itoa(DefaultPort))
}

func (c *Conn) intro() error {
	if _, err := c.nc.Write(AppendIntro(nil)); err != nil {
		return err
	}
	return c.r.ReadIntro()
}

// authOpen is the unsigned OPEN of the authenticator name with algorithm
// alg (wire form).
func authOpen(name, alg string) *Message {
	m := &Message{Op: OpOpen}
	m.Message.SetString("type", "authenticator")
	m.Object.SetString("name", name)
	m.Object.SetString("algorithm", alg)
	return m
}

func (c *Conn) openAuthenticator(ctx context.Context) error {
	name := c.auth.Name()
	reply, err := c.exchange(ctx, authOpen(name, c.auth.Algorithm()), false)
	if err != nil {
		return err
	}
	if reply.Op != OpUpdate {
		res, text := status(reply)
		ae := &AuthError{Key: name, Result: res}
		alg, err := NormalizeAlgorithm(c.auth.Algorithm())
		if err != nil {
			alg = c.auth.Algorithm() // an Authenticator of the caller's own
		}
		switch res {
		case ResultNotFound:
			ae.Reason = fmt.Sprintf("the server has no key %q with algorithm %s", name, alg)
			if other := c.probeAlgorithm(ctx, name, alg); other != "" {
				ae.Reason = fmt.Sprintf("the server's key %q uses algorithm %s, not %s", name, other, alg)
			}
		case ResultInvalidKey:
			ae.Reason = fmt.Sprintf("key %q is not the server's omapi-key", name)
		default:
			ae.Reason = fmt.Sprintf("opening the authenticator: %s %s", safeText(text), res)
		}
		return ae
	}
	c.authID = reply.Handle
	c.sign = c.auth.NewMAC()
	c.verify = c.auth.NewMAC()
	return nil
}

// probeAlgorithm tells a wrong algorithm from a wrong key name after the
// server found no key name with algorithm alg: dhcpd answers both "not
// found". It opens name with each other algorithm dhcpd supports and
// returns the first the server accepts, or "" (no such name, or the
// connection failed: the caller reports the first answer either way). The
// connection is not used afterwards.
func (c *Conn) probeAlgorithm(ctx context.Context, name, alg string) string {
	for _, other := range algorithms {
		if other == alg {
			continue
		}
		reply, err := c.exchange(ctx, authOpen(name, other+algSuffix), false)
		if err != nil {
			return ""
		}
		if reply.Op == OpUpdate {
			return other
		}
	}
	return ""
}
