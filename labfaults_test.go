package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/omapish/omapish/internal/lab"
	"github.com/omapish/omapish/internal/lab/labtest"
)

// secretForms are the ways a secret could show: base64 (padded or not),
// hex in either case and spaced as a hex dump shows bytes, and the raw
// bytes when they are long enough not to match by chance.
func secretForms(secret []byte) []string {
	forms := []string{
		base64.StdEncoding.EncodeToString(secret),
		base64.RawStdEncoding.EncodeToString(secret),
		hex.EncodeToString(secret),
		strings.ToUpper(hex.EncodeToString(secret)),
	}
	if len(secret) >= 8 {
		forms = append(forms, string(secret), fmt.Sprintf("% x", secret[:8]))
	}
	return forms
}

// assertNoSecret fails when text holds the secret in any of its forms.
func assertNoSecret(tb testing.TB, what, text string, secret []byte) {
	tb.Helper()
	for _, f := range secretForms(secret) {
		if strings.Contains(text, f) {
			tb.Errorf("%s shows the secret (%q):\n%s", what, f, text)
			return
		}
	}
}

// cleanEnv is the environment of an omapish child: no configuration or
// secret of the machine's, a private home, no colour.
func cleanEnv(tb testing.TB) []string {
	tb.Helper()
	home := tb.TempDir()
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OMAPISH_") && !strings.HasPrefix(kv, "XDG_") && !strings.HasPrefix(kv, "HOME=") {
			env = append(env, kv)
		}
	}
	return append(env, "HOME="+home, "XDG_CONFIG_HOME="+home, "XDG_STATE_HOME="+home, "NO_COLOR=1")
}

// labCommand is the built omapish with args inside l's namespace, run in
// an empty directory with a clean environment.
func labCommand(tb testing.TB, ctx context.Context, l *lab.Lab, args ...string) *exec.Cmd {
	tb.Helper()
	cmd := l.Command(ctx, omapishBinary(tb), args...)
	cmd.Dir = tb.TempDir()
	cmd.Env = cleanEnv(tb)
	return cmd
}

// runInLab runs omapish args in l's namespace and returns its exit status
// and output.
func runInLab(tb testing.TB, l *lab.Lab, args ...string) (status int, stdout, stderr string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(tb.Context(), 20*time.Second)
	defer cancel()
	return runCmd(tb, labCommand(tb, ctx, l, args...))
}

// lookupCode connects with the default profile and looks up the sample's
// active lease; it fails the script with the error of either step.
var lookupCode = fmt.Sprintf(`local c = assert(omapi.connect()) return assert(c:lookup_ip(%q))`, lab.Sample.ActiveLease.MAC)

// TestLabFaultsCLI runs key mismatches against real dhcpds (with and
// without omapi-key) through the command: a failure exits 1 with exactly
// one line on stderr, its own message; what dhcpd accepts works. Run
// again with --trace, neither the trace nor the error shows the secret.
func TestLabFaultsCLI(t *testing.T) {
	keyed := labtest.Start(t)
	open := labtest.Start(t, lab.Config{NoOMAPIKey: true})
	dir := t.TempDir()
	profiles := map[*lab.Lab]string{}
	for _, l := range []*lab.Lab{keyed, open} {
		p := filepath.Join(dir, l.Namespace()+".toml")
		if err := l.WriteProfile(p); err != nil {
			t.Fatal(err)
		}
		profiles[l] = p
	}
	wrongSecret := writeFile(t, filepath.Join(dir, "wrong.secret"), "AAAAAAAAAAAAAAAAAAAAAA==\n", 0o600)
	otherName, otherSecret := keyed.OtherKey()
	otherFile := writeFile(t, filepath.Join(dir, "other.secret"), base64.StdEncoding.EncodeToString(otherSecret), 0o600)
	sha256Config := writeFile(t, filepath.Join(dir, "sha256.toml"), fmt.Sprintf(`default = "lab"
[servers.lab]
address = %q
key_name = %q
secret_file = %q
algorithm = "hmac-sha256"
`, keyed.Addr(), keyed.KeyName(), filepath.Join(keyed.Dir(), "secret")), 0o600)
	empty := writeFile(t, filepath.Join(dir, "empty.toml"), "", 0o600)

	tests := []struct {
		name   string
		l      *lab.Lab
		args   []string
		status int
		want   string // on stderr; on stdout for status 0
	}{
		{"wrong secret", keyed, []string{"--config", profiles[keyed], "--secret-file", wrongSecret},
			1, "the server rejected our signature: wrong secret?"},
		{"wrong key name", keyed, []string{"--config", profiles[keyed], "--key-name", "no-such-key"},
			1, `the server has no key "no-such-key" with algorithm hmac-md5`},
		{"wrong algorithm", keyed, []string{"--config", sha256Config},
			1, "uses algorithm hmac-md5, not hmac-sha256"},
		{"a defined key that is not the omapi-key", keyed,
			[]string{"--config", profiles[keyed], "--key-name", otherName, "--secret-file", otherFile},
			1, "is not the server's omapi-key"},
		{"server with a key, client without", keyed, []string{"--config", empty, "--server", keyed.Addr()},
			1, "the server requires a key and none is configured"},
		{"server without a key, client with its defined key", open, []string{"--config", profiles[open]},
			0, lab.Sample.ActiveLease.IP},
		{"server without a key, client without", open, []string{"--config", empty, "--server", open.Addr()},
			0, lab.Sample.ActiveLease.IP},
		{"server without a key, client with a key it does not define", open,
			[]string{"--config", profiles[open], "--key-name", "no-such-key"},
			1, `the server has no key "no-such-key"`},
		{"server without a key, client with a wrong secret", open, []string{"--config", profiles[open], "--secret-file", wrongSecret},
			1, "wrong secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			status, stdout, stderr := runInLab(t, tt.l, append(tt.args, "-e", lookupCode)...)
			t.Logf("exit %d, stdout %q, stderr %q", status, stdout, stderr)
			if status != tt.status {
				t.Errorf("exit status %d, want %d", status, tt.status)
			}
			got := stderr
			if tt.status == 0 {
				got = stdout
			} else if strings.Count(stderr, "\n") != 1 {
				t.Errorf("stderr %q: want exactly one line", stderr)
			}
			if !strings.Contains(got, tt.want) {
				t.Errorf("%q: want %q in it", got, tt.want)
			}
			_, _, trace := runInLab(t, tt.l, append(tt.args, "--trace", "-e", lookupCode)...)
			if !strings.Contains(trace, "→ sent") {
				t.Errorf("--trace shows no message:\n%s", trace)
			}
			for _, l := range []*lab.Lab{keyed, open} {
				assertNoSecret(t, "stderr", stderr, l.Secret())
				assertNoSecret(t, "--trace output", trace, l.Secret())
			}
			assertNoSecret(t, "--trace output", trace, otherSecret)
		})
	}
}

