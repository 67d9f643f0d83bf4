package omapi_test

import (
	"context"
	"errors"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/omapish/omapish/internal/errcode"
	"github.com/omapish/omapish/internal/lab"
	"github.com/omapish/omapish/omapi"
)

// interruptingConn cancels a context at the first read after arm, as
// Ctrl-C landing while the reply is on its way does, and fails that read
// with the deadline error the cancellation sets, leaving the reply unread.
type interruptingConn struct {
	net.Conn
	mu     sync.Mutex
	cancel context.CancelFunc
}

func (c *interruptingConn) arm(cancel context.CancelFunc) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cancel = cancel
}

func (c *interruptingConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	cancel := c.cancel
	c.cancel = nil
	c.mu.Unlock()
	if cancel != nil {
		cancel()
		return 0, &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}
	}
	return c.Conn.Read(p)
}

// TestCancelLab: against dhcpd, a lookup interrupted after its request
// was sent returns "canceled"; dhcpd's reply is dropped when the next
// lookup reads it, and that lookup gets its own answer on the same
// connection (no new dial).
func TestCancelLab(t *testing.T) {
	l := labFor(t)
	auth, _ := omapi.HMAC(l.KeyName(), l.Algorithm(), l.Secret())
	var (
		dials    atomic.Int32
		ic       *interruptingConn
		received []uint32
		mu       sync.Mutex
	)
	d := &omapi.Dialer{Auth: auth,
		NetDial: func(ctx context.Context, network, addr string) (net.Conn, error) {
			nc, err := l.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			dials.Add(1)
			ic = &interruptingConn{Conn: nc}
			return ic, nil
		},
		Trace: func(_ int, dir omapi.Direction, m *omapi.Message, _ []byte) {
			if dir == omapi.Received {
				mu.Lock()
				received = append(received, m.RID)
				mu.Unlock()
			}
		},
	}
	c, err := d.DialContext(t.Context(), l.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for round := range 3 {
		ctx, cancel := context.WithCancel(t.Context())
		ic.arm(cancel)
		req := omapi.NewOpen("lease", omapi.Values{{Name: "ip-address", Data: []byte{192, 0, 2, 150}}})
		_, err := c.Exchange(ctx, req)
		cancel()
		if !errors.Is(err, context.Canceled) || errcode.Of(err) != "canceled" || err.Error() != "omapi: request canceled" {
			t.Fatalf("round %d: interrupted lookup: %v", round, err)
		}
		mac, err := leaseMAC(t.Context(), c, lab.Sample.ActiveLease.IP)
		if err != nil || mac.String() != lab.Sample.ActiveLease.MAC {
			t.Fatalf("round %d: lookup after the interruption: %v, %v", round, mac, err)
		}
		mu.Lock()
		dropped := len(received) >= 2 && received[len(received)-2] == req.ID
		mu.Unlock()
		if !dropped {
			t.Fatalf("round %d: the reply to the interrupted request %d was not read before the next (replies %v)", round, req.ID, received)
		}
	}
	if dials.Load() != 1 || c.Reconnects() != 0 {
		t.Fatalf("%d dials, %d reconnects; want the one connection throughout", dials.Load(), c.Reconnects())
	}
}

// TestReconnectKeepsHandles: a connection out of step opens a new one at
// its next request, and what dhcpd keeps per server survives: an object
// handle from before still refreshes the object. The authenticator is
// opened anew (dhcpd keeps it per connection).
func TestReconnectKeepsHandles(t *testing.T) {
	l := labFor(t)
	c := dial(t, l)
	o, err := c.Open(t.Context(), "host", omapi.Values{{Name: "name", Data: []byte(lab.Sample.Static.Name)}})
	if err != nil {
		t.Fatal(err)
	}
	authBefore := c.AuthID()
	if err := c.BreakStep(); !errors.Is(err, omapi.ErrOutOfStep) {
		t.Fatalf("BreakStep: %v", err)
	}
	again, err := c.Refresh(t.Context(), "host", o.Handle)
	if err != nil {
		t.Fatalf("refreshing handle %d on the new connection: %v", o.Handle, err)
	}
	if name, _ := again.Values.String("name"); name != lab.Sample.Static.Name || c.Reconnects() != 1 {
		t.Fatalf("refresh gave %q after %d reconnects", name, c.Reconnects())
	}
	t.Logf("authenticator handle %d before, %d after", authBefore, c.AuthID())
}

// TestConcurrentLab drives one Conn from several goroutines at once —
// single exchanges, pipelined batches, spread batches, cancellations and
// finally Close — against dhcpd. Run under -race (CI does): every reply
// must be the right one, and after Close every call fails with ErrClosed.
func TestConcurrentLab(t *testing.T) {
	l := labFor(t)
	c := dial(t, l)
	var wg sync.WaitGroup
	var closed atomic.Bool
	okOrClosed := func(what string, err error) bool {
		if err == nil {
			return true
		}
		if closed.Load() && (errors.Is(err, omapi.ErrClosed) || errcode.Of(err) == "io") {
			return false
		}
		t.Errorf("%s: %v", what, err)
		return false
	}
	want := lab.Sample.ActiveLease
	for range 2 {
		wg.Add(1)
		go func() { // one at a time
			defer wg.Done()
			for range 200 {
				mac, err := leaseMAC(t.Context(), c, want.IP)
				if !okOrClosed("lookup", err) {
					return
				}
				if mac.String() != want.MAC {
					t.Errorf("lookup got %v, want %s", mac, want.MAC)
				}
			}
		}()
	}
	wg.Add(1)
	go func() { // interrupted lookups
		defer wg.Done()
		for i := range 200 {
			ctx, cancel := context.WithCancel(t.Context())
			if i%2 == 0 {
				time.AfterFunc(time.Duration(i)*time.Microsecond, cancel)
			}
			_, err := leaseMAC(ctx, c, want.IP)
			cancel()
			if err != nil && errcode.Of(err) != "canceled" && !okOrClosed("interrupted lookup", err) {
				return
			}
		}
	}()
	for _, batch := range []func(context.Context, int, func(int) *omapi.Message, func(int, *omapi.Message, error) error) error{c.Batch, c.ReadBatch} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 5 {
				seen := 0
				err := batch(t.Context(), 600, leaseAt, func(i int, reply *omapi.Message, err error) error {
					if err == nil {
						ip, _ := reply.Object.IP("ip-address")
						if ip.As4()[3] != byte(i) {
							t.Errorf("batch reply %d is for %v", i, ip)
						}
					}
					seen++
					return nil
				})
				if !okOrClosed("batch", err) {
					return
				}
				if seen != 600 {
					t.Errorf("batch saw %d replies, want 600", seen)
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		time.Sleep(150 * time.Millisecond)
		closed.Store(true)
		c.Close()
	}()
	wg.Wait()
	if _, err := leaseMAC(t.Context(), c, want.IP); !errors.Is(err, omapi.ErrClosed) {
		t.Fatalf("after Close: %v, want ErrClosed", err)
	}
}
