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

// TestRunPair is `omapish lab --pair -- CMD`: CMD runs in the primary's
// namespace with a profile for both peers, and everything is gone after.
// Not parallel: it counts the namespaces of this process.
func TestRunPair(t *testing.T) {
	var stdout, stderr strings.Builder
	before := ours(t)
	code, err := lab.RunPair(context.Background(), lab.PairConfig{},
		[]string{"sh", "-c", `cat "$OMAPISH_CONFIG"; ip -4 -o addr show dev v0; exit 7`}, nil, &stdout, &stderr)
	if err != nil || code != 7 {
		t.Fatalf("RunPair = %d, %v; want 7 (CMD's status)\n%s", code, err, stderr.String())
	}
	for _, want := range []string{`default = "primary"`, "[servers.secondary]", `address = "` + lab.SecondaryIP + `:7911"`, "inet " + lab.PrimaryIP + "/24"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("CMD's output lacks %q:\n%s", want, stdout.String())
		}
	}
	for _, want := range []string{"-- primary: profile \"primary\"", "-- secondary: profile \"secondary\", OMAPI at 192.0.2.2:7911", "failover normal, partner normal"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("banner lacks %q:\n%s", want, stderr.String())
		}
	}
	if after := ours(t); len(after) > len(before) {
		t.Errorf("namespaces left: before %v, after %v", before, after)
	}
}
