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

	"github.com/chzyer/readline"
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

	stdinTTY := isTerminal(stdin)
	color := isTerminal(stdout) && os.Getenv("NO_COLOR") == ""

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

// runCode runs the -e chunk and prints what it returns. exited is true
// when the chunk called exit: the status is then the one it gave.
func runCode(ctx context.Context, L *lua.LState, opts *options, stdout, stderr io.Writer, color bool) (status int, exited bool) {
	fn, err := repl.Load(L, opts.code, "-e", true)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage, false
	}
	setArgs(L, "-e", opts.args)
	vals, status, exited := call(ctx, L, fn, "-e", opts.args, stderr)
	if status != exitOK || exited {
		return status, exited
	}
	return printValues(L, vals, opts.json, stdout, stderr, color), false
}

// runScript runs FILE.lua with its arguments in `arg` and as `...`.
func runScript(ctx context.Context, L *lua.LState, opts *options, stdout, stderr io.Writer, color bool) (status int, exited bool) {
	fn, err := loadScript(L, opts.script)
	if err != nil {
		var se *scriptNotFound
		if errors.As(err, &se) {
			fmt.Fprintln(stderr, "omapish:", err)
			return exitUsage, false
		}
		var syn *repl.SyntaxError
		if errors.As(err, &syn) {
			fmt.Fprintln(stderr, err) // file:line: message, as a runtime error
		} else {
			fmt.Fprintln(stderr, "omapish:", err)
		}
		return exitFail, false
	}
	setArgs(L, opts.script, opts.args)
	vals, status, exited := call(ctx, L, fn, opts.script, opts.args, stderr)
	if status != exitOK || exited || !opts.json {
		return status, exited
	}
	return printValues(L, vals, true, stdout, stderr, color), false
}

// call runs the chunk fn, called name in messages, with string arguments
// under ctx (Ctrl-C cancels it). A chunk that fails — an error, an
// interruption, or returning nil and a message as the module's functions
// fail — has its message written to stderr and status exitFail; one that
// called exit(n) has exited set and status n.
func call(ctx context.Context, L *lua.LState, fn *lua.LFunction, name string, args []string, stderr io.Writer) (vals []lua.LValue, status int, exited bool) {
	largs := make([]lua.LValue, len(args))
	for i, a := range args {
		largs[i] = lua.LString(a)
	}
	vals, err := repl.Call(ctx, L, fn, largs...)
	var ee *repl.ExitError
	switch {
	case errors.As(err, &ee):
		return nil, ee.Code, true
	case ctx.Err() != nil:
		// Also when the chunk ended without an error: a pcall may have
		// caught the interruption, or a request returned nil, "canceled"
		// that the chunk returned as its result.
		fmt.Fprintln(stderr, "interrupted")
		return nil, exitFail, false
	case err != nil:
		fmt.Fprintln(stderr, repl.ErrorText(L, err))
		return nil, exitFail, false
	}
	if msg, failed := repl.Failure(vals); failed {
		fmt.Fprintf(stderr, "%s: %s\n", name, msg)
		return nil, exitFail, false
	}
	return vals, exitOK, false
}

// setArgs makes the global `arg` table as lua(1) does: arg[0] is the
// script, arg[1..] its arguments.
func setArgs(L *lua.LState, script string, args []string) {
	t := L.NewTable()
	t.RawSetInt(0, lua.LString(script))
	for i, a := range args {
		t.RawSetInt(i+1, lua.LString(a))
	}
	L.SetGlobal("arg", t)
}

// printValues prints returned values: pretty, or one JSON document each.
func printValues(L *lua.LState, vals []lua.LValue, asJSON bool, stdout, stderr io.Writer, color bool) int {
	if !asJSON {
		if len(vals) > 0 {
			repl.Print(stdout, L, vals, color)
		}
		return exitOK
	}
	enc := L.GetField(L.GetGlobal("omapi"), "json")
	for _, v := range vals {
		if err := L.CallByParam(lua.P{Fn: enc, NRet: 1, Protect: true}, v); err != nil {
			fmt.Fprintln(stderr, "omapish: --json:", repl.ErrorText(L, err))
			return exitFail
		}
		s := L.Get(-1)
		L.Pop(1)
		fmt.Fprintln(stdout, s.String())
	}
	return exitOK
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

func isTerminal(f any) bool {
	fd, ok := f.(interface{ Fd() uintptr })
	return ok && readline.IsTerminal(int(fd.Fd()))
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
