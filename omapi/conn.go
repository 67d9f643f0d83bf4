package omapi

import (
	"bufio"
	"context"
	"crypto/hmac"
	"errors"
	"fmt"
	"hash"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"sync"
	"time"
)

// DefaultPort is the conventional OMAPI port (omshell's default).
const DefaultPort = 7911

// DefaultTimeout bounds every exchange whose context has no earlier deadline.
const DefaultTimeout = 5 * time.Second

// DefaultWindow is how many requests Batch keeps in flight.
//
// dhcpd 4.4.3 aborts (dst_api.c:353 REQUIRE failure, the process exits)
// when it finds some two dozen signed requests waiting at once and their
// replies mix UPDATEs and STATUSes — e.g. a lease scan where some
// addresses are unknown. In the lab, windows up to 16 never triggered it
// in thousands of mixed requests; 24 did at once. So signed connections
// keep at most MaxSignedWindow requests in flight; unsigned ones may go
// deeper.
const DefaultWindow = 8

// MaxSignedWindow caps the window of a signed connection (see DefaultWindow).
const MaxSignedWindow = 16

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

// Conn is a connection to an OMAPI server. Its methods are safe for
// concurrent use; exchanges are serialised.
type Conn struct {
	mu      sync.Mutex
	nc      net.Conn
	src     *spinReader // nc as c.r reads it
	addr    string
	timeout time.Duration
	window  int
	auth    Authenticator
	authID  uint32
	sign    hash.Hash // used by writers, under mu
	verify  hash.Hash // used by the reader, under mu
	trace   func(int, Direction, *Message, []byte)
	traceMu sync.Mutex // Batch traces from two goroutines
	r       *Reader
	wbuf    []byte
	sum     []byte
	nextID  uint32
	sigs    []byte   // block the signatures of requests are cut from (sigCopy)
	owed    []uint32 // ids of interrupted requests whose replies are still due
	broken  error    // set when the connection cannot go on as it is
	closed  bool

	// cancelWG counts the cancellation callback of the exchange in
	// progress (interruptOn), so that stopping it can wait for it.
	cancelWG sync.WaitGroup

	// What opens a new transport when this one is out of step (reopen);
	// nil for a Conn from NewConn.
	dialer     *Dialer
	dialAddr   string
	reconnects int

	// ReadBatch's extra connections (streams.go).
	streams        int
	redial         func(context.Context) (*Conn, error)
	streamsMu      sync.Mutex // one ReadBatch at a time; guards streamsRetryAt
	streamsRetryAt time.Time  // no dialing of extra connections before then
	extraMu        sync.Mutex // guards extra and extraClosed
	extra          []*Conn
	extraClosed    bool
}

// Addr returns the server address as dialed.
func (c *Conn) Addr() string { return c.addr }

// Auth returns the connection's key, nil when unsigned.
func (c *Conn) Auth() Authenticator { return c.auth }

// AuthID returns the server handle of the key (0 when unsigned).
func (c *Conn) AuthID() uint32 { return c.authID }

// Close closes the connection. Later calls fail with ErrClosed.
func (c *Conn) Close() error {
	c.closeStreams()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	if c.broken != nil {
		return nil // the failure that broke it closed the transport
	}
	return c.nc.Close()
}

// Err returns why the connection can no longer be used as it is, or nil.
// An error matching ErrOutOfStep on a Conn from Dialer.DialContext means
// the next request opens a new transport first (see Reconnects).
func (c *Conn) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.usable()
}

// Reconnects returns how many times the connection opened a new transport
// in place of one out of step (ErrOutOfStep): 0 while it is the one dialed.
func (c *Conn) Reconnects() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reconnects
}

func (c *Conn) usable() error {
	if c.closed {
		return ErrClosed
	}
	return c.broken
}

// ready returns nil when c can take a request, after opening a new
// transport in place of one out of step when c has a dialer; c.mu is held.
func (c *Conn) ready(ctx context.Context) error {
	if !c.closed && c.dialer != nil && errors.Is(c.broken, ErrOutOfStep) {
		if err := c.reopen(ctx); err != nil {
			return &wrapError{"opening a new connection in place of one out of step", err}
		}
	}
	return c.usable()
}

