package lab

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// netnsDir is where `ip netns` keeps its named namespaces.
const netnsDir = "/var/run/netns"

// nsPrefix starts the name of every namespace (and temp dir) the lab makes.
const nsPrefix = "omapish-"

// nsName matches our namespace names, and dirName our temp dirs; both
// capture the owner's pid.
var (
	nsName  = regexp.MustCompile(`^omapish-(\d+)-\d+$`)
	dirName = regexp.MustCompile(`^omapish-(\d+)-\d+-`)
)

// ipCmd runs `ip args...` and returns an error with its output on failure.
func ipCmd(ctx context.Context, args ...string) error {
	out, err := exec.CommandContext(ctx, "ip", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// createNamespace makes the network namespace ns with loopback up and a
// veth pair v0/v1 whose v0 end has addr. Both ends stay inside ns, so
// nothing can leave it.
func createNamespace(ctx context.Context, ns string, addr netip.Prefix) error {
	if err := ipCmd(ctx, "netns", "add", ns); err != nil {
		return err
	}
	steps := [][]string{
		{"link", "set", "lo", "up"},
		{"link", "add", "v0", "type", "veth", "peer", "name", "v1"},
		{"addr", "add", addr.String(), "dev", "v0"},
		{"link", "set", "v0", "up"},
		{"link", "set", "v1", "up"},
	}
	for _, s := range steps {
		if err := ipCmd(ctx, append([]string{"-n", ns}, s...)...); err != nil {
			return err
		}
	}
	return nil
}

// deleteNamespace kills every process still inside ns and removes it.
func deleteNamespace(ctx context.Context, ns string) error {
	killNamespacePIDs(ctx, ns)
	return ipCmd(ctx, "netns", "delete", ns)
}

// killNamespacePIDs sends SIGKILL to every process in ns.
func killNamespacePIDs(ctx context.Context, ns string) {
	out, err := exec.CommandContext(ctx, "ip", "netns", "pids", ns).Output()
	if err != nil {
		return
	}
	for _, f := range strings.Fields(string(out)) {
		if pid, err := strconv.Atoi(f); err == nil && pid != os.Getpid() {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// removeStale deletes namespaces and temp dirs left by lab processes that
// no longer exist (killed before they could clean up), with whatever still
// runs inside those namespaces.
func removeStale(ctx context.Context) {
	entries, _ := os.ReadDir(netnsDir)
	for _, e := range entries {
		if m := nsName.FindStringSubmatch(e.Name()); m != nil && !pidAlive(m[1]) {
			_ = deleteNamespace(ctx, e.Name())
		}
	}
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), nsPrefix+"*"))
	for _, d := range dirs {
		if m := dirName.FindStringSubmatch(filepath.Base(d)); m != nil && !pidAlive(m[1]) {
			_ = os.RemoveAll(d)
		}
	}
}

// pidAlive reports whether the process with the given decimal pid exists.
func pidAlive(s string) bool {
	pid, err := strconv.Atoi(s)
	if err != nil || pid <= 0 {
		return false
	}
	err = syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// dialInNamespace dials addr from inside the network namespace at nsPath.
//
// The socket belongs to the namespace of the thread that creates it, so the
// goroutine is locked to its thread, the thread enters the namespace, the
// dialer creates the socket, and the thread goes back. If it cannot go
// back, the thread stays locked and the runtime discards it when the
// goroutine ends, so no other goroutine ever runs in the wrong namespace.
//
// addr's host must be an IP address: a name lookup or a dial to several
// addresses could run on other threads, outside the namespace.
func dialInNamespace(ctx context.Context, nsPath, network, addr string) (net.Conn, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("lab dial: %w", err)
	}
	if _, err := netip.ParseAddr(host); err != nil {
		return nil, fmt.Errorf("lab dial %s: host must be an IP address", addr)
	}
	target, err := os.Open(nsPath)
	if err != nil {
		return nil, fmt.Errorf("lab dial: %w", err)
	}
	defer target.Close()

	runtime.LockOSThread()
	orig, err := threadNetns()
	if err != nil {
		runtime.UnlockOSThread()
		return nil, fmt.Errorf("lab dial: %w", err)
	}
	defer orig.Close()
	if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
		runtime.UnlockOSThread()
		return nil, fmt.Errorf("lab dial: enter namespace %s: %w", nsPath, err)
	}

	var d net.Dialer
	conn, dialErr := d.DialContext(ctx, network, addr)

	if err := unix.Setns(int(orig.Fd()), unix.CLONE_NEWNET); err != nil {
		// Stay locked: this thread must never run another goroutine.
		if conn != nil {
			conn.Close()
		}
		return nil, fmt.Errorf("lab dial: return to the original namespace: %w", err)
	}
	runtime.UnlockOSThread()
	if dialErr != nil {
		return nil, fmt.Errorf("lab dial %s in %s: %w", addr, filepath.Base(nsPath), dialErr)
	}
	return conn, nil
}

// threadNetns returns the network namespace of the calling thread, as the
// kernel sees it: the namespace of a socket the thread makes (SIOCGSKNS).
// /proc/thread-self can name another task when /proc was mounted from
// another PID namespace (a chroot, a container), so it is not used.
func threadNetns() (*os.File, error) {
	sock, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("socket: %w", err)
	}
	defer unix.Close(sock)
	nsfd, err := unix.IoctlRetInt(sock, unix.SIOCGSKNS)
	if err != nil {
		return nil, fmt.Errorf("SIOCGSKNS: %w", err)
	}
	return os.NewFile(uintptr(nsfd), "netns"), nil
}
