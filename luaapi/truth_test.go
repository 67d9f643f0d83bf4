package luaapi

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/omapish/omapish/internal/lab"
	"github.com/omapish/omapish/internal/lab/labtest"
	"github.com/omapish/omapish/omapi"
)

// Issue 15: every answer tells the truth. Each test asks the lab's dhcpd
// through the module, and omshell the same question where it has one:
// the two answers are logged side by side, and both are checked.

// omshellAsk runs omshell against l with the lab's key: commands follow
// `connect`, one a line. It returns omshell's output after the connect.
func omshellAsk(tb testing.TB, l *lab.Lab, commands ...string) string {
	tb.Helper()
	cmd := l.Command(tb.Context(), "omshell")
	cmd.Stdin = strings.NewReader(fmt.Sprintf("server 127.0.0.1\nkey %s %s\nconnect\n%s\n",
		l.KeyName(), l.SecretBase64(), strings.Join(commands, "\n")))
	out, err := cmd.CombinedOutput()
	if err != nil {
		tb.Fatalf("omshell: %v\n%s", err, out)
	}
	return string(out)
}

// countingState is labState on lab l with sent(), the number of messages
// the module has sent so far.
func countingState(tb testing.TB, l *lab.Lab) *lua.LState {
	tb.Helper()
	var sent atomic.Int64
	o := labOptions(l)
	o.Trace = func(_ int, dir omapi.Direction, _ *omapi.Message, _ []byte) {
		if dir == omapi.Sent {
			sent.Add(1)
		}
	}
	L := newState(tb, o)
	L.SetGlobal("LAB", labTable(L, l))
	L.SetGlobal("sent", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LNumber(sent.Load()))
		return 1
	}))
	doString(tb, L, `conn = assert(omapi.connect())`)
	return L
}

// runString runs code (a chunk that returns one string) and returns it.
func runString(tb testing.TB, L *lua.LState, code string) string {
	tb.Helper()
	if err := L.DoString(code); err != nil {
		tb.Fatalf("%v\n%s", err, code)
	}
	s := L.Get(-1).String()
	L.Pop(1)
	return s
}

// lookupCase is a lookup dhcpd cannot answer truly: what omapish says,
// what dhcpd answers when the check is off ({raw=true}), what omshell says.
type lookupCase struct {
	name    string
	typ     string
	keys    string   // Lua table of keys
	omshell []string // omshell's set lines; nil when it has no such query
	want    []string // in omapish's refusal
	raw     string   // dhcpd's answer with the check off: "object TYPE {}" shape or an error
	oms     string   // in omshell's answer
}

// checkLookup runs one lookupCase on the Lua state L (lab l).
func checkLookup(t *testing.T, L *lua.LState, l *lab.Lab, tc lookupCase) {
	t.Helper()
	got := runString(t, L, fmt.Sprintf(`
		local before = sent()
		local obj, msg, code = conn:open(%q, %s)
		assert(obj == nil and code == "refused", "not refused: " .. tostring(obj) .. " " .. tostring(msg))
		assert(sent() == before, "sent before refusing")
		local raw, rmsg = conn:open(%q, %s, {raw = true})
		return msg .. "\n" .. (raw and tostring(raw) or rmsg)`, tc.typ, tc.keys, tc.typ, tc.keys))
	msg, raw, _ := strings.Cut(got, "\n")
	for _, w := range tc.want {
		if !strings.Contains(msg, w) {
			t.Errorf("omapish says %q\nwant it to say %q", msg, w)
		}
	}
	if !strings.Contains(raw, tc.raw) {
		t.Errorf("dhcpd, unchecked, answered %q; want %q", raw, tc.raw)
	}
	oms := "(omshell has no such query)"
	if tc.omshell != nil {
		oms = omshellAsk(t, l, append(append([]string{"new " + tc.typ}, tc.omshell...), "open")...)
		if !strings.Contains(oms, tc.oms) {
			t.Errorf("omshell answered:\n%s\nwant %q", oms, tc.oms)
		}
	}
	t.Logf("omapish: %s\ndhcpd unchecked: %s\nomshell: %s", msg, raw, oms)
}

