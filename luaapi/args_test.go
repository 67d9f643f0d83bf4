package luaapi

import (
	"io"
	"sort"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// badValue is a wrong-typed argument for TestBadArguments.
type badValue struct {
	name string
	make func(L *lua.LState, wrongClass lua.LValue) lua.LValue
}

var badValues = []badValue{
	{"nil", func(*lua.LState, lua.LValue) lua.LValue { return lua.LNil }},
	{"number", func(*lua.LState, lua.LValue) lua.LValue { return lua.LNumber(-1.5) }},
	{"table", func(L *lua.LState, _ lua.LValue) lua.LValue { return L.NewTable() }},
	{"boolean", func(*lua.LState, lua.LValue) lua.LValue { return lua.LTrue }},
	{"function", func(L *lua.LState, _ lua.LValue) lua.LValue {
		return L.NewFunction(func(*lua.LState) int { return 0 })
	}},
	{"userdata", func(_ *lua.LState, wrong lua.LValue) lua.LValue { return wrong }},
	{"plain userdata", func(L *lua.LState, _ lua.LValue) lua.LValue { return L.NewUserData() }},
}

// accepted lists the calls with all arguments of one bad kind that are
// valid after all (optional arguments, values any type is fine for).
// Keys are "target/kind".
var accepted = map[string]bool{
	"omapi.connect/nil": true, "omapi.connect/table": true, // the default profile
	"omapi.json/nil": true, "omapi.json/number": true, "omapi.json/table": true, "omapi.json/boolean": true,
	"omapi.json/userdata":  true, // a typed value encodes
	"omapi.help/nil":       true,
	"omapi.attributes/nil": true,
	"conn:close/nil":       true, "conn:close/number": true, "conn:close/table": true, "conn:close/boolean": true,
	"conn:close/function": true, "conn:close/userdata": true, "conn:close/plain userdata": true,
	"conn:delete_many/table": true, "conn:query_many/table": true, // empty lists
	"obj:attrs/nil": true, "obj:attrs/boolean": true,
	"obj:refresh/nil": true, "obj:refresh/number": true, "obj:refresh/table": true, "obj:refresh/boolean": true,
	"obj:refresh/function": true, "obj:refresh/userdata": true, "obj:refresh/plain userdata": true,
	"obj:delete/nil": true, "obj:delete/table": true, // a lease: dhcpd answers not-implemented
	"m:update_object/table": true, "m:update_message/table": true, "m:bytes/nil": true,
}

// TestBadArguments calls every module function and method with wrong
// argument types — all arguments of one kind, for one to three arguments —
// and with a self of the wrong type. Each call must raise a Lua error that
// names the function, or be a valid call listed in accepted; none may
// panic or crash.
func TestBadArguments(t *testing.T) {
	L, _ := labState(t, func(o *Options) { o.Stdout = io.Discard })
	doString(t, L, `
		conn = assert(omapi.connect())
		obj = assert(conn:open("lease", {ip = LAB.active.ip}))
		msg = omapi.message.open("host")
		val = omapi.u32(1)`)
	// reopen replaces the connection and the object after conn:close
	reopen := func() {
		if L.GetGlobal("conn").(*lua.LUserData).Value.(*luaConn).closed {
			doString(t, L, `
				conn = assert(omapi.connect())
				obj = assert(conn:open("lease", {ip = LAB.active.ip}))`)
		}
	}
	mod := L.G.Registry.RawGetString(registryKey).(*lua.LUserData).Value.(*module)

	type target struct {
		name      string // as in the docs: omapi.x, conn:x, ...
		short     string // the name errors use
		fn        func() lua.LValue
		self      func() lua.LValue // nil for module functions
		wrong     lua.LValue        // a userdata of the wrong class (for arguments; for self with methods)
		wrongSelf lua.LValue
		method    bool
	}
	var targets []target
	global := func(path ...string) lua.LValue {
		v := L.GetGlobal(path[0])
		for _, p := range path[1:] {
			v = L.GetField(v, p)
		}
		return v
	}
	for name := range mod.moduleFuncs() {
		targets = append(targets, target{name: "omapi." + name, short: name,
			fn: func() lua.LValue { return global("omapi", name) }, wrong: global("conn")})
	}
	for name := range mod.messageFuncs() {
		targets = append(targets, target{name: "omapi.message." + name, short: "message." + name,
			fn: func() lua.LValue { return global("omapi", "message", name) }, wrong: global("conn")})
	}
	for _, c := range []struct {
		prefix, global string
		fns            map[string]lua.LGFunction
		wrongSelf      string
	}{
		{"conn:", "conn", mod.connFuncs(), "msg"},
		{"obj:", "obj", mod.objectFuncs(), "conn"},
		{"m:", "msg", mod.messageMethodFuncs(), "obj"},
	} {
		for name := range c.fns {
			targets = append(targets, target{name: c.prefix + name, short: name, method: true,
				fn:        func() lua.LValue { return L.GetField(global(c.global), name) },
				self:      func() lua.LValue { return global(c.global) },
				wrong:     global("val"),
				wrongSelf: global(c.wrongSelf)})
		}
	}
	sort.Slice(targets, func(i, j int) bool { return targets[i].name < targets[j].name })

	// call runs fn(args...) protected and returns the error message, or ""
	call := func(fn lua.LValue, args []lua.LValue) (string, bool) {
		top := L.GetTop()
		defer L.SetTop(top)
		err := L.CallByParam(lua.P{Fn: fn, NRet: lua.MultRet, Protect: true}, args...)
		if err != nil {
			return err.Error(), false
		}
		return "", true
	}
	checkError := func(t *testing.T, what, short, msg string) {
		t.Helper()
		for _, bad := range []string{"internal error", "runtime error", "invalid memory address", "goroutine "} {
			if strings.Contains(msg, bad) {
				t.Errorf("%s: Go failure leaked: %s", what, msg)
			}
		}
		if !strings.Contains(msg, short) {
			t.Errorf("%s: error does not name %q: %s", what, short, firstLine(msg))
		}
	}

	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			if tg.fn() == lua.LNil {
				t.Fatalf("%s not found", tg.name)
			}
			for _, bv := range badValues {
				valid := false
				for n := 1; n <= 3; n++ {
					var args []lua.LValue
					if tg.method {
						args = append(args, tg.self())
					}
					for i := 0; i < n; i++ {
						args = append(args, bv.make(L, tg.wrong))
					}
					what := tg.name + " with " + strings.Repeat(bv.name+" ", n)
					msg, ok := call(tg.fn(), args)
					if ok {
						valid = true
						continue
					}
					checkError(t, what, tg.short, msg)
				}
				reopen()
				key := tg.name + "/" + bv.name
				if valid && !accepted[key] {
					t.Errorf("%s accepted %s arguments", tg.name, bv.name)
				}
				if !valid && accepted[key] {
					t.Errorf("%s: listed as accepting %s arguments but raised", tg.name, bv.name)
				}
			}
			if !tg.method {
				return
			}
			// a bad self, as after conn.method(...) instead of conn:method(...)
			for _, bv := range badValues {
				self := bv.make(L, tg.wrongSelf)
				msg, ok := call(tg.fn(), []lua.LValue{self, lua.LString("x")})
				if ok {
					t.Errorf("%s with self %s: no error", tg.name, bv.name)
					continue
				}
				checkError(t, tg.name+" with self "+bv.name, tg.short, msg)
				if !strings.Contains(msg, "bad self") {
					t.Errorf("%s with self %s: %s", tg.name, bv.name, firstLine(msg))
				}
			}
		})
	}
	// the state is still sound
	doString(t, L, `assert(conn:lookup_ip(LAB.active.mac) == LAB.active.ip)`)
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}
