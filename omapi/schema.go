package omapi

import (
	"encoding/binary"
	"fmt"
	"maps"
	"net"
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/omapish/omapish/internal/bytetext"
)

// Kind is the wire type of an attribute. OMAPI values are untyped bytes;
// the kind says how dhcpd 4.4.3 encodes one (omapi-protocol.md §5).
type Kind uint8

// Attribute kinds.
const (
	KindBytes  Kind = iota // opaque bytes (client identifiers, unknown attributes)
	KindString             // text without terminator
	KindUint32             // 4-byte big-endian integer
	KindBool               // 4-byte 0 or 1
	KindIP                 // 4-byte IPv4 address
	KindIPs                // one or more 4-byte IPv4 addresses (host fixed addresses)
	KindMAC                // hardware address bytes
	KindTime               // 4-byte seconds since the Unix epoch, UTC
	KindHandle             // 4-byte server object handle
	KindFlags              // lease flags: 1 byte as sent, or a 4-byte integer
)

var kindNames = [...]string{"bytes", "string", "uint32", "bool", "ip", "ips", "mac", "time", "handle", "flags"}

// String returns the kind's name ("uint32", "ip", ...).
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Never is the time dhcpd sends for "never" (MAX_TIME).
const Never = 0x7fffffff

// Types lists the object types dhcpd 4.4.3 registers that can be opened.
func Types() []string { return slices.Clone(types) }

var types = []string{"lease", "host", "group", "class", "subclass", "pool", "control",
	"subnet", "shared-network", "interface", "failover-state", "authenticator"}

var schema = map[string]map[string]Kind{
	"lease": {
		"state": KindUint32, "ip-address": KindIP, "dhcp-client-identifier": KindBytes,
		"client-hostname": KindString, "host": KindHandle, "subnet": KindHandle,
		"pool": KindHandle, "billing-class": KindHandle, "hardware-address": KindMAC,
		"hardware-type": KindUint32, "ends": KindTime, "starts": KindTime, "tstp": KindTime,
		"tsfp": KindTime, "atsfp": KindTime, "cltt": KindTime, "flags": KindFlags,
	},
	"host": {
		"name": KindString, "hardware-address": KindMAC, "hardware-type": KindUint32,
		"dhcp-client-identifier": KindBytes, "ip-address": KindIPs, "group": KindString,
		"statements": KindString, "known": KindBool,
	},
	"group":    {"name": KindString, "statements": KindString},
	"class":    {"name": KindString, "group": KindString, "match": KindString, "lease-limit": KindUint32, "leases-used": KindUint32},
	"subclass": {"name": KindString, "hashstring": KindBytes, "group": KindString, "match": KindString, "lease-limit": KindUint32, "leases-used": KindUint32},
	"control":  {"state": KindUint32},
	"pool":     {"lease-count": KindUint32, "free-leases": KindUint32, "backup-leases": KindUint32},
	"subnet":   {}, "shared-network": {},
	"interface": {"name": KindString, "state": KindString},
	"failover-state": {
		"name": KindString, "partner-address": KindIP, "partner-port": KindUint32,
		"local-address": KindIP, "local-port": KindUint32, "max-outstanding-updates": KindUint32,
		"mclt": KindUint32, "load-balance-max-secs": KindUint32, "load-balance-hba": KindBytes,
		"partner-state": KindUint32, "local-state": KindUint32, "partner-stos": KindTime,
		"local-stos": KindTime, "hierarchy": KindUint32, "last-packet-sent": KindTime,
		"last-timestamp-received": KindTime, "skew": KindUint32, "max-response-delay": KindUint32,
		"cur-unacked-updates": KindUint32,
	},
	"authenticator": {"name": KindString, "algorithm": KindString},
}

// messageSchema types the values of the message list (not the object).
var messageSchema = map[string]Kind{
	"type": KindString, "create": KindBool, "update": KindBool, "exclusive": KindBool,
	"result": KindUint32, "message": KindString,
}

