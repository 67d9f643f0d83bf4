package omapi

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestKindDecode(t *testing.T) {
	tests := []struct {
		kind Kind
		in   []byte
		want any    // nil when an error is expected
		text string // Format
	}{
		{KindUint32, []byte{0, 0, 0, 2}, uint32(2), "2"},
		{KindUint32, []byte{2}, nil, "02"},
		{KindBool, []byte{0, 0, 0, 1}, true, "true"},
		{KindFlags, []byte{4}, uint32(4), "4"},
		{KindFlags, []byte{0, 0, 0, 4}, uint32(4), "4"},
		{KindFlags, []byte{0, 4}, nil, "00:04"},
		{KindIP, []byte{192, 0, 2, 1}, netip.MustParseAddr("192.0.2.1"), "192.0.2.1"},
		// dhcpd 4.4.3 sends 8 bytes of a pointer as failover partner-address.
		{KindIP, []byte{0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0, 0}, nil, "10:20:30:40:50:60:00:00"},
		{KindIPs, []byte{192, 0, 2, 1, 192, 0, 2, 2}, []netip.Addr{netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")}, "192.0.2.1,192.0.2.2"},
		{KindMAC, []byte{0, 0x11, 0x22, 0x33, 0x44, 0x55}, net.HardwareAddr{0, 0x11, 0x22, 0x33, 0x44, 0x55}, "00:11:22:33:44:55"},
		{KindMAC, nil, nil, ""},
		{KindTime, []byte{0x6b, 0x08, 0x6f, 0x91}, time.Unix(0x6b086f91, 0).UTC(), "2026-11-26T17:42:41Z"},
		{KindTime, []byte{0x7f, 0xff, 0xff, 0xff}, time.Unix(Never, 0).UTC(), "never"},
		{KindString, []byte("clientone"), "clientone", "clientone"},
		{KindBytes, []byte{1, 0, 0xaa}, []byte{1, 0, 0xaa}, "01:00:aa"},
		{KindBytes, []byte("printable"), []byte("printable"), "printable"},
		// text that would read back as hex bytes is shown as hex (ParseBytes)
		{KindBytes, []byte("01:02"), []byte("01:02"), "30:31:3a:30:32"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%v/%x", tt.kind, tt.in), func(t *testing.T) {
			got, err := tt.kind.Decode(tt.in)
			if tt.want == nil {
				if err == nil {
					t.Fatalf("Decode = %v, want an error", got)
				}
			} else if err != nil || fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Fatalf("Decode = %v, %v; want %v", got, err, tt.want)
			}
			if s := tt.kind.Format(tt.in); s != tt.text {
				t.Fatalf("Format = %q, want %q", s, tt.text)
			}
		})
	}
}

func TestKindParse(t *testing.T) {
	tests := []struct {
		kind Kind
		in   string
		want []byte // nil: error expected
	}{
		{KindUint32, "7", []byte{0, 0, 0, 7}},
		{KindUint32, "0x10", []byte{0, 0, 0, 16}},
		{KindUint32, "-1", nil},
		{KindUint32, "4294967296", nil},
		{KindBool, "true", []byte{0, 0, 0, 1}},
		{KindBool, "maybe", nil},
		{KindIP, "192.0.2.1", []byte{192, 0, 2, 1}},
		{KindIP, "2001:db8::1", nil},
		{KindIP, "192.0.2", nil},
		{KindIPs, "192.0.2.1,192.0.2.2", []byte{192, 0, 2, 1, 192, 0, 2, 2}},
		{KindMAC, "00:11:22:33:44:55", []byte{0, 0x11, 0x22, 0x33, 0x44, 0x55}},
		{KindMAC, "0:1:2:3:4:5", []byte{0, 1, 2, 3, 4, 5}},
		{KindMAC, "zz:11", nil},
		{KindTime, "1764201600", []byte{0x69, 0x27, 0x94, 0x80}},
		{KindTime, "2025-11-27T00:00:00Z", []byte{0x69, 0x27, 0x94, 0x80}},
		{KindTime, "yesterday", nil},
		{KindString, "x y", []byte("x y")},
		{KindBytes, "01:00:aa", []byte{1, 0, 0xaa}},
		{KindBytes, "plain", []byte("plain")},
		// the bytes rule: colon-separated hex is bytes, other text itself
		{KindBytes, "01:00:5e:00:53:01", []byte{1, 0, 0x5e, 0, 0x53, 1}},
		{KindBytes, "1:0:5e", []byte{1, 0, 0x5e}},
		{KindBytes, "0100aa", []byte("0100aa")},
		{KindBytes, "01-00-aa", []byte("01-00-aa")},
		{KindBytes, "01:", []byte("01:")},
		{KindBytes, "db:01:x", []byte("db:01:x")},
		{KindBytes, "001:02", []byte("001:02")},
		{KindBytes, "ab", []byte("ab")},
	}
	for _, tt := range tests {
		got, err := tt.kind.Parse(tt.in)
		if tt.want == nil {
			if err == nil {
				t.Errorf("%v.Parse(%q) = %x, want an error", tt.kind, tt.in, got)
			}
			continue
		}
		if err != nil || !bytes.Equal(got, tt.want) {
			t.Errorf("%v.Parse(%q) = %x, %v; want %x", tt.kind, tt.in, got, err, tt.want)
		}
	}
}

