package labtest

import (
	"context"
	"testing"

	"github.com/omapish/omapish/internal/lab"
)

// pairStartTimeout bounds a pair's start: two dhcpds and their way to
// failover state normal.
const pairStartTimeout = 60 * startTimeout / 30

// StartPair starts a failover pair ([lab.StartPair]) and closes it when the
// test ends. Like [Start], it fails the test when the pair cannot start
// (both normal included), checks both peers' leases files at the end, and
// logs the end of both dhcpds' logs when the
// test fails.
func StartPair(tb testing.TB, cfg ...lab.PairConfig) *lab.Pair {
	tb.Helper()
	var c lab.PairConfig
	switch len(cfg) {
	case 0:
	case 1:
		c = cfg[0]
	default:
		tb.Fatalf("labtest.StartPair: at most one lab.PairConfig, got %d", len(cfg))
	}
	ctx, cancel := context.WithTimeout(context.Background(), pairStartTimeout)
	defer cancel()
	p, err := lab.StartPair(ctx, c)
	if err != nil {
		tb.Fatalf("cannot start the dhcpd lab pair: %v", err)
	}
	tb.Cleanup(func() {
		checkLeases(tb, p.Primary)
		checkLeases(tb, p.Secondary)
		if tb.Failed() {
			tb.Logf("primary's dhcpd log (end):\n%s", tail(p.Primary.Log(), 30))
			tb.Logf("secondary's dhcpd log (end):\n%s", tail(p.Secondary.Log(), 30))
		}
		if err := p.Close(); err != nil {
			tb.Errorf("closing the lab pair: %v", err)
		}
	})
	return p
}
