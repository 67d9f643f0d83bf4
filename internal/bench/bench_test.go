package bench

import (
	"context"
	"testing"

	"github.com/omapish/omapish/internal/lab/labtest"
)

// TestPhases runs every phase briefly against a lab: the bench command
// works end to end and each phase's figure is real (every lookup found).
func TestPhases(t *testing.T) {
	l := labtest.Start(t)
	b := &bencher{l: l, n: 300}
	for _, ph := range b.phases() {
		r, err := ph(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if r.Ops == 0 || r.Elapsed <= 0 || r.Rate() <= 0 {
			t.Fatalf("%s: %+v", r.Name, r)
		}
		t.Logf("%s: %.0f/s, dhcpd %.0f%% busy", r.Name, r.Rate(), 100*r.Busy())
	}
}

// BenchmarkLuaLeaseLookup is one Lua lease lookup against the lab dhcpd,
// for profiling the one-request path (go test -bench . -cpuprofile).
func BenchmarkLuaLeaseLookup(b *testing.B) {
	l := labtest.Start(b)
	bb := &bencher{l: l, n: b.N}
	if _, err := bb.luaLeases(context.Background()); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkLuaPipelined is one pipelined Lua lease lookup (lookup_many).
func BenchmarkLuaPipelined(b *testing.B) {
	l := labtest.Start(b)
	bb := &bencher{l: l, n: b.N}
	if _, err := bb.luaPipelined(context.Background()); err != nil {
		b.Fatal(err)
	}
}
