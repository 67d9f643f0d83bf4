package lab_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
	"golang.org/x/sys/unix"

	"github.com/omapish/omapish/internal/lab"
	"github.com/omapish/omapish/internal/lab/labtest"
	"github.com/omapish/omapish/internal/profile"
)

// readIntro dials OMAPI inside the lab and checks the server's intro.
func readIntro(tb testing.TB, l *lab.Lab) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := l.DialContext(ctx, "tcp", l.Addr())
	if err != nil {
		tb.Fatalf("dial %s in %s: %v", l.Addr(), l.Namespace(), err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	got := make([]byte, 8)
	if _, err := io.ReadFull(c, got); err != nil {
		tb.Fatalf("read intro: %v", err)
	}
	if want := []byte{0, 0, 0, 100, 0, 0, 0, 24}; !bytes.Equal(got, want) {
		tb.Fatalf("intro = % x, want % x", got, want)
	}
}

// namespaces returns the names `ip netns list` shows.
func namespaces(tb testing.TB) []string {
	tb.Helper()
	out, err := exec.Command("ip", "netns", "list").Output()
	if err != nil {
		tb.Fatalf("ip netns list: %v", err)
	}
	var names []string
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) > 0 {
			names = append(names, f[0])
		}
	}
	return names
}

// ours returns this process's lab namespaces and temp dirs.
func ours(tb testing.TB) []string {
	tb.Helper()
	prefix := fmt.Sprintf("omapish-%d-", os.Getpid())
	var found []string
	for _, ns := range namespaces(tb) {
		if strings.HasPrefix(ns, prefix) {
			found = append(found, "namespace "+ns)
		}
	}
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), prefix+"*"))
	for _, d := range dirs {
		found = append(found, "dir "+d)
	}
	return found
}

// childDHCPDs returns the pids of dhcpd processes that are children of
// this process.
func childDHCPDs(tb testing.TB) []int {
	tb.Helper()
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var pids []int
	for _, s := range stats {
		b, err := os.ReadFile(s)
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...
		i := bytes.LastIndexByte(b, ')')
		if i < 0 || !bytes.Contains(b[:i], []byte("(dhcpd")) {
			continue
		}
		f := strings.Fields(string(b[i+1:]))
		if len(f) > 1 && f[1] == strconv.Itoa(os.Getpid()) {
			pid, _ := strconv.Atoi(strings.Fields(string(b))[0])
			pids = append(pids, pid)
		}
	}
	return pids
}

