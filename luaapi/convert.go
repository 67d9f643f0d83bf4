package luaapi

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/omapish/omapish/internal/bytetext"
	"github.com/omapish/omapish/omapi"
)

// ValueClass is the metatable name of the typed values made by omapi.u32,
// omapi.ip, omapi.mac and omapi.raw.
const ValueClass = "omapi.value"

// typedValue is a value whose wire bytes were fixed by a wrapper: it is
// sent as is, whatever the schema says of its attribute.
type typedValue struct {
	kind omapi.Kind
	data []byte
}

// listMode says how a Lua value list becomes omapi.Values.
type listMode int

const (
	// modeAttrs is the high-level API (open, create, update, lookups):
	// names go through keyName ("mac", "ip", "_" → "-"), a
	// hardware-address gets hardware-type 1; what may be sent is the
	// write policy's (vet).
	modeAttrs listMode = iota
	// modeRaw is a raw message's object list: names as written.
	modeRaw
	// modeMessage is a raw message's message list: names as written,
	// converted by omapi.MessageKind.
	modeMessage
)

// knownType reports whether dhcpd registers typ (so the schema is its own).
func knownType(typ string) bool { return slices.Contains(objectTypes, typ) }

// objectTypes are the object types dhcpd registers (omapi.Types).
var objectTypes = omapi.Types()

// kindOf returns the wire kind of attribute name on objects of type typ;
// for a type the schema does not know, the kind of the name on any type.
func kindOf(typ, name string) (omapi.Kind, bool) {
	k, ok := omapi.AttrKind(typ, name)
	if !ok && !knownType(typ) {
		k, ok = omapi.AttrKind("", name)
	}
	return k, ok
}

// valueKind returns the kind for a name in the given list mode.
func valueKind(mode listMode, typ, name string) (omapi.Kind, bool) {
	if mode == modeMessage {
		return omapi.MessageKind(name)
	}
	return kindOf(typ, name)
}

// toValues converts the value list at stack index n — a map {name=value}
// (sent in name order) or an array of {name, value} pairs (sent in that
// order) — into omapi.Values. Keys listed in skip are options, not values.
// Any misuse raises a Lua error naming the argument and the attribute.
func (c call) toValues(n int, t *lua.LTable, typ string, mode listMode, skip ...string) omapi.Values {
	var pairs []valuePair
	var mapForm, listForm bool
	t.ForEach(func(k, v lua.LValue) {
		switch k := k.(type) {
		case lua.LString:
			if contains(skip, string(k)) {
				return
			}
			mapForm = true
			pairs = append(pairs, valuePair{string(k), v})
		case lua.LNumber:
			listForm = true
		default:
			c.argError(n, fmt.Sprintf("value list: names must be strings, got %s", typeName(k)))
		}
	})
	if mapForm && listForm {
		c.argError(n, "value list: use a map {name=value} or an array of {name, value} pairs, not both")
	}
	if listForm {
		pairs = c.valuePairs(n, t)
	}
	var vs omapi.Values
	for _, p := range pairs {
		name := p.name
		if mode == modeAttrs {
			name = keyName(name)
		}
		if name == "" {
			c.argError(n, "value list: empty name")
		}
		if len(name) > 0xffff {
			c.argError(n, "value list: name longer than 65535 bytes")
		}
		k, known := valueKind(mode, typ, name)
		var data []byte
		isState := false
		if mode != modeMessage {
			data, isState = stateValue(typ, name, p.v)
		}
		if !isState {
			var err error
			data, err = toWire(p.v, k, known)
			if err != nil {
				c.argError(n, name+": "+err.Error())
			}
		}
		vs = append(vs, omapi.Value{Name: name, Data: data})
	}
	if mapForm {
		sort.SliceStable(vs, func(i, j int) bool { return vs[i].Name < vs[j].Name })
	}
	if mode == modeAttrs {
		vs = withHardwareType(vs)
	}
	return vs
}

