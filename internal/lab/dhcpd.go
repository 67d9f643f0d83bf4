package lab

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

const (
	// readyTimeout bounds the wait for dhcpd's OMAPI listener.
	readyTimeout = 10 * time.Second

	// stopGrace is how long dhcpd gets after SIGTERM before SIGKILL.
	// It normally exits within a few milliseconds (observed: 10-30 ms).
	stopGrace = 2 * time.Second
)

// omapiIntro is the 8-byte startup message of an OMAPI server: protocol
// version 100, header size 24.
var omapiIntro = []byte{0, 0, 0, 100, 0, 0, 0, 24}

// proc is one run of dhcpd.
type proc struct {
	cmd  *exec.Cmd
	done chan struct{} // closed once dhcpd has exited and been reaped
	err  error         // the result of cmd.Wait, set before done is closed
}

// startDHCPD starts dhcpd in the foreground inside the lab's namespace,
// serving on its interface (v0), its output going to the lab's log.
func (l *Lab) startDHCPD() (*proc, error) {
	// dhcpd refuses to start while the pid in its pid file is alive, and a
	// stale pid may by now belong to another process.
	if err := os.Remove(l.path(pidName)); err != nil && !os.IsNotExist(err) {
		return nil, fmt.Errorf("remove old pid file: %w", err)
	}
	cmd := exec.Command("ip", "netns", "exec", l.ns, l.dhcpd,
		"-f", "-d", "-4",
		"-cf", l.path(confName), "-lf", l.path(leasesName), "-pf", l.path(pidName),
		l.iface)
	cmd.Dir = l.cwd
	var out io.Writer = l.logFile
	if l.stderr != nil {
		out = io.MultiWriter(l.logFile, l.stderr)
	}
	cmd.Stdout, cmd.Stderr = out, out
	// Its own process group keeps a terminal's Ctrl-C away from dhcpd;
	// Pdeathsig takes it down if this process dies without cleaning up.
	// `ip netns exec` execs dhcpd, so the pid is dhcpd's.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start dhcpd: %w", err)
	}
	p := &proc{cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// exited reports whether dhcpd has exited.
func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM, then SIGKILL after stopGrace, and waits until dhcpd
// has been reaped.
func (p *proc) stop() {
	if p.exited() {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	t := time.NewTimer(stopGrace)
	defer t.Stop()
	select {
	case <-p.done:
		return
	case <-t.C:
	}
	_ = p.cmd.Process.Kill()
	<-p.done
}

// waitReady waits until dhcpd's OMAPI listener sends its intro, dhcpd
// exits, ctx ends or readyTimeout passes.
func (l *Lab) waitReady(ctx context.Context, p *proc) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		if p.exited() {
			return fmt.Errorf("dhcpd exited before OMAPI was ready (%v):\n%s", p.err, l.complaint())
		}
		err := l.probe(ctx)
		if err == nil {
			return nil
		}
		select {
		case <-p.done:
		case <-tick.C:
		case <-ctx.Done():
			return fmt.Errorf("dhcpd: OMAPI on %s not ready (%v): %w\n%s", l.addr, err, ctx.Err(), l.complaint())
		}
	}
}

// probe connects to OMAPI inside the namespace and reads the server intro.
func (l *Lab) probe(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	c, err := l.DialContext(ctx, "tcp", l.addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if d, ok := ctx.Deadline(); ok {
		_ = c.SetDeadline(d)
	}
	got := make([]byte, len(omapiIntro))
	if _, err := io.ReadFull(c, got); err != nil {
		return fmt.Errorf("read OMAPI intro: %w", err)
	}
	if !bytes.Equal(got, omapiIntro) {
		return fmt.Errorf("unexpected OMAPI intro % x", got)
	}
	return nil
}

// complaint returns the end of dhcpd's log for an error message, naming
// the user's files rather than the lab's copies.
func (l *Lab) complaint() string {
	tail := logTail(l.Log(), 15)
	for copied, orig := range l.sources {
		tail = strings.ReplaceAll(tail, l.path(copied), orig)
	}
	return tail
}

// boilerplate are lines dhcpd prints around every fatal error.
var boilerplate = []string{
	"Internet Systems Consortium DHCP Server",
	"Copyright 2004-",
	"All rights reserved.",
	"For info, please visit",
	"If you think you have received this message",
	"than a configuration issue please read",
	"bugs on either our web page",
	"before submitting a bug",
	"process and the information we find helpful",
	"exiting.",
}

// logTail returns the last n non-empty lines of a dhcpd log, without the
// bug-report boilerplate dhcpd adds to fatal errors.
func logTail(log string, n int) string {
	var lines []string
	for _, line := range strings.Split(log, "\n") {
		if strings.TrimSpace(line) == "" || isBoilerplate(line) {
			continue
		}
		lines = append(lines, line)
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func isBoilerplate(line string) bool {
	for _, b := range boilerplate {
		if strings.HasPrefix(line, b) {
			return true
		}
	}
	return false
}
