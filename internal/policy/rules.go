package policy

import (
	"fmt"
	"sort"
	"strings"

	"github.com/omapish/omapish/omapi"
)

// rule checks a value written to an attribute: nil, or the kind of
// refusal and why.
type rule func(b []byte) (kind error, reason string)

// typeRules is what dhcpd 4.4.3 does with the values of one object type.
type typeRules struct {
	// find is how its *_lookup function finds one; nil when it needs no
	// key (the control object, dhcpd's only one).
	find *finder
	// keys are the attributes find reads (set by init).
	keys map[string]bool
	// create lists the attributes dhcpd sets on a new object of the
	// type; nil when dhcpd cannot create one.
	create []string
	// binding: a written name its setter does not handle becomes a
	// binding variable (leases only).
	binding bool
	// setters are the names the setter handles, with binding.
	setters map[string]bool
	// rules check written values, by attribute.
	rules map[string]rule
	// ignored are attributes dhcpd accepts (success or "unchanged")
	// without storing them, with the source line that says so.
	ignored map[string]string
}

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// finder is how dhcpd's *_lookup function for a type finds an object.
type finder struct {
	// forms are the ways to find one, each the keys read together.
	forms [][]string
	// extra are keys read only beside a form (hardware-type beside
	// hardware-address), never alone.
	extra []string
	// src is the lookup function.
	src string
	// none is what dhcpd answers to an OPEN without a form: when its
	// lookup reads no key it gives DHCP_R_NOKEYS, and omapip/message.c
	// (OMAPI_OP_OPEN) then creates an object of the type, create flag or
	// not, and hands it back unstored.
	none string
}

const (
	noneEmpty    = "answers with a new, empty object that is not stored, as if one had been found (omapip/message.c: a lookup without keys creates one)"
	noneNotImpl  = "answers \"can't create new object (not implemented)\": finding no key, it tries to create one (omapip/message.c)"
	noneNotFound = "answers \"no object matches specification\""
)

// one makes forms of one key each.
func one(keys ...string) [][]string {
	out := make([][]string, len(keys))
	for i, k := range keys {
		out[i] = []string{k}
	}
	return out
}