// TestLookupKeysLab: a lookup by anything but the keys dhcpd finds the
// type by is refused, naming those keys; unchecked, dhcpd answers with an
// empty object made on the spot (group, class) or a misleading error
// (lease, pool), and omshell with "invalid argument", a made-up object or
// "not implemented".
func TestLookupKeysLab(t *testing.T) {
	l := sharedLab(t)
	L := countingState(t, l)
	cases := []lookupCase{
		{name: "group by mac", typ: "group", keys: `{mac = "00:00:5e:00:53:01"}`,
			omshell: []string{"set hardware-address = 00:00:5e:00:53:01"},
			want:    []string{`a group has no attribute "hardware-address"`, "dhcpd finds a group by name or handle"},
			raw:     "group ", oms: "invalid argument"},
		{name: "group by statements", typ: "group", keys: `{statements = "x;"}`,
			omshell: []string{`set statements = "x;"`},
			want:    []string{"not a lookup key", "dhcpd finds a group by name or handle, and ignores statements"},
			raw:     "group ", oms: "invalid argument"},
		{name: "class by match", typ: "class", keys: `{match = "hardware"}`,
			omshell: []string{`set match = "hardware"`},
			want:    []string{"dhcpd finds a class by name, and ignores match"},
			raw:     "{lease-limit=0, leases-used=0}", oms: "lease-limit = 00:00:00:00"},
		{name: "class by handle", typ: "class", keys: `{handle = 1}`,
			want: []string{"no lookup key", "dhcpd finds a class by name", "conn:refresh(handle)"},
			raw:  "{lease-limit=0, leases-used=0}"},
		{name: "lease by ipaddr", typ: "lease", keys: `{ipaddr = "192.0.2.150"}`,
			omshell: []string{"set ipaddr = 192.0.2.150"},
			want:    []string{`did you mean "ip-address"?`, "dhcpd finds a lease by ip-address, dhcp-client-identifier, hardware-address (with hardware-type) or handle"},
			raw:     "can't create new object (not implemented (27)) (dhcpd read no key of a lease", oms: "not implemented"},
		{name: "lease by hardware-type alone", typ: "lease", keys: `{["hardware-type"] = 1}`,
			omshell: []string{"set hardware-type = 1"},
			want:    []string{"no lookup key", "dhcpd finds a lease by ip-address"},
			raw:     "can't create new object", oms: "not implemented"},
		{name: "host by hardware-type alone", typ: "host", keys: `{["hardware-type"] = 1}`,
			omshell: []string{"set hardware-type = 1"},
			want:    []string{"no lookup key", "dhcpd finds a host by name, hardware-address (with hardware-type), dhcp-client-identifier, ip-address or handle"},
			raw:     "host ", oms: "obj: host"},
		{name: "failover-state by mclt", typ: "failover-state", keys: `{mclt = 3600}`,
			omshell: []string{"set mclt = 3600"},
			want:    []string{"not a lookup key", "dhcpd finds a failover-state by name or handle, and ignores mclt"},
			raw:     "can't create new object", oms: "not implemented"},
		{name: "authenticator by name alone", typ: "authenticator", keys: `{name = "omapish-lab"}`,
			omshell: []string{`set name = "omapish-lab"`},
			want:    []string{"no lookup key", "dhcpd finds an authenticator by name and algorithm together"},
			raw:     "no object matches specification", oms: "not found"},
		{name: "pool by handle", typ: "pool", keys: `{handle = 6}`,
			omshell: []string{"set handle = 6"},
			want:    []string{"dhcpd cannot look up a pool", "conn:refresh(handle)"},
			raw:     "can't create new object", oms: "not implemented"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkLookup(t, L, l, tc) })
	}
}

// hwConf is a dhcpd.conf with a class that matches on the hardware
// address and a subclass for htype 1 and MAC 00:5e:00:53:01, its hash
// string written as dhcpd.conf writes bytes: colon-separated hex.
const hwConf = `omapi-port 7911;
key omapish-lab { algorithm hmac-md5; secret "%s"; }
omapi-key omapish-lab;
authoritative;
ddns-update-style none;
subnet 192.0.2.0 netmask 255.255.255.0 {
  range 192.0.2.100 192.0.2.110;
}
class "hw" { match hardware; }
subclass "hw" 1:0:5e:0:53:1;
`

// hwLab starts a lab on hwConf.
func hwLab(t *testing.T) *lab.Lab {
	t.Helper()
	conf := filepath.Join(t.TempDir(), "dhcpd.conf")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf(hwConf, b64([]byte("issue 15 test secret")))), 0o600); err != nil {
		t.Fatal(err)
	}
	return labtest.Start(t, lab.Config{Conf: conf})
}

