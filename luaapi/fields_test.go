package luaapi

import (
	"math"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// TestBadFields complements TestBadArguments for what is not called:
// every documented field (luaapi.Functions: conn.address, m.op, obj[name],
// ...) and every metamethod of the module's userdata. Fields are read and
// set with a value of every type, userdata are indexed with keys of every
// type (NaN included), and each metamethod is called directly, as
// getmetatable(v).__index(...) would, with a self and arguments of every
// type. Each either works or raises a Lua error; no Go failure shows.
func TestBadFields(t *testing.T) {
	L, _ := labState(t)
	doString(t, L, `
		conn = assert(omapi.connect())
		obj = assert(conn:open("lease", {ip = LAB.active.ip}))
		msg = omapi.message.open("host")
		val = omapi.u32(1)`)
	values := func() []lua.LValue {
		vs := []lua.LValue{lua.LNil, lua.LNumber(-1.5), lua.LNumber(math.NaN()), lua.LNumber(math.Inf(1)),
			lua.LNumber(4294967296), lua.LString(""), lua.LString("x"), lua.LString(strings.Repeat("\xff", 300)),
			lua.LTrue, L.NewTable(), L.NewFunction(func(*lua.LState) int { return 0 }), L.NewUserData()}
		for _, g := range []string{"conn", "obj", "msg", "val"} {
			vs = append(vs, L.GetGlobal(g))
		}
		return vs
	}
	check := func(t *testing.T, what string, err error) {
		t.Helper()
		if err == nil {
			return
		}
		for _, bad := range []string{"internal error", "runtime error", "invalid memory address", "goroutine "} {
			if strings.Contains(err.Error(), bad) {
				t.Errorf("%s: Go failure leaked: %v", what, firstLine(err.Error()))
			}
		}
	}
	protected := func(fn lua.LValue, args ...lua.LValue) error {
		top := L.GetTop()
		defer L.SetTop(top)
		return L.CallByParam(lua.P{Fn: fn, NRet: lua.MultRet, Protect: true}, args...)
	}
	get := L.NewFunction(func(L *lua.LState) int { L.Push(L.GetTable(L.Get(1), L.Get(2))); return 1 })
	set := L.NewFunction(func(L *lua.LState) int { L.SetTable(L.Get(1), L.Get(2), L.Get(3)); return 0 })

	// Documented fields, read and set with every type.
	holders := map[string]string{"conn": "conn", "obj": "obj", "m": "msg"}
	for _, d := range Functions() {
		prefix, field, ok := strings.Cut(d.Name, ".")
		if p, _, indexed := strings.Cut(d.Name, "["); indexed {
			prefix, field, ok = p, "ip-address", true // obj[name]
		}
		global, isHolder := holders[prefix]
		if !ok || !isHolder {
			continue
		}
		t.Run(d.Name, func(t *testing.T) {
			self := L.GetGlobal(global)
			check(t, "reading "+d.Name, protected(get, self, lua.LString(field)))
			for _, v := range values() {
				check(t, "setting "+d.Name+" to "+typeName(v), protected(set, self, lua.LString(field), v))
			}
		})
	}

	// Keys of every type on every userdata class, read and set.
	for _, g := range []string{"conn", "obj", "msg", "val"} {
		t.Run(g+" keys", func(t *testing.T) {
			self := L.GetGlobal(g)
			for _, k := range values() {
				if k == lua.LNil {
					continue // Lua itself refuses a nil key
				}
				check(t, g+"[key] with a "+typeName(k)+" key", protected(get, self, k))
				check(t, g+"[key] = 1 with a "+typeName(k)+" key", protected(set, self, k, lua.LNumber(1)))
			}
		})
	}

	// Metamethods called directly with any self and arguments.
	for _, class := range []string{ConnClass, ObjectClass, MessageClass, ValueClass} {
		mt := L.GetTypeMetatable(class).(*lua.LTable)
		mt.ForEach(func(k, fn lua.LValue) {
			if _, ok := fn.(*lua.LFunction); !ok {
				return
			}
			t.Run(class+"."+k.String(), func(t *testing.T) {
				for _, self := range values() {
					for _, arg := range values() {
						check(t, k.String()+"("+typeName(self)+", "+typeName(arg)+")", protected(fn, self, arg, arg))
					}
				}
			})
		})
	}
	// The state is still sound.
	doString(t, L, `conn = assert(omapi.connect()) assert(conn:lookup_ip(LAB.active.mac) == LAB.active.ip)`)
}

// TestBadArgumentsCoverage checks that TestBadArguments, which walks the
// module's function tables, reaches every function and method Functions
// documents: each documented name that is a function in Lua (omapi.x,
// omapi.message.x) or a method (conn:x, obj:x, m:x) is in those tables.
func TestBadArgumentsCoverage(t *testing.T) {
	m := &module{}
	walked := map[string]bool{}
	for name := range m.moduleFuncs() {
		walked["omapi."+name] = true
	}
	for name := range m.messageFuncs() {
		walked["omapi.message."+name] = true
	}
	for prefix, fns := range map[string]map[string]lua.LGFunction{
		"conn:": m.connFuncs(), "obj:": m.objectFuncs(), "m:": m.messageMethodFuncs()} {
		for name := range fns {
			walked[prefix+name] = true
		}
	}
	L := newState(t, Options{})
	n := 0
	for _, d := range Functions() {
		isFunc := strings.Contains(d.Name, ":")
		if strings.HasPrefix(d.Name, "omapi.") {
			var v lua.LValue = L.GetGlobal("omapi")
			for _, part := range strings.Split(strings.TrimPrefix(d.Name, "omapi."), ".") {
				v = L.GetField(v, part)
			}
			_, isFunc = v.(*lua.LFunction)
		}
		if !isFunc {
			continue
		}
		n++
		if !walked[d.Name] {
			t.Errorf("%s is documented but TestBadArguments does not call it", d.Name)
		}
	}
	if n < 50 {
		t.Errorf("only %d documented functions and methods found", n)
	}
	t.Logf("%d documented functions and methods, all called by TestBadArguments", n)
}
