package omapi

import (
	"context"
	"crypto/hmac"
	"errors"
	"fmt"
	"hash"
	"net"
	"strconv"
	"sync"
	"time"
)

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
