// Package bench measures omapish against a lab dhcpd, with omshell fed
// from a file as the baseline any user can rerun: `omapish bench`.
//
// Every figure comes from one run on one lab, so ratios compare like with
// like on a shared, noisy machine. dhcpd's CPU time is read from
// /proc/PID/stat around each phase, to show how close a phase comes to the
// server's own limit.
package bench

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/omapish/omapish/internal/lab"
	"github.com/omapish/omapish/internal/profile"
	"github.com/omapish/omapish/luaapi"
	"github.com/omapish/omapish/omapi"
)

// Result is one measured phase.
type Result struct {
	Name      string
	Ops       int
	Elapsed   time.Duration
	ServerCPU time.Duration // dhcpd's user+system time during the phase
}

// Rate is operations per second.
func (r Result) Rate() float64 { return float64(r.Ops) / r.Elapsed.Seconds() }

// Busy is the share of the phase's wall time dhcpd spent on a CPU.
func (r Result) Busy() float64 { return r.ServerCPU.Seconds() / r.Elapsed.Seconds() }

// Options size a run.
type Options struct {
	N      int    // lease lookups per phase (default 20000)
	Rounds int    // times each phase runs, interleaved; the median is kept (default 3)
	Binary string // the omapish binary, for the cold-start figure ("" skips it)
}

// Run measures every phase on a fresh lab and writes the table to w. The
// phases run in turn, Rounds times over, so that a slow spell of a shared
// machine touches the baseline and the others alike; each phase reports
// its median round.
func Run(ctx context.Context, o Options, w io.Writer) ([]Result, error) {
	if o.N <= 0 {
		o.N = 20000
	}
	if o.Rounds <= 0 {
		o.Rounds = 3
	}
	l, err := lab.Start(ctx, lab.Config{})
	if err != nil {
		return nil, err
	}
	defer l.Close()
	b := &bencher{l: l, n: o.N}
	phases := b.phases()
	rounds := make([][]Result, len(phases))
	for range o.Rounds {
		for i, ph := range phases {
			r, err := ph(ctx)
			if err != nil {
				return nil, err
			}
			rounds[i] = append(rounds[i], r)
		}
	}
	var out []Result
	for _, rs := range rounds {
		out = append(out, median(rs))
	}
	if o.Binary != "" {
		r, err := coldStart(ctx, o.Binary)
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
	Print(w, out)
	return out, nil
}

// phases are the measured phases, the baseline first.
func (b *bencher) phases() []func(context.Context) (Result, error) {
	return []func(context.Context) (Result, error){
		b.omshell, b.luaLeases, b.luaHosts, b.luaPipelined, b.luaEach, b.goBatch, b.goReadBatch, b.luaAddDelete,
	}
}

// median is the round with the median rate.
func median(rs []Result) Result {
	rs = slices.Clone(rs)
	slices.SortFunc(rs, func(a, b Result) int { return cmp.Compare(a.Rate(), b.Rate()) })
	return rs[len(rs)/2]
}

// Print writes results as a table; ratios are to the first result.
func Print(w io.Writer, rs []Result) {
	if len(rs) == 0 {
		return
	}
	width := len("phase")
	for _, r := range rs {
		width = max(width, len(r.Name))
	}
	base := rs[0].Rate()
	fmt.Fprintf(w, "%-*s %8s %9s %10s %10s %10s\n", width, "phase", "ops", "seconds", "ops/s", "× baseline", "dhcpd CPU")
	for _, r := range rs {
		if strings.HasPrefix(r.Name, "cold start") {
			fmt.Fprintf(w, "%-*s %8d %9.3f %10s\n", width, r.Name, r.Ops, r.Elapsed.Seconds(),
				fmt.Sprintf("%.1fms", r.Elapsed.Seconds()*1000/float64(r.Ops)))
			continue
		}
		fmt.Fprintf(w, "%-*s %8d %9.3f %10.0f %10.2f %9.0f%%\n", width, r.Name, r.Ops, r.Elapsed.Seconds(), r.Rate(), r.Rate()/base, 100*r.Busy())
	}
}

type bencher struct {
	l *lab.Lab
	n int
}

// pipelined is the size of a pipelined phase: five times the others, so
// that it lasts long enough for dhcpd's CPU time (counted in 10 ms ticks)
// to be read to a few percent.
func (b *bencher) pipelined() int { return 5 * b.n }

// leaseIPs are the addresses phases look up: every address of the
// sample's ranges, each a lease dhcpd finds.
func leaseIPs() []string {
	var ips []string
	for i := 100; i <= 250; i++ {
		ips = append(ips, "192.0.2."+strconv.Itoa(i))
	}
	return ips
}

// measure runs fn and reads dhcpd's CPU time around it.
func (b *bencher) measure(name string, ops int, fn func() error) (Result, error) {
	cpu0, err := cpuTime(b.l.PID())
	if err != nil {
		return Result{}, err
	}
	start := time.Now()
	if err := fn(); err != nil {
		return Result{}, fmt.Errorf("%s: %w", name, err)
	}
	elapsed := time.Since(start)
	cpu1, err := cpuTime(b.l.PID())
	if err != nil {
		return Result{}, err
	}
	return Result{Name: name, Ops: ops, Elapsed: elapsed, ServerCPU: cpu1 - cpu0}, nil
}

// omshell feeds omshell a file of lease lookups: the baseline.
func (b *bencher) omshell(ctx context.Context) (Result, error) {
	var s strings.Builder
	fmt.Fprintf(&s, "key %s %s\nconnect\n", b.l.KeyName(), b.l.SecretBase64())
	ips := leaseIPs()
	for i := range b.n {
		fmt.Fprintf(&s, "new lease\nset ip-address = %s\nopen\nclose\n", ips[i%len(ips)])
	}
	path := filepath.Join(b.l.Dir(), "omshell-bench.txt")
	if err := os.WriteFile(path, []byte(s.String()), 0o600); err != nil {
		return Result{}, err
	}
	return b.measure("omshell lease lookups (baseline)", b.n, func() error {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		cmd := b.l.Command(ctx, "omshell")
		cmd.Stdin = f
		var out countWriter
		cmd.Stdout = &out
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("omshell: %w: %s", err, stderr.String())
		}
		if stderr.Len() > 0 {
			return fmt.Errorf("omshell: %s", stderr.String())
		}
		return nil
	})
}