// procComm returns a process's command name, "" if it does not exist.
func procComm(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

func TestStartServesOMAPI(t *testing.T) {
	t.Parallel()
	l := labtest.Start(t)
	readIntro(t, l)

	if !strings.HasPrefix(l.Namespace(), fmt.Sprintf("omapish-%d-", os.Getpid())) {
		t.Errorf("Namespace() = %q", l.Namespace())
	}
	if l.Addr() != "127.0.0.1:7911" {
		t.Errorf("Addr() = %q", l.Addr())
	}
	if got := procComm(l.PID()); got != "dhcpd" {
		t.Errorf("process %d is %q, want dhcpd", l.PID(), got)
	}
	if l.KeyName() != lab.Sample.KeyName || l.Algorithm() != "hmac-md5" || !l.KeyRequired() {
		t.Errorf("key = %q %q required=%v", l.KeyName(), l.Algorithm(), l.KeyRequired())
	}
	if n := len(l.Secret()); n < 16 || n > 32 {
		t.Errorf("secret has %d bytes, want 16..32", n)
	}
	if got := base64.StdEncoding.EncodeToString(l.Secret()); got != l.SecretBase64() {
		t.Errorf("SecretBase64() = %q, Secret() encodes to %q", l.SecretBase64(), got)
	}
	if name, secret := l.OtherKey(); name != lab.Sample.OtherKeyName || len(secret) < 16 || bytes.Equal(secret, l.Secret()) {
		t.Errorf("OtherKey() = %q, %d bytes", name, len(secret))
	}
	for _, f := range []string{"dhcpd.conf", "dhcpd.leases", "dhcpd.pid", "dhcpd.log"} {
		if _, err := os.Stat(filepath.Join(l.Dir(), f)); err != nil {
			t.Errorf("lab dir: %v", err)
		}
	}
	if !strings.Contains(l.Log(), "Server starting service.") {
		t.Errorf("log lacks the start message:\n%s", l.Log())
	}
	conf, _ := os.ReadFile(filepath.Join(l.Dir(), "dhcpd.conf"))
	if !strings.Contains(string(conf), l.SecretBase64()) {
		t.Errorf("dhcpd.conf does not hold the secret")
	}
	sum := l.Summary()
	for _, want := range []string{l.Namespace(), l.Addr(), "omapish-lab (hmac-md5)", "static1", "grouped1",
		"lab-group", "empty-group", "lab-failover", "192.0.2.150 active (client150)", "192.0.2.153 abandoned"} {
		if !strings.Contains(sum, want) {
			t.Errorf("Summary() lacks %q:\n%s", want, sum)
		}
	}
	t.Logf("summary:\n%s", sum)
}

func TestTwoLabsAtOnce(t *testing.T) {
	t.Parallel()
	a, b := labtest.Start(t), labtest.Start(t)
	if a.Namespace() == b.Namespace() || a.Dir() == b.Dir() || a.PID() == b.PID() {
		t.Fatalf("labs share a namespace, dir or process: %s %s", a.Namespace(), b.Namespace())
	}
	if bytes.Equal(a.Secret(), b.Secret()) {
		t.Errorf("both labs have the same secret")
	}
	readIntro(t, a)
	readIntro(t, b)
	// Each lab's dhcpd accepts only its own key.
	if _, msg := omshellOpen(t, a, b.KeyName(), b.SecretBase64(), "hmac-md5", "lease", "ip-address = "+lab.Sample.ActiveLease.IP); msg == "" {
		t.Errorf("lab %s accepted the key of lab %s", a.Namespace(), b.Namespace())
	}
}

func TestCloseRemovesEverything(t *testing.T) {
	t.Parallel()
	l, err := lab.Start(t.Context(), lab.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ns, dir, pid := l.Namespace(), l.Dir(), l.PID()
	// Something else running in the namespace goes too.
	sleeper := l.Command(context.Background(), "sleep", "60")
	if err := sleeper.Start(); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := sleeper.Wait(); err == nil {
		t.Errorf("sleep in the namespace was not killed")
	}
	for _, n := range namespaces(t) {
		if n == ns {
			t.Errorf("namespace %s still listed", ns)
		}
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("lab dir %s: %v, want it removed", dir, err)
	}
	if procComm(pid) == "dhcpd" {
		t.Errorf("dhcpd %d still runs", pid)
	}
	if l.PID() != 0 {
		t.Errorf("PID() = %d after Close", l.PID())
	}
	if !strings.Contains(l.Log(), "Server starting service.") {
		t.Errorf("Log() after Close lost the log")
	}
	if err := l.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := l.Restart(t.Context()); err == nil {
		t.Errorf("Restart after Close succeeded")
	}
}

// TestStartFailureLeavesNothing is not parallel: it checks that no
// namespace, directory or dhcpd of this process is left after each failure.
func TestStartFailureLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name string
		cfg  lab.Config
		want string // in the error
	}{
		{"syntax error", lab.Config{Conf: write("bad.conf", "omapi-port 7911;\nsubnet 192.0.2.0 netmask 255.255.255.0 {\n  range 192.0.2.10 192.0.2.20\n}\n")},
			"semicolon expected"},
		{"unknown statement", lab.Config{Conf: write("unknown.conf", "omapi-port 7911;\nfrobnicate yes;\nsubnet 192.0.2.0 netmask 255.255.255.0 { }\n")},
			"frobnicate"},
		{"no subnet for v0", lab.Config{Conf: write("nosubnet.conf", "omapi-port 7911;\n")},
			"No subnet declaration for v0"},
		{"no omapi-port", lab.Config{Conf: write("noport.conf", "subnet 192.0.2.0 netmask 255.255.255.0 { }\n")},
			`add one, e.g. "omapi-port 7911;"`},
		{"missing conf", lab.Config{Conf: filepath.Join(dir, "nonexistent.conf")}, "no such file"},
		{"unknown algorithm", lab.Config{Algorithm: "hmac-md4"}, "unknown key algorithm"},
		{"algorithm with a conf", lab.Config{Conf: write("ok.conf", "omapi-port 7911;\n"), Algorithm: "hmac-sha256"}, "sample only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := ours(t)
			l, err := lab.Start(t.Context(), tt.cfg)
			if err == nil {
				l.Close()
				t.Fatalf("Start succeeded, want an error with %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q\ndoes not contain %q", err, tt.want)
			}
			if tt.cfg.Conf != "" && strings.Contains(err.Error(), "line ") && !strings.Contains(err.Error(), tt.cfg.Conf+" line ") {
				t.Errorf("error %q\ndoes not name the given file %s", err, tt.cfg.Conf)
			}
			if after := ours(t); len(after) != len(before) {
				t.Errorf("left behind: %v (before: %v)", after, before)
			}
			if pids := childDHCPDs(t); len(pids) > 0 {
				t.Errorf("dhcpd still runs: %v", pids)
			}
		})
	}
}

