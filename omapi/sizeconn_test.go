package omapi_test

import (
	"bytes"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/omapish/omapish/internal/errcode"
	"github.com/omapish/omapish/omapi"
	"github.com/omapish/omapish/omapi/omapitest"
)

// echoServer answers every request with an UPDATE holding the request's
// object values, as dhcpd answers a create with what it stored, and
// counts the requests it got.
func echoServer(tb testing.TB, got *atomic.Int32) string {
	return omapitest.Serve(tb, func(p *omapitest.Peer) {
		p.Intro()
		for {
			req, err := p.Read()
			if err != nil {
				return
			}
			got.Add(1)
			p.Send(p.Reply(req, 9, req.Object))
		}
	})
}

// A request too large for its reply to be read back is refused before
// anything is sent, and the connection stays usable; a large one under
// the limit goes out and its echo is read back whole.
func TestRefusesTooLarge(t *testing.T) {
	var got atomic.Int32
	c, err := omapi.Dial(t.Context(), echoServer(t, &got), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	name := func(n int) omapi.Values {
		return omapi.Values{{Name: "name", Data: bytes.Repeat([]byte("z"), n)}, {Name: "hardware-address", Data: []byte{0, 0, 0x5e, 0, 0x53, 0x84}}}
	}

	_, err = c.Create(t.Context(), "host", name(omapi.MaxRequestValues(0)))
	if !errors.Is(err, omapi.ErrTooLarge) || !errors.Is(err, omapi.ErrBadRequest) {
		t.Fatalf("create with a name of the whole limit: %v, want ErrTooLarge", err)
	}
	if !strings.Contains(err.Error(), `"name"`) || errcode.Of(err) != "protocol" {
		t.Errorf("error %q (code %s) does not name the value", err, errcode.Of(err))
	}
	if n := got.Load(); n != 0 {
		t.Fatalf("the server got %d requests", n)
	}

	// Batches refuse it the same way, before writing it.
	err = c.Batch(t.Context(), 1, func(int) *omapi.Message {
		return omapi.NewOpen("host", name(omapi.MaxRequestValues(0)), omapi.Create)
	}, func(int, *omapi.Message, error) error { return nil })
	if !errors.Is(err, omapi.ErrTooLarge) {
		t.Fatalf("batch: %v, want ErrTooLarge", err)
	}
	if n := got.Load(); n != 0 {
		t.Fatalf("the server got %d requests", n)
	}

	big := name(300 << 10)
	o, err := c.Create(t.Context(), "host", big)
	if err != nil {
		t.Fatalf("create with a 300 KiB name, after the refusal: %v", err)
	}
	if v, _ := o.Values.Get("name"); !bytes.Equal(v, big[0].Data) {
		t.Fatalf("the echoed name has %d bytes", len(v))
	}
}

// A Dialer's smaller cap lowers the request limit with it.
func TestRequestLimitFollowsTheCap(t *testing.T) {
	var got atomic.Int32
	d := &omapi.Dialer{MaxMessageSize: 64 << 10}
	c, err := d.DialContext(t.Context(), echoServer(t, &got))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = c.Open(t.Context(), "host", omapi.Values{{Name: "name", Data: make([]byte, 20<<10)}})
	if !errors.Is(err, omapi.ErrTooLarge) || !strings.Contains(err.Error(), "16384-byte limit") {
		t.Fatalf("20 KiB with a 64 KiB cap: %v, want ErrTooLarge naming the 16384-byte limit", err)
	}
	if got.Load() != 0 {
		t.Fatal("sent anyway")
	}
}