// reopen dials the server again and takes over the new transport, which
// opens the authenticator anew (dhcpd accepts it only on a connection that
// opened it; object handles are the server's and stay valid). c.mu is held.
func (c *Conn) reopen(ctx context.Context) error {
	fresh, err := c.dialer.DialContext(ctx, c.dialAddr)
	if err != nil {
		return err
	}
	c.nc, c.src, c.r = fresh.nc, fresh.src, fresh.r
	c.authID, c.sign, c.verify = fresh.authID, fresh.sign, fresh.verify
	c.broken, c.owed = nil, nil
	c.reconnects++
	return nil
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
		reply, err := c.exchange(ctx, authOpen(name, other+AlgSuffix), false)
		if err != nil {
			return ""
		}
		if reply.Op == OpUpdate {
			return other
		}
	}
	return ""
}

// Exchange sends m and returns the server's reply. It sets m.ID, m.AuthID
// and the signature. Any reply but a failing STATUS (an UPDATE carrying an
// object, a successful STATUS) is returned with a nil error. A STATUS
// reply with a non-zero result comes back as a *StatusError together
// with the reply itself, whose values (the server's message, which
// StatusError.Text already holds) a caller may read; other failures
// return a nil reply.
func (c *Conn) Exchange(ctx context.Context, m *Message) (*Message, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	reply, err := c.exchange(ctx, m, true)
	if err != nil {
		return nil, err
	}
	return reply, statusError(m, reply)
}

// Query sends m and returns the reply whatever it is: a STATUS reply with
// an error result is data here, not a failure. Transport, signature and
// protocol failures are still errors.
func (c *Conn) Query(ctx context.Context, m *Message) (*Message, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.exchange(ctx, m, true)
}

// exchange sends one request and reads its reply; c.mu is held.
//
// When ctx ends first, the connection stays in step if it can: a request
// not yet written is not sent, and the reply to one written whole is owed
// (c.owed), read and dropped before the next request (settle). Only a
// request half written leaves the stream out of step.
func (c *Conn) exchange(ctx context.Context, m *Message, signed bool) (*Message, error) {
	if err := c.ready(ctx); err != nil {
		return nil, err
	}
	if err := checkRequest(m, c.r.max); err != nil {
		return nil, err
	}
	stop := c.watch(ctx)
	if err := c.settle(); err != nil {
		if interrupted(ctx, stop(), err) {
			return nil, interruption(ctx, "read", c.addr)
		}
		return nil, c.outOfStep(err, "waiting for the reply to an interrupted request")
	}
	if n, err := c.send(m, signed); err != nil {
		switch ended := stop(); {
		case !interrupted(ctx, ended, err):
			return nil, c.fail("write", err)
		case n > 0:
			return nil, c.outOfStep(interruption(ctx, "write", c.addr), "half written")
		}
		return nil, interruption(ctx, "write", c.addr)
	}
	c.src.on = true
	reply, err := c.recv(m)
	c.src.on = false
	if ended := stop(); err != nil {
		if interrupted(ctx, ended, err) {
			c.owed = append(c.owed, m.ID)
			return nil, interruption(ctx, "read", c.addr)
		}
		return nil, c.fail("read", err)
	}
	return reply, nil
}

// settle reads and drops the replies still due to interrupted requests,
// in order (dhcpd answers in order), under the deadline already set; c.mu
// is held. A reply interrupted half-read is taken up where it stopped
// (Reader keeps the bytes).
func (c *Conn) settle() error {
	for len(c.owed) > 0 {
		reply, err := c.r.ReadMessage()
		if err != nil {
			return err
		}
		c.traceMsg(Received, reply, c.r.Raw())
		if reply.RID != c.owed[0] {
			return ProtocolError(fmt.Sprintf("reply rid %d is not the one due to an interrupted request (%d)", reply.RID, c.owed[0]))
		}
		c.owed = c.owed[1:]
	}
	return nil
}

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

// send encodes, signs and writes m in one write, and returns how many
// bytes were written; c.mu is held.
func (c *Conn) send(m *Message, signed bool) (int, error) {
	m.ID = c.nextID
	c.nextID++
	if c.nextID == 0 {
		c.nextID = 1
	}
	b, err := c.encode(c.wbuf[:0], m, signed)
	c.wbuf = b
	if err != nil {
		return 0, err
	}
	c.traceMsg(Sent, m, b)
	return c.nc.Write(b)
}

func (c *Conn) encode(b []byte, m *Message, signed bool) ([]byte, error) {
	if !signed || c.sign == nil {
		m.AuthID, m.Signature = 0, nil
		return m.appendUnsigned(b, 0)
	}
	m.AuthID = c.authID
	start := len(b)
	b, err := m.appendUnsigned(b, c.sign.Size())
	if err != nil {
		return b, err
	}
	c.sign.Reset()
	c.sign.Write(b[start+4:])
	n := len(b)
	b = c.sign.Sum(b)
	m.Signature = c.sigCopy(b[n:])
	return b, nil
}