// TestStartChecks is not parallel: it changes the environment.
func TestStartChecks(t *testing.T) {
	t.Setenv("OMAPISH_DHCPD", "/nonexistent/dhcpd")
	_, err := lab.Start(t.Context(), lab.Config{})
	if !errors.Is(err, lab.ErrNoDHCPD) || !strings.Contains(err.Error(), "/nonexistent/dhcpd") {
		t.Errorf("Start with a missing dhcpd: %v, want ErrNoDHCPD naming the path", err)
	}
	t.Setenv("OMAPISH_DHCPD", "")
	t.Setenv("PATH", t.TempDir())
	_, err = lab.Start(t.Context(), lab.Config{})
	if !errors.Is(err, lab.ErrNoIP) {
		t.Errorf("Start without ip: %v, want ErrNoIP", err)
	}
}

func TestStopRestart(t *testing.T) {
	t.Parallel()
	l := labtest.Start(t)
	old := l.PID()
	if err := l.Stop(t.Context()); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if l.PID() != 0 || procComm(old) == "dhcpd" {
		t.Fatalf("dhcpd %d still runs after Stop", old)
	}
	if c, err := l.DialContext(t.Context(), "tcp", l.Addr()); err == nil {
		c.Close()
		t.Fatalf("OMAPI still answers after Stop")
	}
	if err := l.Stop(t.Context()); err != nil {
		t.Errorf("second Stop: %v", err)
	}
	if err := l.Restart(t.Context()); err != nil {
		t.Fatalf("Restart: %v", err)
	}
	if l.PID() == 0 || l.PID() == old {
		t.Errorf("PID() = %d after Restart (old %d)", l.PID(), old)
	}
	readIntro(t, l)
	// The leases survive.
	vals, msg := omshellOpen(t, l, l.KeyName(), l.SecretBase64(), l.Algorithm(), "lease", "ip-address = "+lab.Sample.PlainActiveLease.IP)
	if msg != "" || vals["state"] != stateHex(lab.StateActive) {
		t.Errorf("after restart lease %s: %v %q", lab.Sample.PlainActiveLease.IP, vals, msg)
	}
	// Restart of a running dhcpd restarts it.
	running := l.PID()
	if err := l.Restart(t.Context()); err != nil {
		t.Fatalf("Restart of a running dhcpd: %v", err)
	}
	if l.PID() == running {
		t.Errorf("Restart kept pid %d", running)
	}
	readIntro(t, l)
}

// netnsInode returns the inode of the network namespace a path refers to.
func netnsInode(tb testing.TB, path string) uint64 {
	tb.Helper()
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		tb.Fatalf("stat %s: %v", path, err)
	}
	return st.Ino
}

// socketNetns returns the inode of the network namespace c's socket is in.
func socketNetns(tb testing.TB, c syscall.Conn) uint64 {
	tb.Helper()
	rc, err := c.SyscallConn()
	if err != nil {
		tb.Fatal(err)
	}
	var ino uint64
	var ioctlErr error
	err = rc.Control(func(fd uintptr) {
		nsfd, err := unix.IoctlRetInt(int(fd), unix.SIOCGSKNS)
		if err != nil {
			ioctlErr = err
			return
		}
		defer unix.Close(nsfd)
		var st unix.Stat_t
		ioctlErr = unix.Fstat(nsfd, &st)
		ino = st.Ino
	})
	if err != nil || ioctlErr != nil {
		tb.Fatalf("SIOCGSKNS: %v %v", err, ioctlErr)
	}
	return ino
}

// threadNetns returns the network namespaces of all threads of this
// process.
func threadNetns(tb testing.TB) map[uint64]int {
	tb.Helper()
	tasks, _ := filepath.Glob("/proc/self/task/*/ns/net")
	seen := map[uint64]int{}
	for _, p := range tasks {
		var st unix.Stat_t
		if unix.Stat(p, &st) == nil {
			seen[st.Ino]++
		}
	}
	return seen
}

func TestDialContextNamespace(t *testing.T) {
	// Not parallel: it checks every thread of the process, and another
	// test's dial would have a thread in a lab namespace for a moment.
	l := labtest.Start(t)
	probe, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	self := socketNetns(t, probe.(*net.UDPConn)) // the kernel's word, not /proc's
	probe.Close()
	// /proc/self names another process when /proc comes from another PID
	// namespace (a chroot); the per-thread check needs it to be ours.
	procIsOurs := netnsInode(t, "/proc/self/ns/net") == self
	labNS := netnsInode(t, "/var/run/netns/"+l.Namespace())
	if self == labNS {
		t.Fatal("the lab's namespace is the test's own")
	}

	// Many dials at once, from many goroutines and threads.
	errs := make(chan error, 40)
	for range 40 {
		go func() {
			c, err := l.DialContext(t.Context(), "tcp", l.Addr())
			if err == nil {
				if ns := socketNetns(t, c.(*net.TCPConn)); ns != labNS {
					err = fmt.Errorf("socket in namespace %d, want the lab's %d", ns, labNS)
				}
				c.Close()
			}
			errs <- err
		}()
	}
	for range 40 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	for ino, n := range threadNetns(t) {
		if ino != self && procIsOurs {
			t.Errorf("%d threads left in namespace %d", n, ino)
		}
	}

	// This goroutine's socket, made after dialing, is in the host namespace.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen in the host namespace: %v", err)
	}
	defer ln.Close()
	if ns := socketNetns(t, ln.(*net.TCPListener)); ns != self {
		t.Errorf("listener in namespace %d, want the test's %d", ns, self)
	}

	if _, err := l.DialContext(t.Context(), "tcp", "localhost:7911"); err == nil {
		t.Errorf("dial by host name succeeded, want it refused")
	}
}

