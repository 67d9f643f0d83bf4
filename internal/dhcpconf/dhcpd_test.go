package dhcpconf_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/omapish/omapish/internal/dhcpconf"
)

// Differential tests: the reader against dhcpd itself. dhcpd -t checks a
// conf, dhcpd -T a leases file, as dhcpd reads them at its start; what
// one refuses the other refuses at the same line, and what one accepts the
// other accepts. The files are in testdata/conf (accepted: real-world
// confs, their sources named in each file), testdata/reject (refused),
// testdata/leases (refused leases files).

// dhcpdPath is the dhcpd the lab runs.
func dhcpdPath() string {
	if p := os.Getenv("OMAPISH_DHCPD"); p != "" {
		return p
	}
	return "/usr/sbin/dhcpd"
}

// complaintRe is parse_warn's first line (common/parse.c).
var complaintRe = regexp.MustCompile(`(?m)^(\S+) line (\d+): (.*)$`)

// dhcpdCheck runs dhcpd with args in dir and returns its first complaint
// (file, line, message) and whether it accepted the file.
func dhcpdCheck(tb testing.TB, dir string, args ...string) (file string, line int, msg string, ok bool) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, dhcpdPath(), args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		tb.Fatalf("dhcpd %v: %v", args, err)
	}
	if m := complaintRe.FindStringSubmatch(string(out)); m != nil {
		n, _ := strconv.Atoi(m[2])
		return m[1], n, m[3], false
	}
	if strings.Contains(string(out), "Corrupt lease file") {
		return "", 0, "Corrupt lease file - possible data loss!", false
	}
	return "", 0, "", err == nil
}

func files(tb testing.TB, pattern string) []string {
	tb.Helper()
	names, err := filepath.Glob(pattern)
	if err != nil || len(names) == 0 {
		tb.Fatalf("no files %s (%v)", pattern, err)
	}
	return names
}

func TestDifferentialConfAccepted(t *testing.T) {
	for _, path := range files(t, "testdata/conf/*.conf") {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			_, line, msg, ok := dhcpdCheck(t, "testdata/conf", "-t", "-4", "-cf", name)
			if !ok {
				t.Fatalf("dhcpd -t refuses %s: line %d: %s", name, line, msg)
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if _, err := dhcpconf.ParseConf(f, name, &dhcpconf.Options{Dir: "testdata/conf"}); err != nil {
				t.Errorf("dhcpd -t accepts %s, the reader does not: %v", name, err)
			}
		})
	}
}

func TestDifferentialConfRejected(t *testing.T) {
	for _, path := range files(t, "testdata/reject/*.conf") {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			_, line, msg, ok := dhcpdCheck(t, "testdata/reject", "-t", "-4", "-cf", name)
			if ok || line == 0 {
				t.Fatalf("dhcpd -t accepts %s (or names no line: %q)", name, msg)
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			_, err = dhcpconf.ParseConf(f, name, &dhcpconf.Options{Dir: "testdata/reject"})
			var e *dhcpconf.Error
			if !errors.As(err, &e) {
				t.Fatalf("dhcpd -t refuses %s at line %d (%s), the reader says %v", name, line, msg, err)
			}
			if e.Line != line || e.Msg != msg {
				t.Errorf("%s: dhcpd -t says line %d: %s; the reader line %d: %s", name, line, msg, e.Line, e.Msg)
			}
		})
	}
}

// leasesConf is the conf the leases files are checked with: a subnet
// for their addresses.
const leasesConf = "subnet 192.0.2.0 netmask 255.255.255.0 { range 192.0.2.10 192.0.2.200; }\n"

func TestDifferentialLeasesRejected(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "dhcpd.conf"), []byte(leasesConf), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range files(t, "testdata/leases/*.leases") {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			cp := filepath.Join(dir, name)
			if err := os.WriteFile(cp, src, 0o600); err != nil {
				t.Fatal(err)
			}
			_, line, msg, ok := dhcpdCheck(t, dir, "-T", "-4", "-cf", "dhcpd.conf", "-lf", name, "-pf", filepath.Join(dir, "pid"))
			if ok {
				t.Fatalf("dhcpd -T reads %s without a complaint", name)
			}
			_, err = dhcpconf.ParseLeases(strings.NewReader(string(src)), name, time.Now())
			var e *dhcpconf.Error
			if !errors.As(err, &e) {
				t.Fatalf("dhcpd -T complains about %s at line %d (%s), the reader says %v", name, line, msg, err)
			}
			if (line != 0 && e.Line != line) || e.Msg != msg {
				t.Errorf("%s: dhcpd -T says line %d: %s; the reader line %d: %s", name, line, msg, e.Line, e.Msg)
			}
		})
	}
}