// anyType is the kind of a name on whichever type knows it, for messages
// whose object type is unknown (a REFRESH reply, a captured message).
var anyType = func() map[string]Kind {
	m := map[string]Kind{"handle": KindHandle}
	for _, t := range []string{"authenticator", "interface", "control", "pool", "class", "subclass", "group", "failover-state", "host", "lease"} {
		for n, k := range schema[t] {
			m[n] = k
		}
	}
	return m
}()

// names interns attribute names so decoding does not allocate them.
var names = func() map[string]string {
	m := map[string]string{}
	for n := range anyType {
		m[n] = n
	}
	for n := range messageSchema {
		m[n] = n
	}
	m["remote-handle"] = "remote-handle"
	return m
}()

func internName(b []byte) string {
	if s, ok := names[string(b)]; ok {
		return s
	}
	return string(b)
}

// AttrKind returns the wire type of attribute name on objects of type typ,
// and whether the schema knows it. An empty typ means any type. The
// object-value "handle" (a lookup by handle) is known on every type.
func AttrKind(typ, name string) (Kind, bool) {
	if name == "handle" {
		return KindHandle, true
	}
	if typ == "" {
		k, ok := anyType[name]
		return k, ok
	}
	k, ok := schema[typ][name]
	return k, ok
}

// MessageKind returns the wire type of a message-list value name.
func MessageKind(name string) (Kind, bool) {
	k, ok := messageSchema[name]
	return k, ok
}