// freePort returns a TCP port nothing listens on in this namespace.
func freePort(tb testing.TB) int {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func TestUserConf(t *testing.T) {
	t.Parallel()
	port := freePort(t)
	secret := []byte("0123456789abcdef0123456789abcdef")
	conf := fmt.Sprintf(`# a user's dhcpd.conf
omapi-port %d;
key "user-key" {
	algorithm HMAC-SHA256;
	secret %s;  # unquoted base64
}
omapi-key user-key;
subnet 198.51.100.0 netmask 255.255.255.128 {
	range 198.51.100.10 198.51.100.20;
}
host printer { hardware ethernet 00:00:5e:00:53:aa; fixed-address 198.51.100.5; }
`, port, base64.StdEncoding.EncodeToString(secret))
	leases := "lease 198.51.100.10 {\n  starts 4 2026/11/26 17:00:00;\n  ends 4 2036/11/27 17:00:00;\n  binding state active;\n  hardware ethernet 00:00:5e:00:53:bb;\n}\n"
	dir := t.TempDir()
	confPath, leasesPath := filepath.Join(dir, "my.conf"), filepath.Join(dir, "my.leases")
	os.WriteFile(confPath, []byte(conf), 0o600)
	os.WriteFile(leasesPath, []byte(leases), 0o600)

	l := labtest.Start(t, lab.Config{Conf: confPath, Leases: leasesPath})
	if want := fmt.Sprintf("127.0.0.1:%d", port); l.Addr() != want {
		t.Errorf("Addr() = %q, want %q", l.Addr(), want)
	}
	if l.KeyName() != "user-key" || l.Algorithm() != "hmac-sha256" || !bytes.Equal(l.Secret(), secret) {
		t.Errorf("key = %q %q %q", l.KeyName(), l.Algorithm(), l.Secret())
	}
	if name, _ := l.OtherKey(); name != "" {
		t.Errorf("OtherKey() = %q, want none", name)
	}
	readIntro(t, l)

	// v0 has the subnet's first address.
	out, err := l.Command(t.Context(), "ip", "-4", "-o", "addr", "show", "dev", "v0").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "198.51.100.1/25") {
		t.Errorf("v0: %s %v", out, err)
	}
	vals, msg := omshellOpen(t, l, "user-key", l.SecretBase64(), "hmac-sha256", "lease", "ip-address = 198.51.100.10")
	if msg != "" || vals["hardware-address"] != "00:00:5e:00:53:bb" {
		t.Errorf("lease from the user's leases file: %v %q", vals, msg)
	}
	sum := l.Summary()
	for _, want := range []string{"user-key (hmac-sha256)", "printer (00:00:5e:00:53:aa, 198.51.100.5)", "198.51.100.10 active", "failover   none"} {
		if !strings.Contains(sum, want) {
			t.Errorf("Summary() lacks %q:\n%s", want, sum)
		}
	}

	// Only the lab's namespace has the port.
	if c, err := net.DialTimeout("tcp", l.Addr(), time.Second); err == nil {
		c.Close()
		t.Errorf("%s reachable from the test's namespace", l.Addr())
	}
}