// FuzzKind: Parse of Format of any bytes must not panic, and for kinds
// that decode, Parse(Format(b)) gives b back.
func FuzzKind(f *testing.F) {
	f.Add(uint8(KindIP), []byte{1, 2, 3, 4})
	f.Add(uint8(KindTime), []byte{0x7f, 0xff, 0xff, 0xff})
	f.Add(uint8(KindMAC), []byte{0, 1})
	f.Add(uint8(KindIPs), []byte{1, 2, 3, 4, 5, 6, 7, 8})
	f.Fuzz(func(t *testing.T, k uint8, b []byte) {
		kind := Kind(k % uint8(len(kindNames)))
		if _, err := kind.Decode(b); err != nil {
			return
		}
		text := kind.Format(b)
		if kind == KindBytes || kind == KindFlags || kind == KindBool || (kind == KindTime && text == "never") || kind == KindString {
			return // bytes, flags, booleans (any non-zero is true) and text are not always reversible
		}
		back, err := kind.Parse(text)
		if err != nil || !bytes.Equal(back, b) {
			t.Fatalf("%v: %x → %q → %x, %v", kind, b, text, back, err)
		}
	})
}

func TestAttrKind(t *testing.T) {
	tests := []struct {
		typ, name string
		want      Kind
		known     bool
	}{
		{"lease", "state", KindUint32, true},
		{"lease", "flags", KindFlags, true},
		{"lease", "ends", KindTime, true},
		{"lease", "myvar", KindBytes, false},
		{"host", "ip-address", KindIPs, true},
		{"failover-state", "partner-address", KindIP, true},
		{"failover-state", "local-stos", KindTime, true},
		{"group", "handle", KindHandle, true},
		{"", "hardware-address", KindMAC, true},
		{"", "nothing", KindBytes, false},
	}
	for _, tt := range tests {
		k, ok := AttrKind(tt.typ, tt.name)
		if k != tt.want || ok != tt.known {
			t.Errorf("AttrKind(%q, %q) = %v, %v; want %v, %v", tt.typ, tt.name, k, ok, tt.want, tt.known)
		}
	}
}

func TestStateName(t *testing.T) {
	for _, tt := range []struct {
		typ, name string
		n         uint32
		want      string
	}{
		{"lease", "state", 2, "active"},
		{"lease", "state", 5, "abandoned"},
		{"failover-state", "local-state", 3, "communications-interrupted"},
		{"failover-state", "partner-state", 254, "recover-wait"},
		{"control", "state", 2, "shutdown"},
		{"lease", "state", 9, ""},
		{"host", "name", 1, ""},
	} {
		got, _ := StateName(tt.typ, tt.name, tt.n)
		if got != tt.want {
			t.Errorf("StateName(%s, %s, %d) = %q, want %q", tt.typ, tt.name, tt.n, got, tt.want)
		}
	}
}

func TestResults(t *testing.T) {
	tests := []struct {
		r    Result
		text string
	}{
		{ResultSuccess, "success (0)"},
		{ResultExists, "already exists (18)"},
		{ResultNotFound, "not found (23)"},
		{ResultNotImplemented, "not implemented (27)"},
		{ResultInvalidArg, "invalid argument (393219)"},
		{ResultMultiple, "more than one object matches key (393222)"},
		{ResultKeyConflict, "key conflict (393223)"},
		{ResultNoKeys, "no key specified (393225)"},
		{ResultInvalidKey, "invalid TSIG key (393227)"},
		{ResultUnknownAttribute, "unknown attribute (393248)"},
		{Result(999), "result 999"},
	}
	for _, tt := range tests {
		if tt.r.String() != tt.text {
			t.Errorf("%d.String() = %q, want %q", tt.r, tt.r.String(), tt.text)
		}
		if tt.r == 0 {
			continue
		}
		err := fmt.Errorf("wrapped: %w", &StatusError{Op: OpOpen, Type: "host", Result: tt.r})
		if !errors.Is(err, tt.r) {
			t.Errorf("errors.Is(%v, %d) is false", err, tt.r)
		}
	}
}

