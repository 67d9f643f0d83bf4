package lab_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/omapish/omapish/internal/lab"
	"github.com/omapish/omapish/internal/lab/labtest"
	"github.com/omapish/omapish/omapi"
)

// TestCheckLeasesLab corrupts the leases file of a real dhcpd, with none
// of omapish's checks: a raw create of a host named "sp ace", which dhcpd
// keeps in memory and writes as `host sp ace {`. The check reports it in
// dhcpd's words, at the line of the leases file; before the write the
// file was clean.
func TestCheckLeasesLab(t *testing.T) {
	l := labtest.Start(t)
	labtest.ExpectLeasesComplaint(t, l, "expecting left brace.")
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	if err := l.CheckLeases(ctx); err != nil {
		t.Fatalf("the sample's leases file before any write: %v", err)
	}

	c := labtest.Dial(t, l)
	keys := omapi.Values{{Name: "name", Data: []byte("sp ace")}, {Name: "hardware-address", Data: []byte{0, 0, 0x5e, 0, 0x53, 0x99}}}
	keys.SetUint32("hardware-type", 1)
	if _, err := c.Exchange(ctx, omapi.NewOpen("host", keys, omapi.Create, omapi.Exclusive)); err != nil {
		t.Fatalf("dhcpd refused the host (it took it in 4.4.3): %v", err)
	}

	err := l.CheckLeases(ctx)
	var le *lab.LeasesError
	if !errors.As(err, &le) {
		t.Fatalf("after the write: %v, want a *lab.LeasesError", err)
	}
	t.Log(err)
	first := le.Complaints[0]
	if first.File != l.LeasesFile() || first.Line == 0 || first.Msg != "expecting left brace." || !strings.HasPrefix(first.Text, "host sp ace") {
		t.Fatalf("complaint %+v, want %s line N: expecting left brace. at host sp ace", first, l.LeasesFile())
	}
	if dhcpdRuns := l.PID() != 0; !dhcpdRuns {
		t.Fatal("dhcpd stopped")
	}
}
