package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// buildOmapish builds the command once per test run.
var buildOnce = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "omapish-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "omapish")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", &buildError{string(out), err}
	}
	return bin, nil
})

type buildError struct {
	out string
	err error
}

func (e *buildError) Error() string { return e.err.Error() + ": " + e.out }

func omapishBinary(tb testing.TB) string {
	tb.Helper()
	bin, err := buildOnce()
	if err != nil {
		tb.Fatalf("building omapish: %v", err)
	}
	return bin
}

// term is omapish running on a pseudo-terminal.
type term struct {
	tb  testing.TB
	f   *os.File
	cmd *exec.Cmd
	mu  sync.Mutex
	out bytes.Buffer
	// more has a value when output came since expect last looked.
	more chan struct{}
}

func startTerm(tb testing.TB, env []string, args ...string) *term {
	tb.Helper()
	cmd := exec.Command(omapishBinary(tb), args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Dir = tb.TempDir() // not the repository, whose config.toml is a sample
	return startTermCmd(tb, cmd)
}

// startTermCmd runs cmd on a pseudo-terminal of 40 by 200.
func startTermCmd(tb testing.TB, cmd *exec.Cmd) *term {
	tb.Helper()
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 200})
	if err != nil {
		tb.Fatalf("pty: %v", err)
	}
	t := &term{tb: tb, f: f, cmd: cmd, more: make(chan struct{}, 1)}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := f.Read(buf)
			t.mu.Lock()
			t.out.Write(buf[:n])
			t.mu.Unlock()
			select {
			case t.more <- struct{}{}:
			default:
			}
			if err != nil {
				return
			}
		}
	}()
	tb.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		f.Close()
	})
	return t
}

func (t *term) send(s string) {
	t.tb.Helper()
	if _, err := io.WriteString(t.f, s); err != nil {
		t.tb.Fatalf("typing %q: %v", s, err)
	}
}

