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
	benchPhase(b, (*bencher).luaLeases)
}

// BenchmarkLuaPipelined is one pipelined Lua lease lookup (lookup_many).
func BenchmarkLuaPipelined(b *testing.B) {
	benchPhase(b, (*bencher).luaPipelined)
}

// benchPhase runs a phase against a lab and reports its own timing (the
// lab's start and the phase's set-up excluded) and dhcpd's share of it.
func benchPhase(b *testing.B, phase func(*bencher, context.Context) (Result, error)) {
	l := labtest.Start(b)
	r, err := phase(&bencher{l: l, n: b.N}, context.Background())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(r.Elapsed.Nanoseconds())/float64(r.Ops), "ns/op")
	b.ReportMetric(r.Rate(), "lookups/s")
	b.ReportMetric(100*r.Busy(), "%dhcpd-busy")
}
