package omapi_test

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/omapish/omapish/omapi"
	"github.com/omapish/omapish/omapi/omapitest"
)

// TestSpinBacksOff: against a server slower than the spin (as across a
// network), reads stop spinning after a few replies. (Correctness with
// spinning — timeouts, cancellation, broken replies — is the fault
// matrix's, which runs through the same reads.)
func TestSpinBacksOff(t *testing.T) {
	addr := omapitest.Serve(t, func(p *omapitest.Peer) {
		if p.Handshake() != nil {
			return
		}
		for {
			req, err := p.Read()
			if err != nil {
				return
			}
			time.Sleep(time.Millisecond)
			if p.Send(p.Status(req, omapi.ResultNotFound, "")) != nil {
				return
			}
		}
	})
	c, err := (&omapi.Dialer{Spin: true}).DialContext(context.Background(), addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if runtime.NumCPU() < 2 {
		// On one CPU a spin would keep the server from running.
		if c.CanSpin() {
			t.Fatal("reads may spin on a machine with one CPU")
		}
		return
	}
	for i := range 64 {
		if _, err := leaseIP(t.Context(), c, "00:00:5e:00:53:01"); !errors.Is(err, omapi.ResultNotFound) {
			t.Fatalf("lookup %d: %v", i, err)
		}
		if c.SpinSkipping() {
			t.Logf("stopped spinning after %d slow replies", i+1)
			break
		}
	}
	if !c.SpinSkipping() {
		t.Fatal("reads still spin after 64 replies slower than the spin")
	}

	// Dialer.Spin turns it on; the zero Dialer's reads never spin.
	for _, spin := range []bool{false, true} {
		c, err := (&omapi.Dialer{Spin: spin}).DialContext(t.Context(), addr)
		if err != nil {
			t.Fatal(err)
		}
		if c.CanSpin() != spin {
			t.Errorf("Spin %v: reads may spin: %v", spin, c.CanSpin())
		}
		c.Close()
	}
}
