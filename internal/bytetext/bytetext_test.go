package bytetext

import (
	"bytes"
	"fmt"
	"testing"
)

func TestParseHex(t *testing.T) {
	for in, want := range map[string]string{
		"00:11:22": "001122", "0011.22": "001122", "00 11 22": "001122", "001122": "001122", "1-2-3": "010203",
	} {
		b, err := ParseHex(in)
		if err != nil || fmt.Sprintf("%x", b) != want {
			t.Errorf("ParseHex(%q) = %x, %v; want %s", in, b, err, want)
		}
	}
	if _, err := ParseHex("xyz"); err == nil {
		t.Error("ParseHex(xyz) succeeded")
	}
}

func TestHex(t *testing.T) {
	for _, tt := range []struct {
		in   []byte
		want string
	}{
		{nil, ""},
		{[]byte{1}, "01"},
		{[]byte{0, 0x5e, 0xaa}, "00:5e:aa"},
	} {
		if got := Hex(tt.in); got != tt.want {
			t.Errorf("Hex(%x) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestParse: the bytes rule. Colon-separated hex is those bytes; any
// other text is its own bytes.
func TestParse(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []byte
		hex  bool
	}{
		{"01:00:5e:00:53:01", []byte{1, 0, 0x5e, 0, 0x53, 1}, true},
		{"1:0:5e", []byte{1, 0, 0x5e}, true},
		{"AB:cd", []byte{0xab, 0xcd}, true},
		{"0100", []byte("0100"), false},
		{"01-00", []byte("01-00"), false},
		{"01:", []byte("01:"), false},
		{"a:b:", []byte("a:b:"), false},
		{"abc:de", []byte("abc:de"), false},
		{"byuid1", []byte("byuid1"), false},
		{"", []byte{}, false},
	} {
		if got := Parse(tt.in); !bytes.Equal(got, tt.want) {
			t.Errorf("Parse(%q) = %x, want %x", tt.in, got, tt.want)
		}
		if got := IsHexList(tt.in); got != tt.hex {
			t.Errorf("IsHexList(%q) = %v, want %v", tt.in, got, tt.hex)
		}
	}
}
