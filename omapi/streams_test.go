package omapi_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/omapish/omapish/internal/errcode"
	"github.com/omapish/omapish/internal/lab"
	"github.com/omapish/omapish/internal/lab/labtest"
	"github.com/omapish/omapish/omapi"
)

// streams is how many connections the lab tests' ReadBatch may use.
const streams = 8

// leaseAt is a lookup of 192.0.2.(i%256): a mix of leases dhcpd knows
// and addresses it answers "not found" for.
func leaseAt(i int) *omapi.Message {
	return omapi.NewOpen("lease", omapi.Values{{Name: "ip-address", Data: []byte{192, 0, 2, byte(i)}}})
}

// answer is a reply in a comparable form: the lease's address and state,
// or the error code.
func answer(reply *omapi.Message, err error) string {
	if err != nil {
		return errcode.Of(err)
	}
	ip, _ := reply.Object.Get("ip-address")
	state, _ := reply.Object.Uint32("state")
	return fmt.Sprintf("%x/%d", ip, state)
}

// batchAnswers is the answer of each of the first n lease lookups, asked
// on c alone (Batch): what spreading them over connections must match.
func batchAnswers(tb testing.TB, c *omapi.Conn, n int) []string {
	tb.Helper()
	var want []string
	if err := c.Batch(tb.Context(), n, leaseAt, func(i int, reply *omapi.Message, err error) error {
		want = append(want, answer(reply, err))
		return nil
	}); err != nil {
		tb.Fatal(err)
	}
	return want
}

