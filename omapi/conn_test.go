package omapi_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/omapish/omapish/internal/errcode"
	"github.com/omapish/omapish/omapi"
	"github.com/omapish/omapish/omapi/omapitest"
)

// TestFaults runs the fault matrix (omapitest.Faults) against the library:
// each hostile or broken peer gives its specific error within the timeout,
// and the connection fails clearly afterwards.
func TestFaults(t *testing.T) {
	for _, tt := range omapitest.Faults {
		t.Run(tt.Name, func(t *testing.T) {
			t.Parallel()
			addr := omapitest.ServeFault(t, tt)
			d := &omapi.Dialer{Timeout: 300 * time.Millisecond}
			if tt.Auth {
				d.Auth = omapitest.Key()
			}
			start := time.Now()
			c, err := d.DialContext(t.Context(), addr)
			if err == nil {
				_, err = c.Open(t.Context(), "host", omapi.Values{{Name: "name", Data: []byte("h")}})
				if err != nil {
					// The connection is unusable afterwards (or still in step
					// for an auth failure): either way later calls fail clearly.
					_, err2 := c.Open(t.Context(), "host", omapi.Values{{Name: "name", Data: []byte("h")}})
					if err2 == nil {
						t.Errorf("second call succeeded after %v", err)
					}
				}
				c.Close()
			}
			if err == nil {
				t.Fatal("no error")
			}
			t.Logf("%s: %v", errcode.Of(err), err)
			if got := errcode.Of(err); got != tt.Code || !strings.Contains(err.Error(), tt.Want) {
				t.Fatalf("error %q (code %s), want code %s containing %q", err, got, tt.Code, tt.Want)
			}
			if time.Since(start) > 1500*time.Millisecond {
				t.Fatalf("took %v", time.Since(start))
			}
		})
	}
}

// TestTimeoutBreaks: the connection's own timeout (a silent server) leaves
// it broken, and later calls fail at once.
func TestTimeoutBreaks(t *testing.T) {
	addr := omapitest.Serve(t, func(p *omapitest.Peer) {
		p.Intro()
		p.Read()
		time.Sleep(time.Second)
	})
	c, err := (&omapi.Dialer{Timeout: 50 * time.Millisecond}).DialContext(t.Context(), addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = c.Open(t.Context(), "host", omapi.Values{{Name: "name", Data: []byte("h")}})
	if !errors.Is(err, os.ErrDeadlineExceeded) || errcode.Of(err) != "timeout" {
		t.Fatalf("err = %v, want a timeout", err)
	}
	start := time.Now()
	_, err = c.Open(t.Context(), "host", omapi.Values{{Name: "name", Data: []byte("h")}})
	if !errors.Is(err, omapi.ErrBroken) || errors.Is(err, omapi.ErrOutOfStep) || time.Since(start) > 10*time.Millisecond {
		t.Fatalf("second call: %v after %v, want ErrBroken at once", err, time.Since(start))
	}
}

func TestCancel(t *testing.T) {
	addr := omapitest.Serve(t, func(p *omapitest.Peer) {
		p.Intro()
		p.Read()
		time.Sleep(2 * time.Second)
	})
	c, err := omapi.Dial(t.Context(), addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err = c.Open(ctx, "host", omapi.Values{{Name: "name", Data: []byte("h")}})
	if !errors.Is(err, context.Canceled) || errcode.Of(err) != "canceled" {
		t.Fatalf("err = %v, want canceled", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("cancel took %v", d)
	}
}

// TestSendsZeroLength: the library sends what a Go program builds; what
// dhcpd would crash on is the omapish command's policy (internal/policy).
func TestSendsZeroLength(t *testing.T) {
	got := make(chan omapi.Values, 1)
	addr := omapitest.Serve(t, func(p *omapitest.Peer) {
		p.Intro()
		req, err := p.Read()
		if err != nil {
			return
		}
		got <- req.Object
		p.Send(p.Status(req, 0, ""))
	})
	c, err := omapi.Dial(t.Context(), addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Update(t.Context(), 5, omapi.Values{{Name: "state", Data: nil}}); err != nil {
		t.Fatalf("zero-length state: %v", err)
	}
	if vs := <-got; len(vs) != 1 || vs[0].Name != "state" || len(vs[0].Data) != 0 {
		t.Fatalf("the peer got %v", vs)
	}
}

func TestDialRefused(t *testing.T) {
	_, err := omapi.Dial(t.Context(), "127.0.0.1:1", nil)
	var oe *omapi.OpError
	if !errors.As(err, &oe) || oe.Op != "dial" || errcode.Of(err) != "io" || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Fatalf("err = %v", err)
	}
}
