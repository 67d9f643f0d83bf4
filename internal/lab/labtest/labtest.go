// Package labtest starts labs ([lab.Lab]: a real dhcpd in a network
// namespace) from tests.
//
// Every lab a test starts with [Start] has its leases file checked when
// the test ends, the way dhcpd reads it at its next start
// ([lab.Lab.CheckLeases]): a test whose writes left dhcpd a file it
// cannot read back fails with dhcpd's complaint (file, line, message). A
// test that borrows a lab shared by its package calls [CheckLeasesAtEnd]
// to get the same. A test that corrupts the file on purpose says so with
// [ExpectLeasesComplaint] (the check then insists on that complaint) or
// [SkipLeasesCheck].
package labtest

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/omapish/omapish/internal/lab"
	"github.com/omapish/omapish/omapi"
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
		checkLeases(tb, l)
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

// checkTimeout bounds one leases check (dhcpd -T takes milliseconds).
const checkTimeout = 10 * time.Second

// leasesPlan is what a test said about its lab's leases file.
type leasesPlan struct {
	skip   string // why the check is skipped; "" to check
	expect string // a complaint the file must give; "" for none
}

var (
	plansMu sync.Mutex
	plans   = map[*lab.Lab]leasesPlan{}
)

// CheckLeasesAtEnd checks l's leases file when tb ends, as [Start] does
// for the labs it starts: for a test that uses a lab its package shares.
func CheckLeasesAtEnd(tb testing.TB, l *lab.Lab) {
	tb.Helper()
	tb.Cleanup(func() { checkLeases(tb, l) })
}

// ExpectLeasesComplaint says that the test leaves l's leases file corrupt
// on purpose: the check at its end then fails unless dhcpd complains,
// with a message containing want.
func ExpectLeasesComplaint(tb testing.TB, l *lab.Lab, want string) {
	setPlan(l, leasesPlan{expect: want})
}

// SkipLeasesCheck turns the check at the end of the test off for l, for
// the reason given (logged).
func SkipLeasesCheck(tb testing.TB, l *lab.Lab, reason string) {
	setPlan(l, leasesPlan{skip: reason})
}

// setPlan records p for the next check of l, which consumes it.
func setPlan(l *lab.Lab, p leasesPlan) {
	plansMu.Lock()
	defer plansMu.Unlock()
	plans[l] = p
}

// CheckLeases checks l's leases file now and fails tb (without stopping
// it) on any complaint of dhcpd's.
func CheckLeases(tb testing.TB, l *lab.Lab) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), checkTimeout)
	defer cancel()
	if err := l.CheckLeases(ctx); err != nil {
		tb.Errorf("leases file: %v", err)
	}
}

// checkLeases is the check at the end of a test, following its plan.
func checkLeases(tb testing.TB, l *lab.Lab) {
	tb.Helper()
	plansMu.Lock()
	p := plans[l]
	delete(plans, l)
	plansMu.Unlock()
	if l.Closed() {
		return // the test closed it: its files are gone
	}
	if p.skip != "" {
		tb.Logf("leases file of lab %s not checked: %s", l.Namespace(), p.skip)
		return
	}
	if p.expect == "" {
		CheckLeases(tb, l)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), checkTimeout)
	defer cancel()
	err := l.CheckLeases(ctx)
	var le *lab.LeasesError
	switch {
	case err == nil:
		tb.Errorf("leases file: dhcpd reads it cleanly, but the test expected the complaint %q", p.expect)
	case !errors.As(err, &le):
		tb.Errorf("leases file: %v", err)
	case !strings.Contains(err.Error(), p.expect):
		tb.Errorf("leases file: %v\n(the test expected the complaint %q)", err, p.expect)
	default:
		tb.Logf("leases file corrupt, as the test intended: %v", err)
	}
}

// Dial opens a connection of the Go library to l's dhcpd, with the lab's
// key when it has one, and closes it when the test ends: the set-up of the
// tests that talk to the lab without the Lua module.
func Dial(tb testing.TB, l *lab.Lab) *omapi.Conn {
	tb.Helper()
	var auth omapi.Authenticator
	if l.KeyName() != "" {
		var err error
		if auth, err = omapi.HMAC(l.KeyName(), l.Algorithm(), l.Secret()); err != nil {
			tb.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(tb.Context(), startTimeout)
	defer cancel()
	c, err := (&omapi.Dialer{Auth: auth, NetDial: l.DialContext}).DialContext(ctx, l.Addr())
	if err != nil {
		tb.Fatalf("dial the lab's dhcpd at %s: %v", l.Addr(), err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}
