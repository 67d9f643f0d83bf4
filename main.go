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

	lua "github.com/yuin/gopher-lua"

	"github.com/omapish/omapish/internal/profile"
	"github.com/omapish/omapish/luaapi"
	"github.com/omapish/omapish/repl"
	"github.com/omapish/omapish/scripts"
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

	L := lua.NewState()
	defer L.Close()
	defer luaapi.CloseAll(L)
	lopts := luaapi.Options{Profiles: cfg, Servers: srv.names, AddressKey: srv.addrKey, Timeout: opts.timeout, Stdout: stdout}
	if opts.trace {
		lopts.Trace = newTracer(stderr).trace
	}
	if stdinTTY {
		lopts.Confirm = confirmOnTTY(stderr)
	}
	luaapi.Preload(L, lopts)
	scripts.Preload(L)
	replaceLuaPrint(L, stdout)
	repl.Install(L, docs(), stdout, stderr)

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
		ro := repl.Options{
			L:           L,
			In:          stdin,
			Out:         stdout,
			Err:         stderr,
			Interactive: stdinTTY,
			HistoryFile: cfg.Shell.HistoryFile,
			Color:       color,
			Docs:        docs(),
			Banner:      banner(cfg),
		}
		if err := repl.Run(context.Background(), ro); err != nil {
			var ee *repl.ExitError
			if errors.As(err, &ee) {
				return ee.Code
			}
			if !errors.Is(err, repl.ErrReported) {
				fmt.Fprintln(stderr, "omapish:", err)
			}
			return exitFail
		}
	}
	return status
}

// replaceLuaPrint makes Lua's print write to w (gopher-lua's writes to
// the process stdout directly).
func replaceLuaPrint(L *lua.LState, w io.Writer) {
	L.SetGlobal("print", L.NewFunction(func(L *lua.LState) int {
		n := L.GetTop()
		for i := 1; i <= n; i++ {
			if i > 1 {
				io.WriteString(w, "\t")
			}
			io.WriteString(w, L.ToStringMeta(L.Get(i)).String())
		}
		io.WriteString(w, "\n")
		return 0
	}))
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

func docs() []repl.Doc {
	var out []repl.Doc
	for _, d := range luaapi.Functions() {
		out = append(out, repl.Doc{Name: d.Name, Signature: d.Signature, Summary: d.Summary, Detail: d.Detail})
	}
	return out
}

// banner is printed when the shell starts on a terminal.
func banner(cfg *profile.Config) string {
	s := "omapish " + versionString() + " — Lua shell for ISC dhcpd's OMAPI. help() lists the functions; Ctrl-D exits.\n"
	if lab := os.Getenv("OMAPISH_LAB"); lab != "" {
		s += "Lab sandbox " + lab + ": conn = omapi.connect() opens its dhcpd.\n"
	} else if cfg.Default != "" {
		s += "Default server: " + cfg.Default + " (conn = omapi.connect()).\n"
	}
	return s
}