// TestUserConfInclude: a conf that keeps its OMAPI key in an included
// file, by a path relative to where the lab runs, as Debian's often do.
// dhcpd runs there too, so both read the same file; signed requests work.
func TestUserConfInclude(t *testing.T) {
	port := freePort(t)
	dir := t.TempDir()
	secret := []byte("an included secret, 32 bytes....")
	os.WriteFile(filepath.Join(dir, "omapi.key"), []byte(fmt.Sprintf("key inc-key {\n algorithm hmac-sha512;\n secret \"%s\";\n};\n",
		base64.StdEncoding.EncodeToString(secret))), 0o600)
	os.WriteFile(filepath.Join(dir, "dhcpd.conf"), []byte(fmt.Sprintf(
		"include \"omapi.key\";\nomapi-port %d;\nomapi-key inc-key;\nsubnet 198.51.100.0 netmask 255.255.255.0 { range 198.51.100.10 198.51.100.20; }\n", port)), 0o600)
	t.Chdir(dir)

	l := labtest.Start(t, lab.Config{Conf: "dhcpd.conf"})
	if l.KeyName() != "inc-key" || l.Algorithm() != "hmac-sha512" || !bytes.Equal(l.Secret(), secret) || !l.KeyRequired() {
		t.Fatalf("key from the included file = %q %q %q required=%v", l.KeyName(), l.Algorithm(), l.Secret(), l.KeyRequired())
	}
	vals, msg := omshellOpen(t, l, "inc-key", l.SecretBase64(), "hmac-sha512", "lease", "ip-address = 198.51.100.10")
	if msg != "" || vals["state"] == "" {
		t.Errorf("signed lookup with the included key: %v %q", vals, msg)
	}

	// The same conf from another directory: the include is not found,
	// and the lab says which.
	t.Chdir(t.TempDir())
	_, err := lab.Start(t.Context(), lab.Config{Conf: filepath.Join(dir, "dhcpd.conf")})
	if err == nil || !strings.Contains(err.Error(), `include "omapi.key"`) {
		t.Errorf("Start with an include it cannot read: %v", err)
	}
}

func TestUserConfWithoutKey(t *testing.T) {
	t.Parallel()
	port := freePort(t)
	conf := filepath.Join(t.TempDir(), "open.conf")
	os.WriteFile(conf, []byte(fmt.Sprintf("omapi-port %d;\nkey ddns { algorithm hmac-md5; secret \"c2VjcmV0c2VjcmV0c2VjcmV0\"; }\nsubnet 192.0.2.0 netmask 255.255.255.0 { }\n", port)), 0o600)
	l := labtest.Start(t, lab.Config{Conf: conf})
	if l.KeyName() != "" || l.Secret() != nil || l.KeyRequired() {
		t.Errorf("key = %q %q required=%v, want none", l.KeyName(), l.Secret(), l.KeyRequired())
	}
	if name, secret := l.OtherKey(); name != "ddns" || string(secret) != "secretsecretsecret" {
		t.Errorf("OtherKey() = %q %q", name, secret)
	}
	profile := filepath.Join(t.TempDir(), "p.toml")
	if err := l.WriteProfile(profile); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(profile)
	if strings.Contains(string(b), "key_name") || strings.Contains(string(b), "secret") {
		t.Errorf("profile without a key names one:\n%s", b)
	}
}

func TestWriteProfile(t *testing.T) {
	t.Parallel()
	l := labtest.Start(t, lab.Config{Algorithm: "hmac-sha512"})
	path := filepath.Join(t.TempDir(), "omapish.toml")
	os.WriteFile(path, []byte("old"), 0o644)
	if err := l.WriteProfile(path); err != nil {
		t.Fatal(err)
	}
	// The file is what omapish's own configuration loader accepts.
	cfg, err := profile.LoadFile(path)
	if err != nil {
		t.Fatalf("profile.LoadFile: %v", err)
	}
	srv, err := cfg.Lookup("")
	if err != nil {
		t.Fatal(err)
	}
	if srv.Name != "lab" || srv.Address != l.Addr() || srv.KeyName != lab.Sample.KeyName ||
		srv.Algorithm != "hmac-sha512" || srv.Timeout != 5*time.Second || !bytes.Equal(srv.Secret, l.Secret()) {
		t.Errorf("profile = %+v", srv)
	}
	var p struct {
		Servers map[string]struct {
			SecretFile string `toml:"secret_file"`
		}
	}
	if _, err := toml.DecodeFile(path, &p); err != nil {
		t.Fatal(err)
	}
	s := p.Servers["lab"]
	if s.SecretFile != filepath.Join(l.Dir(), "secret") {
		t.Errorf("secret_file = %q", s.SecretFile)
	}
	secret, err := os.ReadFile(s.SecretFile)
	if err != nil || string(secret) != l.SecretBase64() {
		t.Errorf("secret file = %q, %v", secret, err)
	}
	for _, f := range []string{path, s.SecretFile} {
		if st, err := os.Stat(f); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, %v; want 0600", f, st.Mode(), err)
		}
	}
}

