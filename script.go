package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	lua "github.com/yuin/gopher-lua"

	"github.com/omapish/omapish/repl"
	"github.com/omapish/omapish/scripts"
)

// scriptNotFound is a script that is neither a file nor a saved script.
type scriptNotFound struct{ name string }

func (e *scriptNotFound) Error() string {
	return fmt.Sprintf("%s: no such file, and no saved script of that name", e.name)
}

// loadScript compiles the script at path or, when there is no such
// file, the saved script of that name embedded in the binary.
func loadScript(L *lua.LState, path string) (*lua.LFunction, error) {
	src, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if name, body, ok := scripts.Lookup(path); ok {
			return repl.Load(L, string(body), name, false)
		}
		return nil, &scriptNotFound{path}
	}
	if err != nil {
		return nil, err
	}
	return repl.Load(L, repl.StripShebang(string(src)), path, false)
}

// runCode runs the -e chunk and prints what it returns. exited is true
// when the chunk called exit: the status is then the one it gave.
func runCode(ctx context.Context, L *lua.LState, opts *options, stdout, stderr io.Writer, color bool) (status int, exited bool) {
	fn, err := repl.Load(L, opts.code, "-e", true)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage, false
	}
	return runChunk(ctx, L, fn, "-e", opts, true, stdout, stderr, color)
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
	return runChunk(ctx, L, fn, opts.script, opts, opts.json, stdout, stderr, color)
}

// runChunk runs fn, called name, with the command's arguments under ctx
// (Ctrl-C cancels it), printing its values when print is set (as JSON
// with --json). A chunk that fails has its message written to stderr and
// status exitFail; one that called exit(n) has exited set and status n.
func runChunk(ctx context.Context, L *lua.LState, fn *lua.LFunction, name string, opts *options, print bool, stdout, stderr io.Writer, color bool) (status int, exited bool) {
	setArgs(L, name, opts.args)
	largs := make([]lua.LValue, len(opts.args))
	for i, a := range opts.args {
		largs[i] = lua.LString(a)
	}
	err := repl.RunChunk(ctx, L, fn, repl.ChunkRun{
		Name: name, Args: largs, Out: stdout, Err: stderr,
		Print: print, JSON: opts.json, Color: color,
	})
	var ee *repl.ExitError
	switch {
	case errors.As(err, &ee):
		return ee.Code, true
	case err != nil:
		return exitFail, false
	}
	return exitOK, false
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