// types holds the rules of every type dhcpd registers (omapi.Types()).
var types = map[string]*typeRules{
	"lease": {
		// server/omapi.c:748-912 dhcp_lease_lookup
		find: &finder{forms: one("ip-address", "dhcp-client-identifier", "hardware-address", "handle"),
			extra: []string{"hardware-type"}, src: "server/omapi.c:748 dhcp_lease_lookup", none: noneNotImpl},
		binding: true,
		// server/omapi.c:214-280 dhcp_lease_set_value
		setters: set("state", "ip-address", "dhcp-client-identifier", "hostname", "client-hostname", "host",
			"subnet", "pool", "starts", "ends", "flags", "billing-class", "hardware-address", "hardware-type"),
		ignored: func() map[string]string {
			m := map[string]string{}
			for _, n := range []string{"dhcp-client-identifier", "hostname", "client-hostname", "host",
				"billing-class", "hardware-address", "hardware-type"} {
				m[n] = "dhcpd answers \"unchanged\" (server/omapi.c:244-278, \"XXX take change\")"
			}
			return m
		}(),
	},
	"host": {
		// server/omapi.c:1369-1574 dhcp_host_lookup; ip-address through
		// the lease of that address and its MAC.
		find: &finder{forms: one("name", "hardware-address", "dhcp-client-identifier", "ip-address", "handle"),
			extra: []string{"hardware-type"}, src: "server/omapi.c:1369 dhcp_host_lookup", none: noneEmpty},
		// server/omapi.c:1000-1115 dhcp_host_set_value
		create: []string{"name", "hardware-address", "hardware-type", "dhcp-client-identifier", "ip-address", "group", "statements"},
		rules: map[string]rule{
			"name":       hostName,
			"group":      quotedName("host group", "server/db.c:417 `group \"%s\";`"),
			"statements": statements,
		},
		ignored: map[string]string{"known": "dhcpd accepts it and stores nothing (server/omapi.c:1105)"},
	},
	"group": {
		// common/comapi.c:333-396 dhcp_group_lookup
		find:   &finder{forms: one("name", "handle"), src: "common/comapi.c:333 dhcp_group_lookup", none: noneEmpty},
		create: []string{"name", "statements"},
		rules: map[string]rule{
			"name":       groupName,
			"statements": statements,
		},
	},
	"class": {
		// server/omapi.c:2158-2244 class_lookup: by name only (no handle)
		find: &finder{forms: one("name"), src: "server/omapi.c:2158 class_lookup", none: noneEmpty},
		// server/omapi.c class_set_value (match: "hardware" only)
		create: []string{"name", "group", "match"},
		rules:  map[string]rule{"name": quotedName("class name", "server/db.c:887 `class \"%s\"`")},
	},
	"subclass": {
		// server/omapi.c:2158-2244 class_lookup: the class by name, then
		// the subclass by hashstring in its hash
		find:   &finder{forms: [][]string{{"name", "hashstring"}}, src: "server/omapi.c:2158 class_lookup", none: noneEmpty},
		create: []string{"name", "hashstring", "group"},
		rules: map[string]rule{
			"name":       quotedName("subclass's class name", "server/db.c:890 `subclass \"%s\"`"),
			"hashstring": hashString,
		},
	},
	"failover-state": {
		// server/failover.c:3593-3652 dhcp_failover_state_lookup
		find:  &finder{forms: one("name", "handle"), src: "server/failover.c:3593 dhcp_failover_state_lookup", none: noneNotImpl},
		rules: map[string]rule{"local-state": failoverState},
		ignored: func() map[string]string {
			m := map[string]string{}
			for _, n := range omapi.Attributes("failover-state") {
				if n != "local-state" {
					m[n] = "dhcpd answers success and changes nothing (server/failover.c:3079-3121)"
				}
			}
			return m
		}(),
	},
	"authenticator": {find: &finder{forms: [][]string{{"name", "algorithm"}}, src: "omapip/auth.c:131 omapi_auth_key_lookup", none: noneNotFound}},
	"interface": {
		find:   &finder{forms: one("name", "handle"), src: "common/discover.c:1367 dhcp_interface_lookup", none: noneEmpty},
		create: []string{"name"},
	},
	"control": {}, // common/comapi.c:557 dhcp_control_lookup: the one control object, no key needed
	// server/omapi.c:1765, common/comapi.c:722, :883: "Can't look up
	// pools yet" (subnets, shared networks): only a REFRESH of a handle
	// (a lease's pool and subnet) reads one.
	"pool":           {find: &finder{src: "server/omapi.c:1765 dhcp_pool_lookup", none: noneNotImpl}},
	"subnet":         {find: &finder{src: "common/comapi.c:722 dhcp_subnet_lookup", none: noneNotImpl}},
	"shared-network": {find: &finder{src: "common/comapi.c:883 dhcp_shared_network_lookup", none: noneNotImpl}},
}

func init() {
	for _, t := range types {
		if t.find == nil {
			continue
		}
		t.keys = set(t.find.extra...)
		for _, f := range t.find.forms {
			for _, k := range f {
				t.keys[k] = true
			}
		}
	}
}

// Ignored returns why dhcpd accepts a write of attribute name on an object
// of type typ without storing it, and false when it stores it (or the
// policy does not know).
func Ignored(typ, name string) (string, bool) {
	t, ok := types[typ]
	if !ok {
		return "", false
	}
	why, ok := t.ignored[name]
	return why, ok
}

// LookupKeys returns the attributes dhcpd finds an object of type typ by,
// sorted, or nil when its lookup takes no keys (control) or it cannot be
// looked up (pool, subnet, shared-network) or the type is unknown.
func LookupKeys(typ string) []string {
	t, ok := types[typ]
	if !ok || len(t.keys) == 0 {
		return nil
	}
	return sortedKeys(t.keys)
}