// TestRun is not parallel: Run handles process-wide signals.
func TestRun(t *testing.T) {
	tests := []struct {
		name string
		cmd  []string
		code int
	}{
		{"true", []string{"true"}, 0},
		{"exit 3", []string{"sh", "-c", "exit 3"}, 3},
		{"killed", []string{"sh", "-c", "kill -KILL $$"}, 128 + 9},
		{"in the namespace", []string{"sh", "-c", `test "$(ip netns identify $$)" = "$OMAPISH_LAB" && test -s "$OMAPISH_CONFIG"`}, 0},
		{"no such command", []string{"/nonexistent/command"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := ours(t)
			var stdout, stderr bytes.Buffer
			code, err := lab.Run(t.Context(), lab.Config{}, tt.cmd, strings.NewReader(""), &stdout, &stderr)
			if err != nil || code != tt.code {
				t.Errorf("Run(%q) = %d, %v; want %d (stderr %q)", tt.cmd, code, err, tt.code, stderr.String())
			}
			if !strings.Contains(stderr.String(), "namespace  omapish-") || !strings.Contains(stderr.String(), "($OMAPISH_CONFIG)") {
				t.Errorf("no banner on stderr: %q", stderr.String())
			}
			if after := ours(t); len(after) != len(before) {
				t.Errorf("left behind: %v", after)
			}
			if pids := childDHCPDs(t); len(pids) > 0 {
				t.Errorf("dhcpd still runs: %v", pids)
			}
		})
	}

	t.Run("SIGTERM is passed on", func(t *testing.T) {
		pr, pw := io.Pipe()
		type result struct {
			code int
			err  error
		}
		done := make(chan result, 1)
		go func() {
			code, err := lab.Run(t.Context(), lab.Config{}, []string{"sh", "-c", "echo ready; exec sleep 30"}, nil, pw, io.Discard)
			pw.Close()
			done <- result{code, err}
		}()
		line := make([]byte, 6)
		if _, err := io.ReadFull(pr, line); err != nil || string(line) != "ready\n" {
			t.Fatalf("read %q, %v", line, err)
		}
		go io.Copy(io.Discard, pr)
		// Run catches SIGINT and SIGTERM now: SIGINT is ignored, SIGTERM
		// goes to the command.
		syscall.Kill(os.Getpid(), syscall.SIGINT)
		time.Sleep(100 * time.Millisecond)
		syscall.Kill(os.Getpid(), syscall.SIGTERM)
		select {
		case r := <-done:
			if r.err != nil || r.code != 128+int(syscall.SIGTERM) {
				t.Errorf("Run = %d, %v; want %d", r.code, r.err, 128+int(syscall.SIGTERM))
			}
		case <-time.After(20 * time.Second):
			t.Fatal("Run did not end after SIGTERM")
		}
	})
}

func TestStaleLabsRemoved(t *testing.T) {
	// Not parallel: it runs a lab-looking namespace of a dead process. The
	// pid is above pid_max, so it cannot have been reused by now.
	b, err := os.ReadFile("/proc/sys/kernel/pid_max")
	if err != nil {
		t.Fatal(err)
	}
	pidMax, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	pid := pidMax + 1
	ns := fmt.Sprintf("omapish-%d-1", pid)
	if err := exec.Command("ip", "netns", "add", ns).Run(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { exec.Command("ip", "netns", "delete", ns).Run() })
	sleeper := exec.Command("ip", "netns", "exec", ns, "sleep", "60")
	if err := sleeper.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sleeper.Process.Kill() })
	// Wait until sleep runs inside the namespace: `ip netns exec` may not
	// have entered it yet, and a lab started now would find it empty.
	for deadline := time.Now().Add(10 * time.Second); ; {
		out, _ := exec.Command("ip", "netns", "pids", ns).Output()
		if len(strings.TrimSpace(string(out))) > 0 {
			if pid := strings.Fields(string(out))[0]; procComm(mustAtoi(t, pid)) == "sleep" {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("sleep did not start in namespace %s", ns)
		}
		time.Sleep(10 * time.Millisecond)
	}
	dir, err := os.MkdirTemp("", ns+"-")
	if err != nil {
		t.Fatal(err)
	}

	labtest.Start(t)
	for _, n := range namespaces(t) {
		if n == ns {
			t.Errorf("stale namespace %s not removed", ns)
		}
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("stale dir %s not removed: %v", dir, err)
	}
	if err := sleeper.Wait(); err == nil {
		t.Errorf("process in the stale namespace not killed")
	}
}

func mustAtoi(tb testing.TB, s string) int {
	tb.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// omshellOpen opens an object with omshell inside the lab, signing with
// the given key ("" for none), and returns the object's values as omshell
// prints them and the error omshell reports, "" on success.
func omshellOpen(tb testing.TB, l *lab.Lab, keyName, secret, alg, typ string, sets ...string) (map[string]string, string) {
	tb.Helper()
	var in strings.Builder
	if keyName != "" {
		fmt.Fprintf(&in, "key-algorithm %s\nkey %s %s\n", alg, keyName, secret)
	}
	_, port, _ := net.SplitHostPort(l.Addr())
	fmt.Fprintf(&in, "port %s\nconnect\nnew %s\n", port, typ)
	for _, s := range sets {
		fmt.Fprintf(&in, "set %s\n", s)
	}
	in.WriteString("open\n")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := l.Command(ctx, "omshell")
	cmd.Stdin = strings.NewReader(in.String())
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Sprintf("omshell: %v: %s", err, out)
	}
	text := string(out)
	if m := regexp.MustCompile(`(can't open object|dhcpctl_connect): (.*)`).FindStringSubmatch(text); m != nil {
		return nil, m[0]
	}
	// The object as printed after the last command: "obj: TYPE", then
	// one "name = value" line each.
	last := text[strings.LastIndex(text, "obj: "):]
	vals := map[string]string{}
	for _, line := range strings.Split(last, "\n") {
		if k, v, ok := strings.Cut(line, " = "); ok {
			vals[k] = v
		}
	}
	return vals, ""
}

