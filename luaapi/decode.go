package luaapi

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/omapish/omapish/omapi"
)

// Values read from dhcpd, made Lua values by the schema.

// decode turns wire bytes of kind k into a Lua value: numbers for
// integers, handles, flags and times (epoch seconds), booleans, dotted
// text for an IP (a table of them for several), aa:bb:.. for a MAC, and a
// byte string for text, opaque bytes and bytes that do not fit the kind.
func decode(L *lua.LState, k omapi.Kind, b []byte) lua.LValue {
	if v, ok := decodePlain(k, b); ok {
		return v
	}
	return decodeValue(L, k, b)
}

// decodePlain is decode for the values that need no LState: all but a
// list of several addresses (a table), for which ok is false. It may run
// on any goroutine.
func decodePlain(k omapi.Kind, b []byte) (v lua.LValue, ok bool) {
	// The common cases straight from the bytes: one allocation for a
	// string, none for a small number. The rest go through Kind.Decode,
	// which gives the same values.
	switch k {
	case omapi.KindUint32, omapi.KindHandle, omapi.KindTime:
		if len(b) == 4 {
			return number(binary.BigEndian.Uint32(b)), true
		}
	case omapi.KindFlags:
		switch len(b) {
		case 1:
			return number(uint32(b[0])), true
		case 4:
			return number(binary.BigEndian.Uint32(b)), true
		}
	case omapi.KindString, omapi.KindBytes:
		return lua.LString(b), true
	case omapi.KindIP, omapi.KindIPs:
		if len(b) == 4 {
			return lua.LString(netip.AddrFrom4([4]byte(b)).String()), true
		}
		if k == omapi.KindIPs {
			return nil, false
		}
	case omapi.KindMAC:
		if len(b) > 0 && len(b) <= 20 {
			return lua.LString(macString(b)), true
		}
	}
	return decodeValue(nil, k, b), true
}

// smallNumbers are the Lua values of 0..255, boxed once: a number made
// into an lua.LValue otherwise takes an allocation.
var smallNumbers = func() (n [256]lua.LValue) {
	for i := range n {
		n[i] = lua.LNumber(i)
	}
	return n
}()

// number is u as a Lua value.
func number(u uint32) lua.LValue {
	if u < uint32(len(smallNumbers)) {
		return smallNumbers[u]
	}
	return lua.LNumber(u)
}

// macString is net.HardwareAddr(b).String() in one allocation.
func macString(b []byte) string {
	const digits = "0123456789abcdef"
	buf := make([]byte, 0, 3*20)
	for i, c := range b {
		if i > 0 {
			buf = append(buf, ':')
		}
		buf = append(buf, digits[c>>4], digits[c&0xf])
	}
	return string(buf)
}

// decodeValue is decode through Kind.Decode. Only a list of addresses
// (KindIPs) uses L.
func decodeValue(L *lua.LState, k omapi.Kind, b []byte) lua.LValue {
	v, err := k.Decode(b)
	if err != nil {
		return lua.LString(b)
	}
	switch v := v.(type) {
	case uint32:
		return lua.LNumber(v)
	case bool:
		return lua.LBool(v)
	case netip.Addr:
		return lua.LString(v.String())
	case []netip.Addr:
		t := L.CreateTable(len(v), 0)
		for _, ip := range v {
			t.Append(lua.LString(ip.String()))
		}
		return t
	case net.HardwareAddr:
		return lua.LString(v.String())
	case time.Time:
		return lua.LNumber(v.Unix())
	case string:
		return lua.LString(v)
	case []byte:
		return lua.LString(v)
	}
	return lua.LString(b)
}

// decodeAttr decodes attribute name of an object of type typ (raw: the
// bytes as they are).
func decodeAttr(L *lua.LState, typ, name string, b []byte, raw bool) lua.LValue {
	if raw {
		return lua.LString(b)
	}
	k, _ := kindOf(typ, name)
	return decode(L, k, b)
}

// valuesTable returns a table name → decoded value; with duplicate names
// the later value wins, as in dhcpd.
func valuesTable(L *lua.LState, vs omapi.Values, kind func(name string) omapi.Kind, raw bool) *lua.LTable {
	return someValuesTable(L, vs, kind, raw, nil)
}

// someValuesTable is valuesTable keeping only the names in keep (nil: all).
func someValuesTable(L *lua.LState, vs omapi.Values, kind func(name string) omapi.Kind, raw bool, keep map[string]bool) *lua.LTable {
	size := len(vs)
	if keep != nil {
		size = min(size, len(keep))
	}
	t := L.CreateTable(0, size)
	for _, v := range vs {
		if keep != nil && !keep[v.Name] {
			continue
		}
		if raw {
			t.RawSetString(v.Name, lua.LString(v.Data))
		} else {
			t.RawSetString(v.Name, decode(L, kind(v.Name), v.Data))
		}
	}
	return t
}

// attrsTable is valuesTable for the attributes of an object of type typ.
func attrsTable(L *lua.LState, typ string, vs omapi.Values, raw bool) *lua.LTable {
	return someAttrsTable(L, typ, vs, raw, nil)
}

// someAttrsTable is attrsTable keeping only the names in keep (nil: all).
func someAttrsTable(L *lua.LState, typ string, vs omapi.Values, raw bool, keep map[string]bool) *lua.LTable {
	return someValuesTable(L, vs, func(name string) omapi.Kind { k, _ := kindOf(typ, name); return k }, raw, keep)
}

// formatValues renders a value list for tostring: name=value pairs in wire
// order, decoded, strings quoted.
func formatValues(vs omapi.Values, kind func(name string) omapi.Kind) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, v := range vs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(v.Name)
		b.WriteByte('=')
		b.WriteString(formatValue(kind(v.Name), v.Data))
	}
	b.WriteByte('}')
	return b.String()
}

// formatValue renders one decoded value as a Lua literal.
func formatValue(k omapi.Kind, data []byte) string {
	v, err := k.Decode(data)
	if err != nil {
		return strconv.Quote(string(data))
	}
	switch v := v.(type) {
	case uint32:
		return strconv.FormatUint(uint64(v), 10)
	case bool:
		return strconv.FormatBool(v)
	case time.Time:
		return strconv.FormatInt(v.Unix(), 10)
	case []netip.Addr:
		s := make([]string, len(v))
		for i, ip := range v {
			s[i] = strconv.Quote(ip.String())
		}
		return "{" + strings.Join(s, ", ") + "}"
	case []byte:
		return strconv.Quote(string(v))
	case string:
		return strconv.Quote(v)
	}
	return strconv.Quote(fmt.Sprint(v))
}
