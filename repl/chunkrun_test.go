package repl

import (
	"errors"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// TestRunChunk: what a chunk run as a script ends with — its values
// printed, exit, an error, a failure returned as nil, message — and what
// is written where.
func TestRunChunk(t *testing.T) {
	for _, tt := range []struct {
		name, src   string
		print, json bool
		exit        int // -1: no exit
		reported    bool
		out, err    string
	}{
		{name: "values", src: "return 1, 'a'", print: true, exit: -1, out: "1\t\"a\"\n"},
		{name: "values not printed", src: "return 1", exit: -1},
		{name: "json", src: "return {a = 1}", print: true, json: true, exit: -1, out: "{\"a\":1}\n"},
		{name: "exit", src: "print('x') os.exit(3) print('y')", exit: 3, out: "x\n"},
		{name: "exit in pcall", src: "pcall(exit, 4) return 1", print: true, exit: 4},
		{name: "error", src: "error('boom')", exit: -1, reported: true, err: "chunk:1: boom\n"},
		{name: "failure", src: "return nil, 'not found'", print: true, exit: -1, reported: true, err: "chunk: not found\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			L := lua.NewState()
			defer L.Close()
			var out, errb strings.Builder
			L.SetGlobal("print", L.NewFunction(func(L *lua.LState) int {
				out.WriteString(L.ToString(1) + "\n")
				return 0
			}))
			L.SetGlobal("omapi", L.NewTable())
			L.SetField(L.GetGlobal("omapi"), "json", L.NewFunction(func(L *lua.LState) int {
				L.Push(lua.LString(`{"a":` + L.GetField(L.Get(1), "a").String() + `}`))
				return 1
			}))
			Install(L, nil, &out, &errb)
			fn, err := Load(L, tt.src, "chunk", false)
			if err != nil {
				t.Fatal(err)
			}
			err = RunChunk(t.Context(), L, fn, ChunkRun{Name: "chunk", Out: &out, Err: &errb, Print: tt.print, JSON: tt.json})
			var ee *ExitError
			switch {
			case tt.exit >= 0:
				if !errors.As(err, &ee) || ee.Code != tt.exit {
					t.Errorf("RunChunk = %v, want exit %d", err, tt.exit)
				}
			case tt.reported != errors.Is(err, ErrReported):
				t.Errorf("RunChunk = %v, want reported %v", err, tt.reported)
			}
			if out.String() != tt.out || errb.String() != tt.err {
				t.Errorf("stdout %q, stderr %q; want %q, %q", out.String(), errb.String(), tt.out, tt.err)
			}
		})
	}
}