// lua runs setup, then times body, in one Lua state connected to the lab.
func (b *bencher) lua(ctx context.Context, name string, ops int, setup, body string) (Result, error) {
	L := lua.NewState()
	defer L.Close()
	defer luaapi.CloseAll(L)
	L.SetContext(ctx)
	cfg := &profile.Config{Default: "lab", Servers: map[string]profile.Server{"lab": {
		Name: "lab", Address: b.l.Addr(), KeyName: b.l.KeyName(), Algorithm: b.l.Algorithm(),
		Secret: b.l.Secret(), Timeout: 5 * time.Second,
	}}}
	luaapi.Preload(L, luaapi.Options{Profiles: cfg, Dial: b.l.DialContext})
	ips := L.NewTable()
	for _, ip := range leaseIPs() {
		ips.Append(lua.LString(ip))
	}
	L.SetGlobal("IPS", ips)
	L.SetGlobal("N", lua.LNumber(ops))
	if err := L.DoString("conn = assert(omapi.connect())\n" + setup); err != nil {
		return Result{}, fmt.Errorf("%s: setup: %w", name, err)
	}
	fn, err := L.LoadString(body)
	if err != nil {
		return Result{}, err
	}
	runtime.GC()
	return b.measure(name, ops, func() error {
		L.Push(fn)
		return L.PCall(0, 0, nil)
	})
}

func (b *bencher) luaLeases(ctx context.Context) (Result, error) {
	return b.lua(ctx, "Lua lease lookups, one at a time", b.n, "",
		`for i = 1, N do assert(conn:lookup_by_lease{ip = IPS[(i-1) % #IPS + 1]}) end`)
}

func (b *bencher) luaHosts(ctx context.Context) (Result, error) {
	return b.lua(ctx, "Lua host lookups, one at a time", b.n, "",
		`for i = 1, N do assert(conn:lookup_host("static1")) end`)
}

func (b *bencher) luaPipelined(ctx context.Context) (Result, error) {
	return b.lua(ctx, "Lua lease lookups, pipelined (lookup_many)", b.pipelined(),
		`KEYS = {} for i = 1, N do KEYS[i] = {ip = IPS[(i-1) % #IPS + 1]} end
		-- Open the extra connections before timing, as a second call would find them.
		local warm = {} for i = 1, 256 do warm[i] = KEYS[(i-1) % N + 1] end
		assert(conn:lookup_many("lease", warm))`,
		`local rs = conn:lookup_many("lease", KEYS) assert(#rs == N and rs[N].state)`)
}

