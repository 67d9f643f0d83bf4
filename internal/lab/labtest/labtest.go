// Package labtest starts labs ([lab.Lab]: a real dhcpd in a network
// namespace) from tests.
package labtest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/omapish/omapish/internal/lab"
)

// startTimeout bounds a lab's start, dhcpd's own wait included.
const startTimeout = 30 * time.Second

// Start starts a lab with cfg (the built-in sample when none is given) and
// closes it when the test ends. A test that cannot have its dhcpd (not
// root, no dhcpd, dhcpd refuses the config) fails with the reason: it is
// never skipped. When the test fails, the end of dhcpd's log is logged.
func Start(tb testing.TB, cfg ...lab.Config) *lab.Lab {
	tb.Helper()
	var c lab.Config
	switch len(cfg) {
	case 0:
	case 1:
		c = cfg[0]
	default:
		tb.Fatalf("labtest.Start: at most one lab.Config, got %d", len(cfg))
	}
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	l, err := lab.Start(ctx, c)
	if err != nil {
		tb.Fatalf("cannot start the dhcpd lab: %v", err)
	}
	tb.Cleanup(func() {
		if tb.Failed() {
			tb.Logf("dhcpd log of lab %s (end):\n%s", l.Namespace(), tail(l.Log(), 30))
		}
		if err := l.Close(); err != nil {
			tb.Errorf("closing the lab: %v", err)
		}
	})
	return l
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
