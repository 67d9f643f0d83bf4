package luaapi

import (
	"fmt"
	"sort"

	lua "github.com/yuin/gopher-lua"

	"github.com/omapish/omapish/internal/spell"
)

// Misspelled names. Reading a name that the omapi table, a connection, an
// object or a message does not have gives nil, as Lua does for any table:
// a script may test for a field (if obj["client-hostname"] then ...), and
// an attribute dhcpd did not send is simply absent. The error comes when
// the nil is called. gopher-lua says only "attempt to call a non-function
// object" there (Lua 5.1 names the variable); the module's hook (nameCalls)
// gets the name the call site used (the compiler records it for each
// call) and, for nil, when the same line of the same function
// has just read that name from one of the module's values and found
// nothing, says which value lacked it and what it has that is spelt
// alike: `omapi.conn has no method "lookup_ipp" (did you mean
// "lookup_ip"?)`.

// miss is the last read of a name the module's tables and userdata do not
// have.
type miss struct {
	what  string      // "omapi", "omapi.message", ConnClass, ...
	kind  string      // "function" or "method"
	key   string      // the name read
	table *lua.LTable // its functions, for a suggestion
	fn    lua.LValue
	line  int // where it was read: the Lua function and its line
}

// noteMiss records that the running Lua code read key from the value
// described by what, and found nothing.
func (m *module) noteMiss(L *lua.LState, what, kind, key string, table *lua.LTable) {
	dbg, ok := L.GetStack(1)
	if !ok {
		return
	}
	fn, err := L.GetInfo("fl", dbg, lua.LNil)
	if err != nil {
		return
	}
	m.miss = miss{what: what, kind: kind, key: key, table: table, fn: fn, line: dbg.CurrentLine}
}

// missingIndex is the __index of the omapi table and omapi.message: it
// records the miss and gives nil.
func (m *module) missingIndex(what string) lua.LGFunction {
	return func(L *lua.LState) int {
		t := L.CheckTable(1)
		if key, ok := L.Get(2).(lua.LString); ok {
			m.noteMiss(L, what, "function", string(key), t)
		}
		L.Push(lua.LNil)
		return 1
	}
}

// notingMisses wraps the __index of a userdata class whose methods are
// in methods: a string key it finds nothing for is recorded as a miss.
func (m *module) notingMisses(class string, methods *lua.LTable, index lua.LGFunction) lua.LGFunction {
	return func(L *lua.LState) int {
		n := index(L)
		if n == 1 && L.Get(-1) == lua.LNil {
			if key, ok := L.Get(2).(lua.LString); ok {
				m.noteMiss(L, class, "method", string(key), methods)
			}
		}
		return n
	}
}

// nameCalls makes the error for calling a value that is not a function
// name what was called, through the hook of omapish's patched gopher-lua
// (third_party/gopher-lua, patch 9): upstream says only "attempt to call
// a non-function object". No metatable is set on nil or numbers, so
// getmetatable(nil) stays nil, as in Lua.
func (m *module) nameCalls(L *lua.LState) {
	L.Options.CallError = m.callMessage
}

// callMessage is the message for calling v under the name the call site
// used ("" when unknown): "attempt to call 'prnt' (a nil value)", or,
// when the same line of the same Lua function has just read that name
// from one of the module's values and found nothing, which value lacked
// it and what it has that is spelt alike.
func (m *module) callMessage(L *lua.LState, v lua.LValue, name string) string {
	if name == "" || name == "(anonymous)" {
		return fmt.Sprintf("attempt to call a %s value", v.Type())
	}
	if v != lua.LNil {
		return fmt.Sprintf("attempt to call '%s' (a %s value)", name, v.Type())
	}
	ms := m.miss
	if ms.key == name && m.missedHere(L) {
		msg := fmt.Sprintf("%s has no %s %q", ms.what, ms.kind, name)
		if s := spell.Closest(name, functionNames(ms.table), 2); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		return msg
	}
	return fmt.Sprintf("attempt to call '%s' (a nil value)", name)
}

// missedHere reports whether the recorded miss happened on the line of
// the Lua function that is calling the nil (the running one: the call has
// no frame of its own yet).
func (m *module) missedHere(L *lua.LState) bool {
	dbg, ok := L.GetStack(0)
	if !ok {
		return false
	}
	fn, err := L.GetInfo("fl", dbg, lua.LNil)
	return err == nil && fn == m.miss.fn && dbg.CurrentLine == m.miss.line
}

// functionNames lists the keys of t whose values are functions, sorted.
func functionNames(t *lua.LTable) []string {
	var names []string
	t.ForEach(func(k, v lua.LValue) {
		if s, ok := k.(lua.LString); ok && v.Type() == lua.LTFunction {
			names = append(names, string(s))
		}
	})
	sort.Strings(names)
	return names
}
