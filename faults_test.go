package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/omapish/omapish/internal/profile"
	"github.com/omapish/omapish/luaapi"
	"github.com/omapish/omapish/omapi"
	"github.com/omapish/omapish/omapi/omapitest"
	"github.com/omapish/omapish/repl"
)

// The fault tests give every request faultTimeout; a fault must be
// reported within faultDeadline.
const (
	faultTimeout  = 300 * time.Millisecond
	faultDeadline = 1500 * time.Millisecond
)

// faultCode fails the first request of whatever connect returns.
const faultCode = `local c = assert(omapi.connect()) return assert(c:lookup_ip("00:11:22:33:44:55"))`

// writeFile writes a file with the given mode (not subject to the umask).
func writeFile(tb testing.TB, path, content string, mode os.FileMode) string {
	tb.Helper()
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		tb.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		tb.Fatal(err)
	}
	return path
}

// faultArgs are the flags that point omapish at the fake server at addr,
// signing with omapitest's key when auth: an empty configuration file (so
// that no real one is read), --server, --timeout and, for a key,
// --key-name and --secret-file.
func faultArgs(tb testing.TB, addr string, auth bool) []string {
	tb.Helper()
	dir := tb.TempDir()
	args := []string{"--config", writeFile(tb, filepath.Join(dir, "config.toml"), "", 0o600),
		"--server", addr, "--timeout", faultTimeout.String()}
	if auth {
		secret := writeFile(tb, filepath.Join(dir, "secret"), omapitest.SecretBase64+"\n", 0o600)
		args = append(args, "--key-name", omapitest.KeyName, "--secret-file", secret)
	}
	return args
}

// runCLI runs the command in-process with empty stdin.
func runCLI(args ...string) (status int, stdout, stderr string) {
	var out, errb bytes.Buffer
	status = run(args, io.NopCloser(strings.NewReader("")), &out, &errb)
	return status, out.String(), errb.String()
}

// TestFaultsCLI runs the fault matrix (omapitest.Faults) through the
// command: each hostile or broken server makes `omapish -e` exit 1 with
// exactly one line on stderr — the specific error — within the timeout.
func TestFaultsCLI(t *testing.T) {
	for _, f := range omapitest.Faults {
		t.Run(f.Name, func(t *testing.T) {
			t.Parallel()
			addr := omapitest.ServeFault(t, f)
			args := append(faultArgs(t, addr, f.Auth), "-e", faultCode)
			start := time.Now()
			status, stdout, stderr := runCLI(args...)
			elapsed := time.Since(start)
			t.Logf("exit %d, stderr %q", status, stderr)
			if status != exitFail {
				t.Errorf("exit status %d, want %d", status, exitFail)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
			if strings.Count(stderr, "\n") != 1 || !strings.HasSuffix(stderr, "\n") {
				t.Errorf("stderr %q: want exactly one line", stderr)
			}
			if !strings.Contains(stderr, f.Want) {
				t.Errorf("stderr %q: want %q in it", stderr, f.Want)
			}
			for _, bad := range []string{"goroutine ", "panic", "stack traceback", "omapi: "} {
				if strings.Contains(stderr, bad) {
					t.Errorf("stderr %q has %q", stderr, bad)
				}
			}
			if elapsed > faultDeadline {
				t.Errorf("took %v, want under %v", elapsed, faultDeadline)
			}
		})
	}
}

// TestFaultsShell runs the fault matrix through the interactive shell: a
// failing call reports the error, and the shell goes on (1+1 prints 2).
func TestFaultsShell(t *testing.T) {
	for _, f := range omapitest.Faults {
		t.Run(f.Name, func(t *testing.T) {
			t.Parallel()
			addr := omapitest.ServeFault(t, f)
			srv := profile.Server{Name: "fake", Address: addr, Timeout: faultTimeout}
			if f.Auth {
				srv.KeyName, srv.Algorithm, srv.Secret = omapitest.KeyName, omapitest.Algorithm, omapitest.Secret
			}
			cfg := &profile.Config{Default: "fake", Servers: map[string]profile.Server{"fake": srv}}
			L := lua.NewState()
			defer L.Close()
			defer luaapi.CloseAll(L)
			luaapi.Preload(L, luaapi.Options{Profiles: cfg, Timeout: faultTimeout})
			var out, errb bytes.Buffer
			in := io.NopCloser(strings.NewReader(faultCode + "\n1+1\n"))
			start := time.Now()
			err := repl.Run(t.Context(), repl.Options{L: L, In: in, Out: &out, Err: &errb, Interactive: true})
			elapsed := time.Since(start)
			t.Logf("stderr %q", errb.String())
			if err != nil {
				t.Fatalf("the shell ended: %v", err)
			}
			if out.String() != "2\n" {
				t.Errorf("stdout %q, want 2 (the shell goes on after the failure)", out.String())
			}
			if !strings.Contains(errb.String(), f.Want) || strings.Count(errb.String(), "\n") != 1 {
				t.Errorf("stderr %q: want one line with %q", errb.String(), f.Want)
			}
			if elapsed > faultDeadline {
				t.Errorf("took %v, want under %v", elapsed, faultDeadline)
			}
		})
	}
}

// TestLeaseScanFailsHalfway: the server goes away in the middle of a
// lease-scan. The scan exits 1 and says how many addresses it covered,
// and its output holds exactly the leases of those addresses.
func TestLeaseScanFailsHalfway(t *testing.T) {
	const answered = 1000
	var n atomic.Int32
	addr := omapitest.Serve(t, func(p *omapitest.Peer) {
		if p.Handshake() != nil {
			return
		}
		for {
			req, err := p.Read()
			if err != nil || n.Add(1) > answered {
				return // closes the connection
			}
			ip, _ := req.Object.Get("ip-address")
			var vs omapi.Values
			vs.Set("ip-address", ip)
			vs.SetUint32("state", 2)
			if p.Send(p.Reply(req, 1, vs)) != nil {
				return
			}
		}
	})
	// The built command: the script ends with os.exit, which would end
	// this test process.
	cmd := exec.Command(omapishBinary(t), append(faultArgs(t, addr, false), "lease-scan", "10.0.0.0/20", "--format", "csv")...)
	cmd.Dir = t.TempDir()
	status, stdout, stderr := runCmd(t, cmd)
	t.Logf("exit %d, stderr %q", status, stderr)
	if status != exitFail {
		t.Errorf("exit status %d, want %d", status, exitFail)
	}
	m := regexp.MustCompile(`^lease-scan: stopped after (\d+) of 4096 addresses \(their leases were printed\): .+\n$`).FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("stderr does not say where the scan stopped: %q", stderr)
	}
	covered, _ := strconv.Atoi(m[1])
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	if lines[0] != "ip,state,mac,starts,ends,hostname" {
		t.Fatalf("no CSV header: %q", lines[0])
	}
	if covered > answered || len(lines)-1 != covered {
		t.Fatalf("stderr says %d addresses covered, stdout has %d leases (the server answered %d)", covered, len(lines)-1, answered)
	}
	for i, line := range lines[1:] {
		if want := fmt.Sprintf("10.0.%d.%d,active,", i/256, i%256); !strings.HasPrefix(line, want) {
			t.Fatalf("line %d is %q, want it to start %q", i+1, line, want)
		}
	}
}
