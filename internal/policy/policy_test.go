package policy

import (
	"errors"
	"strings"
	"testing"

	"github.com/omapish/omapish/omapi"
)

func u32b(n uint32) []byte { return []byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)} }

func vals(kv ...string) omapi.Values {
	var vs omapi.Values
	for i := 0; i+1 < len(kv); i += 2 {
		vs = append(vs, omapi.Value{Name: kv[i], Data: []byte(kv[i+1])})
	}
	return vs
}

var (
	create = Options{Create: true}
	lookup = Options{}
)

func TestCheck(t *testing.T) {
	long := func(n int, c string) string { return strings.Repeat(c, n) }
	for _, tc := range []struct {
		name string
		typ  string
		op   omapi.Opcode
		vs   omapi.Values
		opt  Options
		want error // nil: allowed
		msg  string
	}{
		// zero-length values
		{"empty lease state", "lease", omapi.OpUpdate, omapi.Values{{Name: "state", Data: nil}}, lookup, ErrCrash, "NULL"},
		{"empty lookup key", "lease", omapi.OpOpen, omapi.Values{{Name: "ip-address", Data: []byte{}}}, lookup, ErrCrash, ""},
		{"empty host ip clears", "host", omapi.OpUpdate, omapi.Values{{Name: "ip-address", Data: []byte{}}}, lookup, nil, ""},
		{"empty on unknown type", "", omapi.OpUpdate, omapi.Values{{Name: "x", Data: nil}}, lookup, ErrCrash, ""},
		{"unknown type, any name", "widget", omapi.OpUpdate, vals("anything", "1"), lookup, nil, ""},
		{"unknown type, local-state 99", "", omapi.OpUpdate, omapi.Values{{Name: "local-state", Data: u32b(99)}}, lookup, ErrCrash, ""},
		{"unknown type, local-state 4", "", omapi.OpUpdate, omapi.Values{{Name: "local-state", Data: u32b(4)}}, lookup, nil, ""},
		{"unknown type, host name", "", omapi.OpUpdate, vals("name", "sp ace"), lookup, nil, ""},

		// failover local-state
		{"local-state 99", "failover-state", omapi.OpUpdate, omapi.Values{{Name: "local-state", Data: u32b(99)}}, lookup, ErrCrash, "partner-down (4)"},
		{"local-state 12", "failover-state", omapi.OpUpdate, omapi.Values{{Name: "local-state", Data: u32b(12)}}, lookup, ErrCrash, "1716"},
		{"local-state 253", "failover-state", omapi.OpUpdate, omapi.Values{{Name: "local-state", Data: u32b(253)}}, lookup, ErrCrash, ""},
		{"local-state 255", "failover-state", omapi.OpUpdate, omapi.Values{{Name: "local-state", Data: u32b(255)}}, lookup, ErrCrash, ""},
		{"local-state 0", "failover-state", omapi.OpUpdate, omapi.Values{{Name: "local-state", Data: u32b(0)}}, lookup, nil, ""},
		{"local-state 11", "failover-state", omapi.OpUpdate, omapi.Values{{Name: "local-state", Data: u32b(11)}}, lookup, nil, ""},
		{"local-state 254", "failover-state", omapi.OpUpdate, omapi.Values{{Name: "local-state", Data: u32b(254)}}, lookup, nil, ""},
		{"local-state 2 bytes", "failover-state", omapi.OpUpdate, omapi.Values{{Name: "local-state", Data: []byte{0, 4}}}, lookup, ErrBadValue, ""},
		{"local-state 99 with open update", "failover-state", omapi.OpOpen, omapi.Values{{Name: "name", Data: []byte("p")}, {Name: "local-state", Data: u32b(99)}}, Options{Update: true}, ErrCrash, ""},
		{"local-state 99 raw", "failover-state", omapi.OpUpdate, omapi.Values{{Name: "local-state", Data: u32b(99)}}, Options{Raw: true}, ErrCrash, ""},
		{"mclt is ignored, not refused", "failover-state", omapi.OpUpdate, omapi.Values{{Name: "mclt", Data: u32b(120)}}, lookup, nil, ""},

		// lease binding variables
		{"lease tstp", "lease", omapi.OpUpdate, omapi.Values{{Name: "tstp", Data: u32b(5)}}, lookup, ErrCorrupt, "binding variable"},
		{"lease cltt", "lease", omapi.OpUpdate, omapi.Values{{Name: "cltt", Data: u32b(5)}}, lookup, ErrCorrupt, ""},
		{"lease unknown name", "lease", omapi.OpUpdate, vals("foo", "bar"), lookup, ErrCorrupt, ""},
		{"lease unknown name raw", "lease", omapi.OpUpdate, vals("foo", "bar"), Options{Raw: true}, ErrCorrupt, ""},
		{"lease ends", "lease", omapi.OpUpdate, omapi.Values{{Name: "ends", Data: u32b(5)}}, lookup, nil, ""},
		{"lease state", "lease", omapi.OpUpdate, omapi.Values{{Name: "state", Data: u32b(1)}}, lookup, nil, ""},
		{"lease client-hostname (ignored)", "lease", omapi.OpUpdate, vals("client-hostname", "x"), lookup, nil, ""},
		{"lease hostname", "lease", omapi.OpUpdate, vals("hostname", "x"), lookup, ErrUnknownAttr, `"client-hostname"`},
		{"lease hostname raw", "lease", omapi.OpUpdate, vals("hostname", "x"), Options{RawNames: map[string]bool{"hostname": true}}, nil, ""},
		{"lease tstp lookup", "lease", omapi.OpOpen, omapi.Values{{Name: "tstp", Data: u32b(5)}}, lookup, ErrNotKey, "ip-address"},

		// lookup keys
		{"lease by ip", "lease", omapi.OpOpen, omapi.Values{{Name: "ip-address", Data: u32b(1)}}, lookup, nil, ""},
		{"lease by hostname", "lease", omapi.OpOpen, omapi.Values{{Name: "ip-address", Data: u32b(1)}, {Name: "hostname", Data: []byte("x")}}, lookup, ErrUnknownAttr, "client-hostname"},
		{"lease by client-hostname", "lease", omapi.OpOpen, vals("client-hostname", "x"), lookup, ErrNotKey, "ignores client-hostname"},
		{"lease by ipaddr", "lease", omapi.OpOpen, omapi.Values{{Name: "ipaddr", Data: u32b(1)}}, lookup, ErrUnknownAttr, `"ip-address"`},
		{"lease by hostname raw", "lease", omapi.OpOpen, vals("hostname", "x"), Options{Raw: true}, nil, ""},
		{"lease create is not a lookup", "lease", omapi.OpOpen, omapi.Values{{Name: "ipaddr", Data: u32b(1)}}, create, ErrCorrupt, ""},
		{"host by name", "host", omapi.OpOpen, vals("name", "h"), lookup, nil, ""},
		{"host by group", "host", omapi.OpOpen, vals("group", "g"), lookup, ErrNotKey, ""},
		{"control by state", "control", omapi.OpOpen, omapi.Values{{Name: "state", Data: u32b(2)}}, lookup, nil, ""},
		{"failover by name", "failover-state", omapi.OpOpen, vals("name", "p"), lookup, nil, ""},
		{"handle anywhere", "host", omapi.OpOpen, omapi.Values{{Name: "handle", Data: u32b(1)}}, lookup, nil, ""},

		// lookups without a key dhcpd finds the type by (issue 15)
		{"group by mac", "group", omapi.OpOpen, vals("hardware-address", "\x00\x00\x5e\x00\x53\x01"), lookup, ErrUnknownAttr, "dhcpd finds a group by name or handle"},
		{"group by statements", "group", omapi.OpOpen, vals("statements", "x;"), lookup, ErrNotKey, "dhcpd finds a group by name or handle, and ignores statements"},
		{"class by match", "class", omapi.OpOpen, vals("match", "hardware"), lookup, ErrNotKey, "dhcpd finds a class by name,"},
		{"class by handle", "class", omapi.OpOpen, omapi.Values{{Name: "handle", Data: u32b(1)}}, lookup, ErrNoKey, "conn:refresh(handle)"},
		{"subclass by name alone", "subclass", omapi.OpOpen, vals("name", "c"), lookup, ErrNoKey, "name and hashstring together"},
		{"subclass by name and hashstring", "subclass", omapi.OpOpen, omapi.Values{{Name: "hashstring", Data: []byte{1}}, {Name: "name", Data: []byte("c")}}, lookup, nil, ""},
		{"lease by hardware-type alone", "lease", omapi.OpOpen, omapi.Values{{Name: "hardware-type", Data: u32b(1)}}, lookup, ErrNoKey, "can't create new object"},
		{"host by hardware-type alone", "host", omapi.OpOpen, omapi.Values{{Name: "hardware-type", Data: u32b(1)}}, lookup, ErrNoKey, "new, empty object"},
		{"pool by handle", "pool", omapi.OpOpen, omapi.Values{{Name: "handle", Data: u32b(1)}}, lookup, ErrNoKey, "cannot look up a pool"},
		{"authenticator by name alone", "authenticator", omapi.OpOpen, vals("name", "k"), lookup, ErrNoKey, "name and algorithm together"},
		{"interface by name", "interface", omapi.OpOpen, vals("name", "v0"), lookup, nil, ""},
		{"group update without a key", "group", omapi.OpOpen, vals("statements", "x;"), Options{Update: true}, ErrNoKey, ""},
		{"group create without a key", "group", omapi.OpOpen, vals("statements", "x;"), create, nil, ""},
		{"subclass by name raw", "subclass", omapi.OpOpen, vals("name", "c"), Options{Raw: true}, nil, ""},

		// host names
		{"host name ok", "host", omapi.OpOpen, vals("name", "web-1.example_x"), create, nil, ""},
		{"host name trailing dot", "host", omapi.OpOpen, vals("name", "a."), create, nil, ""},
		{"host name digits", "host", omapi.OpOpen, vals("name", "1.2"), create, nil, ""},
		{"host name dash", "host", omapi.OpOpen, vals("name", "-"), create, nil, ""},
		{"host name 1499", "host", omapi.OpOpen, vals("name", long(1499, "a")), create, nil, ""},
		{"host name 1499 twice", "host", omapi.OpOpen, vals("name", long(1499, "a")+"."+long(1499, "b")), create, nil, ""},
		{"host name 1500", "host", omapi.OpOpen, vals("name", long(1500, "a")), create, ErrCorrupt, "1499"},
		{"host name 300 KiB", "host", omapi.OpOpen, vals("name", long(300*1024, "z")), create, ErrCorrupt, "bytes"},
		{"host name space", "host", omapi.OpOpen, vals("name", "sp ace"), create, ErrCorrupt, "a space at byte 2"},
		{"host name quote", "host", omapi.OpOpen, vals("name", `a"b`), create, ErrCorrupt, ""},
		{"host name utf8", "host", omapi.OpOpen, vals("name", "syncü"), create, ErrCorrupt, "non-ASCII byte 0xc3 at byte 4"},
		{"host name control", "host", omapi.OpOpen, vals("name", "a\tb"), create, ErrCorrupt, "control character 0x09"},
		{"host name underscore first", "host", omapi.OpOpen, vals("name", "_u"), create, ErrCorrupt, ""},
		{"host name underscore later", "host", omapi.OpOpen, vals("name", "a._u"), create, ErrCorrupt, "at byte 2"},
		{"host name two dots", "host", omapi.OpOpen, vals("name", "a..b"), create, ErrCorrupt, "empty part at byte 2"},
		{"host name leading dot", "host", omapi.OpOpen, vals("name", ".a"), create, ErrCorrupt, "empty part at byte 0"},
		{"host name only a dot", "host", omapi.OpOpen, vals("name", "."), create, ErrCorrupt, ""},
		{"host name hash", "host", omapi.OpOpen, vals("name", "a#b"), create, ErrCorrupt, ""},
		{"host name lookup is not a write", "host", omapi.OpOpen, vals("name", "sp ace"), lookup, nil, ""},
		{"host name update", "host", omapi.OpUpdate, vals("name", "sp ace"), lookup, ErrCorrupt, ""},
		{"host name raw still refused", "host", omapi.OpOpen, vals("name", "sp ace"), Options{Create: true, Raw: true}, ErrCorrupt, ""},
		{"host group ok", "host", omapi.OpUpdate, vals("group", "my group"), lookup, nil, ""},
		{"host group quote", "host", omapi.OpUpdate, vals("group", `g"`), lookup, ErrCorrupt, ""},
		{"host known", "host", omapi.OpUpdate, omapi.Values{{Name: "known", Data: u32b(1)}}, lookup, nil, ""},
		{"host misspelt", "host", omapi.OpOpen, vals("nmae", "x"), create, ErrUnknownAttr, `"name"`},

		// group names
		{"group name ok", "group", omapi.OpOpen, vals("name", "g-1_x"), create, nil, ""},
		{"group name hex", "group", omapi.OpOpen, vals("name", "0x1f"), create, nil, ""},
		{"group name digits", "group", omapi.OpOpen, vals("name", "123"), create, ErrCorrupt, "number"},
		{"group name minus digits", "group", omapi.OpOpen, vals("name", "-12"), create, ErrCorrupt, "number"},
		{"group name minus", "group", omapi.OpOpen, vals("name", "-"), create, ErrCorrupt, "number"},
		{"group name dot", "group", omapi.OpOpen, vals("name", "a.b"), create, ErrCorrupt, `"."`},
		{"group name underscore", "group", omapi.OpOpen, vals("name", "_g"), create, ErrCorrupt, ""},
		{"group name 1499", "group", omapi.OpOpen, vals("name", long(1499, "g")), create, nil, ""},
		{"group name 1500", "group", omapi.OpOpen, vals("name", long(1500, "g")), create, ErrCorrupt, ""},

		// class and subclass names, hash strings
		{"class name space newline utf8", "class", omapi.OpOpen, vals("name", "a b\nü"), create, nil, ""},
		{"class name quote", "class", omapi.OpOpen, vals("name", `a"b`), create, ErrCorrupt, `"\"" at byte 1`},
		{"class name backslash", "class", omapi.OpOpen, vals("name", `a\b`), create, ErrCorrupt, ""},
		{"class name nul", "class", omapi.OpOpen, vals("name", "a\x00b"), create, ErrCorrupt, "NUL"},
		{"class name 1499", "class", omapi.OpOpen, vals("name", long(1499, "c")), create, nil, ""},
		{"class name 1500", "class", omapi.OpOpen, vals("name", long(1500, "c")), create, ErrCorrupt, ""},
		{"subclass name quote", "subclass", omapi.OpOpen, vals("name", `a"`, "hashstring", "x"), create, ErrCorrupt, ""},
		{"subclass hash printable", "subclass", omapi.OpOpen, vals("name", "c", "hashstring", "abc"), create, nil, ""},
		{"subclass hash quote", "subclass", omapi.OpOpen, vals("name", "c", "hashstring", `a"c`), create, ErrCorrupt, ""},
		{"subclass hash backslash", "subclass", omapi.OpOpen, vals("name", "c", "hashstring", `a\c`), create, ErrCorrupt, ""},
		{"subclass hash binary with quote", "subclass", omapi.OpOpen, vals("name", "c", "hashstring", "\x01\"\\"), create, nil, ""},
		{"subclass hash 1500 printable", "subclass", omapi.OpOpen, vals("name", "c", "hashstring", long(1500, "h")), create, ErrCorrupt, ""},
		{"subclass hash 5000 binary", "subclass", omapi.OpOpen, vals("name", "c", "hashstring", long(5000, "\x01")), create, nil, ""},

		// statements
		{"statements ok", "host", omapi.OpOpen, vals("statements", `supersede host-name "a b"; supersede routers 192.0.2.1;`), create, nil, ""},
		{"statements newline escape", "host", omapi.OpOpen, vals("statements", `supersede host-name "a\nb";`), create, nil, ""},
		{"statements escaped quote", "host", omapi.OpOpen, vals("statements", `supersede host-name "a\"b";`), create, ErrCorrupt, `escape at byte 22`},
		{"statements escaped backslash", "group", omapi.OpOpen, vals("statements", `supersede domain-name "a\\b";`), create, ErrCorrupt, ""},
		{"statements hex quote", "host", omapi.OpOpen, vals("statements", `supersede host-name "a\x22b";`), create, ErrCorrupt, ""},
		{"statements octal backslash", "host", omapi.OpOpen, vals("statements", `supersede host-name "a\134b";`), create, ErrCorrupt, ""},
		{"statements octal other", "host", omapi.OpOpen, vals("statements", `supersede host-name "a\101b";`), create, nil, ""},
		{"statements backslash outside", "host", omapi.OpOpen, vals("statements", `\"`), create, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Check(tc.typ, tc.op, tc.vs, tc.opt)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Check = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, tc.want) || !errors.Is(err, ErrRefused) {
				t.Fatalf("Check = %v, want %v", err, tc.want)
			}
			var r *Refusal
			if !errors.As(err, &r) || r.Attr == "" || r.Type != tc.typ {
				t.Fatalf("Check = %#v, want a *Refusal naming the type and attribute", err)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("Check = %q, want it to say %q", err, tc.msg)
			}
		})
	}
}

