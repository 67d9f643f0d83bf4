package repl

import (
	"context"
	"errors"
	"fmt"
	"io"

	lua "github.com/yuin/gopher-lua"
)

// ChunkRun says how RunChunk runs a chunk as a script: its name and
// arguments, where its failures and its values go.
type ChunkRun struct {
	Name string       // the chunk's name in messages: "-e", "stdin", a path
	Args []lua.LValue // its arguments, the chunk's ...

	Out, Err io.Writer
	// Message writes a failure; nil writes it as a line on Err.
	Message func(msg string)
	// Traceback adds gopher-lua's stack traceback to a runtime error.
	Traceback bool

	// Print prints the values the chunk returns: as the shell prints
	// them (in colour with Color), or with JSON one JSON document each
	// (omapi.json).
	Print, JSON, Color bool
}

// RunChunk runs fn under ctx (cancelling it stops the chunk) and prints
// what it returns as r says. It is what the command's -e and script
// runs and the shell's script mode share. It returns nil, *ExitError when
// the chunk called exit, or an error matching ErrReported once it has
// written the failure: a Lua error, an interruption, a chunk that returned
// nil and a message (as assert would raise it), values it cannot print.
func RunChunk(ctx context.Context, L *lua.LState, fn *lua.LFunction, r ChunkRun) error {
	vals, err := Call(ctx, L, fn, r.Args...)
	var ee *ExitError
	switch {
	case errors.As(err, &ee):
		return ee
	case ctx.Err() != nil:
		// Also when the chunk ended without an error: a pcall may have
		// caught the interruption, or a request returned nil, "canceled"
		// that the chunk returned as its result.
		return r.fail("interrupted")
	case err != nil:
		msg := ErrorText(L, err)
		var ae *lua.ApiError
		if errors.As(err, &ae) && r.Traceback && ae.StackTrace != "" {
			msg += "\n" + ae.StackTrace
		}
		return r.fail(msg)
	}
	if msg, failed := Failure(vals); failed {
		return r.fail(r.Name + ": " + msg)
	}
	if r.Print {
		return r.print(L, vals)
	}
	return nil
}

func (r *ChunkRun) fail(msg string) error {
	if r.Message != nil {
		r.Message(msg)
	} else {
		fmt.Fprintln(r.Err, msg)
	}
	return &reportedError{msg}
}

// print prints vals: pretty, or one JSON document each.
func (r *ChunkRun) print(L *lua.LState, vals []lua.LValue) error {
	if !r.JSON {
		if len(vals) > 0 {
			Print(r.Out, L, vals, r.Color)
		}
		return nil
	}
	enc := L.GetField(L.GetGlobal("omapi"), "json")
	for _, v := range vals {
		if err := L.CallByParam(lua.P{Fn: enc, NRet: 1, Protect: true}, v); err != nil {
			return r.fail("omapish: --json: " + ErrorText(L, err))
		}
		s := L.Get(-1)
		L.Pop(1)
		fmt.Fprintln(r.Out, s.String())
	}
	return nil
}