func TestReadOnly(t *testing.T) {
	host := omapi.Values{{Name: "name", Data: []byte("h")}}
	tests := []struct {
		name string
		m    *omapi.Message
		want bool
	}{
		{"open", omapi.NewOpen("host", host), true},
		{"refresh", &omapi.Message{Op: omapi.OpRefresh, Handle: 7}, true},
		{"open create", omapi.NewOpen("host", host, omapi.Create), false},
		{"open update", omapi.NewOpen("host", host, omapi.Update), false},
		{"open create=0", &omapi.Message{Op: omapi.OpOpen, Message: omapi.Values{{Name: "create", Data: []byte{0, 0, 0, 0}}}}, true},
		{"update", &omapi.Message{Op: omapi.OpUpdate, Handle: 7}, false},
		{"delete", &omapi.Message{Op: omapi.OpDelete, Handle: 7}, false},
	}
	for _, tt := range tests {
		if got := omapi.ReadOnly(tt.m); got != tt.want {
			t.Errorf("ReadOnly(%s) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestReadBatch: spread over several connections, the replies reach fn in
// request order and say what one connection says.
func TestReadBatch(t *testing.T) {
	l := labFor(t)
	c := dial(t, l)
	const n = 1000
	want := batchAnswers(t, c, n)
	var got []string
	var handles []uint32
	err := c.ReadBatch(t.Context(), n, leaseAt, func(i int, reply *omapi.Message, err error) error {
		if i != len(got) {
			t.Fatalf("reply %d reached fn after %d others", i, len(got))
		}
		got = append(got, answer(reply, err))
		if err == nil {
			handles = append(handles, reply.Handle)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("ReadBatch: %v", err)
	}
	if s := c.ExtraStreams(); s != streams-1 {
		t.Errorf("ReadBatch opened %d extra connections, want %d", s, streams-1)
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("ReadBatch answers differ from Batch's:\n got %v\nwant %v", got, want)
	}
	// Handles are the server's: one from another stream refreshes here.
	for _, h := range handles[len(handles)-3:] {
		if _, err := c.Refresh(t.Context(), "lease", h); err != nil {
			t.Errorf("refreshing handle %d from another stream: %v", h, err)
		}
	}
	// A small batch stays on the connection; the streams stay open.
	if err := c.ReadBatch(t.Context(), 3, leaseAt, func(int, *omapi.Message, error) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if s := c.ExtraStreams(); s != 0 {
		t.Errorf("Close left %d extra connections open", s)
	}
}

// TestReadBatchRefusesWrites: a request that could change the server is
// refused before it is sent; the batch stops there and nothing was made.
func TestReadBatchRefusesWrites(t *testing.T) {
	l := labFor(t)
	c := dial(t, l)
	const bad = 500
	name := "readbatch-refused"
	seen := 0
	err := c.ReadBatch(t.Context(), 1000, func(i int) *omapi.Message {
		if i == bad {
			return omapi.NewOpen("host", omapi.Values{
				{Name: "name", Data: []byte(name)},
				{Name: "hardware-address", Data: []byte{0, 1, 2, 3, 4, 5}},
				{Name: "hardware-type", Data: []byte{0, 0, 0, 1}},
			}, omapi.Create)
		}
		return leaseAt(i)
	}, func(i int, _ *omapi.Message, _ error) error {
		if i != seen {
			t.Fatalf("reply %d reached fn after %d others", i, seen)
		}
		seen++
		return nil
	})
	if !errors.Is(err, omapi.ErrBadRequest) || !strings.Contains(err.Error(), "ReadBatch takes only lookups") {
		t.Fatalf("ReadBatch with a create = %v, want ErrBadRequest", err)
	}
	if seen > bad {
		t.Errorf("fn saw %d replies, past the refused request %d", seen, bad)
	}
	if _, err := c.Open(t.Context(), "host", omapi.Values{{Name: "name", Data: []byte(name)}}); errcode.Of(err) != "not-found" {
		t.Errorf("the refused host: %v, want not-found", err)
	}
	if err := c.Err(); err != nil {
		t.Errorf("connection unusable after a refused request: %v", err)
	}
}

// TestReadBatchStop: an error from fn ends the batch with that error, fn
// sees nothing after it, and every connection stays usable.
func TestReadBatchStop(t *testing.T) {
	l := labFor(t)
	c := dial(t, l)
	stop := errors.New("enough")
	calls := 0
	err := c.ReadBatch(t.Context(), 2000, leaseAt, func(i int, _ *omapi.Message, _ error) error {
		calls++
		if i == 100 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || calls != 101 {
		t.Fatalf("ReadBatch = %v after %d calls, want %v after 101", err, calls, stop)
	}
	n := 0
	if err := c.ReadBatch(t.Context(), 500, leaseAt, func(int, *omapi.Message, error) error { n++; return nil }); err != nil || n != 500 {
		t.Fatalf("next ReadBatch = %v after %d replies", err, n)
	}
}

// TestReadBatchLostStream: a stream that fails ends the batch with its
// error, fn having seen every reply before the first unanswered request;
// the next batch replaces the stream.
func TestReadBatchLostStream(t *testing.T) {
	l := labFor(t)
	c := dial(t, l)
	if err := c.ReadBatch(t.Context(), 100, leaseAt, func(int, *omapi.Message, error) error { return nil }); err != nil {
		t.Fatal(err)
	}
	c.CutStream(1)
	seen := 0
	err := c.ReadBatch(t.Context(), 1000, leaseAt, func(i int, _ *omapi.Message, _ error) error {
		if i != seen {
			t.Fatalf("reply %d reached fn after %d others", i, seen)
		}
		seen++
		return nil
	})
	var oe *omapi.OpError
	if !errors.As(err, &oe) || !strings.Contains(err.Error(), fmt.Sprintf("batch request %d", seen)) {
		t.Fatalf("ReadBatch over a cut stream = %v (fn saw %d), want an *OpError naming request %d", err, seen, seen)
	}
	if err := c.Err(); err != nil {
		t.Fatalf("the connection itself broke: %v", err)
	}
	n := 0
	if err := c.ReadBatch(t.Context(), 1000, leaseAt, func(int, *omapi.Message, error) error { n++; return nil }); err != nil || n != 1000 {
		t.Fatalf("ReadBatch after a lost stream = %v after %d replies", err, n)
	}
}

// TestReadBatchSafe: many signed requests with mixed UPDATE and STATUS
// replies, on every stream at once, do not trip dhcpd's assertion (see
// DefaultWindow).
func TestReadBatchSafe(t *testing.T) {
	l := labtest.Start(t)
	auth, _ := omapi.HMAC(l.KeyName(), l.Algorithm(), l.Secret())
	d := &omapi.Dialer{Auth: auth, NetDial: l.DialContext, Window: omapi.MaxSignedWindow, Streams: streams}
	c, err := d.DialContext(t.Context(), l.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	n := 0
	err = c.ReadBatch(t.Context(), 40000, leaseAt, func(_ int, _ *omapi.Message, err error) error {
		if err != nil && errcode.Of(err) != "not-found" {
			return err
		}
		n++
		return nil
	})
	if err != nil || n != 40000 {
		t.Fatalf("ReadBatch: %v after %d replies\n%s", err, n, l.Log())
	}
	if c.ExtraStreams() != 7 {
		t.Errorf("%d extra streams, want 7", c.ExtraStreams())
	}
	if strings.Contains(l.Log(), "REQUIRE") {
		t.Fatalf("dhcpd hit its assertion:\n%s", l.Log())
	}
}

// TestBatchCancel: cancelling the context ends a Batch or ReadBatch in
// flight at once with the context's error, on every connection (a read
// arming its own timeout must not undo the cancellation); Close then
// closes them all.
func TestBatchCancel(t *testing.T) {
	type batchFunc func(c *omapi.Conn, ctx context.Context, n int, req func(int) *omapi.Message, fn func(int, *omapi.Message, error) error) error
	for _, tt := range []struct {
		name    string
		batch   batchFunc
		streams bool
	}{
		{"Batch", (*omapi.Conn).Batch, false},
		{"ReadBatch", (*omapi.Conn).ReadBatch, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			l := labFor(t)
			want := batchAnswers(t, dial(t, l), 256)
			for range 5 {
				c := dial(t, l)
				ctx, cancel := context.WithCancel(t.Context())
				n := 0
				start := time.Now()
				err := tt.batch(c, ctx, 1_000_000, leaseAt, func(int, *omapi.Message, error) error {
					if n++; n == 1000 {
						cancel()
					}
					return nil
				})
				cancel()
				if !errors.Is(err, context.Canceled) || errcode.Of(err) != "canceled" {
					t.Fatalf("%s after cancel = %v, want context.Canceled", tt.name, err)
				}
				if d := time.Since(start); d > 5*time.Second {
					t.Errorf("%s took %v to stop", tt.name, d)
				}
				// Replies already read may still reach fn, no more than
				// the streams buffer.
				if n > 1000+streams*3*omapi.MaxSignedWindow {
					t.Errorf("fn saw %d replies after the cancel at 1000", n)
				}
				if tt.streams && c.ExtraStreams() == 0 {
					t.Fatal("no extra streams were open")
				}
				// The connections stay usable: the replies still due are
				// dropped, and the next requests get their own.
				streams := c.ExtraStreams()
				if mac, err := leaseMAC(t.Context(), c, lab.Sample.ActiveLease.IP); err != nil || mac.String() != lab.Sample.ActiveLease.MAC {
					t.Fatalf("lookup after the cancelled %s: %v, %v", tt.name, mac, err)
				}
				m := 0
				if err := tt.batch(c, t.Context(), 3000, leaseAt, func(i int, reply *omapi.Message, err error) error {
					if got := answer(reply, err); got != want[i%256] {
						return fmt.Errorf("reply %d: %s, want %s", i, got, want[i%256])
					}
					m++
					return nil
				}); err != nil || m != 3000 {
					t.Fatalf("%s after the cancelled one: %v after %d replies", tt.name, err, m)
				}
				if c.Reconnects() != 0 || c.ExtraStreams() != streams {
					t.Fatalf("%d reconnects, %d extra streams (%d before); want the same connections", c.Reconnects(), c.ExtraStreams(), streams)
				}
				if err := c.Close(); err != nil {
					t.Fatalf("Close after cancel: %v", err)
				}
				if s := c.ExtraStreams(); s != 0 {
					t.Errorf("%d extra streams after Close", s)
				}
			}
		})
	}
}

// TestReadBatchNoMoreConnections: a server (or firewall) that takes no
// second connection costs one bounded wait; the batch runs on the one
// connection it has, and the next batch does not try again.
func TestReadBatchNoMoreConnections(t *testing.T) {
	l := labFor(t)
	auth, _ := omapi.HMAC(l.KeyName(), l.Algorithm(), l.Secret())
	var dials atomic.Int32
	d := &omapi.Dialer{Auth: auth, NetDial: func(ctx context.Context, network, addr string) (net.Conn, error) {
		if dials.Add(1) == 1 {
			return l.DialContext(ctx, network, addr)
		}
		<-ctx.Done() // SYNs dropped
		return nil, ctx.Err()
	}, Streams: streams}
	c, err := d.DialContext(t.Context(), l.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for round := range 2 {
		start := time.Now()
		n := 0
		if err := c.ReadBatch(t.Context(), 1000, leaseAt, func(int, *omapi.Message, error) error { n++; return nil }); err != nil || n != 1000 {
			t.Fatalf("round %d: ReadBatch = %v after %d replies", round, err, n)
		}
		if d := time.Since(start); d > 4*time.Second {
			t.Errorf("round %d took %v", round, d)
		}
	}
	if got := dials.Load(); got != 2 {
		t.Errorf("%d dials, want 2 (the connection, one failed extra, no retry)", got)
	}
	if s := c.ExtraStreams(); s != 0 {
		t.Errorf("%d extra streams", s)
	}
}

// TestMapBatch checks that conv's values reach fn in request order, on
// one connection and over several, and that fn's error stops the batch.
func TestMapBatch(t *testing.T) {
	l := labFor(t)
	c := dial(t, l)
	for _, n := range []int{5, 1000} {
		want := batchAnswers(t, c, n)
		var got []string
		err := omapi.MapBatch(t.Context(), c, n, leaseAt,
			func(i int, reply *omapi.Message, err error) string {
				return fmt.Sprintf("%d:%s", i, answer(reply, err))
			},
			func(i int, v string) error {
				if w := fmt.Sprintf("%d:%s", i, want[i]); v != w {
					t.Fatalf("n=%d: fn(%d) got %q, want %q", n, i, v, w)
				}
				got = append(got, v)
				return nil
			})
		if err != nil || len(got) != n {
			t.Fatalf("n=%d: MapBatch: %v after %d values", n, err, len(got))
		}
	}
	stop := errors.New("enough")
	seen := 0
	err := omapi.MapBatch(t.Context(), c, 1000, leaseAt,
		func(int, *omapi.Message, error) int { return 0 },
		func(i int, _ int) error {
			if seen++; i == 500 {
				return stop
			}
			return nil
		})
	if !errors.Is(err, stop) || seen != 501 {
		t.Fatalf("MapBatch stopped by fn: %v after %d values, want %v after 501", err, seen, stop)
	}
	if err := c.ReadBatch(t.Context(), 3, leaseAt, func(int, *omapi.Message, error) error { return nil }); err != nil {
		t.Fatalf("the connection after a stopped MapBatch: %v", err)
	}
}