func TestRefusalMessage(t *testing.T) {
	err := Check("failover-state", omapi.OpUpdate, omapi.Values{{Name: "local-state", Data: u32b(99)}}, Options{})
	want := `refused: failover-state local-state = 99: would crash dhcpd (99 is not a failover state`
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("got %v, want prefix %q", err, want)
	}
	for _, s := range []string{"unknown (0)", "normal (2)", "partner-down (4)", "conflict-done (11)", "recover-wait (254)"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("%q does not name state %s", err, s)
		}
	}
	err = Check("host", omapi.OpOpen, vals("name", strings.Repeat("z", 300*1024)), create)
	if n := len(err.Error()); n > 1000 {
		t.Errorf("the error for a 300 KiB name is %d bytes long", n)
	}
	err = Check("lease", omapi.OpUpdate, omapi.Values{{Name: "state", Data: nil}}, Options{})
	if strings.Contains(err.Error(), " = ") {
		t.Errorf("an empty value is shown: %q", err)
	}
}

func TestCheckMessage(t *testing.T) {
	m := omapi.NewOpen("failover-state", omapi.Values{{Name: "name", Data: []byte("p")}, {Name: "local-state", Data: u32b(99)}}, omapi.Update)
	if err := CheckMessage("", m, Options{}); !errors.Is(err, ErrCrash) {
		t.Errorf("OPEN with update: %v, want ErrCrash", err)
	}
	m = omapi.NewOpen("host", vals("name", "sp ace"), omapi.Create)
	if err := CheckMessage("", m, Options{}); !errors.Is(err, ErrCorrupt) {
		t.Errorf("OPEN with create: %v, want ErrCorrupt", err)
	}
	m = omapi.NewOpen("host", vals("name", "sp ace"))
	if err := CheckMessage("", m, Options{}); err != nil {
		t.Errorf("lookup: %v, want nil", err)
	}
	m = &omapi.Message{Op: omapi.OpUpdate, Handle: 7, Object: omapi.Values{{Name: "tstp", Data: u32b(5)}}}
	if err := CheckMessage("lease", m, Options{}); !errors.Is(err, ErrCorrupt) {
		t.Errorf("UPDATE of a lease handle: %v, want ErrCorrupt", err)
	}
	if err := CheckMessage("", m, Options{}); err != nil {
		t.Errorf("UPDATE of a handle of unknown type: %v, want nil", err)
	}
}

