package bench

import (
	"context"
	"syscall"
	"testing"
	"time"

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

// BenchmarkLuaEach is one pipelined Lua lease lookup through lookup_each.
func BenchmarkLuaEach(b *testing.B) {
	benchPhase(b, (*bencher).luaEach)
}

// BenchmarkGoBatch is one pipelined lease lookup from the library on one
// connection (omapi.Conn.Batch), without Lua.
func BenchmarkGoBatch(b *testing.B) {
	benchPhase(b, (*bencher).goBatch)
}

// BenchmarkGoReadBatch is one pipelined lease lookup from the library over
// several connections (omapi.Conn.ReadBatch), without Lua.
func BenchmarkGoReadBatch(b *testing.B) {
	benchPhase(b, (*bencher).goReadBatch)
}

// benchPhase runs a phase against a lab and reports its own timing (the
// lab's start and the phase's set-up excluded) and dhcpd's share of it.
func benchPhase(b *testing.B, phase func(*bencher, context.Context) (Result, error)) {
	l := labtest.Start(b)
	cpu0 := processCPU(b)
	r, err := phase(&bencher{l: l, n: b.N}, context.Background())
	if err != nil {
		b.Fatal(err)
	}
	// The client's CPU time includes the phase's set-up: an upper bound.
	b.ReportMetric(100*(processCPU(b)-cpu0).Seconds()/r.Elapsed.Seconds(), "%client-cpu")
	b.ReportMetric(float64(r.Elapsed.Nanoseconds())/float64(r.Ops), "ns/op")
	b.ReportMetric(r.Rate(), "lookups/s")
	b.ReportMetric(100*r.Busy(), "%dhcpd-busy")
}

// processCPU is the user and system CPU time of this process so far.
func processCPU(tb testing.TB) time.Duration {
	tb.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
