package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"
)

// eachParallel bounds how many servers --each works on at a time.
const eachParallel = 32

// eachResult is how one server's run of --each ended.
type eachResult struct {
	server  string
	status  int
	elapsed time.Duration
	err     error // the run could not start or was killed
}

// runEach is `omapish --each [flags] FILE|-e CODE [ARGS]`: the script or
// CODE runs once per server, concurrently, each in an omapish process of
// its own (its own connection and Lua state) given --server NAME and the
// other flags; each line it writes is labelled "NAME: ". The exit status
// is the worst (highest) of them; a summary per server goes to stderr.
func runEach(o *options, servers []string, stdout, stderr io.Writer) int {
	switch {
	case len(servers) == 0:
		fmt.Fprintln(stderr, "omapish: --each needs servers: give --server (repeated) or a configuration file with profiles")
		return exitUsage
	case o.code == "" && o.script == "":
		fmt.Fprintln(stderr, "omapish: --each runs a script or -e CODE on each server, not the shell")
		return exitUsage
	case o.interactive:
		fmt.Fprintln(stderr, "omapish: --each and -i do not go together: there is one shell, and many servers")
		return exitUsage
	}
	self, err := selfPath()
	if err != nil {
		fmt.Fprintln(stderr, "omapish: --each:", err)
		return exitFail
	}
	// Ctrl-C reaches the children (same process group) and ends them;
	// this process waits for them to say so.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt)
	defer signal.Stop(sigs)

	out := &lineWriter{w: stdout}
	errw := &lineWriter{w: stderr}
	results := make([]eachResult, len(servers))
	sem := make(chan struct{}, eachParallel)
	var wg sync.WaitGroup
	for i, s := range servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			results[i] = runOne(self, o, s, out, errw)
		}()
	}
	wg.Wait()
	return summarize(results, stderr)
}

// runOne runs omapish for one server, its output labelled.
func runOne(self string, o *options, server string, out, errw *lineWriter) eachResult {
	start := time.Now()
	cmd := exec.CommandContext(context.Background(), self, childArgs(o, server)...)
	label := server + ": "
	so, se := out.labelled(label), errw.labelled(label)
	cmd.Stdout, cmd.Stderr = so, se
	err := cmd.Run()
	so.Close()
	se.Close()
	r := eachResult{server: server, elapsed: time.Since(start)}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.status = ee.ExitCode()
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			r.status = 128 + int(ws.Signal())
			r.err = fmt.Errorf("killed by %v", ws.Signal())
		}
	default:
		r.status, r.err = exitFail, err
	}
	return r
}

// childArgs are the arguments of the omapish that works on one server:
// the flags as given, --server NAME instead of every --server, and the
// script or CODE with its arguments after "--".
func childArgs(o *options, server string) []string {
	var a []string
	if o.config != "" {
		a = append(a, "--config", o.config)
	}
	a = append(a, "--server", server)
	if o.keyName != "" {
		a = append(a, "--key-name", o.keyName)
	}
	if o.secretFile != "" {
		a = append(a, "--secret-file", o.secretFile)
	}
	if o.timeout > 0 {
		a = append(a, "--timeout", o.timeout.String())
	}
	if o.json {
		a = append(a, "--json")
	}
	if o.trace {
		a = append(a, "--trace")
	}
	if o.code != "" {
		return append(append(a, "-e", o.code, "--"), o.args...)
	}
	return append(append(a, "--", o.script), o.args...)
}

// summarize writes one line per server to stderr and returns the worst
// exit status.
func summarize(results []eachResult, stderr io.Writer) int {
	worst := exitOK
	tw := tabwriter.NewWriter(stderr, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "--each: %d servers\n", len(results))
	for _, r := range results {
		worst = max(worst, r.status)
		note := ""
		if r.err != nil {
			note = "\t" + r.err.Error()
		}
		fmt.Fprintf(tw, "  %s\texit %d\t%.2fs%s\n", r.server, r.status, r.elapsed.Seconds(), note)
	}
	fmt.Fprintf(tw, "--each: exit %d (the worst)\n", worst)
	tw.Flush()
	return worst
}

// selfPath is the omapish to run for each server: this one.
func selfPath() (string, error) {
	if strings.ContainsRune(os.Args[0], os.PathSeparator) {
		return os.Args[0], nil
	}
	if p, err := exec.LookPath(os.Args[0]); err == nil {
		return p, nil
	}
	return os.Executable()
}

// lineWriter writes whole lines to w, from several writers at once, so
// that lines of different servers never mix.
type lineWriter struct {
	mu sync.Mutex
	w  io.Writer
}

// labelled returns a writer that prefixes each line with label.
func (lw *lineWriter) labelled(label string) *labelWriter {
	return &labelWriter{lw: lw, label: label}
}

// labelWriter buffers a partial line until its newline (or Close).
type labelWriter struct {
	lw    *lineWriter
	label string
	buf   []byte
}

func (w *labelWriter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	for {
		i := strings.IndexByte(string(w.buf), '\n')
		if i < 0 {
			break
		}
		w.emit(w.buf[:i+1])
		w.buf = w.buf[i+1:]
	}
	return len(p), nil
}

// Close writes a last line that has no newline, with one.
func (w *labelWriter) Close() error {
	if len(w.buf) > 0 {
		w.emit(append(w.buf, '\n'))
		w.buf = nil
	}
	return nil
}

func (w *labelWriter) emit(line []byte) {
	w.lw.mu.Lock()
	defer w.lw.mu.Unlock()
	bw := bufio.NewWriter(w.lw.w)
	bw.WriteString(w.label)
	bw.Write(line)
	bw.Flush()
}