// FoundBy says in words how dhcpd finds an object of type typ: "name,
// hardware-address (with hardware-type), ... or handle", "name and
// hashstring together", "no key (the one control object)", or that an
// OPEN cannot find one.
func FoundBy(typ string) string {
	t, ok := types[typ]
	switch {
	case !ok:
		return ""
	case t.find == nil:
		return "no key (dhcpd has one " + typ + " object)"
	case len(t.find.forms) == 0:
		return "none: read one by handle (conn:refresh(handle))"
	}
	forms := make([]string, len(t.find.forms))
	for i, f := range t.find.forms {
		forms[i] = strings.Join(f, " and ")
		if len(f) > 1 {
			forms[i] += " together"
		}
		if len(t.find.extra) > 0 && f[0] == "hardware-address" {
			forms[i] += " (with " + strings.Join(t.find.extra, ", ") + ")"
		}
	}
	if len(forms) == 1 {
		return forms[0]
	}
	return strings.Join(forms[:len(forms)-1], ", ") + " or " + forms[len(forms)-1]
}

// HowFound says in a sentence how dhcpd finds an object of type typ:
// "dhcpd finds a group by name or handle".
func HowFound(typ string) string {
	t, ok := types[typ]
	if !ok {
		return ""
	}
	if t.find != nil && len(t.find.forms) == 0 {
		return "dhcpd cannot look up " + A(typ) + " (" + t.find.src + "); read one by its handle with conn:refresh(handle) (a lease has its pool's and subnet's)"
	}
	return "dhcpd finds " + A(typ) + " by " + FoundBy(typ)
}

// A returns typ with its indefinite article: "a group", "an interface".
func A(typ string) string {
	if typ != "" && strings.ContainsRune("aeiou", rune(typ[0])) {
		return "an " + typ
	}
	return "a " + typ
}

// CreateAttrs returns the attributes dhcpd sets on a new object of type
// typ, and nil when dhcpd cannot create one.
func CreateAttrs(typ string) []string {
	if t, ok := types[typ]; ok {
		return t.create
	}
	return nil
}

// ---- names dhcpd writes to its leases file and must read back ----

// tokenMax is the longest token dhcpd's lexer reads back: its buffer is
// 1500 bytes with a terminating NUL (includes/dhcpd.h:324 tokbuf[1500];
// common/conflex.c:609 and :707 "larger than internal buffer").
const tokenMax = 1499

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// nameChar reports whether c continues a name token (common/conflex.c:701
// read_num_or_name, :663 read_number: '-', '_', letters, digits).
func nameChar(c byte) bool { return isAlpha(c) || isDigit(c) || c == '-' || c == '_' }

// nameStart reports whether c starts a name or number token
// (common/conflex.c:287-293: a digit or '-' starts read_number, a letter
// read_num_or_name; anything else is a token of its own).
func nameStart(c byte) bool { return isAlpha(c) || isDigit(c) || c == '-' }

const nameChars = "letters, digits, '-' and '_' (not first)"

// label checks one name token, for the error of what.
func label(what, s string, at int) (error, string) {
	if len(s) > tokenMax {
		return ErrCorrupt, fmt.Sprintf("%s: a part of %d bytes at byte %d; dhcpd reads back at most %d (common/conflex.c:707 \"token larger than internal buffer\")",
			what, len(s), at, tokenMax)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if i == 0 && !nameStart(c) || i > 0 && !nameChar(c) {
			return ErrCorrupt, fmt.Sprintf("%s: %s at byte %d; dhcpd reads back only %s",
				what, describeByte(c), at+i, nameChars)
		}
	}
	return nil, ""
}

