package omapi

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"
)

// Value is one name/value pair of a message. Data holds the bytes as they
// travel on the wire; OMAPI values carry no type of their own.
type Value struct {
	Name string
	Data []byte
}

// Values is an ordered name/value list. Order is kept as on the wire, so
// encoding is deterministic and byte-exact messages can be built.
type Values []Value

// Get returns the data of the last value called name (dhcpd keeps the later
// of two duplicates) and whether there was one.
func (vs Values) Get(name string) ([]byte, bool) {
	for i := len(vs) - 1; i >= 0; i-- {
		if vs[i].Name == name {
			return vs[i].Data, true
		}
	}
	return nil, false
}

// Has reports whether a value called name is present.
func (vs Values) Has(name string) bool {
	_, ok := vs.Get(name)
	return ok
}

// Set replaces the value called name, or appends it when absent.
func (vs *Values) Set(name string, data []byte) {
	for i := range *vs {
		if (*vs)[i].Name == name {
			(*vs)[i].Data = data
			return
		}
	}
	*vs = append(*vs, Value{name, data})
}

// Del removes every value called name.
func (vs *Values) Del(name string) {
	out := (*vs)[:0]
	for _, v := range *vs {
		if v.Name != name {
			out = append(out, v)
		}
	}
	*vs = out
}

// SetUint32 sets name to a 4-byte big-endian integer.
func (vs *Values) SetUint32(name string, n uint32) {
	vs.Set(name, binary.BigEndian.AppendUint32(nil, n))
}

// SetBool sets name to a 4-byte 0 or 1, as dhcpd expects booleans.
func (vs *Values) SetBool(name string, b bool) {
	var n uint32
	if b {
		n = 1
	}
	vs.SetUint32(name, n)
}

// SetString sets name to the bytes of s, without terminator.
func (vs *Values) SetString(name, s string) { vs.Set(name, []byte(s)) }

// SetIP sets name to the 4 bytes of an IPv4 address.
func (vs *Values) SetIP(name string, ip netip.Addr) error {
	if !ip.Is4() && !ip.Is4In6() {
		return fmt.Errorf("omapi: %s: %v is not an IPv4 address", name, ip)
	}
	b := ip.Unmap().As4()
	vs.Set(name, b[:])
	return nil
}

// SetHardwareAddr sets name to the raw bytes of a hardware address.
func (vs *Values) SetHardwareAddr(name string, mac net.HardwareAddr) { vs.Set(name, []byte(mac)) }

// SetTime sets name to 32-bit seconds since the Unix epoch.
func (vs *Values) SetTime(name string, t time.Time) { vs.SetUint32(name, uint32(t.Unix())) }

// Uint32 returns the value called name as a 4-byte big-endian integer.
func (vs Values) Uint32(name string) (uint32, error) {
	b, ok := vs.Get(name)
	if !ok {
		return 0, &AttrError{Name: name}
	}
	return decodeUint32(name, b)
}

// String returns the value called name as text.
func (vs Values) String(name string) (string, error) {
	b, ok := vs.Get(name)
	if !ok {
		return "", &AttrError{Name: name}
	}
	return string(b), nil
}

// IP returns the value called name as an IPv4 address (exactly 4 bytes).
func (vs Values) IP(name string) (netip.Addr, error) {
	b, ok := vs.Get(name)
	if !ok {
		return netip.Addr{}, &AttrError{Name: name}
	}
	return decodeIP(name, b)
}

// HardwareAddr returns the value called name as a hardware address.
func (vs Values) HardwareAddr(name string) (net.HardwareAddr, error) {
	b, ok := vs.Get(name)
	if !ok {
		return nil, &AttrError{Name: name}
	}
	if len(b) == 0 {
		return nil, &AttrError{Name: name, Msg: "empty hardware address"}
	}
	return net.HardwareAddr(append([]byte(nil), b...)), nil
}

// Time returns the value called name as a time (32-bit epoch seconds).
func (vs Values) Time(name string) (time.Time, error) {
	n, err := vs.Uint32(name)
	if err != nil {
		return time.Time{}, err
	}
	return time.Unix(int64(n), 0).UTC(), nil
}

// clone returns a deep copy, so values read from a reply survive buffer reuse.
func (vs Values) clone() Values {
	if vs == nil {
		return nil
	}
	out := make(Values, len(vs))
	for i, v := range vs {
		out[i] = Value{v.Name, append([]byte(nil), v.Data...)}
	}
	return out
}

func decodeUint32(name string, b []byte) (uint32, error) {
	if len(b) != 4 {
		return 0, &AttrError{Name: name, Msg: fmt.Sprintf("%d bytes, want 4 for a number", len(b))}
	}
	return binary.BigEndian.Uint32(b), nil
}

func decodeIP(name string, b []byte) (netip.Addr, error) {
	if len(b) != 4 {
		return netip.Addr{}, &AttrError{Name: name, Msg: fmt.Sprintf("%d bytes, want 4 for an IPv4 address", len(b))}
	}
	return netip.AddrFrom4([4]byte(b)), nil
}

// ErrBadValue is matched by errors for an argument that is not a valid
// IPv4 address, MAC or other value.
var ErrBadValue = errors.New("omapi: bad value")

// ParseIP parses a dotted IPv4 address into its 4 wire bytes.
func ParseIP(s string) ([]byte, error) {
	ip, err := netip.ParseAddr(s)
	if err != nil || !ip.Is4() {
		return nil, fmt.Errorf("%w: %q is not an IPv4 address", ErrBadValue, s)
	}
	a := ip.As4()
	return a[:], nil
}

// ParseMAC parses a hardware address such as 00:11:22:33:44:55 (also
// 00-11-.., 0011.2233.4455) into its bytes.
func ParseMAC(s string) ([]byte, error) {
	hw, err := net.ParseMAC(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %q is not a MAC address like 00:11:22:33:44:55", ErrBadValue, s)
	}
	return hw, nil
}
