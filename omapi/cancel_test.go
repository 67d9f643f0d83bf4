package omapi_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/omapish/omapish/internal/errcode"
	"github.com/omapish/omapish/omapi"
	"github.com/omapish/omapish/omapi/omapitest"
)

var hostKeys = omapi.Values{{Name: "name", Data: []byte("h")}}

// countingConn counts the bytes read through it, and can split a write in
// two, calling onSplit in between.
type countingConn struct {
	net.Conn
	read    atomic.Int64
	split   int    // when > 0, the next write longer than this is split there
	onSplit func() // called between the two halves
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.read.Add(int64(n))
	return n, err
}

func (c *countingConn) Write(p []byte) (int, error) {
	if c.split == 0 || len(p) <= c.split {
		return c.Conn.Write(p)
	}
	n, err := c.Conn.Write(p[:c.split])
	c.split = 0
	if err != nil {
		return n, err
	}
	c.onSplit()
	m, err := c.Conn.Write(p[n:])
	return n + m, err
}

// dialCounting dials addr through a countingConn it returns (the last one
// dialed, when the Conn reconnects).
func dialCounting(t *testing.T, addr string, d *omapi.Dialer) (*omapi.Conn, func() *countingConn) {
	t.Helper()
	var mu sync.Mutex
	var last *countingConn
	d.NetDial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		nc, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		mu.Lock()
		defer mu.Unlock()
		last = &countingConn{Conn: nc}
		return last, nil
	}
	c, err := d.DialContext(t.Context(), addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, func() *countingConn { mu.Lock(); defer mu.Unlock(); return last }
}

// openCanceled runs c.Open in the background and cancels it once the peer
// has the request (got), as Ctrl-C would.
func openCanceled(t *testing.T, c *omapi.Conn, got <-chan struct{}, before func()) error {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	errc := make(chan error, 1)
	go func() {
		_, err := c.Open(ctx, "host", hostKeys)
		errc <- err
	}()
	<-got
	if before != nil {
		before()
	}
	cancel()
	return <-errc
}

// TestCancelLateReply: a request cancelled while its reply is on the way
// leaves the connection usable: the reply is read and dropped when it
// comes (also when half of it had been read at the cancel), and the next
// request gets its own reply on the same connection.
func TestCancelLateReply(t *testing.T) {
	for _, tt := range []struct {
		name  string
		early int // bytes of the late reply sent before the cancel
	}{
		{"whole reply after the cancel", 0},
		{"half the reply before the cancel", 30},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, late := make(chan struct{}), make(chan struct{})
			var conns atomic.Int32
			addr := omapitest.Serve(t, func(p *omapitest.Peer) {
				conns.Add(1)
				p.Intro()
				req, err := p.Read()
				if err != nil {
					return
				}
				b, _ := p.Reply(req, 7, omapi.Values{{Name: "name", Data: []byte("first")}}).MarshalBinary()
				p.Write(b[:tt.early])
				close(got)
				<-late
				p.Write(b[tt.early:])
				for {
					req, err := p.Read()
					if err != nil {
						return
					}
					p.Send(p.Reply(req, 8, omapi.Values{{Name: "name", Data: []byte("second")}}))
				}
			})
			c, nc := dialCounting(t, addr, &omapi.Dialer{Timeout: 2 * time.Second})
			err := openCanceled(t, c, got, func() {
				// The client has read the early part before the cancel.
				for nc().read.Load() < int64(omapi.IntroSize+tt.early) {
					time.Sleep(time.Millisecond)
				}
			})
			if !errors.Is(err, context.Canceled) || errcode.Of(err) != "canceled" || err.Error() != "omapi: request canceled" {
				t.Fatalf("cancelled request: %v (code %s), want \"omapi: request canceled\"", err, errcode.Of(err))
			}
			if c.Err() != nil || c.Owed() != 1 {
				t.Fatalf("after the cancel: Err %v, %d replies owed; want usable, 1 owed", c.Err(), c.Owed())
			}
			close(late)
			o, err := c.Open(t.Context(), "host", hostKeys)
			if err != nil {
				t.Fatalf("next request: %v", err)
			}
			if name, _ := o.Values.String("name"); o.Handle != 8 || name != "second" {
				t.Fatalf("next request got handle %d %q, want its own reply (8 \"second\")", o.Handle, name)
			}
			if c.Reconnects() != 0 || conns.Load() != 1 || c.Owed() != 0 {
				t.Fatalf("%d reconnects, %d connections, %d owed; want the same connection", c.Reconnects(), conns.Load(), c.Owed())
			}
		})
	}
}

