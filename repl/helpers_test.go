package repl

import (
	"io"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/omapish/omapish/luaapi"
)

// testModule is the module the tests give the shell: luaapi's classes and
// words, and docs (testDocs or none).
type testModule struct {
	luaapi.Shell
	docs []luaapi.Doc
}

func (m testModule) Docs() []luaapi.Doc { return m.docs }

// testDocs stand in for luaapi.Functions().
var testDocs = []luaapi.Doc{
	{Name: "omapi.connect", Signature: `omapi.connect([profile | "host:port" | {...}]) -> conn`, Summary: "Open an authenticated connection.", Detail: "With no argument, the default profile.\n\nReturns nil, message, code on failure."},
	{Name: "omapi.lookup_ip", Summary: "Fake lookup for tests."},
	{Name: "omapi.message.open", Signature: "omapi.message.open(type) -> m", Summary: "A new OPEN message."},
	{Name: "conn:lookup_ip", Signature: "conn:lookup_ip(mac) -> ip", Summary: "The IP of a lease by MAC."},
	{Name: "conn:lookup_mac", Signature: "conn:lookup_mac(ip) -> mac", Summary: "The MAC of a lease by IP."},
	{Name: "obj:attrs", Signature: "obj:attrs([raw]) -> table", Summary: "The object's attributes."},
	{Name: "m:bytes", Signature: "m:bytes([secret [, algorithm]]) -> string", Summary: "The wire bytes."},
	{Name: "m:update_object", Signature: "m:update_object{...}", Summary: "Add object values."},
}

// newTestState returns an LState with a fake omapi module: a global table
// of functions (omapi.lookup_* answer without a server) and the three
// userdata classes; omapi.message values use an __index function, so
// their methods are only known from the docs. A global conn holds a
// connection.
func newTestState(tb testing.TB) *lua.LState {
	tb.Helper()
	L := lua.NewState()
	tb.Cleanup(L.Close)
	if err := installFakeModule(L); err != nil {
		tb.Fatal(err)
	}
	return L
}

// installFakeModule sets up the fake omapi module on L.
func installFakeModule(L *lua.LState) error {
	connMethods := map[string]lua.LGFunction{
		"lookup_ip":   func(L *lua.LState) int { L.Push(lua.LString("10.0.0.1")); return 1 },
		"lookup_mac":  func(L *lua.LState) int { L.Push(lua.LString("00:11:22:33:44:55")); return 1 },
		"lookup_host": func(L *lua.LState) int { return 0 },
		"open":        func(L *lua.LState) int { return 0 },
		"close":       func(L *lua.LState) int { return 0 },
	}
	mt := L.NewTypeMetatable("omapi.conn")
	L.SetField(mt, "__index", L.SetFuncs(L.NewTable(), connMethods))
	L.SetField(mt, "__tostring", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LString("omapi.conn(127.0.0.1:7911)"))
		return 1
	}))

	omt := L.NewTypeMetatable("omapi.object")
	L.SetFuncs(omt, map[string]lua.LGFunction{
		"attrs":   func(L *lua.LState) int { return 0 },
		"refresh": func(L *lua.LState) int { return 0 },
	})
	L.SetField(omt, "__index", omt)

	mmt := L.NewTypeMetatable("omapi.message")
	L.SetField(mmt, "__index", L.NewFunction(func(L *lua.LState) int { return 0 }))

	newConn := func(L *lua.LState) int {
		ud := L.NewUserData()
		ud.Metatable = mt
		L.Push(ud)
		return 1
	}
	om := L.SetFuncs(L.NewTable(), map[string]lua.LGFunction{
		"connect":     newConn,
		"lookup_ip":   connMethods["lookup_ip"],
		"lookup_mac":  connMethods["lookup_mac"],
		"lookup_host": connMethods["lookup_host"],
		"hexdump":     func(L *lua.LState) int { return 0 },
	})
	L.SetField(om, "message", L.SetFuncs(L.NewTable(), map[string]lua.LGFunction{
		"open": func(L *lua.LState) int { return 0 },
		"new":  func(L *lua.LState) int { return 0 },
	}))
	L.SetField(om, "OPEN", lua.LNumber(1))
	L.SetGlobal("omapi", om)
	return L.DoString("conn = omapi.connect()")
}

// fakeInput is a scripted lineReader: each element of lines is returned
// by one ReadLine; "^C" is Ctrl-C; after the last line, io.EOF.
type fakeInput struct {
	lines   []string
	prompts []string
	history []string
	out     strings.Builder
	err     strings.Builder
	// onRead, when set, runs before each ReadLine returns its line.
	onRead func(i int)
}

func (f *fakeInput) ReadLine(prompt string) (string, error) {
	f.prompts = append(f.prompts, prompt)
	i := len(f.prompts) - 1
	if i >= len(f.lines) {
		return "", io.EOF
	}
	if f.onRead != nil {
		f.onRead(i)
	}
	if f.lines[i] == "^C" {
		return "", errInterrupt
	}
	return f.lines[i], nil
}

func (f *fakeInput) AddHistory(chunk string) error {
	f.history = append(f.history, chunk)
	return nil
}

func (f *fakeInput) Stdout() io.Writer { return &f.out }
func (f *fakeInput) Stderr() io.Writer { return &f.err }
func (f *fakeInput) Close() error      { return nil }
