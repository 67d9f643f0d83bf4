package repl

import (
	"context"
	"fmt"
	"io"

	lua "github.com/yuin/gopher-lua"
)

// What the shell, scripts and -e chunks share: help(), exit(), os.exit
// that ends the run rather than the process, and the loading of chunks.

// ExitError is the end a chunk asked for with exit(n), quit() or
// os.exit(n): the shell or the script stops and the command exits with
// status Code. Run and Call return it.
type ExitError struct{ Code int }

func (e *ExitError) Error() string { return fmt.Sprintf("exit %d", e.Code) }

// exitState is the exit request of the chunk running in a state (and its
// coroutines, which share the registry).
type exitState struct {
	cancel    context.CancelFunc // of the chunk running, or nil
	requested bool
	code      int
}

// exitKey holds a state's *exitState in the Lua registry.
const exitKey = "github.com/omapish/omapish/repl.exit"

func exitStateOf(L *lua.LState) *exitState {
	if ud, ok := L.G.Registry.RawGetString(exitKey).(*lua.LUserData); ok {
		if st, ok := ud.Value.(*exitState); ok {
			return st
		}
	}
	st := &exitState{}
	ud := L.NewUserData()
	ud.Value = st
	L.G.Registry.RawSetString(exitKey, ud)
	return st
}

// Install sets the globals a script or -e chunk shares with the shell:
// help (writing to out, its complaints to errw), exit and quit, and an
// os.exit that ends the run through Call, so that deferred clean-up runs
// (connections closed, profiles written), instead of gopher-lua's, which
// ends the process on the spot. Run installs them itself.
func Install(L *lua.LState, m Module, out, errw io.Writer) {
	install(L, newHelper(m, out, errw, false))
}

func install(L *lua.LState, h *helper) {
	L.SetGlobal("help", L.NewFunction(h.call))
	exit := L.NewFunction(exitFn)
	L.SetGlobal("exit", exit)
	L.SetGlobal("quit", exit)
	if os, ok := L.GetGlobal("os").(*lua.LTable); ok {
		os.RawSetString("exit", exit)
	}
	exitStateOf(L)
}

// exitFn is exit([status]): status is a number, true (0) or false (1),
// 0 by default, as os.exit takes in Lua 5.2. It cancels the chunk's
// context, so that the chunk stops even if a pcall catches the error it
// raises.
func exitFn(L *lua.LState) int {
	code := 0
	switch v := L.Get(1).(type) {
	case *lua.LNilType:
	case lua.LBool:
		if !v {
			code = 1
		}
	case lua.LNumber:
		code = int(v)
	default:
		L.RaiseError("bad argument #1 to 'exit' (number or boolean expected, got %s)", v.Type().String())
	}
	st := exitStateOf(L)
	st.requested, st.code = true, code
	if st.cancel != nil {
		st.cancel()
	}
	L.RaiseError("exit")
	return 0
}

// Call runs fn with args under ctx (set on L, so that cancelling it stops
// Lua loops and OMAPI requests) and returns the values it returns. When
// the chunk called exit or os.exit it returns *ExitError, whatever the
// chunk did after.
func Call(ctx context.Context, L *lua.LState, fn *lua.LFunction, args ...lua.LValue) ([]lua.LValue, error) {
	st := exitStateOf(L)
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	st.cancel, st.requested = cancel, false
	defer func() { st.cancel = nil }()

	L.SetContext(cctx)
	defer L.RemoveContext()
	base := L.GetTop()
	L.Push(fn)
	for _, a := range args {
		L.Push(a)
	}
	err := L.PCall(len(args), lua.MultRet, nil)
	if st.requested {
		L.SetTop(base)
		return nil, &ExitError{Code: st.code}
	}
	if err != nil {
		L.SetTop(base)
		return nil, err
	}
	vals := make([]lua.LValue, 0, L.GetTop()-base)
	for i := base + 1; i <= L.GetTop(); i++ {
		vals = append(vals, L.Get(i))
	}
	L.SetTop(base)
	return vals, nil
}

// SyntaxError is a chunk that does not compile. Its message reads as
// lua(1) writes one: "name:LINE: message near 'token'".
type SyntaxError struct {
	Msg string
	Err error // gopher-lua's *parse.Error or *lua.CompileError
}

func (e *SyntaxError) Error() string { return e.Msg }
func (e *SyntaxError) Unwrap() error { return e.Err }

// Load compiles src, named name in error messages. With expr it is tried
// as an expression first ("return " + src), as the shell does, so that
// its values are returned. A syntax error is a *SyntaxError.
func Load(L *lua.LState, src, name string, expr bool) (*lua.LFunction, error) {
	var (
		p   *lua.FunctionProto
		err error
	)
	if expr {
		var c compiled
		c, _, err = compile(src, name)
		p = c.proto
		if err == nil && c.assigned != "" {
			p, err = compileString(src, name) // as written: the shell's watch is not for scripts
		}
	} else {
		p, err = compileString(src, name)
	}
	if err != nil {
		return nil, &SyntaxError{Msg: errorMessage(err, name, src), Err: err}
	}
	return L.NewFunctionFromProto(p), nil
}

// Failure returns the message of a chunk that returned a failure the
// module's way, nil followed by a message (and maybe a code), as assert
// would raise it; ok is false for any other values.
func Failure(vals []lua.LValue) (msg string, ok bool) {
	if len(vals) < 2 || vals[0] != lua.LNil {
		return "", false
	}
	switch v := vals[1].(type) {
	case lua.LString:
		return string(v), true
	case lua.LNumber:
		return v.String(), true
	}
	return "", false
}
