// Package bytetext is omapish's text form of bytes: hex pairs joined by
// colons, as omshell prints data and dhcpd.conf writes hardware addresses
// and uids, and the one rule by which text given for a bytes attribute
// (dhcp-client-identifier, hashstring, ...) is read, everywhere (the Lua
// module, the saved scripts, the shell, the trace).
package bytetext

import (
	"encoding/hex"
	"fmt"
	"strings"
)

// Parse is the rule for a bytes attribute (dhcp-client-identifier,
// hashstring, ...) given as text: text of the form xx:xx:... (two or more
// groups of one or two hex digits, joined by colons) is the bytes it
// spells, as dhcpd.conf writes hardware addresses, uids and subclass
// hash strings; any other text is its own bytes. Bytes that would read as
// such text (the 5 bytes "01:02") are given exactly only as bytes (in Lua,
// omapi.raw).
func Parse(s string) []byte {
	if IsHexList(s) {
		b, err := ParseHex(s)
		if err == nil {
			return b
		}
	}
	return []byte(s)
}

// IsHexList reports whether s is of the form Parse reads as hex
// bytes: "01:00:5e", "1:0:5e"; not "0100", "01-00", "01:" or "a:b:".
func IsHexList(s string) bool {
	groups := strings.Split(s, ":")
	if len(groups) < 2 {
		return false
	}
	for _, g := range groups {
		if len(g) < 1 || len(g) > 2 {
			return false
		}
		for i := 0; i < len(g); i++ {
			if !isHexDigit(g[i]) {
				return false
			}
		}
	}
	return true
}

func isHexDigit(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// Hex formats bytes as lower-case hex pairs joined by colons, as omshell
// prints data ("01:00:aa").
func Hex(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	out := make([]byte, 0, len(b)*3-1)
	for i, c := range b {
		if i > 0 {
			out = append(out, ':')
		}
		out = hex.AppendEncode(out, []byte{c})
	}
	return string(out)
}

// ParseHex decodes hex text with or without separators (":", "-", ".",
// spaces): "00:11:22", "0011.22", "00 11 22" and "001122" all give 3 bytes.
func ParseHex(s string) ([]byte, error) {
	clean := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case ':', '-', '.', ' ', '\t', '\n', '\r':
			// A single-digit group like "0:1" means 00:01.
			if n := len(clean); n%2 == 1 && (c == ':' || c == '-') {
				clean = append(clean[:n-1], '0', clean[n-1])
			}
		default:
			clean = append(clean, c)
		}
	}
	if n := len(clean); n%2 == 1 && strings.ContainsAny(s, ":-") {
		clean = append(clean[:n-1], '0', clean[n-1])
	}
	out := make([]byte, hex.DecodedLen(len(clean)))
	if _, err := hex.Decode(out, clean); err != nil {
		return nil, fmt.Errorf("bad hex %q: %w", s, err)
	}
	return out, nil
}