// TestLabRestartCLI: a script holds a connection while dhcpd is killed
// and started again. The call on the dead connection fails with "io" and
// says the server closed it; a new connect after the restart works; and
// the script, failing on the old connection at the end, exits 1 with one
// line. Meanwhile no process — omapish, dhcpd, nor anything else — has the
// secret in its arguments.
func TestLabRestartCLI(t *testing.T) {
	l := labtest.Start(t)
	dir := t.TempDir()
	profile := filepath.Join(dir, "lab.toml")
	if err := l.WriteProfile(profile); err != nil {
		t.Fatal(err)
	}
	script := writeFile(t, filepath.Join(dir, "restart.lua"), fmt.Sprintf(`local mac = %q
local c = assert(omapi.connect())
print("first", assert(c:lookup_ip(mac)))
io.read("*l") -- the test kills dhcpd
print("killed", c:lookup_ip(mac))
io.read("*l") -- the test starts it again
local c2 = assert(omapi.connect())
print("again", assert(c2:lookup_ip(mac)))
assert(c:lookup_ip(mac))
`, lab.Sample.ActiveLease.MAC), 0o644)

	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	cmd := labCommand(t, ctx, l, "--config", profile, script)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdoutPipe, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := bufio.NewScanner(stdoutPipe)
	next := func(prefix string) string {
		t.Helper()
		if !lines.Scan() {
			t.Fatalf("omapish ended before %q; stderr %q", prefix, stderr.String())
		}
		if !strings.HasPrefix(lines.Text(), prefix) {
			t.Fatalf("stdout line %q, want %q first", lines.Text(), prefix)
		}
		return lines.Text()
	}
	next("first\t" + lab.Sample.ActiveLease.IP)

	// The script holds its connection: nothing in the process table has
	// the secret, omapish and dhcpd included.
	checkProcessArgs(t, l.Secret(), cmd.Process.Pid, l.PID())

	if err := l.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	io.WriteString(stdin, "\n")
	killed := next("killed\tnil\t")
	t.Logf("dhcpd killed: %q", killed)
	if !strings.HasSuffix(killed, "\tio") || !strings.Contains(killed, "server closed the connection") {
		t.Errorf("call on the dead connection: %q, want the server closed it, code io", killed)
	}
	if err := l.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	io.WriteString(stdin, "\n")
	next("again\t" + lab.Sample.ActiveLease.IP)
	err = cmd.Wait()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != exitFail {
		t.Fatalf("exit: %v, want status 1", err)
	}
	t.Logf("stderr %q", stderr.String())
	if strings.Count(stderr.String(), "\n") != 1 || !strings.Contains(stderr.String(), "connection broken by an earlier failure") {
		t.Errorf("stderr %q: want one line saying the connection is broken", stderr.String())
	}
}

// checkProcessArgs fails when any process's arguments hold the secret,
// and when the given pids cannot be read (they must be running).
func checkProcessArgs(tb testing.TB, secret []byte, pids ...int) {
	tb.Helper()
	for _, pid := range pids {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if err != nil || len(b) == 0 {
			tb.Errorf("process %d: no arguments to check (%v)", pid, err)
		}
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		tb.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue // not a process, or gone
		}
		n++
		assertNoSecret(tb, "arguments of process "+e.Name(), strings.ReplaceAll(string(b), "\x00", " "), secret)
	}
	if n == 0 {
		tb.Fatal("no process arguments read from /proc")
	}
}
