package lab

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"time"
)

// Run starts a lab, runs cmd (a program and its arguments) inside the
// lab's namespace and closes the lab when cmd ends, whatever happens. This
// is `omapish lab`: the command finds the lab through its environment,
// OMAPISH_CONFIG (a profile written by [Lab.WriteProfile] into the lab's
// directory) and OMAPISH_LAB (the namespace name).
//
// Before cmd starts, a banner ([Lab.Summary] and the profile's path) goes
// to stderr.
//
// Signals: while the lab starts, SIGINT, SIGTERM and SIGHUP abort the start
// (exit code 130). While cmd runs, SIGINT is ignored here, since cmd, in
// the terminal's foreground process group, gets it itself, and SIGTERM and
// SIGHUP are passed on to cmd.
//
// exitCode is cmd's exit status, 128+N if signal N killed it. err is set
// when the lab could not start or close or cmd could not run; exitCode is
// then 1 unless cmd ran.
func Run(ctx context.Context, cfg Config, cmd []string, stdin io.Reader, stdout, stderr io.Writer) (exitCode int, err error) {
	if len(cmd) == 0 {
		return 1, errors.New("lab: run: no command")
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)

	l, err := startInterruptible(ctx, sigs, func(ctx context.Context) (*Lab, error) { return Start(ctx, cfg) })
	if err != nil {
		if errors.Is(err, errInterrupted) {
			return 130, err
		}
		return 1, err
	}
	defer func() {
		if cerr := l.Close(); cerr != nil {
			err = errors.Join(err, cerr)
		}
	}()

	profile := filepath.Join(l.Dir(), profileName)
	if err := l.WriteProfile(profile); err != nil {
		return 1, err
	}
	fmt.Fprintf(stderr, "omapish lab: dhcpd runs until %s exits\n%s%-10s %s ($OMAPISH_CONFIG)\n\n",
		filepath.Base(cmd[0]), l.Summary(), "profile", profile)
	return runCommand(ctx, l, profile, cmd, sigs, stdin, stdout, stderr)
}

// runCommand runs cmd inside l's namespace with $OMAPISH_CONFIG set to
// profile, passing on the signals that arrive on sigs as [Run] says, and
// returns its exit status.
func runCommand(ctx context.Context, l *Lab, profile string, cmd []string, sigs <-chan os.Signal, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	c := l.Command(ctx, cmd[0], cmd[1:]...)
	c.Env = append(os.Environ(), "OMAPISH_CONFIG="+profile, "OMAPISH_LAB="+l.Namespace())
	c.Stdin, c.Stdout, c.Stderr = stdin, stdout, stderr
	c.WaitDelay = time.Second // stop copying a non-file stdin once cmd exits
	if err := c.Start(); err != nil {
		return 1, fmt.Errorf("lab: run %s: %w", cmd[0], err)
	}
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	for {
		select {
		case s := <-sigs:
			if s != os.Interrupt {
				_ = c.Process.Signal(s)
			}
		case werr := <-done:
			ps := c.ProcessState
			if ps == nil {
				return 1, fmt.Errorf("lab: run %s: %w", cmd[0], werr)
			}
			if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				return 128 + int(ws.Signal()), nil
			}
			var exitErr *exec.ExitError
			if werr != nil && !errors.As(werr, &exitErr) {
				return ps.ExitCode(), fmt.Errorf("lab: run %s: %w", cmd[0], werr)
			}
			return ps.ExitCode(), nil
		}
	}
}

// errInterrupted is returned when a signal arrives while the lab starts.
var errInterrupted = errors.New("lab: interrupted while starting")

// startInterruptible starts a lab (or a pair: T) with start, giving up
// (and cleaning up) when a signal arrives on sigs meanwhile.
func startInterruptible[T interface{ Close() error }](ctx context.Context, sigs <-chan os.Signal, start func(context.Context) (T, error)) (T, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var interrupted atomic.Bool
	stop := make(chan struct{})
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		select {
		case <-sigs:
			interrupted.Store(true)
			cancel()
		case <-stop:
		}
	}()
	l, err := start(ctx)
	close(stop)
	<-watched
	if interrupted.Load() {
		var zero T
		if err == nil {
			l.Close()
		}
		return zero, errInterrupted
	}
	return l, err
}