// Attributes returns the attribute names the schema knows for typ (all
// types when typ is ""), sorted.
func Attributes(typ string) []string {
	src := schema[typ]
	if typ == "" {
		src = anyType
	}
	out := make([]string, 0, len(src))
	for n := range src {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Decode turns wire bytes into a Go value of the kind: uint32 (Uint32,
// Handle, Flags), bool, netip.Addr (IP, and IPs of one address),
// []netip.Addr (IPs), net.HardwareAddr, time.Time (UTC), string or []byte.
// Bytes that do not fit the kind give an error saying why; callers keep
// the raw bytes then.
func (k Kind) Decode(b []byte) (any, error) {
	switch k {
	case KindString:
		return string(b), nil
	case KindUint32, KindHandle:
		if len(b) != 4 {
			return nil, fmt.Errorf("%d bytes, want 4", len(b))
		}
		return binary.BigEndian.Uint32(b), nil
	case KindBool:
		if len(b) != 4 {
			return nil, fmt.Errorf("%d bytes, want 4", len(b))
		}
		return binary.BigEndian.Uint32(b) != 0, nil
	case KindFlags:
		switch len(b) {
		case 1:
			return uint32(b[0]), nil
		case 4:
			return binary.BigEndian.Uint32(b), nil
		}
		return nil, fmt.Errorf("%d bytes, want 1 or 4", len(b))
	case KindIP:
		if len(b) != 4 {
			return nil, fmt.Errorf("%d bytes, want 4", len(b))
		}
		return netip.AddrFrom4([4]byte(b)), nil
	case KindIPs:
		if len(b) == 0 || len(b)%4 != 0 {
			return nil, fmt.Errorf("%d bytes, want a multiple of 4", len(b))
		}
		if len(b) == 4 {
			return netip.AddrFrom4([4]byte(b)), nil
		}
		ips := make([]netip.Addr, 0, len(b)/4)
		for i := 0; i < len(b); i += 4 {
			ips = append(ips, netip.AddrFrom4([4]byte(b[i:i+4])))
		}
		return ips, nil
	case KindMAC:
		if len(b) == 0 || len(b) > 20 {
			return nil, fmt.Errorf("%d bytes, want 1 to 20", len(b))
		}
		return net.HardwareAddr(append([]byte(nil), b...)), nil
	case KindTime:
		if len(b) != 4 {
			return nil, fmt.Errorf("%d bytes, want 4", len(b))
		}
		return time.Unix(int64(binary.BigEndian.Uint32(b)), 0).UTC(), nil
	}
	return append([]byte(nil), b...), nil
}

// Parse encodes the text form of a value of the kind: a decimal (or 0x
// hex) number, "true"/"false", a dotted IPv4 address (several separated by
// commas for IPs), a MAC such as 00:11:22:33:44:55, a time as epoch
// seconds or RFC 3339, text as is; bytes by bytetext.Parse (colon-separated
// hex is those bytes, other text its own bytes).
func (k Kind) Parse(s string) ([]byte, error) {
	switch k {
	case KindString:
		return []byte(s), nil
	case KindUint32, KindHandle, KindFlags:
		n, err := strconv.ParseUint(s, 0, 32)
		if err != nil {
			return nil, fmt.Errorf("%q is not a 32-bit unsigned number", s)
		}
		return binary.BigEndian.AppendUint32(nil, uint32(n)), nil
	case KindBool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return nil, fmt.Errorf("%q is not true or false", s)
		}
		var n uint32
		if b {
			n = 1
		}
		return binary.BigEndian.AppendUint32(nil, n), nil
	case KindIP, KindIPs:
		parts := []string{s}
		if k == KindIPs {
			parts = strings.Split(s, ",")
		}
		var out []byte
		for _, p := range parts {
			ip, err := netip.ParseAddr(strings.TrimSpace(p))
			if err != nil || !ip.Is4() {
				return nil, fmt.Errorf("%q is not an IPv4 address", p)
			}
			a := ip.As4()
			out = append(out, a[:]...)
		}
		return out, nil
	case KindMAC:
		b, err := bytetext.ParseHex(s)
		if err != nil || len(b) == 0 || len(b) > 20 {
			return nil, fmt.Errorf("%q is not a hardware address like 00:11:22:33:44:55", s)
		}
		return b, nil
	case KindTime:
		if n, err := strconv.ParseUint(s, 10, 32); err == nil {
			return binary.BigEndian.AppendUint32(nil, uint32(n)), nil
		}
		t, err := time.Parse(time.RFC3339, s)
		if err != nil || t.Unix() < 0 || t.Unix() > 0xffffffff {
			return nil, fmt.Errorf("%q is not a time (epoch seconds or RFC 3339)", s)
		}
		return binary.BigEndian.AppendUint32(nil, uint32(t.Unix())), nil
	}
	return bytetext.Parse(s), nil
}

// Format returns the text form of wire bytes of the kind, the inverse of
// Parse; bytes that do not fit the kind are shown as hex.
func (k Kind) Format(b []byte) string {
	v, err := k.Decode(b)
	if err != nil {
		return bytetext.Hex(b)
	}
	switch v := v.(type) {
	case string:
		return v
	case []byte:
		// Text, unless it would read back as hex bytes (bytetext.Parse).
		if utf8.Valid(v) && printable(v) && len(v) > 0 && !bytetext.IsHexList(string(v)) {
			return string(v)
		}
		return bytetext.Hex(v)
	case time.Time:
		if v.Unix() == Never {
			return "never"
		}
		return v.Format(time.RFC3339)
	case []netip.Addr:
		s := make([]string, len(v))
		for i, ip := range v {
			s[i] = ip.String()
		}
		return strings.Join(s, ",")
	}
	return fmt.Sprint(v)
}

func printable(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c == 0x7f {
			return false
		}
	}
	return true
}

// leaseStates names lease binding states (server/stables.c).
var leaseStates = map[uint32]string{1: "free", 2: "active", 3: "expired", 4: "released", 5: "abandoned", 6: "reset", 7: "backup"}

// failoverStates names failover states (includes/failover.h).
var failoverStates = map[uint32]string{0: "unknown", 1: "startup", 2: "normal", 3: "communications-interrupted",
	4: "partner-down", 5: "potential-conflict", 6: "recover", 7: "paused", 8: "shutdown", 9: "recover-done",
	10: "resolution-interrupted", 11: "conflict-done", 254: "recover-wait"}

// controlStates names control object states (includes/dhcpd.h).
var controlStates = map[uint32]string{0: "startup", 1: "running", 2: "shutdown", 3: "hibernate", 4: "awaken"}

// StateNumber is the inverse of StateName: the number of state name s of
// a numbered state attribute ("partner-down" for failover-state
// local-state is 4).
func StateNumber(typ, name, s string) (uint32, bool) {
	for n := range stateNames(typ, name) {
		if t, _ := StateName(typ, name, n); t == s {
			return n, true
		}
	}
	return 0, false
}

// States returns the names of the numbered states of attribute name of
// typ (lease "state", failover-state "local-state"/"partner-state",
// control "state") by number, in a map of the caller's; nil when name is
// not such an attribute.
func States(typ, name string) map[uint32]string { return maps.Clone(stateNames(typ, name)) }

func stateNames(typ, name string) map[uint32]string {
	switch {
	case name == "state" && (typ == "lease" || typ == ""):
		return leaseStates
	case name == "state" && typ == "control":
		return controlStates
	case (name == "local-state" || name == "partner-state") && (typ == "failover-state" || typ == ""):
		return failoverStates
	}
	return nil
}

// StateName returns the name of a numbered state attribute (lease
// "state", failover-state "local-state"/"partner-state", control "state"),
// and false when name is not such an attribute or n has no name.
func StateName(typ, name string, n uint32) (string, bool) {
	s, ok := stateNames(typ, name)[n]
	return s, ok
}

// marks are the attributes dhcpd 4.4.3 sends for every object of a type
// (its *_stuff_values); host and group send only what they have.
var marks = map[string][]string{
	"lease": {"ip-address", "state"}, "class": {"lease-limit", "leases-used"},
	"subclass": {"lease-limit", "leases-used"}, "pool": {"lease-count"},
	"failover-state": {"local-state"}, "authenticator": {"algorithm"},
	"control": {"state"}, "interface": {"state"},
}

// GuessType names the object type a reply's attributes vs come from, for
// an object read by handle alone (a REFRESH carries no type). dhcpd 4.4.3
// sends a distinctive set for most types (server/omapi.c, common/comapi.c,
// server/failover.c *_stuff_values): a lease its address and binding
// state (and binding variables under their own names), a failover-state
// its local-state, a pool its counters, control its state as a number
// where an interface sends "up" or "down". typ is "" when the attributes
// fit more than one type; fits then lists them: a group and a bare host
// both send only a name, a class and a subclass only lease-limit and
// leases-used, a subnet and a shared-network nothing.
func GuessType(vs Values) (typ string, fits []string) {
	for _, t := range types {
		if fitsType(t, vs) {
			fits = append(fits, t)
		}
	}
	if len(fits) == 1 {
		return fits[0], fits
	}
	return "", fits
}

// fitsType reports whether the reply values vs can come from an object of
// type t.
func fitsType(t string, vs Values) bool {
	for _, m := range marks[t] {
		if !vs.Has(m) {
			return false
		}
	}
	for _, v := range vs {
		if v.Name == "handle" {
			continue
		}
		k, ok := schema[t][v.Name]
		if !ok {
			// A lease sends its binding variables under their own
			// names; nothing else sends names the schema lacks.
			if t == "lease" {
				continue
			}
			return false
		}
		if _, err := k.Decode(v.Data); err != nil && slices.Contains(marks[t], v.Name) {
			return false // control's state is a number, an interface's text
		}
		if t == "interface" && v.Name == "state" && string(v.Data) != "up" && string(v.Data) != "down" {
			return false // common/discover.c:1350 sends "up" or "down"
		}
	}
	return true
}