// TestCancelReplyNeverComes: when the reply owed to a cancelled request
// does not come within the timeout, the connection is out of step: that
// request says so, and the next one opens a new connection.
func TestCancelReplyNeverComes(t *testing.T) {
	got := make(chan struct{})
	var conns atomic.Int32
	addr := omapitest.Serve(t, func(p *omapitest.Peer) {
		if conns.Add(1) == 1 {
			p.Intro()
			p.Read()
			close(got)
			p.Read() // the next request, never answered
			p.Read()
			return
		}
		p.Intro()
		for {
			req, err := p.Read()
			if err != nil {
				return
			}
			p.Send(p.Reply(req, 8, omapi.Values{{Name: "name", Data: []byte("fresh")}}))
		}
	})
	c, _ := dialCounting(t, addr, &omapi.Dialer{Timeout: 200 * time.Millisecond})
	if err := openCanceled(t, c, got, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled request: %v", err)
	}
	_, err := c.Open(t.Context(), "host", hostKeys)
	if !errors.Is(err, omapi.ErrOutOfStep) || errcode.Of(err) != "timeout" || !strings.Contains(err.Error(), "next request opens a new one") {
		t.Fatalf("request after the cancel: %v (code %s), want out of step after a timeout", err, errcode.Of(err))
	}
	t.Log(err)
	if !errors.Is(c.Err(), omapi.ErrOutOfStep) {
		t.Fatalf("Err() = %v, want ErrOutOfStep", c.Err())
	}
	o, err := c.Open(t.Context(), "host", hostKeys)
	if err != nil || o.Handle != 8 {
		t.Fatalf("request on the new connection: %v, %v", o, err)
	}
	if c.Reconnects() != 1 || conns.Load() != 2 || c.Err() != nil {
		t.Fatalf("%d reconnects, %d connections, Err %v; want 1, 2, nil", c.Reconnects(), conns.Load(), c.Err())
	}
}

// TestCancelHalfWritten: a request cut in the middle of its write leaves
// the stream out of step: the cancelled request says so, and the next one
// runs on a new connection. Without a dialer (NewConn) the connection
// stays broken.
func TestCancelHalfWritten(t *testing.T) {
	quit := make(chan struct{})
	var conns atomic.Int32
	addr := omapitest.Serve(t, func(p *omapitest.Peer) {
		p.Intro()
		if conns.Add(1) == 1 {
			<-quit // reads nothing more: the big write blocks
			return
		}
		for {
			req, err := p.Read()
			if err != nil {
				return
			}
			p.Send(p.Status(req, 0, ""))
		}
	})
	t.Cleanup(func() { close(quit) })
	// A receive cap large enough that the 32 MiB request (which the
	// socket cannot take at once) is not refused as too large.
	c, nc := dialCounting(t, addr, &omapi.Dialer{Timeout: 5 * time.Second, MaxMessageSize: 256 << 20})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	nc().split, nc().onSplit = 1<<20, cancel
	big := omapi.Values{{Name: "statements", Data: bytes.Repeat([]byte("x"), 32<<20)}}
	err := c.Update(ctx, 5, big)
	if !errors.Is(err, omapi.ErrOutOfStep) || !errors.Is(err, context.Canceled) || errcode.Of(err) != "canceled" ||
		!strings.Contains(err.Error(), "half written") {
		t.Fatalf("cancel in the middle of the write: %v (code %s)", err, errcode.Of(err))
	}
	t.Log(err)
	if err := c.Update(t.Context(), 5, omapi.Values{{Name: "name", Data: []byte("h")}}); err != nil {
		t.Fatalf("next request: %v", err)
	}
	if c.Reconnects() != 1 || conns.Load() != 2 {
		t.Fatalf("%d reconnects, %d connections; want 1, 2", c.Reconnects(), conns.Load())
	}
}

