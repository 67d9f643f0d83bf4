package luaapi

import (
	"bytes"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// fuzzState is a small Lua state with the package, base, table, string
// and math libraries and the module: quick to make for each fuzz input.
func fuzzState() *lua.LState {
	L := lua.NewState(lua.Options{SkipOpenLibs: true, CallStackSize: 64, RegistrySize: 1024, RegistryMaxSize: 1 << 20})
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{{lua.LoadLibName, lua.OpenPackage}, {lua.BaseLibName, lua.OpenBase}, {lua.TabLibName, lua.OpenTable}, {lua.StringLibName, lua.OpenString}, {lua.MathLibName, lua.OpenMath}} {
		L.Push(L.NewFunction(lib.open))
		L.Push(lua.LString(lib.name))
		L.Call(1, 0)
	}
	Preload(L, Options{})
	return L
}

// fuzzValue builds the Lua value FuzzConvert converts: sel picks its type
// (nil, string, number, boolean, an array of strings, a typed wrapper, a
// map, a function, a nested table), s and n its content.
func fuzzValue(L *lua.LState, sel byte, s string, n float64) lua.LValue {
	switch sel % 9 {
	case 0:
		return lua.LNil
	case 1:
		return lua.LString(s)
	case 2:
		return lua.LNumber(n)
	case 3:
		return lua.LBool(n > 0)
	case 4:
		t := L.NewTable()
		for _, p := range strings.Split(s, ",") {
			t.Append(lua.LString(p))
		}
		return t
	case 5:
		wrap := []string{"u32", "ip", "mac", "raw"}[int(sel/9)%4]
		var arg lua.LValue = lua.LString(s)
		if wrap == "u32" {
			arg = lua.LNumber(n)
		}
		fn := L.GetField(L.GetGlobal("omapi"), wrap)
		if err := L.CallByParam(lua.P{Fn: fn, NRet: 1, Protect: true}, arg); err != nil {
			return lua.LString(s) // a value the wrapper refuses
		}
		v := L.Get(-1)
		L.Pop(1)
		return v
	case 6:
		t := L.NewTable()
		t.RawSetString(s, lua.LNumber(n))
		return t
	case 7:
		return L.NewFunction(func(*lua.LState) int { return 0 })
	default:
		t := L.NewTable()
		t.Append(L.NewTable())
		t.Append(lua.LString(s))
		return t
	}
}

// FuzzConvert converts Lua values of every type to wire bytes for any
// attribute name of any object type, in each list mode (attributes, raw
// object values, message values), and decodes them back. Refusals are
// fine; a panic is not, and neither is a value that does not survive the
// round trip: what decodes to a value of its kind must encode back to
// bytes that decode to the same value (the same bytes, but for a boolean
// sent as a number other than 0 or 1, which dhcpd reads as true too).
// The same values also go through the Lua API (message.new, m:bytes,
// message.parse, tostring, omapi.json), where no Go failure may show as
// an "internal error".
func FuzzConvert(f *testing.F) {
	f.Add("lease", "ip-address", byte(1), "192.0.2.1", 0.0)
	f.Add("host", "hardware-address", byte(1), "00:11:22:33:44:55", 0.0)
	f.Add("lease", "ends", byte(2), "", 1.7e9)
	f.Add("lease", "state", byte(2), "", 2.0)
	f.Add("host", "ip-addresses", byte(4), "192.0.2.1,192.0.2.2", 0.0)
	f.Add("failover-state", "local-state", byte(1), "normal", 0.0)
	f.Add("", "create", byte(3), "", 1.0)
	f.Add("host", "name", byte(1), "h\x00\xff", 0.0)
	f.Add("nosuchtype", "nosuchattr", byte(2), "", 4294967296.0)
	f.Add("lease", "ends", byte(2), "", -1.0)
	f.Add("host", "statements", byte(6), "k", 0.5)
	f.Add("host", "ip-address", byte(5+9), "10.0.0.1", 0.0)
	f.Add("host", "hardware-address", byte(5+18), "aa-bb-cc-dd-ee-ff", 0.0)
	f.Add("lease", "x", byte(5), "", 7.0)
	f.Add("host", "name", byte(7), "", 0.0)
	f.Add("host", "name", byte(8), "", 0.0)
	f.Fuzz(func(t *testing.T, typ, name string, sel byte, s string, n float64) {
		L := fuzzState()
		defer L.Close()
		v := fuzzValue(L, sel, s, n)
		for _, mode := range []listMode{modeAttrs, modeRaw, modeMessage} {
			wire := name
			if mode == modeAttrs {
				wire = keyName(name)
			}
			k, known := valueKind(mode, typ, wire)
			b, err := toWire(v, k, known)
			if err != nil {
				continue
			}
			if _, isTyped := v.(*lua.LUserData); isTyped {
				continue // sent as the wrapper made it, whatever the kind
			}
			if _, err := k.Decode(b); err != nil && known {
				continue // decodes as raw bytes: nothing to compare
			}
			back := decode(L, k, b)
			if !known {
				back = lua.LString(b) // unknown attributes decode raw
			}
			b2, err := toWire(back, k, known)
			if err != nil {
				t.Fatalf("mode %d, %s %q (%v): %v encodes to %x, decodes to %v, which does not encode: %v",
					mode, typ, wire, k, v, b, back, err)
			}
			if !bytes.Equal(b, b2) && formatValue(k, b) != formatValue(k, b2) {
				t.Fatalf("mode %d, %s %q (%v): %v encodes to %x, decodes to %v, which encodes to %x",
					mode, typ, wire, k, v, b, back, b2)
			}
			_ = formatValue(k, b)
		}

		// Through the Lua API.
		L.SetGlobal("V", v)
		L.SetGlobal("TYP", lua.LString(typ))
		L.SetGlobal("NAME", lua.LString(name))
		err := L.DoString(`
			local ok, m = pcall(omapi.message.new, {op = omapi.OPEN, type = TYP,
				message = {{"type", TYP ~= "" and TYP or "host"}}, object = {{NAME, V}}})
			if ok then
				local b = m:bytes()
				local p = assert(omapi.message.parse(b))
				assert(p:bytes() == b, "parse(bytes()) does not give the same bytes")
				local _ = tostring(m), tostring(p), omapi.json(m), m.object, p:items("object")
				pcall(m.update_message, m, {[NAME] = V})
				pcall(function() m.message = {[NAME] = V} end)
				local _ = tostring(m), m:bytes()
			elseif tostring(m):find("internal error", 1, true) then
				error(m)
			end
			local jok, j = pcall(omapi.json, V)
			if not jok and tostring(j):find("internal error", 1, true) then error(j) end`)
		if err != nil {
			t.Fatalf("%s %q = %v: %v", typ, name, v, err)
		}
	})
}