func describeByte(c byte) string {
	switch {
	case c == ' ':
		return "a space"
	case c < 0x20 || c == 0x7f:
		return fmt.Sprintf("control character 0x%02x", c)
	case c >= 0x80:
		return fmt.Sprintf("non-ASCII byte 0x%02x", c)
	}
	return fmt.Sprintf("%q", string(c))
}

// hostName: dhcpd writes `host NAME {` unquoted (server/db.c:318), and
// only when every byte is printable ASCII other than '"' and '\'
// (server/db.c:311, db_printable: otherwise the host is never written and
// is gone at the next start). At the next start parse_host_name
// (common/parse.c:196) reads a dotted sequence of name tokens: in the lab,
// "sp ace", "a#b", "_u", "a..b" and ".a" broke the start, "a.", "1.2",
// "-" and 1499 letters read back, 1500 did not.
func hostName(b []byte) (error, string) {
	s := string(b)
	const what = "dhcpd writes host names unquoted (`host NAME {`, server/db.c:318) and reads them back as dotted names (common/parse.c:196)"
	parts := strings.Split(s, ".")
	at := 0
	for i, p := range parts {
		if p == "" && !(i == len(parts)-1 && i > 0) {
			return ErrCorrupt, what + fmt.Sprintf(": an empty part at byte %d (a leading dot or two dots)", at)
		}
		if kind, reason := label(what, p, at); kind != nil {
			return kind, reason
		}
		at += len(p) + 1
	}
	return nil, ""
}

// groupName: dhcpd writes `group NAME {` unquoted (server/db.c:467) and
// reads back one identifier (server/confpars.c:2989): a single name token
// that is not a number. In the lab "123", "a.b" and "_g" broke the next
// start; "0x1f" read back.
func groupName(b []byte) (error, string) {
	s := string(b)
	const what = "dhcpd writes group names unquoted (`group NAME {`, server/db.c:467) and reads back a single name (server/confpars.c:2989)"
	if kind, reason := label(what, s, 0); kind != nil {
		return kind, reason
	}
	if isNumber(s) {
		return ErrCorrupt, what + ": a number is not a name (common/conflex.c:620 read_number makes it a NUMBER token)"
	}
	return nil, ""
}

// isNumber reports whether read_number would return NUMBER for s: a digit
// or '-' followed by digits only (common/conflex.c:636-690; "-" alone too,
// as its MINUS test reads the terminator).
func isNumber(s string) bool {
	if s == "" || !(isDigit(s[0]) || s[0] == '-') {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// quotedName is the rule for a name dhcpd writes between double quotes
// without escaping (src: where) and reads back with read_string
// (common/conflex.c:512): no '"' or '\' (in the lab each broke the next
// start), no NUL (the C string would end there), at most 1499 bytes (the
// lab's 1500 broke it). Spaces, newlines and UTF-8 read back.
func quotedName(what, src string) rule {
	return func(b []byte) (error, string) {
		head := "dhcpd writes the " + what + " between quotes without escaping (" + src + ")"
		if len(b) > tokenMax {
			return ErrCorrupt, fmt.Sprintf("%s and reads back at most %d bytes (common/conflex.c:609)", head, tokenMax)
		}
		for i, c := range b {
			switch c {
			case '"', '\\':
				return ErrCorrupt, fmt.Sprintf("%s: %q at byte %d ends or escapes the string when dhcpd reads it back", head, string(c), i)
			case 0:
				return ErrCorrupt, fmt.Sprintf("%s: a NUL byte at byte %d ends the name dhcpd writes", head, i)
			}
		}
		return nil, ""
	}
}

// hashString: a subclass's hash string is written quoted when every byte
// is printable ASCII, as hex otherwise (server/db.c:845 print_hash_string),
// without escaping: then a '"' or '\' breaks the next start, and more than
// 1499 bytes overflow the lexer.
func hashString(b []byte) (error, string) {
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			return nil, "" // written as hex pairs, which read back
		}
	}
	return quotedName("printable hash string", "server/db.c:855 `\"%.*s\"`")(b)
}