// stateHex is a lease state as omshell prints it.
func stateHex(s lab.LeaseState) string { return fmt.Sprintf("00:00:00:%02x", uint32(s)) }

// ipHex is an IPv4 address as omshell prints it.
func ipHex(ip string) string {
	a := net.ParseIP(ip).To4()
	return fmt.Sprintf("%02x:%02x:%02x:%02x", a[0], a[1], a[2], a[3])
}

// TestSampleFacts checks, with omshell as the client, that dhcpd holds what
// lab.Sample says, and that the states stay so for a while.
func TestSampleFacts(t *testing.T) {
	t.Parallel()
	l := labtest.Start(t)
	open := func(typ string, sets ...string) (map[string]string, string) {
		return omshellOpen(t, l, l.KeyName(), l.SecretBase64(), l.Algorithm(), typ, sets...)
	}
	check := func() {
		for _, le := range lab.Sample.Leases() {
			vals, msg := open("lease", "ip-address = "+le.IP)
			if msg != "" {
				t.Errorf("lease %s: %s", le.IP, msg)
				continue
			}
			if vals["state"] != stateHex(le.State) {
				t.Errorf("lease %s: state %s, want %s (%v)", le.IP, vals["state"], stateHex(le.State), le.State)
			}
			if le.MAC != "" && vals["hardware-address"] != le.MAC {
				t.Errorf("lease %s: hardware-address %s, want %s", le.IP, vals["hardware-address"], le.MAC)
			}
			if le.Hostname != "" && vals["client-hostname"] != strconv.Quote(le.Hostname) {
				t.Errorf("lease %s: client-hostname %s, want %q", le.IP, vals["client-hostname"], le.Hostname)
			}
			if le.ClientID != "" && vals["dhcp-client-identifier"] != hexColons(le.ClientID) {
				t.Errorf("lease %s: dhcp-client-identifier %s", le.IP, vals["dhcp-client-identifier"])
			}
		}
	}
	check()

	for _, h := range lab.Sample.Hosts() {
		vals, msg := open("host", fmt.Sprintf("name = %q", h.Name))
		if msg != "" {
			t.Errorf("host %s: %s", h.Name, msg)
			continue
		}
		if h.MAC != "" && vals["hardware-address"] != h.MAC {
			t.Errorf("host %s: hardware-address %s, want %s", h.Name, vals["hardware-address"], h.MAC)
		}
		if h.IP != "" && vals["ip-address"] != ipHex(h.IP) {
			t.Errorf("host %s: ip-address %s, want %s", h.Name, vals["ip-address"], ipHex(h.IP))
		}
		if _, ok := vals["ip-address"]; h.IP == "" && ok {
			t.Errorf("host %s has an ip-address", h.Name)
		}
		if h.ClientID != "" && vals["dhcp-client-identifier"] != strconv.Quote(h.ClientID) {
			t.Errorf("host %s: dhcp-client-identifier %s", h.Name, vals["dhcp-client-identifier"])
		}
	}
	s := lab.Sample
	lookups := []struct {
		what string
		typ  string
		sets []string
		key  string // attribute to compare
		want string // "" for not found
	}{
		{"host by IP (via its lease)", "host", []string{"ip-address = " + s.Static.IP}, "name", `"static1"`},
		{"host by MAC", "host", []string{"hardware-address = " + s.NoIP.MAC, "hardware-type = 1"}, "name", `"noip1"`},
		{"host by client id", "host", []string{`dhcp-client-identifier = "byuid1"`}, "name", `"byuid1"`},
		{"group", "group", []string{fmt.Sprintf("name = %q", s.Group)}, "name", strconv.Quote(s.Group)},
		{"empty group", "group", []string{fmt.Sprintf("name = %q", s.EmptyGroup)}, "name", strconv.Quote(s.EmptyGroup)},
		{"failover peer", "failover-state", []string{fmt.Sprintf("name = %q", s.FailoverPeer)}, "mclt", "00:00:0e:10"},
		{"unused address", "lease", []string{"ip-address = " + s.UnusedIP}, "state", stateHex(lab.StateFree)},
		{"lease by MAC", "lease", []string{"hardware-address = " + s.PlainActiveLease.MAC}, "ip-address", ipHex(s.PlainActiveLease.IP)},
		{"address without lease", "lease", []string{"ip-address = " + s.NoLeaseIP}, "", ""},
		{"unknown host", "host", []string{`name = "nosuchhost"`}, "", ""},
	}
	for _, lk := range lookups {
		vals, msg := open(lk.typ, lk.sets...)
		switch {
		case lk.want == "" && msg != "can't open object: not found":
			t.Errorf("%s: %v %q, want not found", lk.what, vals, msg)
		case lk.want != "" && (msg != "" || vals[lk.key] != lk.want):
			t.Errorf("%s: %s = %q (%q), want %q", lk.what, lk.key, vals[lk.key], msg, lk.want)
		}
	}

	// The other key is defined but refused; no key is refused.
	name, secret := l.OtherKey()
	if _, msg := omshellOpen(t, l, name, base64.StdEncoding.EncodeToString(secret), "hmac-md5", "lease", "ip-address = "+s.ActiveLease.IP); msg != "dhcpctl_connect: invalid TSIG key" {
		t.Errorf("other key: %q, want invalid TSIG key", msg)
	}
	if _, msg := omshellOpen(t, l, "", "", "", "lease", "ip-address = "+s.ActiveLease.IP); msg == "" {
		t.Errorf("unsigned open succeeded with omapi-key set")
	}

	// The states hold a while later (failover timers are seconds).
	time.Sleep(5 * time.Second)
	check()
}

