package luaapi

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/omapish/omapish/internal/bytetext"
	"github.com/omapish/omapish/omapi"
)

// Typed values: omapi.u32, omapi.ip, omapi.mac and omapi.raw force the
// wire type of a value.

func (m *module) newTyped(L *lua.LState, k omapi.Kind, data []byte) *lua.LUserData {
	ud := L.NewUserData()
	ud.Value = &typedValue{kind: k, data: data}
	ud.Metatable = L.GetTypeMetatable(ValueClass)
	return ud
}

func (m *module) u32(L *lua.LState) int {
	c := call{L: L, name: "u32"}
	n := c.checkU32(1, "number")
	L.Push(m.newTyped(L, omapi.KindUint32, binary.BigEndian.AppendUint32(nil, n)))
	return 1
}

func (m *module) ip(L *lua.LState) int {
	c := call{L: L, name: "ip"}
	switch v := L.Get(1).(type) {
	case lua.LString:
		b, err := parseIPs(string(v), false)
		if err != nil {
			c.argError(1, err.Error())
		}
		L.Push(m.newTyped(L, omapi.KindIP, b))
	case *lua.LTable:
		b, err := ipList(v)
		if err != nil {
			c.argError(1, err.Error())
		}
		L.Push(m.newTyped(L, omapi.KindIPs, b))
	default:
		c.typeError(1, "IPv4 address or array of them")
	}
	return 1
}

func (m *module) mac(L *lua.LState) int {
	c := call{L: L, name: "mac"}
	s := c.checkString(1, "MAC address")
	b, err := omapi.KindMAC.Parse(s)
	if err != nil {
		c.argError(1, fmt.Sprintf("MAC address like 00:11:22:33:44:55 expected, got %q", s))
	}
	L.Push(m.newTyped(L, omapi.KindMAC, b))
	return 1
}

func (m *module) raw(L *lua.LState) int {
	c := call{L: L, name: "raw"}
	s := c.checkString(1, "string")
	L.Push(m.newTyped(L, omapi.KindBytes, []byte(s)))
	return 1
}

func checkTyped(L *lua.LState, name string) *typedValue {
	if ud, ok := L.Get(1).(*lua.LUserData); ok {
		if tv, ok := ud.Value.(*typedValue); ok {
			return tv
		}
	}
	L.RaiseError("calling '%s' on bad self (%s expected, got %s)", name, ValueClass, typeName(L.Get(1)))
	return nil
}

func typedString(tv *typedValue) string {
	switch tv.kind {
	case omapi.KindUint32:
		return "omapi.u32(" + omapi.KindUint32.Format(tv.data) + ")"
	case omapi.KindIP:
		return "omapi.ip(" + strconv.Quote(omapi.KindIP.Format(tv.data)) + ")"
	case omapi.KindIPs:
		v, _ := omapi.KindIPs.Decode(tv.data)
		if ips, ok := v.([]netip.Addr); ok {
			s := make([]string, len(ips))
			for i, ip := range ips {
				s[i] = strconv.Quote(ip.String())
			}
			return "omapi.ip{" + strings.Join(s, ", ") + "}"
		}
		return "omapi.ip(" + strconv.Quote(omapi.KindIP.Format(tv.data)) + ")"
	case omapi.KindMAC:
		return "omapi.mac(" + strconv.Quote(bytetext.Hex(tv.data)) + ")"
	}
	return "omapi.raw(" + strconv.Quote(string(tv.data)) + ")"
}

func typedToString(L *lua.LState) int {
	L.Push(lua.LString(typedString(checkTyped(L, "__tostring"))))
	return 1
}

func typedEq(L *lua.LState) int {
	a := checkTyped(L, "__eq")
	ud, ok := L.Get(2).(*lua.LUserData)
	b, ok2 := (*typedValue)(nil), false
	if ok {
		b, ok2 = ud.Value.(*typedValue)
	}
	L.Push(lua.LBool(ok2 && a.kind == b.kind && string(a.data) == string(b.data)))
	return 1
}

// typedIndex gives v.kind ("uint32", "ip", ...) and v.bytes (the wire bytes).
func typedIndex(L *lua.LState) int {
	tv := checkTyped(L, "__index")
	switch L.Get(2) {
	case lua.LString("kind"):
		L.Push(lua.LString(tv.kind.String()))
	case lua.LString("bytes"):
		L.Push(lua.LString(tv.data))
	default:
		L.Push(lua.LNil)
	}
	return 1
}