func TestHazard(t *testing.T) {
	for _, tc := range []struct {
		name string
		typ  string
		op   omapi.Opcode
		vs   omapi.Values
		opt  Options
		want string // "" none
	}{
		{"control shutdown", "control", omapi.OpOpen, omapi.Values{{Name: "state", Data: u32b(2)}}, Options{Update: true}, "shuts dhcpd down"},
		{"control shutdown update", "control", omapi.OpUpdate, omapi.Values{{Name: "state", Data: u32b(2)}}, Options{}, "shuts dhcpd down"},
		{"control lookup", "control", omapi.OpOpen, omapi.Values{{Name: "state", Data: u32b(2)}}, Options{}, ""},
		{"control state 1", "control", omapi.OpUpdate, omapi.Values{{Name: "state", Data: u32b(1)}}, Options{}, ""},
		{"delete interface", "interface", omapi.OpDelete, nil, Options{}, "interface"},
		{"delete host", "host", omapi.OpDelete, nil, Options{}, ""},
		{"partner-down", "failover-state", omapi.OpUpdate, omapi.Values{{Name: "local-state", Data: u32b(4)}}, Options{}, "partner-down (4) changes who serves"},
		{"shutdown", "failover-state", omapi.OpUpdate, omapi.Values{{Name: "local-state", Data: u32b(8)}}, Options{}, "shutdown (8)"},
		{"conflict-done", "failover-state", omapi.OpUpdate, omapi.Values{{Name: "local-state", Data: u32b(11)}}, Options{}, "conflict-done (11)"},
		{"normal", "failover-state", omapi.OpUpdate, omapi.Values{{Name: "local-state", Data: u32b(2)}}, Options{}, "normal (2)"},
		{"state 99 is for Check", "failover-state", omapi.OpUpdate, omapi.Values{{Name: "local-state", Data: u32b(99)}}, Options{}, ""},
		{"mclt", "failover-state", omapi.OpUpdate, omapi.Values{{Name: "mclt", Data: u32b(9)}}, Options{}, ""},
		{"lease ends", "lease", omapi.OpUpdate, omapi.Values{{Name: "ends", Data: u32b(9)}}, Options{}, "next binding state"},
		{"lease ends lookup", "lease", omapi.OpOpen, omapi.Values{{Name: "ends", Data: u32b(9)}}, Options{}, ""},
		{"lease state", "lease", omapi.OpUpdate, omapi.Values{{Name: "state", Data: u32b(1)}}, Options{}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Hazard(tc.typ, tc.op, tc.vs, tc.opt)
			if tc.want == "" && got != "" || tc.want != "" && !strings.Contains(got, tc.want) {
				t.Errorf("Hazard = %q, want %q", got, tc.want)
			}
		})
	}
	m := omapi.NewOpen("control", omapi.Values{{Name: "state", Data: u32b(2)}}, omapi.Update)
	if w := HazardMessage("", m, Options{}); !strings.Contains(w, "shuts dhcpd down") {
		t.Errorf("HazardMessage = %q", w)
	}
}

