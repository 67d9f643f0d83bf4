package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	lua "github.com/yuin/gopher-lua"

	"github.com/omapish/omapish/internal/profile"
	"github.com/omapish/omapish/luaapi"
	"github.com/omapish/omapish/repl"
	"github.com/omapish/omapish/scripts"
)

// newState is the Lua state a run of the command uses: the omapi module
// configured by the command line, the scripts' library, print writing to
// stdout, and help and exit. The caller closes it, and its connections
// (luaapi.CloseAll).
func newState(cfg *profile.Config, srv servers, opts *options, stdinTTY bool, stdout, stderr io.Writer) *lua.LState {
	L := lua.NewState()
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
	repl.Install(L, luaapi.Shell{}, stdout, stderr)
	return L
}

// runShell runs the shell on stdin (a script when stdin is not a
// terminal) and returns the exit status.
func runShell(L *lua.LState, cfg *profile.Config, stdin io.ReadCloser, stdout, stderr io.Writer, stdinTTY, color bool) int {
	ro := repl.Options{
		L:           L,
		In:          stdin,
		Out:         stdout,
		Err:         stderr,
		Interactive: stdinTTY,
		HistoryFile: cfg.Shell.HistoryFile,
		Color:       color,
		Module:      luaapi.Shell{},
		Banner:      banner(cfg),
	}
	err := repl.Run(context.Background(), ro)
	var ee *repl.ExitError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ee):
		return ee.Code
	case !errors.Is(err, repl.ErrReported):
		fmt.Fprintln(stderr, "omapish:", err)
	}
	return exitFail
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