// valuePair is one name and value of a value list.
type valuePair struct {
	name string
	v    lua.LValue
}

// valuePairs reads the value list at stack index n in its array form:
// {name, value} pairs, without holes.
func (c call) valuePairs(n int, t *lua.LTable) []valuePair {
	size := t.Len()
	count := 0
	t.ForEach(func(k, _ lua.LValue) {
		if _, ok := k.(lua.LNumber); ok {
			count++
		}
	})
	if count != size {
		c.argError(n, "value list: an array of {name, value} pairs must have no holes")
	}
	pairs := make([]valuePair, 0, size)
	for i := 1; i <= size; i++ {
		e, ok := t.RawGetInt(i).(*lua.LTable)
		if !ok || e.Len() != 2 {
			c.argError(n, fmt.Sprintf("value list: entry %d: {name, value} pair expected, got %s", i, typeName(t.RawGetInt(i))))
		}
		name, ok := e.RawGetInt(1).(lua.LString)
		if !ok {
			c.argError(n, fmt.Sprintf("value list: entry %d: name must be a string, got %s", i, typeName(e.RawGetInt(1))))
		}
		pairs = append(pairs, valuePair{string(name), e.RawGetInt(2)})
	}
	return pairs
}

// keyName maps the short key names pypureomapi accepts ("mac", "ip",
// "_" for "-") to attribute names.
func keyName(name string) string {
	switch name {
	case "mac":
		return "hardware-address"
	case "ip":
		return "ip-address"
	}
	return strings.ReplaceAll(name, "_", "-")
}

// withHardwareType adds hardware-type 1 (Ethernet) right after a
// hardware-address when the list has no hardware-type: dhcpd needs it to
// find a MAC, and a host created without it cannot be found by MAC.
func withHardwareType(vs omapi.Values) omapi.Values {
	if vs.Has("hardware-type") {
		return vs
	}
	for i, v := range vs {
		if v.Name == "hardware-address" {
			return slices.Insert(vs, i+1, omapi.Value{Name: "hardware-type", Data: []byte{0, 0, 0, 1}})
		}
	}
	return vs
}

// toWire converts a Lua value to wire bytes for an attribute of kind k
// (known says whether the schema knows the attribute).
func toWire(v lua.LValue, k omapi.Kind, known bool) ([]byte, error) {
	if ud, ok := v.(*lua.LUserData); ok {
		if tv, ok := ud.Value.(*typedValue); ok {
			return slices.Clone(tv.data), nil
		}
	}
	if !known {
		switch v := v.(type) {
		case lua.LNumber:
			return u32Bytes(v)
		case lua.LBool:
			return boolBytes(bool(v)), nil
		case lua.LString:
			return []byte(v), nil
		}
		return nil, fmt.Errorf("number, boolean, string or omapi.u32/ip/mac/raw value expected, got %s", typeName(v))
	}
	switch k {
	case omapi.KindString, omapi.KindBytes:
		switch v := v.(type) {
		case lua.LString:
			if k == omapi.KindBytes {
				// The bytes rule: "01:00:5e" is 3 bytes, other
				// text its own bytes; omapi.raw for exactly these.
				return bytetext.Parse(string(v)), nil
			}
			return []byte(v), nil
		case lua.LNumber:
			if k == omapi.KindString {
				return []byte(v.String()), nil
			}
			return u32Bytes(v)
		case lua.LBool:
			if k == omapi.KindBytes {
				return boolBytes(bool(v)), nil
			}
		}
		return nil, fmt.Errorf("string expected, got %s", typeName(v))
	case omapi.KindUint32, omapi.KindHandle, omapi.KindFlags, omapi.KindTime, omapi.KindBool:
		switch v := v.(type) {
		case lua.LNumber:
			return u32Bytes(v)
		case lua.LBool:
			return boolBytes(bool(v)), nil
		case lua.LString:
			b, err := k.Parse(string(v))
			if err != nil {
				return nil, err
			}
			return b, nil
		}
		if k == omapi.KindBool {
			return nil, fmt.Errorf("boolean expected, got %s", typeName(v))
		}
		return nil, fmt.Errorf("number expected, got %s", typeName(v))
	case omapi.KindIP, omapi.KindIPs:
		switch v := v.(type) {
		case lua.LString:
			if k == omapi.KindIPs && v == "" {
				return []byte{}, nil // clears a host's fixed address
			}
			return parseIPs(string(v), k == omapi.KindIPs)
		case *lua.LTable:
			if k == omapi.KindIPs {
				return ipList(v)
			}
		}
		return nil, fmt.Errorf("IPv4 address expected, got %s", typeName(v))
	case omapi.KindMAC:
		if s, ok := v.(lua.LString); ok {
			b, err := omapi.KindMAC.Parse(string(s))
			if err != nil {
				return nil, fmt.Errorf("MAC address like 00:11:22:33:44:55 expected, got %q", string(s))
			}
			return b, nil
		}
		return nil, fmt.Errorf("MAC address expected, got %s", typeName(v))
	}
	return nil, fmt.Errorf("cannot convert %s to %s", typeName(v), k)
}

