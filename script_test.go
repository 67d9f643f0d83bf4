package main

import (
	"bufio"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/omapish/omapish/omapi/omapitest"
)

// TestInterruptScript: Ctrl-C (SIGINT) stops a runaway script — a Lua
// loop, or a request to a server that never answers — run as
// `omapish FILE.lua` or with -e: the command exits within a second with
// status 1 (or 130) and one line saying it was interrupted.
func TestInterruptScript(t *testing.T) {
	silent, requests := silentServer(t)
	dir := t.TempDir()
	loop := writeFile(t, filepath.Join(dir, "loop.lua"), "print(\"running\")\nwhile true do end\n", 0o644)
	blocked := writeFile(t, filepath.Join(dir, "blocked.lua"), `local c = assert(omapi.connect())
print("running")
return c:lookup_ip("00:11:22:33:44:55")
`, 0o644)
	empty := writeFile(t, filepath.Join(dir, "empty.toml"), "", 0o600)
	for _, tt := range []struct {
		name    string
		args    []string
		waitFor <-chan struct{} // the event that puts the command in the request; nil: "running" is
	}{
		{"loop in a script", []string{loop}, nil},
		{"loop in -e", []string{"-e", `print("running") while true do end`}, nil},
		{"loop in a function called by pcall", []string{"-e", `print("running") return pcall(function() while true do end end)`}, nil},
		{"request to a silent server", []string{"--config", empty, "--server", silent, "--timeout", "60s", blocked}, requests},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(omapishBinary(t), tt.args...)
			cmd.Dir = t.TempDir()
			cmd.Env = cleanEnv(t)
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			lines := bufio.NewScanner(stdout)
			if !lines.Scan() || lines.Text() != "running" {
				t.Fatalf("no \"running\" on stdout (%q); stderr %q", lines.Text(), stderr.String())
			}
			if tt.waitFor != nil {
				select {
				case <-tt.waitFor:
				case <-time.After(10 * time.Second):
					t.Fatal("the request never reached the server")
				}
			}
			start := time.Now()
			if err := cmd.Process.Signal(os.Interrupt); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err = <-done:
			case <-time.After(time.Second):
				t.Fatalf("still running a second after SIGINT; stderr %q", stderr.String())
			}
			t.Logf("exit after %v: %v, stderr %q", time.Since(start), err, stderr.String())
			status := 0
			if ee, ok := err.(*exec.ExitError); ok {
				status = ee.ExitCode()
				if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
					t.Fatalf("killed by %v instead of exiting", ws.Signal())
				}
			}
			if status != exitFail && status != 130 {
				t.Errorf("exit status %d, want 1 or 130", status)
			}
			if strings.Count(stderr.String(), "\n") != 1 || !strings.Contains(stderr.String(), "interrupted") {
				t.Errorf("stderr %q: want one line saying interrupted", stderr.String())
			}
		})
	}
}

// TestExitClosesConnections: a chunk that ends with os.exit (or exit)
// leaves through the command's clean-up, which closes its connections:
// the server sees the connection end as soon as the command returns.
func TestExitClosesConnections(t *testing.T) {
	for _, code := range []string{"os.exit(5)", "exit(5)", "pcall(os.exit, 5)", "coroutine.wrap(function() os.exit(5) end)()"} {
		t.Run(code, func(t *testing.T) {
			closed := make(chan error, 1)
			addr := omapitest.Serve(t, func(p *omapitest.Peer) {
				if err := p.Handshake(); err != nil {
					closed <- err
					return
				}
				_, err := p.Read() // no request comes: this ends when the client closes
				closed <- err
			})
			args := append(faultArgs(t, addr, false), "-e", "conn = assert(omapi.connect()); "+code+"; print('not reached')")
			status, stdout, stderr := runCLI(args...)
			if status != 5 || stdout != "" {
				t.Fatalf("status %d, stdout %q, stderr %q; want 5 and nothing", status, stdout, stderr)
			}
			select {
			case err := <-closed:
				if !errors.Is(err, io.EOF) {
					t.Errorf("the server's read ended with %v, want EOF (the client closed)", err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("the connection is still open after the command returned")
			}
		})
	}
}

// silentServer is an OMAPI server that greets and then never answers: the
// requests channel has a value once a request has reached it.
func silentServer(tb testing.TB) (addr string, requests <-chan struct{}) {
	got := make(chan struct{}, 1)
	addr = omapitest.Serve(tb, func(p *omapitest.Peer) {
		p.Intro()
		for {
			if _, err := p.Read(); err != nil {
				return
			}
			select {
			case got <- struct{}{}:
			default:
			}
		}
	})
	return addr, got
}