func TestSuggest(t *testing.T) {
	for _, tc := range []struct{ typ, name, want string }{
		{"lease", "hostname", "client-hostname"},
		{"lease", "ipaddr", "ip-address"},
		{"lease", "ip-adress", "ip-address"},
		{"host", "hostname", "name"},
		{"host", "hardware-adress", "hardware-address"},
		{"failover-state", "state", "local-state"},
		{"failover-state", "mcl", "mclt"},
		{"lease", "zzzzzzzz", ""},
		{"group", "uid", ""}, // an alias of an attribute groups do not have
	} {
		if got := Suggest(tc.typ, tc.name); got != tc.want {
			t.Errorf("Suggest(%q, %q) = %q, want %q", tc.typ, tc.name, got, tc.want)
		}
	}
}

func TestIgnored(t *testing.T) {
	for _, tc := range []struct {
		typ, name string
		want      bool
	}{
		{"failover-state", "mclt", true},
		{"failover-state", "local-state", false},
		{"lease", "client-hostname", true},
		{"lease", "ends", false},
		{"host", "known", true},
		{"host", "name", false},
		{"widget", "x", false},
	} {
		if _, got := Ignored(tc.typ, tc.name); got != tc.want {
			t.Errorf("Ignored(%q, %q) = %v, want %v", tc.typ, tc.name, got, tc.want)
		}
	}
}

func TestEveryTypeHasRules(t *testing.T) {
	for _, typ := range omapi.Types() {
		if _, ok := types[typ]; !ok {
			t.Errorf("no rules for type %q", typ)
		}
	}
}