func u32Bytes(n lua.LNumber) ([]byte, error) {
	u, err := toU32(n)
	if err != nil {
		return nil, err
	}
	return binary.BigEndian.AppendUint32(nil, u), nil
}

func boolBytes(b bool) []byte {
	if b {
		return []byte{0, 0, 0, 1}
	}
	return []byte{0, 0, 0, 0}
}

// parseIPs parses dotted IPv4 text; with several, a comma-separated list.
func parseIPs(s string, several bool) ([]byte, error) {
	parts := []string{s}
	if several {
		parts = strings.Split(s, ",")
	}
	var out []byte
	for _, p := range parts {
		b, err := omapi.ParseIP(strings.TrimSpace(p))
		if err != nil {
			return nil, fmt.Errorf("IPv4 address expected, got %q (wrap raw bytes with omapi.raw)", s)
		}
		out = append(out, b...)
	}
	return out, nil
}

// ipList converts an array of dotted IPv4 strings.
func ipList(t *lua.LTable) ([]byte, error) {
	var out []byte
	for i := 1; i <= t.Len(); i++ {
		s, ok := t.RawGetInt(i).(lua.LString)
		if !ok {
			return nil, fmt.Errorf("entry %d: IPv4 address expected, got %s", i, typeName(t.RawGetInt(i)))
		}
		b, err := parseIPs(string(s), false)
		if err != nil {
			return nil, fmt.Errorf("entry %d: %w", i, err)
		}
		out = append(out, b...)
	}
	if len(out) == 0 {
		return nil, errors.New("IPv4 address list is empty")
	}
	return out, nil
}

// ---- helpers: pack/unpack, hex, time ----

func packIP(L *lua.LState) int {
	c := call{L: L, name: "pack_ip"}
	b, _ := omapi.ParseIP(c.checkIP(1))
	L.Push(lua.LString(b))
	return 1
}

func unpackIP(L *lua.LState) int {
	c := call{L: L, name: "unpack_ip"}
	b := c.checkString(1, "4-byte string")
	if len(b) != 4 {
		c.argError(1, fmt.Sprintf("4-byte string expected, got %d bytes", len(b)))
	}
	L.Push(lua.LString(netip.AddrFrom4([4]byte([]byte(b))).String()))
	return 1
}

func packMAC(L *lua.LState) int {
	c := call{L: L, name: "pack_mac"}
	s := c.checkString(1, "MAC address")
	b, err := omapi.KindMAC.Parse(s)
	if err != nil {
		c.argError(1, fmt.Sprintf("MAC address like 00:11:22:33:44:55 expected, got %q", s))
	}
	L.Push(lua.LString(b))
	return 1
}

