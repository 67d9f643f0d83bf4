// Command omapish is a shell for the OMAPI protocol of ISC dhcpd: an
// interactive Lua shell, a script runner and a dhcpd sandbox. See README.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"

	"github.com/omapish/omapish/luaapi"
	"github.com/omapish/omapish/repl"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = ""

// Exit statuses (design.md): 0 success, 1 a script error or failed
// operation, 2 bad usage or bad configuration.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

func main() {
	stop := startCPUProfile(os.Getenv("OMAPISH_CPUPROFILE"))
	code := run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// startCPUProfile writes a CPU profile of the run to path (for `go tool
// pprof`) when path is not empty, until the returned stop is called. A
// chunk's exit or os.exit ends run, not the process, so stop runs then too.
func startCPUProfile(path string) (stop func()) {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "omapish: OMAPISH_CPUPROFILE:", err)
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

// run is the whole command, testable: it returns the exit status.
func run(args []string, stdin io.ReadCloser, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "lab":
			return runLab(args[1:], stdin, stdout, stderr)
		case "bench":
			return runBench(args[1:], stdout, stderr)
		case "scripts":
			return runScripts(args[1:], stdout, stderr)
		}
	}
	opts, err := parseFlags(args, stdout)
	if errors.Is(err, errHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintln(stderr, "omapish:", err)
		return exitUsage
	}
	if opts.version {
		fmt.Fprintln(stdout, "omapish", versionString())
		return exitOK
	}

	cfg, srv, err := loadConfig(opts)
	if err != nil {
		fmt.Fprintln(stderr, "omapish:", err)
		return exitUsage
	}
	if opts.each {
		return runEach(opts, srv.names, stdout, stderr)
	}

	stdinTTY := repl.IsTerminal(stdin)
	color := repl.IsTerminal(stdout) && os.Getenv("NO_COLOR") == ""

	L := newState(cfg, srv, opts, stdinTTY, stdout, stderr)
	defer L.Close()
	defer luaapi.CloseAll(L)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	status, exited := exitOK, false
	switch {
	case opts.code != "":
		status, exited = runCode(ctx, L, opts, stdout, stderr, color)
	case opts.script != "":
		status, exited = runScript(ctx, L, opts, stdout, stderr, color)
	}
	interactive := opts.code == "" && opts.script == ""
	if (interactive || opts.interactive) && status != exitUsage && !exited {
		stop() // the shell handles Ctrl-C itself
		return runShell(L, cfg, stdin, stdout, stderr, stdinTTY, color)
	}
	return status
}

func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return "dev-" + s.Value[:12]
			}
		}
		if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			return bi.Main.Version
		}
	}
	return "dev"
}
