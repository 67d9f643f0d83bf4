package omapi

import "strconv"

// Opcode is the operation of a message (the header's opcode field).
type Opcode uint32

// The opcodes dhcpd knows (omapip/protocol.c).
const (
	OpOpen    Opcode = 1 // look up or create an object
	OpRefresh Opcode = 2 // re-read an object by handle
	OpUpdate  Opcode = 3 // change an object; also the server's reply carrying an object
	OpNotify  Opcode = 4 // always refused by dhcpd
	OpStatus  Opcode = 5 // the server's result of a request
	OpDelete  Opcode = 6 // remove an object by handle
)

var opNames = [...]string{"", "open", "refresh", "update", "notify", "status", "delete"}

// String returns the lower-case opcode name ("open", "status", ...) or
// "op(N)" for a number dhcpd does not define.
func (o Opcode) String() string {
	if o >= OpOpen && o <= OpDelete {
		return opNames[o]
	}
	return "op(" + strconv.FormatUint(uint64(o), 10) + ")"
}

// ParseOpcode returns the opcode named s (case-sensitive, as String prints it).
func ParseOpcode(s string) (Opcode, bool) {
	for i, n := range opNames {
		if i > 0 && n == s {
			return Opcode(i), true
		}
	}
	return 0, false
}