// hexColons formats s as colon-separated hex bytes.
func hexColons(s string) string {
	parts := make([]string, len(s))
	for i := range len(s) {
		parts[i] = fmt.Sprintf("%02x", s[i])
	}
	return strings.Join(parts, ":")
}

func TestAlgorithms(t *testing.T) {
	t.Parallel()
	for _, alg := range []string{"hmac-md5", "hmac-sha1", "hmac-sha224", "hmac-sha256", "hmac-sha384", "hmac-sha512"} {
		t.Run(alg, func(t *testing.T) {
			t.Parallel()
			l := labtest.Start(t, lab.Config{Algorithm: alg})
			if l.Algorithm() != alg {
				t.Errorf("Algorithm() = %q", l.Algorithm())
			}
			vals, msg := omshellOpen(t, l, l.KeyName(), l.SecretBase64(), alg, "lease", "ip-address = "+lab.Sample.ActiveLease.IP)
			if msg != "" || vals["state"] != stateHex(lab.StateActive) {
				t.Errorf("open lease signed with %s: %v %q", alg, vals, msg)
			}
		})
	}
}

func TestNoOMAPIKey(t *testing.T) {
	t.Parallel()
	l := labtest.Start(t, lab.Config{NoOMAPIKey: true})
	if l.KeyRequired() || l.KeyName() != lab.Sample.KeyName {
		t.Errorf("KeyRequired() = %v, KeyName() = %q", l.KeyRequired(), l.KeyName())
	}
	conf, _ := os.ReadFile(filepath.Join(l.Dir(), "dhcpd.conf"))
	if strings.Contains(string(conf), "omapi-key") {
		t.Errorf("conf has omapi-key:\n%s", conf)
	}
	for _, key := range []string{"", l.KeyName()} {
		vals, msg := omshellOpen(t, l, key, l.SecretBase64(), l.Algorithm(), "lease", "ip-address = "+lab.Sample.ActiveLease.IP)
		if msg != "" || vals["state"] != stateHex(lab.StateActive) {
			t.Errorf("open lease with key %q: %v %q", key, vals, msg)
		}
	}
}

// A broken lease is not fatal: dhcpd says so in its log and drops it.
func TestBadLeases(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "bad.leases")
	os.WriteFile(p, []byte("lease 192.0.2.150 { starts yesterday; }\n"), 0o600)
	l := labtest.Start(t, lab.Config{Leases: p})
	if !strings.Contains(l.Log(), "dhcpd.leases line 1: numeric day of week expected.") {
		t.Errorf("log lacks dhcpd's complaint:\n%s", l.Log())
	}
	if strings.Contains(l.Summary(), "192.0.2.150") {
		t.Errorf("the broken lease is in the summary:\n%s", l.Summary())
	}
}

func TestStderr(t *testing.T) {
	t.Parallel()
	var buf lockedBuffer
	l := labtest.Start(t, lab.Config{Stderr: &buf})
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); !strings.Contains(got, "Server starting service.") || got != l.Log() {
		t.Errorf("Stderr got %q\nlog is %q", got, l.Log())
	}
}

// lockedBuffer is a bytes.Buffer safe for concurrent use.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