// statements: dhcpd parses them (server/omapi.c:1091
// parse_executable_statements) and writes them back with write_statements;
// a quoted string keeps its escapes' meaning but is written without
// escaping, so an escaped '"' or '\' in it breaks the next start (lab:
// `supersede host-name "a\"b";` came back as "a"b"). Statements that do
// not parse are refused by dhcpd itself and not stored (lab: "garbage
// here;" gave an error and no host).
func statements(b []byte) (error, string) {
	const head = "dhcpd parses statements and writes their strings back without escaping (server/db.c write_statements)"
	in := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if !in {
			if c == '"' {
				in = true
			}
			continue
		}
		switch c {
		case '"':
			in = false
		case '\\':
			if i+1 >= len(b) {
				return nil, "" // unterminated: dhcpd's parser refuses it
			}
			v, n := unescape(b[i+1:])
			if v == '"' || v == '\\' {
				return ErrCorrupt, fmt.Sprintf("%s: the escape at byte %d is a %q, which ends or escapes the string when dhcpd reads it back", head, i, string(v))
			}
			i += n
		}
	}
	return nil, ""
}

// unescape decodes the escape after a backslash as read_string does
// (common/conflex.c:525-600) and returns the byte and the bytes consumed.
func unescape(b []byte) (byte, int) {
	switch c := b[0]; {
	case c == 'x':
		v, n := 0, 1
		for n < 3 && n < len(b) && isHex(b[n]) {
			v = v*16 + hexVal(b[n])
			n++
		}
		return byte(v), n
	case c >= '0' && c <= '3':
		v, n := int(c-'0'), 1
		for n < 3 && n < len(b) && b[n] >= '0' && b[n] <= '7' {
			v = v*8 + int(b[n]-'0')
			n++
		}
		return byte(v), n
	}
	return b[0], 1
}

func isHex(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func hexVal(c byte) int {
	switch {
	case isDigit(c):
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	}
	return int(c-'A') + 10
}

// failoverState: dhcp_failover_state_set_value hands any number to
// dhcp_failover_set_state (server/failover.c:3104), which records it in
// the leases file and then reaches log_fatal("Impossible case") in
// dhcp_failover_set_service_state (server/failover.c:1716) for any value
// outside enum failover_state (includes/failover.h:288).
func failoverState(b []byte) (error, string) {
	if len(b) != 4 {
		return ErrBadValue, fmt.Sprintf("a failover state is a 4-byte number, got %d bytes; states: %s", len(b), FailoverStateList())
	}
	n := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	if _, ok := omapi.StateName("failover-state", "local-state", n); !ok {
		return ErrCrash, fmt.Sprintf("%d is not a failover state: dhcpd records it and exits on \"Impossible case at failover.c:1716\" (server/failover.c:3104, :1716); the states are %s",
			n, FailoverStateList())
	}
	return nil, ""
}

// FailoverStateList names the states of enum failover_state with their
// numbers: "unknown (0), startup (1), ...".
func FailoverStateList() string {
	states := omapi.States("failover-state", "local-state")
	nums := make([]int, 0, len(states))
	for n := range states {
		nums = append(nums, int(n))
	}
	sort.Ints(nums)
	parts := make([]string, len(nums))
	for i, n := range nums {
		parts[i] = fmt.Sprintf("%s (%d)", states[uint32(n)], n)
	}
	return strings.Join(parts, ", ")
}

// FindsByHandle reports whether dhcpd's lookup for typ reads a handle, so
// that an OPEN of that type with {handle = N} finds object N when it is
// of the type and fails ("invalid argument") when it is not, with no
// other effect. The lookups of class, subclass, authenticator, pool,
// subnet and shared-network ignore it (an OPEN would make a new object).
func FindsByHandle(typ string) bool {
	t, ok := types[typ]
	return ok && t.find != nil && hasForm(t.find, "handle")
}