// TestBytesRuleLab: one rule for bytes attributes. A hash string written
// "01:00:5e:00:53:01" is the six bytes dhcpd's conf declares for the
// subclass of a `match hardware` class (htype 1 and the MAC), and finds
// it, as omshell's unquoted 01:00:... does; omapi.unhex's bytes find it
// too; omapi.raw of the same text is those 17 characters, found by
// nothing, as omshell's quoted "01:00:..." is. A subclass made with the
// hex form is written to the leases file as hex, the form of the conf.
// A subclass looked up by name alone is refused (dhcpd would answer with
// a new empty subclass), and a class read by handle on another
// connection has a type that cannot be known, and says so.
func TestBytesRuleLab(t *testing.T) {
	l := hwLab(t)
	L := countingState(t, l)

	t.Run("found by hex text", func(t *testing.T) {
		got := runString(t, L, `
			local a = assert(conn:open("subclass", {name = "hw", hashstring = "01:00:5e:00:53:01"}))
			local b = assert(conn:open("subclass", {name = "hw", hashstring = omapi.unhex("01 00 5e 00 53 01")}))
			assert(a.handle == b.handle, "hex text and unhex found different subclasses")
			local none, msg, code = conn:open("subclass", {name = "hw", hashstring = omapi.raw("01:00:5e:00:53:01")})
			assert(none == nil and code == "not-found", "omapi.raw text found something: " .. tostring(none) .. " " .. tostring(msg))
			local text, _, tcode = conn:open("subclass", {name = "hw", hashstring = "01-00-5e-00-53-01"})
			assert(text == nil and tcode == "not-found", "dashes are text, yet found " .. tostring(text))
			return "ok"`)
		if got != "ok" {
			t.Fatal(got)
		}
		hex := omshellAsk(t, l, "new subclass", `set name = "hw"`, "set hashstring = 01:00:5e:00:53:01", "open")
		quoted := omshellAsk(t, l, "new subclass", `set name = "hw"`, `set hashstring = "01:00:5e:00:53:01"`, "open")
		t.Logf("omshell, hex: %s\nomshell, quoted: %s", hex, quoted)
		if strings.Contains(hex, "can't open object") || !strings.Contains(hex, "lease-limit") {
			t.Errorf("omshell did not find the subclass by hex bytes:\n%s", hex)
		}
		if !strings.Contains(quoted, "not found") {
			t.Errorf("omshell found the subclass by the quoted text:\n%s", quoted)
		}
	})

	t.Run("created as hex", func(t *testing.T) {
		runString(t, L, `
			assert(conn:create("subclass", {name = "hw", hashstring = "01:00:5e:00:53:02"}))
			assert(conn:open("subclass", {name = "hw", hashstring = omapi.unhex("01:00:5e:00:53:02")}))
			return "ok"`)
		leases, err := os.ReadFile(filepath.Join(l.Dir(), "dhcpd.leases"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(leases), `subclass "hw" 01:00:5e:00:53:02 {`) {
			t.Errorf("the leases file does not hold the subclass as hex bytes:\n%s", leases)
		}
	})

	checkLookup(t, L, l, lookupCase{name: "subclass by name alone", typ: "subclass", keys: `{name = "hw"}`,
		omshell: []string{`set name = "hw"`},
		want:    []string{"no lookup key", "dhcpd finds a subclass by name and hashstring together"},
		raw:     "subclass ", oms: "obj: subclass"})

	t.Run("class by handle elsewhere", func(t *testing.T) {
		got := runString(t, L, `
			local h = assert(conn:open("class", {name = "hw"})).handle
			local c2 = assert(omapi.connect())
			local obj, note = c2:refresh(h)
			assert(obj and obj.type == nil, "a type was guessed: " .. tostring(obj and obj.type))
			return note`)
		if !strings.Contains(got, "fit a class or a subclass") || !strings.Contains(got, "conn:refresh(") {
			t.Errorf("the note says %q", got)
		}
	})
}

// TestRefreshTypeLab: an object read by handle on a connection that did
// not open it gets its type from its attributes (or, for a group, by
// asking dhcpd), so printing and the write checks know it.
func TestRefreshTypeLab(t *testing.T) {
	L, _ := labState(t)
	got := runString(t, L, `
		local conn = assert(omapi.connect())
		local lease = assert(conn:open("lease", {ip = LAB.active.ip}))
		local handles = {
			lease = lease.handle,
			host = assert(conn:open("host", {name = LAB.static.name})).handle,
			group = assert(conn:open("group", {name = LAB.group})).handle,
			["failover-state"] = assert(conn:open("failover-state", {name = LAB.failover_peer})).handle,
			control = assert(conn:open("control", {})).handle,
			pool = lease.pool,
		}
		local out = {}
		for typ, h in pairs(handles) do
			local c2 = assert(omapi.connect())   -- knows none of these handles
			local obj, note = c2:refresh(h)
			if obj.type ~= typ then out[#out + 1] = typ .. " read as " .. tostring(obj.type) .. " " .. tostring(note) end
			c2:close()
		end
		-- a subnet sends nothing: the type cannot be known, and is said
		local c3 = assert(omapi.connect())
		local obj, note = c3:refresh(lease.subnet)
		if obj.type ~= nil or not note:find("subnet or a shared%-network") then
			out[#out + 1] = "subnet: " .. tostring(obj.type) .. " " .. tostring(note)
		end
		-- the write checks know the type now: a lease's tstp is refused
		local l2 = c3:refresh(lease.handle)
		local ok, msg, code = l2:update{tstp = 1}
		if code ~= "refused" then out[#out + 1] = "lease update not refused: " .. tostring(msg) end
		return table.concat(out, "\n")`)
	if got != "" {
		t.Error(got)
	}
}

// TestHostByIPLab: a host is found by IP only through the lease of that
// address; not found, the message says so and which link is missing.
func TestHostByIPLab(t *testing.T) {
	L, l := labState(t)
	s := lab.Sample
	cases := []struct {
		name, ip string
		want     []string
	}{
		{"fixed address without a lease", s.ByClientID.IP, []string{"dhcpd finds a host by IP only through the lease of that address", "no lease has " + s.ByClientID.IP}},
		{"lease whose MAC has no host", s.ActiveLease.IP, []string{"the lease of " + s.ActiveLease.IP + " holds MAC " + s.ActiveLease.MAC + ", and no host has that MAC"}},
		{"lease without a MAC", s.AbandonedLease.IP, []string{"the lease of " + s.AbandonedLease.IP + " has no MAC"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := runString(t, L, fmt.Sprintf(`
				local conn = assert(omapi.connect())
				local h, msg, code = conn:lookup_host_by_ip(%q)
				assert(h == nil and code == "not-found", "found: " .. tostring(h) .. " " .. tostring(msg))
				local o, msg2, code2 = conn:open("host", {ip = %q})
				assert(o == nil and code2 == "not-found" and msg2 == msg, "conn:open says otherwise: " .. tostring(msg2))
				return msg`, tc.ip, tc.ip))
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("omapish says %q\nwant %q", got, w)
				}
			}
			oms := omshellAsk(t, l, "new host", "set ip-address = "+tc.ip, "open")
			if !strings.Contains(oms, "can't open object: not found") {
				t.Errorf("omshell answered:\n%s", oms)
			}
			t.Logf("omapish: %s\nomshell: %s", got, oms)
		})
	}
	// A host whose address has a lease of its MAC is found.
	got := runString(t, L, fmt.Sprintf(`return assert(omapi.connect()):lookup_host_by_ip(%q).hostname`, s.Static.IP))
	if got != s.Static.Name {
		t.Errorf("lookup_host_by_ip(%s) = %q, want %s", s.Static.IP, got, s.Static.Name)
	}
}

// TestKeysTableDocumented: help("keys") and the README show the same
// table of lookup keys, made from the write policy, and help("bytes")
// states the bytes rule.
func TestKeysTableDocumented(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	table := KeysTable()
	if !strings.Contains(string(readme), table) {
		t.Errorf("README.md lacks the lookup keys table of help(\"keys\"):\n%s", table)
	}
	for _, row := range []string{
		"| subclass | name and hashstring together | name, hashstring, group |",
		"| lease | ip-address, dhcp-client-identifier, hardware-address (with hardware-type) or handle | cannot be created |",
		"| pool | none: read one by handle (conn:refresh(handle)) | cannot be created |",
	} {
		if !strings.Contains(table, row) {
			t.Errorf("the table lacks %q:\n%s", row, table)
		}
	}
	var out strings.Builder
	L := newState(t, Options{Stdout: &out})
	doString(t, L, `omapi.help("keys"); omapi.help("bytes")`)
	for _, want := range []string{table[:40], "| group | name or handle | name, statements |", "omapi.raw(s)", "xx:xx:..."} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("help lacks %q:\n%s", want, out.String())
		}
	}
}