func TestValues(t *testing.T) {
	var vs Values
	vs.SetString("name", "a")
	vs.SetUint32("n", 7)
	vs.SetBool("b", true)
	if err := vs.SetIP("ip", netip.MustParseAddr("192.0.2.9")); err != nil {
		t.Fatal(err)
	}
	if err := vs.SetIP("ip6", netip.MustParseAddr("2001:db8::1")); err == nil {
		t.Fatal("SetIP accepted IPv6")
	}
	vs.SetTime("t", time.Unix(100, 0))
	vs.SetString("name", "b") // replaces in place
	if vs[0].Name != "name" || string(vs[0].Data) != "b" || len(vs) != 5 {
		t.Fatalf("Set did not replace in place: %v", vs)
	}
	if n, err := vs.Uint32("n"); n != 7 || err != nil {
		t.Fatalf("Uint32 = %d, %v", n, err)
	}
	if _, err := vs.Uint32("name"); err == nil {
		t.Fatal("Uint32 of a 1-byte value succeeded")
	}
	var ae *AttrError
	if _, err := vs.Uint32("absent"); !errors.As(err, &ae) || ae.Msg != "" || errors.Is(err, ResultNotFound) {
		// A missing attribute is the client's finding, not the server's
		// "not found".
		t.Fatalf("missing attribute: %v, want an *AttrError matching no Result", err)
	}
	if ip, _ := vs.IP("ip"); ip.String() != "192.0.2.9" {
		t.Fatalf("IP = %v", ip)
	}
	if tm, _ := vs.Time("t"); tm.Unix() != 100 {
		t.Fatalf("Time = %v", tm)
	}
	vs.Del("n")
	if vs.Has("n") {
		t.Fatal("Del left n")
	}
}

func TestGuessType(t *testing.T) {
	u32 := []byte{0, 0, 0, 1}
	ip := []byte{192, 0, 2, 1}
	tests := []struct {
		name string
		vs   Values
		typ  string
		fits []string
	}{
		{"lease", Values{{Name: "state", Data: u32}, {Name: "ip-address", Data: ip}, {Name: "ends", Data: u32}}, "lease", nil},
		{"lease with a binding variable", Values{{Name: "state", Data: u32}, {Name: "ip-address", Data: ip}, {Name: "ddns-fwd-name", Data: []byte("a")}}, "lease", nil},
		{"host", Values{{Name: "name", Data: []byte("h")}, {Name: "hardware-address", Data: []byte{0, 1, 2, 3, 4, 5}}}, "host", nil},
		{"group or bare host", Values{{Name: "name", Data: []byte("g")}}, "", []string{"host", "group"}},
		{"failover-state", Values{{Name: "name", Data: []byte("p")}, {Name: "local-state", Data: u32}, {Name: "mclt", Data: u32}}, "failover-state", nil},
		{"control", Values{{Name: "state", Data: u32}}, "control", nil},
		{"interface", Values{{Name: "state", Data: []byte("up")}}, "interface", nil},
		{"pool", Values{{Name: "lease-count", Data: u32}, {Name: "free-leases", Data: u32}, {Name: "backup-leases", Data: u32}}, "pool", nil},
		{"class or subclass", Values{{Name: "lease-limit", Data: u32}, {Name: "leases-used", Data: u32}}, "", []string{"class", "subclass"}},
		{"authenticator", Values{{Name: "name", Data: []byte("k")}, {Name: "algorithm", Data: []byte("hmac-md5.SIG-ALG.REG.INT.")}}, "authenticator", nil},
		{"nothing", nil, "", []string{"host", "group", "subnet", "shared-network"}},
		{"unknown name", Values{{Name: "zzz", Data: u32}}, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			typ, fits := GuessType(tt.vs)
			if typ != tt.typ {
				t.Errorf("type %q, want %q (fits %v)", typ, tt.typ, fits)
			}
			if tt.typ == "" && strings.Join(fits, ",") != strings.Join(tt.fits, ",") {
				t.Errorf("fits %v, want %v", fits, tt.fits)
			}
		})
	}
}