// expect waits until the screen output since mark contains want.
func (t *term) expect(mark int, want string, within time.Duration) int {
	t.tb.Helper()
	timeout := time.After(within)
	for waiting := true; waiting; {
		t.mu.Lock()
		s := t.out.String()
		t.mu.Unlock()
		if i := strings.Index(s[mark:], want); i >= 0 {
			return mark + i + len(want)
		}
		select {
		case <-t.more:
		case <-timeout:
			waiting = false
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.tb.Fatalf("no %q within %v; screen since mark:\n%s", want, within, t.out.String()[mark:])
	return 0
}

// exitOnCtrlD types Ctrl-D and expects omapish to exit with status 0.
func (t *term) exitOnCtrlD(within time.Duration) {
	t.tb.Helper()
	t.send("\x04")
	done := make(chan error, 1)
	go func() { done <- t.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.tb.Fatalf("exit after Ctrl-D: %v", err)
		}
	case <-time.After(within):
		t.tb.Fatalf("Ctrl-D did not exit within %v", within)
	}
}

// TestShellCancelsBlockedRequest: Ctrl-C cancels a request to a server
// that never answers, and the shell keeps running.
func TestShellCancelsBlockedRequest(t *testing.T) {
	addr, requests := silentServer(t)
	home := t.TempDir()
	tm := startTerm(t, []string{"HOME=" + home, "OMAPISH_CONFIG=", "XDG_CONFIG_HOME=" + home, "XDG_STATE_HOME=" + home, "NO_COLOR=1"},
		"--server", addr, "--timeout", "60s")
	at := tm.expect(0, "omapi> ", 10*time.Second)
	tm.send("c = assert(omapi.connect())\r")
	at = tm.expect(at, "omapi> ", 5*time.Second)
	tm.send("c:lookup_ip(\"00:00:5e:00:53:50\")\r")
	select {
	case <-requests: // the lookup waits for its reply
	case <-time.After(5 * time.Second):
		t.Fatal("the lookup never reached the server")
	}
	start := time.Now()
	tm.send("\x03")
	at = tm.expect(at, "canceled", 3*time.Second)
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Ctrl-C took %v", d)
	}
	tm.send("1+1\r")
	at = tm.expect(at, "2", 5*time.Second)
	// Multi-line input, then history: the chunk is one entry in a 0600 file.
	tm.send("function f()\r")
	at = tm.expect(at, ">> ", 5*time.Second)
	tm.send("return 40 + 2\rend\r")
	at = tm.expect(at, "omapi> ", 5*time.Second)
	tm.send("f()\r")
	tm.expect(at, "42", 5*time.Second)
	tm.exitOnCtrlD(5 * time.Second)
	hist := filepath.Join(home, "omapish", "history")
	st, err := os.Stat(hist)
	if err != nil {
		t.Fatalf("history: %v", err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("history mode %v, want 0600", st.Mode().Perm())
	}
	b, _ := os.ReadFile(hist)
	if !strings.Contains(string(b), "function f()") || !strings.Contains(string(b), "lookup_ip") {
		t.Fatalf("history lacks the chunks:\n%s", b)
	}
}

// startLabShell runs `omapish lab` (the shell on a sandbox's dhcpd) on a
// terminal, with a home of its own and no colour.
func startLabShell(tb testing.TB) *term {
	home := tb.TempDir()
	return startTerm(tb, []string{"HOME=" + home, "XDG_STATE_HOME=" + home, "NO_COLOR=1"}, "lab")
}

// connect opens the default connection as conn, after mark, and returns
// the mark after the next prompt.
func (t *term) connect(mark int) int {
	t.tb.Helper()
	t.send("conn = assert(omapi.connect())\r")
	return t.expect(mark, "omapi> ", 5*time.Second)
}

// TestLabShell: `omapish lab` opens the shell on the sandbox's dhcpd, with
// a banner of what it holds, and removes the sandbox on exit.
func TestLabShell(t *testing.T) {
	tm := startLabShell(t)
	at := tm.expect(0, "lab-failover", 20*time.Second)
	at = tm.expect(at, "omapi> ", 10*time.Second)
	at = tm.connect(at)
	tm.send("conn:lookup_hostname(\"192.0.2.150\")\r")
	at = tm.expect(at, "client150", 5*time.Second)
	tm.send("conn:lookup_by_lease{ip=\"192.0.2.150\"}\r")
	at = tm.expect(at, "state = 2 (active)", 5*time.Second)
	// help of a method, given as the function a connection holds
	tm.send("help(conn.lookup_each)\r")
	tm.expect(at, "conn:lookup_each(type, {keys, ...}, function(i, result)", 5*time.Second)
	tm.exitOnCtrlD(10 * time.Second)
	out, _ := exec.Command("ip", "netns", "list").Output()
	if strings.Contains(string(out), "omapish-"+strconv.Itoa(tm.cmd.Process.Pid)+"-") {
		t.Fatalf("namespace left behind: %s", out)
	}
}

// TestLabShellConfirm: deleting an interface asks first; "no" keeps it.
func TestLabShellConfirm(t *testing.T) {
	tm := startLabShell(t)
	at := tm.expect(0, "omapi> ", 20*time.Second)
	tm.send("conn = assert(omapi.connect()); ifc = assert(conn:open(\"interface\", {name = \"v0\"}))\r")
	at = tm.expect(at, "omapi> ", 5*time.Second)
	tm.send("ifc:delete()\r")
	at = tm.expect(at, "Type yes", 5*time.Second)
	tm.send("no\r")
	at = tm.expect(at, "declined", 5*time.Second)
	tm.send("conn:open(\"interface\", {name = \"v0\"}).state\r")
	at = tm.expect(at, `"up"`, 5*time.Second)
	// "yes" sends it.
	tm.send("ifc:delete()\r")
	at = tm.expect(at, "Type yes", 5*time.Second)
	tm.send("yes\r")
	tm.expect(at, "true", 5*time.Second)
	tm.send("\x04")
}

// TestLabShellErrors: in the shell on the lab's dhcpd, an assignment
// shows the failure it would swallow, a misspelled method names itself,
// and exit typed alone leaves with status 0.
func TestLabShellErrors(t *testing.T) {
	tm := startLabShell(t)
	at := tm.expect(0, "omapi> ", 20*time.Second)
	tm.send("x = omapi.connect{profile = \"lab\", secret = \"c2VjcmV0c2VjcmV0\"}\r")
	at = tm.expect(at, "x is nil: authentication failed (key omapish-lab): the server rejected our signature: wrong secret? (auth)", 5*time.Second)
	at = tm.connect(at)
	tm.send("conn:lookup_ipp(\"00:00:5e:00:53:50\")\r")
	at = tm.expect(at, `stdin:1: omapi.conn has no method "lookup_ipp" (did you mean "lookup_ip"?)`, 5*time.Second)
	tm.send("conn:lookup_ip(\"00:00:5e:00:53:50\")\r")
	tm.expect(at, `"192.0.2.150"`, 5*time.Second)
	tm.send("exit\r")
	done := make(chan error, 1)
	go func() { done <- tm.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("exit did not leave the shell")
	}
}

// TestLabShellCtrlCKeepsConnection: Ctrl-C in the middle of a loop of
// lookups stops it, and the next lookup on the same connection returns
// the MAC: the reply the interrupted lookup was waiting for is dropped,
// and no new connection replaced the one opened (conn.reconnects).
func TestLabShellCtrlCKeepsConnection(t *testing.T) {
	tm := startLabShell(t)
	at := tm.expect(0, "omapi> ", 20*time.Second)
	at = tm.connect(at)
	for round := range 3 {
		// Interrupted after a different number of lookups each round.
		n := 100 * (round + 1)
		// The echo of the line holds "loop" .. "ing", not what it prints.
		tm.send(fmt.Sprintf("for i = 1, 1e6 do conn:lookup_mac(\"192.0.2.150\") if i == %d then print(\"loop\" .. \"ing\") end end\r", n))
		at = tm.expect(at, "looping", 5*time.Second)
		start := time.Now()
		tm.send("\x03")
		at = tm.expect(at, "interrupted", 3*time.Second)
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("Ctrl-C took %v", d)
		}
		at = tm.expect(at, "omapi> ", 5*time.Second)
		tm.send("conn:lookup_mac(\"192.0.2.150\")\r")
		at = tm.expect(at, `"00:00:5e:00:53:50"`, 5*time.Second)
		tm.send("conn.state .. \" \" .. conn.reconnects .. \" \" .. tostring(conn.closed)\r")
		at = tm.expect(at, `"open 0 false"`, 5*time.Second)
	}
	tm.exitOnCtrlD(10 * time.Second)
}
