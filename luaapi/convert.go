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
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	lua "github.com/yuin/gopher-lua"

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
	type pair struct {
		name string
		v    lua.LValue
	}
	var pairs []pair
	var mapForm, listForm bool
	t.ForEach(func(k, v lua.LValue) {
		switch k := k.(type) {
		case lua.LString:
			if contains(skip, string(k)) {
				return
			}
			mapForm = true
			pairs = append(pairs, pair{string(k), v})
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
		for i := 1; i <= size; i++ {
			e, ok := t.RawGetInt(i).(*lua.LTable)
			if !ok || e.Len() != 2 {
				c.argError(n, fmt.Sprintf("value list: entry %d: {name, value} pair expected, got %s", i, typeName(t.RawGetInt(i))))
			}
			name, ok := e.RawGetInt(1).(lua.LString)
			if !ok {
				c.argError(n, fmt.Sprintf("value list: entry %d: name must be a string, got %s", i, typeName(e.RawGetInt(1))))
			}
			pairs = append(pairs, pair{string(name), e.RawGetInt(2)})
		}
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
				return omapi.ParseBytes(string(v)), nil
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

// ---- typed values ----

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
		return "omapi.mac(" + strconv.Quote(omapi.Hex(tv.data)) + ")"
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
	b, err := omapi.ParseHex(s)
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

// ---- JSON ----

// jsonEncoder renders Lua values as JSON: tables whose keys are 1..n as
// arrays, other tables as objects with sorted keys; omapi objects as
// name → decoded value; messages as their fields; strings that are not
// UTF-8 text (or hold control characters) as colon-separated hex.
type jsonEncoder struct {
	L      *lua.LState
	b      strings.Builder
	indent string
	seen   map[*lua.LTable]bool
}

func (e *jsonEncoder) newline(depth int) {
	if e.indent != "" {
		e.b.WriteByte('\n')
		e.b.WriteString(strings.Repeat(e.indent, depth))
	}
}

func (e *jsonEncoder) encode(v lua.LValue, depth int) error {
	if depth > 100 {
		return errors.New("nested too deeply")
	}
	switch v := v.(type) {
	case *lua.LNilType:
		e.b.WriteString("null")
	case lua.LBool:
		e.b.WriteString(strconv.FormatBool(bool(v)))
	case lua.LNumber:
		f := float64(v)
		switch {
		case math.IsNaN(f) || math.IsInf(f, 0):
			e.b.WriteString("null")
		case f == math.Trunc(f) && math.Abs(f) < 1<<53:
			e.b.WriteString(strconv.FormatInt(int64(f), 10))
		default:
			e.b.WriteString(strconv.FormatFloat(f, 'g', -1, 64))
		}
	case lua.LString:
		e.str(string(v))
	case *lua.LTable:
		return e.table(v, depth)
	case *lua.LUserData:
		switch u := v.Value.(type) {
		case *luaObject:
			return e.table(attrsTable(e.L, u.obj.Type, u.obj.Values, false), depth)
		case *luaMessage:
			return e.table(u.table(e.L), depth)
		case *luaConn:
			return e.table(u.table(e.L), depth)
		case *typedValue:
			return e.encode(decode(e.L, u.kind, u.data), depth)
		}
		return fmt.Errorf("cannot encode %s", typeName(v))
	default:
		return fmt.Errorf("cannot encode %s", typeName(v))
	}
	return nil
}

func (e *jsonEncoder) str(s string) {
	if !isText(s) {
		s = omapi.Hex([]byte(s))
	}
	e.b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			e.b.WriteString(`\"`)
		case '\\':
			e.b.WriteString(`\\`)
		case '\n':
			e.b.WriteString(`\n`)
		case '\r':
			e.b.WriteString(`\r`)
		case '\t':
			e.b.WriteString(`\t`)
		default:
			if r < 0x20 || r == 0x2028 || r == 0x2029 {
				fmt.Fprintf(&e.b, `\u%04x`, r)
			} else {
				e.b.WriteRune(r)
			}
		}
	}
	e.b.WriteByte('"')
}

// isText reports whether s is UTF-8 without control characters other than
// tab, newline and carriage return.
func isText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f {
			return false
		}
	}
	return true
}

func (e *jsonEncoder) table(t *lua.LTable, depth int) error {
	if e.seen[t] {
		return errors.New("table contains itself")
	}
	e.seen[t] = true
	defer delete(e.seen, t)
	n, count := t.Len(), 0
	var keys []string
	keyVals := map[string]lua.LValue{}
	var keyErr error
	t.ForEach(func(k, v lua.LValue) {
		count++
		var ks string
		switch k := k.(type) {
		case lua.LString:
			ks = string(k)
		case lua.LNumber:
			ks = k.String()
		default:
			keyErr = fmt.Errorf("cannot encode a table key of type %s", typeName(k))
			return
		}
		keys = append(keys, ks)
		keyVals[ks] = v
	})
	if keyErr != nil {
		return keyErr
	}
	if n > 0 && count == n {
		e.b.WriteByte('[')
		for i := 1; i <= n; i++ {
			if i > 1 {
				e.b.WriteByte(',')
			}
			e.newline(depth + 1)
			if err := e.encode(t.RawGetInt(i), depth+1); err != nil {
				return err
			}
		}
		e.newline(depth)
		e.b.WriteByte(']')
		return nil
	}
	sort.Strings(keys)
	e.b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			e.b.WriteByte(',')
		}
		e.newline(depth + 1)
		e.str(k)
		e.b.WriteByte(':')
		if e.indent != "" {
			e.b.WriteByte(' ')
		}
		if err := e.encode(keyVals[k], depth+1); err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
	}
	if len(keys) > 0 {
		e.newline(depth)
	}
	e.b.WriteByte('}')
	return nil
}

// JSON renders v as JSON the way omapi.json does; indent "" is compact.
func JSON(L *lua.LState, v lua.LValue, indent string) (string, error) {
	e := &jsonEncoder{L: L, indent: indent, seen: map[*lua.LTable]bool{}}
	if err := e.encode(v, 0); err != nil {
		return "", err
	}
	return e.b.String(), nil
}

func jsonFn(L *lua.LState) int {
	c := call{L: L, name: "json"}
	indent := ""
	switch v := L.Get(2).(type) {
	case *lua.LNilType:
	case lua.LBool:
		if v {
			indent = "  "
		}
	case lua.LString:
		indent = string(v)
	default:
		c.typeError(2, "boolean or indent string")
	}
	s, err := JSON(L, L.Get(1), indent)
	if err != nil {
		c.argError(1, err.Error())
	}
	L.Push(lua.LString(s))
	return 1
}
