package lab_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/omapish/omapish/internal/lab"
	"github.com/omapish/omapish/internal/lab/labtest"
)

func TestPair(t *testing.T) {
	t.Parallel()
	start := time.Now()
	p := labtest.StartPair(t)
	t.Logf("pair normal after %v", time.Since(start).Round(time.Millisecond))

	// Both OMAPI listeners answer from the primary's namespace.
	readIntro(t, p.Primary)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := p.DialContext(ctx, "tcp", p.SecondaryAddr())
	if err != nil {
		t.Fatalf("dial the secondary from the primary's namespace: %v", err)
	}
	c.Close()

	for _, l := range []*lab.Lab{p.Primary, p.Secondary} {
		if local, partner := l.FailoverStates(); local != "normal" || partner != "normal" {
			t.Errorf("%s: failover %s, partner %s; want normal, normal", l.Namespace(), local, partner)
		}
	}

	// A real DHCP client gets a lease from the failover pool.
	ip, err := p.Client(ctx, "00:00:5e:00:53:a1", "pairclient")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(ip, "192.0.2.1") {
		t.Errorf("client got %s, want an address of the failover pool", ip)
	}

	// The profile names both peers, the primary first.
	profile := filepath.Join(t.TempDir(), "p.toml")
	if err := p.WriteProfile(profile); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(profile)
	for _, want := range []string{`default = "primary"`, "[servers.secondary]", p.SecondaryAddr()} {
		if !strings.Contains(string(b), want) {
			t.Errorf("profile lacks %q:\n%s", want, b)
		}
	}

	nsA, nsB := p.Primary.Namespace(), p.Secondary.Namespace()
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	for _, ns := range namespaces(t) {
		if ns == nsA || ns == nsB {
			t.Errorf("namespace %s left after Close", ns)
		}
	}
	if n := ours(t); slices.Contains(n, nsA) {
		t.Errorf("namespaces left: %v", n)
	}
}
