package dhcpconf

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// The speed and size of the reader against dhcpd's own load of the same
// leases file (issue 13): a generated file of a busy site, a /16 whose
// every address has a history of records, as dhcpd appends them.
//
//	go test -run '^$' -bench Leases -benchtime 3x ./internal/dhcpconf/
//
// OMAPISH_BENCH_MB sets the file's size (default 100). Each sub-benchmark
// runs in a process of its own (dhcpd -T for dhcpd, this test binary for
// the reader), so both report their peak resident memory (maxrss) the
// same way.

// benchConf declares the leases' subnet, for dhcpd -T.
const benchConf = "subnet 10.0.0.0 netmask 255.255.0.0 { range 10.0.0.1 10.0.255.254; }\n"

// genBusyLeases writes leases records until size bytes: addresses of
// 10.0.0.0/16 in turn, each record a new state of its lease.
func genBusyLeases(w io.Writer, size int64, now time.Time) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	fmt.Fprintf(bw, "# The format of this file is documented in the dhcpd.leases(5) manual page.\n"+
		"# This lease file was written by isc-dhcp-4.4.3-P1\n\n"+
		"# authoring-byte-order entry is generated, DO NOT DELETE\nauthoring-byte-order little-endian;\n\n")
	date := func(t time.Time) string {
		return fmt.Sprintf("%d %s", t.Weekday(), t.UTC().Format("2006/01/02 15:04:05"))
	}
	var written int64
	states := []string{"active", "free", "expired", "released", "active"}
	for n := 0; written < size; n++ {
		host := n%65534 + 1
		round := n / 65534
		st := states[round%len(states)]
		start := now.Add(time.Duration(round-10) * time.Hour)
		rec := fmt.Sprintf("lease 10.0.%d.%d {\n  starts %s;\n  ends %s;\n  tstp %s;\n  cltt %s;\n"+
			"  binding state %s;\n  next binding state free;\n  rewind binding state free;\n"+
			"  hardware ethernet 00:00:5e:%02x:%02x:%02x;\n  uid \"\\001\\000\\000^\\%03o\\%03o\\%03o\";\n"+
			"  set vendor-class-identifier = \"MSFT 5.0\";\n  client-hostname \"host-%d-%d\";\n}\n",
			host>>8, host&0xff, date(start), date(start.Add(12*time.Hour)), date(start.Add(12*time.Hour)), date(start),
			st, round&0xff, host>>8, host&0xff, round&0xff, host>>8, host&0xff, host, round)
		k, err := bw.WriteString(rec)
		if err != nil {
			return err
		}
		written += int64(k)
	}
	return bw.Flush()
}

// benchFiles generates the conf and leases file once per process.
func benchFiles(b *testing.B) (conf, leases string, size int64) {
	b.Helper()
	mb := 100
	if s := os.Getenv("OMAPISH_BENCH_MB"); s != "" {
		var err error
		if mb, err = strconv.Atoi(s); err != nil || mb < 1 {
			b.Fatalf("OMAPISH_BENCH_MB=%q: a number of megabytes expected", s)
		}
	}
	dir := b.TempDir()
	conf, leases = filepath.Join(dir, "dhcpd.conf"), filepath.Join(dir, "dhcpd.leases")
	if err := os.WriteFile(conf, []byte(benchConf), 0o600); err != nil {
		b.Fatal(err)
	}
	f, err := os.Create(leases)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := genBusyLeases(f, int64(mb)<<20, time.Now()); err != nil {
		b.Fatal(err)
	}
	st, err := f.Stat()
	if err != nil {
		b.Fatal(err)
	}
	return conf, leases, st.Size()
}

// envReadLeases makes this test binary a reader of the file it names
// (TestReadLeasesProcess), for the benchmark to measure in a process of
// its own.
const envReadLeases = "OMAPISH_BENCH_READ_LEASES"

// TestReadLeasesProcess is the reader's process of BenchmarkLeases; it
// reads the file $OMAPISH_BENCH_READ_LEASES names and prints what it
// found. Without that variable it reads a small generated file.
func TestReadLeasesProcess(t *testing.T) {
	path := os.Getenv(envReadLeases)
	if path == "" {
		path = filepath.Join(t.TempDir(), "small.leases")
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := genBusyLeases(f, 1<<20, time.Now()); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	ls, err := ReadLeases(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(ls.Leases) == 0 || ls.Records < len(ls.Leases) {
		t.Fatalf("%d leases in %d records", len(ls.Leases), ls.Records)
	}
	fmt.Printf("leases=%d records=%d\n", len(ls.Leases), ls.Records)
}

// maxRSS is a finished command's peak resident memory in MB.
func maxRSS(cmd *exec.Cmd) float64 {
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		return float64(ru.Maxrss) / 1024 // kilobytes on Linux
	}
	return 0
}

// cpuSeconds is a finished command's CPU time (user and system): on a
// loaded machine a fairer measure than the time it took.
func cpuSeconds(cmd *exec.Cmd) float64 {
	return (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
}

func BenchmarkLeases(b *testing.B) {
	conf, leases, size := benchFiles(b)
	self, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	b.Run("reader", func(b *testing.B) {
		b.SetBytes(size)
		var rss, cpu float64
		for b.Loop() {
			cmd := exec.Command(self, "-test.run=^TestReadLeasesProcess$", "-test.count=1")
			cmd.Env = append(os.Environ(), envReadLeases+"="+leases)
			if out, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("reader: %v\n%s", err, out)
			}
			rss = max(rss, maxRSS(cmd))
			cpu += cpuSeconds(cmd)
		}
		b.ReportMetric(rss, "peak-MB")
		b.ReportMetric(cpu/float64(b.N), "cpu-s/op")
	})
	b.Run("dhcpd", func(b *testing.B) {
		b.SetBytes(size)
		dhcpd := "/usr/sbin/dhcpd"
		if p := os.Getenv("OMAPISH_DHCPD"); p != "" {
			dhcpd = p
		}
		var rss, cpu float64
		for b.Loop() {
			cmd := exec.Command(dhcpd, "-T", "-4", "-cf", conf, "-lf", leases, "-pf", filepath.Join(filepath.Dir(conf), "pid"))
			if out, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("dhcpd -T: %v\n%s", err, out)
			}
			rss = max(rss, maxRSS(cmd))
			cpu += cpuSeconds(cmd)
		}
		b.ReportMetric(rss, "peak-MB")
		b.ReportMetric(cpu/float64(b.N), "cpu-s/op")
	})
}

// BenchmarkParseLeases is the reader alone, in this process, on 10 MB.
func BenchmarkParseLeases(b *testing.B) {
	path := filepath.Join(b.TempDir(), "l")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := genBusyLeases(f, 10<<20, time.Now()); err != nil {
		b.Fatal(err)
	}
	f.Close()
	st, _ := os.Stat(path)
	b.SetBytes(st.Size())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ReadLeases(path); err != nil {
			b.Fatal(err)
		}
	}
}