// TestCancelLandsAsReplyArrives: a cancellation whose callback is still
// running when the reply has been read must be over before the next
// exchange arms its deadline, or its past deadline fails that exchange.
// The hook holds the callback until the next exchange is about to write
// or the first exchange waits for the callback, whichever comes first:
// without that wait, the next exchange fails every time.
func TestCancelLandsAsReplyArrives(t *testing.T) {
	got, replyNow := make(chan struct{}), make(chan struct{})
	addr := omapitest.Serve(t, func(p *omapitest.Peer) {
		p.Intro()
		req, _ := p.Read()
		close(got)
		<-replyNow
		p.Send(p.Status(req, 0, ""))
		for {
			req, err := p.Read()
			if err != nil {
				return
			}
			p.Send(p.Status(req, 0, ""))
		}
	})
	var (
		received1    = make(chan struct{}) // the first reply was read
		sent2        = make(chan struct{}) // the second request is about to be written
		stopWaits    = make(chan struct{}) // the first exchange waits for the callback
		entered      = make(chan struct{})
		callbackDone = make(chan struct{})
		once2        sync.Once
		onceRecv     sync.Once
		onceStop     sync.Once
	)
	d := &omapi.Dialer{Trace: func(_ int, dir omapi.Direction, m *omapi.Message, _ []byte) {
		switch {
		case dir == omapi.Received:
			onceRecv.Do(func() { close(received1) })
		case dir == omapi.Sent && m.Op == omapi.OpRefresh:
			once2.Do(func() { close(sent2) })
			<-callbackDone
		}
	}}
	c, err := d.DialContext(t.Context(), addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	omapi.SetCancelHook(t, func(event string) {
		switch event {
		case "callback":
			close(entered)
			<-received1
			select {
			case <-sent2:
			case <-stopWaits:
			}
			go func() {
				// After this hook the callback sets its deadline; the
				// next exchange writes once that is done (or at once when
				// stop waited for it, which is the point).
				select {
				case <-stopWaits:
				case <-time.After(50 * time.Millisecond):
				}
				close(callbackDone)
			}()
		case "stop":
			onceStop.Do(func() { close(stopWaits) })
		}
	})
	ctx, cancel := context.WithCancel(t.Context())
	errc := make(chan error, 1)
	go func() {
		_, err := c.Exchange(ctx, omapi.NewOpen("host", hostKeys))
		errc <- err
	}()
	<-got
	cancel()
	<-entered
	close(replyNow)
	if err := <-errc; err != nil {
		t.Fatalf("first exchange (its reply was read): %v", err)
	}
	if _, err := c.Exchange(t.Context(), &omapi.Message{Op: omapi.OpRefresh, Handle: 3}); err != nil {
		t.Fatalf("the exchange after a cancellation that landed as the reply came: %v", err)
	}
}

// TestSignatureOwned: a signed request's Signature is its own: later
// exchanges (one at a time, concurrent, or pipelined) do not overwrite it.
func TestSignatureOwned(t *testing.T) {
	key := omapitest.Key()
	addr := omapitest.Serve(t, func(p *omapitest.Peer) {
		p.Auth = key
		p.Handshake()
		for {
			req, err := p.Read()
			if err != nil {
				return
			}
			p.Send(p.Status(req, 0, ""))
		}
	})
	c, err := (&omapi.Dialer{Auth: key}).DialContext(t.Context(), addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	check := func(what string, m *omapi.Message) {
		t.Helper()
		if !m.Verify(key) {
			t.Errorf("%s: signature no longer verifies", what)
		}
	}
	first := omapi.NewOpen("host", hostKeys)
	if _, err := c.Exchange(t.Context(), first); err != nil {
		t.Fatal(err)
	}
	check("after its own exchange", first)
	sig := bytes.Clone(first.Signature)
	if _, err := c.Exchange(t.Context(), omapi.NewOpen("lease", omapi.Values{{Name: "ip-address", Data: []byte{192, 0, 2, 1}}})); err != nil {
		t.Fatal(err)
	}
	check("after the next exchange", first)
	if !bytes.Equal(sig, first.Signature) {
		t.Errorf("signature changed by the next exchange")
	}

	// Goroutines reading their own signatures while others exchange: the
	// race detector sees any sharing.
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				m := omapi.NewOpen("host", omapi.Values{{Name: "name", Data: []byte{'a' + byte(g), byte(i)}}})
				if _, err := c.Exchange(t.Context(), m); err != nil {
					t.Error(err)
					return
				}
				check("concurrent", m)
			}
		}()
	}
	wg.Wait()

	msgs := make([]*omapi.Message, 100)
	for i := range msgs {
		msgs[i] = omapi.NewOpen("host", omapi.Values{{Name: "name", Data: []byte{byte(i)}}})
	}
	if err := c.Batch(t.Context(), len(msgs), func(i int) *omapi.Message { return msgs[i] }, func(int, *omapi.Message, error) error { return nil }); err != nil {
		t.Fatal(err)
	}
	for i, m := range msgs {
		check("batch request "+strconv.Itoa(i), m)
	}
}

// TestNewOpenOwnBytes: the bytes of one request are not another's: editing
// one leaves the next untouched.
func TestNewOpenOwnBytes(t *testing.T) {
	a := omapi.NewOpen("host", nil, omapi.Create, omapi.Update, omapi.Exclusive)
	for _, v := range a.Message {
		for i := range v.Data {
			v.Data[i] = 'X'
		}
	}
	b := omapi.NewOpen("host", nil, omapi.Create, omapi.Update, omapi.Exclusive)
	want := omapi.Values{
		{Name: "create", Data: []byte{0, 0, 0, 1}},
		{Name: "update", Data: []byte{0, 0, 0, 1}},
		{Name: "exclusive", Data: []byte{0, 0, 0, 1}},
		{Name: "type", Data: []byte("host")},
	}
	if len(b.Message) != len(want) {
		t.Fatalf("message values %v, want %v", b.Message, want)
	}
	for i, v := range b.Message {
		if v.Name != want[i].Name || !bytes.Equal(v.Data, want[i].Data) {
			t.Errorf("value %d = %s %q, want %s %q", i, v.Name, v.Data, want[i].Name, want[i].Data)
		}
	}
}