// sigCopy returns a copy of sig that the connection never writes again: a
// request's Signature must not point into the write buffer, which the
// next request overwrites. Copies are cut from a block of their own, to
// spare an allocation per request; c.mu is held.
func (c *Conn) sigCopy(sig []byte) []byte {
	if len(c.sigs)+len(sig) > cap(c.sigs) {
		c.sigs = make([]byte, 0, max(4096, len(sig)))
	}
	start := len(c.sigs)
	c.sigs = append(c.sigs, sig...)
	return c.sigs[start:len(c.sigs):len(c.sigs)]
}

// recv reads the reply to req and checks it; c.mu is held.
func (c *Conn) recv(req *Message) (*Message, error) {
	reply, err := c.r.ReadMessage()
	if err != nil {
		return nil, err
	}
	c.traceMsg(Received, reply, c.r.Raw())
	if reply.RID != req.ID {
		return nil, ProtocolError(fmt.Sprintf("reply rid %d answers no request (waiting for %d)", reply.RID, req.ID))
	}
	return reply, c.check(req, reply)
}

// check verifies the signature of a reply to a signed request.
func (c *Conn) check(req, reply *Message) error {
	if req.AuthID == 0 {
		if reply.AuthID != 0 || len(reply.Signature) != 0 {
			return ProtocolError("signed reply to an unsigned request")
		}
		if reply.Op == OpStatus && c.auth == nil {
			if res, _ := status(reply); res == ResultNoKeys {
				return &AuthError{Reason: "the server requires a key and none is configured", Result: res}
			}
		}
		return nil
	}
	name := c.auth.Name()
	if reply.AuthID != req.AuthID || len(reply.Signature) == 0 {
		res, text := status(reply)
		if reply.Op == OpStatus && res == ResultInvalidKey {
			return &AuthError{Key: name, Result: res, Reason: "the server rejected our signature: wrong secret?"}
		}
		if reply.Op == OpStatus && res != 0 {
			return &AuthError{Key: name, Result: res, Reason: fmt.Sprintf("unsigned reply to a signed request: %s %s", safeText(text), res)}
		}
		return &AuthError{Key: name, Reason: "unsigned reply to a signed request"}
	}
	c.verify.Reset()
	c.verify.Write(c.r.Signed(reply))
	c.sum = c.verify.Sum(c.sum[:0])
	if !hmac.Equal(c.sum, reply.Signature) {
		return &AuthError{Key: name, Reason: "reply signature does not verify (wrong secret or tampered reply)"}
	}
	return nil
}

// status returns the result and message of a STATUS reply.
func status(m *Message) (Result, string) {
	if m.Op != OpStatus {
		return 0, ""
	}
	var res Result
	if n, err := m.Message.Uint32("result"); err == nil {
		res = Result(n)
	}
	text, _ := m.Message.String("message")
	return res, text
}

// statusError turns a failing STATUS reply into a *StatusError.
func statusError(req, reply *Message) error {
	if reply.Op != OpStatus {
		return nil
	}
	res, text := status(reply)
	if res == ResultSuccess {
		return nil
	}
	e := &StatusError{Op: req.Op, Result: res, Text: text}
	if t, ok := req.Message.Get("type"); ok {
		e.Type = string(t)
	}
	e.Keys = describeKeys(e.Type, req.Object)
	if req.Op != OpOpen && req.Handle != 0 {
		e.Keys = "handle " + strconv.FormatUint(uint64(req.Handle), 10)
	}
	return e
}

// describeKeys renders lookup keys for error messages, e.g.
// `name="host1"`; statements and long values are left out.
func describeKeys(typ string, vs Values) string {
	s := ""
	for _, v := range vs {
		switch v.Name {
		case "hardware-type", "statements":
			continue
		}
		k, _ := AttrKind(typ, v.Name)
		text := k.Format(v.Data)
		if k == KindString || k == KindBytes {
			text = strconv.Quote(text)
		}
		if len(text) > 64 {
			text = text[:61] + "..."
		}
		if s != "" {
			s += " "
		}
		s += v.Name + "=" + text
	}
	return s
}

func (c *Conn) traceMsg(dir Direction, m *Message, raw []byte) {
	if c.trace == nil {
		return
	}
	c.traceMu.Lock()
	defer c.traceMu.Unlock()
	c.trace(0, dir, m, raw)
}