// luaEach is luaPipelined as lease-scan does it: each result handed to a
// Lua function as it arrives (lookup_each), with the five attributes it
// shows.
func (b *bencher) luaEach(ctx context.Context) (Result, error) {
	return b.lua(ctx, "Lua lease lookups, pipelined (lookup_each, 5 fields)", b.pipelined(),
		`KEYS = {} for i = 1, N do KEYS[i] = {ip = IPS[(i-1) % #IPS + 1]} end
		local warm = {} for i = 1, 256 do warm[i] = KEYS[(i-1) % N + 1] end
		assert(conn:lookup_many("lease", warm))`,
		`local found = 0
		local fields = {"state", "mac", "client-hostname", "starts", "ends"}
		assert(conn:lookup_each("lease", KEYS, function(_, r) if r.state then found = found + 1 end end, {fields = fields}) == N)
		assert(found == N)`)
}

// goBatch is the library on one connection: omapi.Conn.Batch, no Lua.
func (b *bencher) goBatch(ctx context.Context) (Result, error) {
	return b.goPipelined(ctx, "Go lease lookups, pipelined, 1 connection (Conn.Batch)", (*omapi.Conn).Batch)
}

// streams is how many connections goReadBatch spreads its lookups over,
// as the Lua module's bulk lookups do.
const streams = 8

// goReadBatch is the library's ceiling: omapi.Conn.ReadBatch spreads the
// lookups over streams connections.
func (b *bencher) goReadBatch(ctx context.Context) (Result, error) {
	name := fmt.Sprintf("Go lease lookups, pipelined, %d connections (Conn.ReadBatch)", streams)
	return b.goPipelined(ctx, name, (*omapi.Conn).ReadBatch)
}

type batchFunc func(c *omapi.Conn, ctx context.Context, n int, req func(int) *omapi.Message, fn func(int, *omapi.Message, error) error) error

func (b *bencher) goPipelined(ctx context.Context, name string, batch batchFunc) (Result, error) {
	auth, err := omapi.HMAC(b.l.KeyName(), b.l.Algorithm(), b.l.Secret())
	if err != nil {
		return Result{}, err
	}
	c, err := (&omapi.Dialer{Auth: auth, NetDial: b.l.DialContext, Spin: true, Streams: streams}).DialContext(ctx, b.l.Addr())
	if err != nil {
		return Result{}, err
	}
	defer c.Close()
	var keys []omapi.Values
	for _, ip := range leaseIPs() {
		a, _ := omapi.ParseIP(ip)
		keys = append(keys, omapi.Values{{Name: "ip-address", Data: a}})
	}
	req := func(i int) *omapi.Message { return omapi.NewOpen("lease", keys[i%len(keys)]) }
	check := func(i int, reply *omapi.Message, err error) error { return err }
	// Open the extra connections before timing, as a second call would find them.
	if err := batch(c, ctx, 4*streams*omapi.MaxSignedWindow, req, check); err != nil {
		return Result{}, fmt.Errorf("%s: %w", name, err)
	}
	n := b.pipelined()
	return b.measure(name, n, func() error { return batch(c, ctx, n, req, check) })
}

func (b *bencher) luaAddDelete(ctx context.Context) (Result, error) {
	n := b.n / 20
	return b.lua(ctx, "Lua add_host + del_host pairs", n, "",
		fmt.Sprintf(`for i = 1, %d do
			local mac = string.format("00:00:5e:00:54:%%02x", i %% 256)
			assert(conn:add_host(string.format("192.0.2.%%d", 30 + i %% 20), mac))
			assert(conn:del_host(mac))
		end`, n))
}

// coldStart times `omapish -e 'return 1'`; the figure is per run.
func coldStart(ctx context.Context, bin string) (Result, error) {
	const runs = 20
	var ds []time.Duration
	for range runs {
		start := time.Now()
		cmd := exec.CommandContext(ctx, bin, "-e", "return 1")
		cmd.Dir = os.TempDir() // away from any ./config.toml
		if out, err := cmd.CombinedOutput(); err != nil {
			return Result{}, fmt.Errorf("cold start: %w: %s", err, out)
		}
		ds = append(ds, time.Since(start))
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	// Report the median as one run.
	return Result{Name: "cold start: omapish -e 'return 1' (median)", Ops: 1, Elapsed: ds[runs/2]}, nil
}

// cpuTime reads a process's user+system CPU time from /proc/PID/stat.
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("dhcpd CPU time: %w", err)
	}
	// Fields after the command name (which may hold spaces) start at ')'.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("dhcpd CPU time: short /proc/%d/stat", pid)
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	const ticks = 100 // USER_HZ on Linux
	return time.Duration(utime+stime) * time.Second / ticks, nil
}

type countWriter struct{ n int }

func (c *countWriter) Write(p []byte) (int, error) { c.n += len(p); return len(p), nil }