func unpackMAC(L *lua.LState) int {
	c := call{L: L, name: "unpack_mac"}
	b := c.checkString(1, "byte string")
	if len(b) == 0 {
		c.argError(1, "non-empty byte string expected")
	}
	L.Push(lua.LString(net.HardwareAddr(b).String()))
	return 1
}

func hexdump(L *lua.LState) int {
	c := call{L: L, name: "hexdump"}
	L.Push(lua.LString(hex.Dump([]byte(c.checkString(1, "string")))))
	return 1
}

// unhex turns hex text into bytes: "00:11:22", "00 11 22", "001122", or a
// pasted `hexdump -C` dump (offsets and the |ascii| column are dropped).
func unhexString(s string) ([]byte, error) {
	if strings.Contains(s, "|") {
		var out []byte
		for _, line := range strings.Split(s, "\n") {
			if i := strings.IndexByte(line, '|'); i >= 0 {
				line = line[:i]
			}
			f := strings.Fields(line)
			if len(f) < 2 || len(f[0]) < 4 || !isHex(f[0]) {
				continue // a title line, or the final offset
			}
			for _, h := range f[1:] {
				if len(h) != 2 {
					return nil, fmt.Errorf("hexdump line %q: %q is not a byte", strings.TrimSpace(line), h)
				}
				b, err := hex.DecodeString(h)
				if err != nil {
					return nil, fmt.Errorf("hexdump line %q: %q is not hex", strings.TrimSpace(line), h)
				}
				out = append(out, b...)
			}
		}
		return out, nil
	}
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	if s == "" {
		return []byte{}, nil
	}
	b, err := bytetext.ParseHex(s)
	if err != nil {
		return nil, fmt.Errorf("not hex text: %w", err)
	}
	return b, nil
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

func unhex(L *lua.LState) int {
	c := call{L: L, name: "unhex"}
	b, err := unhexString(c.checkString(1, "hex string"))
	if err != nil {
		c.argError(1, errMessage(err))
	}
	L.Push(lua.LString(b))
	return 1
}

// isoTime formats epoch seconds as ISO 8601 UTC; omapi.Never is "never".
func isoTime(n int64) string {
	if n == omapi.Never {
		return "never"
	}
	return time.Unix(n, 0).UTC().Format(time.RFC3339)
}

// sleep is omapi.sleep(seconds): it waits, or raises the error of the
// state's context when that ends first (Ctrl-C in the shell).
func sleep(L *lua.LState) int {
	c := call{L: L, name: "sleep"}
	v := L.Get(1)
	n, ok := v.(lua.LNumber)
	if !ok {
		c.typeError(1, "number of seconds")
	}
	if n < 0 || n > 86400 || n != n {
		c.argError(1, fmt.Sprintf("seconds from 0 to 86400 expected, got %v", n))
	}
	t := time.NewTimer(time.Duration(float64(n) * float64(time.Second)))
	defer t.Stop()
	select {
	case <-t.C:
	case <-stateContext(L).Done():
		L.RaiseError("sleep: %v", stateContext(L).Err())
	}
	return 0
}

func timeFn(L *lua.LState) int {
	c := call{L: L, name: "time"}
	n, ok := L.Get(1).(lua.LNumber)
	if !ok {
		c.typeError(1, "number (epoch seconds)")
	}
	f := float64(n)
	if math.IsNaN(f) || math.IsInf(f, 0) || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		c.argError(1, fmt.Sprintf("whole number of epoch seconds expected, got %s", n))
	}
	L.Push(lua.LString(isoTime(int64(f))))
	return 1
}

// stateTable makes a table of state names by number, and numbers by
// name: failover_states[4] is "partner-down", failover_states["partner-down"] 4.
func stateTable(L *lua.LState, m map[uint32]string) *lua.LTable {
	t := L.CreateTable(0, 2*len(m))
	for n, s := range m {
		t.RawSetInt(int(n), lua.LString(s))
		t.RawSetString(s, lua.LNumber(n))
	}
	return t
}
