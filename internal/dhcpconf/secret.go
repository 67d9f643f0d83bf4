package dhcpconf

import (
	"errors"
	"fmt"
)

// ErrSecret is matched by the error of a key secret dhcpd would not
// decode.
var ErrSecret = errors.New("bad key secret")

// DecodeSecret decodes a key's base64 secret as dhcpd does
// (parse_base64, common/parse.c), which is laxer than RFC 4648: any
// number of '=' may end it (one too many, as in pypureomapi's README, is
// accepted), and the bits of an incomplete last group are dropped. It
// refuses what dhcpd refuses: a character outside the base64 alphabet,
// anything after an '=', bits left over that are not zero, and an empty
// result. omshell decodes a secret with the same function. The errors
// never show the secret.
func DecodeSecret(s string) ([]byte, error) {
	out := make([]byte, 0, len(s)*3/4)
	var acc uint
	k := 0
	terminated := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '=' {
			terminated = true
			continue
		}
		if terminated {
			return nil, fmt.Errorf("%w: stuff after base64 '=' terminator (at byte %d)", ErrSecret, i)
		}
		v := from64(c)
		if v < 0 {
			return nil, fmt.Errorf("%w: invalid base64 character at byte %d", ErrSecret, i)
		}
		acc = acc<<6 + uint(v)
		switch k % 4 {
		case 1:
			out = append(out, byte(acc>>4))
			acc &= 0x0f
		case 2:
			out = append(out, byte(acc>>2))
			acc &= 0x03
		case 3:
			out = append(out, byte(acc))
			acc = 0
		}
		k++
	}
	if k%4 != 0 && acc != 0 {
		return nil, fmt.Errorf("%w: partial base64 value left over (the last character has bits set that make no byte)", ErrSecret)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: empty", ErrSecret)
	}
	return out, nil
}

func from64(c byte) int {
	switch {
	case c >= 'A' && c <= 'Z':
		return int(c - 'A')
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 26
	case c >= '0' && c <= '9':
		return int(c-'0') + 52
	case c == '+':
		return 62
	case c == '/':
		return 63
	}
	return -1
}
