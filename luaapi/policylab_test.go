package luaapi

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/omapish/omapish/internal/lab"
	"github.com/omapish/omapish/internal/lab/labtest"
	"github.com/omapish/omapish/omapi"
)

// The write policy against a real dhcpd: for each rule, the object API
// refuses the write before sending anything (sent() counts the messages
// the module sent), and the same write sent with the checks off (a raw
// conn:query with {force=true}) does what the rule says dhcpd does: it
// dies, writes a leases file it cannot read back, or ignores the write.
// Each case has a lab of its own: some kill dhcpd or spoil its leases.

// policyLab starts a lab and a Lua state on it with LAB, and sent(), the
// number of messages the module has sent so far.
func policyLab(t *testing.T, confirm func(string) bool) (*lua.LState, *lab.Lab) {
	t.Helper()
	l := labtest.Start(t)
	var sent atomic.Int64
	o := labOptions(l)
	o.Confirm = confirm
	o.Trace = func(_ int, dir omapi.Direction, _ *omapi.Message, _ []byte) {
		if dir == omapi.Sent {
			sent.Add(1)
		}
	}
	L := newState(t, o)
	L.SetGlobal("LAB", labTable(L, l))
	L.SetGlobal("sent", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LNumber(sent.Load()))
		return 1
	}))
	doString(t, L, `
		-- refused runs f and checks it was refused without sending anything,
		-- with a message containing each of want.
		function refused(want, f)
			local before = sent()
			local r, msg, code = f()
			assert(r == nil and code == "refused", "not refused: " .. tostring(r) .. " " .. tostring(msg) .. " " .. tostring(code))
			assert(sent() == before, "refused after sending " .. (sent() - before) .. " messages: " .. msg)
			for _, w in ipairs(want) do
				assert(msg:find(w, 1, true), "message " .. msg .. " does not say " .. w)
			end
			return msg
		end
		-- forced sends a raw UPDATE of handle h with values vs, unchecked
		function forced(h, vs)
			return conn:query(omapi.message.update(h):update_object(vs), {force = true})
		end
		-- forced_create sends a raw OPEN with create of type typ, unchecked
		function forced_create(typ, vs)
			local m = omapi.message.open(typ):update_message{create = true, exclusive = true}:update_object(vs)
			return conn:query(m, {force = true})
		end
		conn = assert(omapi.connect())
	`)
	return L, l
}

// leasesComplaints checks the lab's leases file as dhcpd would read it at
// its next start (lab.Lab.CheckLeases: dhcpd -T) and returns its
// complaints, one line each.
func leasesComplaints(t *testing.T, l *lab.Lab) []string {
	t.Helper()
	err := l.CheckLeases(t.Context())
	var le *lab.LeasesError
	switch {
	case err == nil:
		return nil
	case !errors.As(err, &le):
		t.Fatalf("dhcpd -T: %v", err)
	}
	var cs []string
	for _, c := range le.Complaints {
		cs = append(cs, c.String())
	}
	return cs
}

// waitExit waits for the lab's dhcpd to die and returns whether it did.
func waitExit(l *lab.Lab) bool {
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if l.PID() == 0 {
			return true
		}
	}
	return false
}

func TestPolicyLabCrash(t *testing.T) {
	for _, tc := range []struct {
		name   string
		setup  string // Lua: sets the globals api and raw use
		api    string // Lua: the object API's write, refused
		want   []string
		raw    string // Lua: the same write, forced
		logged string // what dhcpd logs as it dies; "" for a silent crash
	}{
		{
			name:   "failover local-state 99",
			setup:  `fo = assert(conn:open("failover-state", {name = LAB.failover_peer}))`,
			api:    `return fo:update({["local-state"] = 99}, {force = true})`,
			want:   []string{"local-state = 99", "would crash dhcpd", "partner-down (4)", "recover-wait (254)"},
			raw:    `forced(fo.handle, {["local-state"] = omapi.u32(99)})`,
			logged: "Impossible case at failover.c:1716",
		},
		{
			name:   "failover local-state 44 by typo, open with update",
			api:    `return conn:open("failover-state", {name = LAB.failover_peer, ["local-state"] = 44}, {update = true, force = true})`,
			want:   []string{"local-state = 44", "would crash dhcpd"},
			raw:    `local fo = assert(conn:open("failover-state", {name = LAB.failover_peer})); forced(fo.handle, {["local-state"] = omapi.u32(44)})`,
			logged: "Impossible case at failover.c:1716",
		},
		{
			name:  "zero-length lease state",
			setup: `ls = assert(conn:open("lease", {ip = LAB.active.ip}))`,
			api:   `return ls:update{state = omapi.raw("")}`,
			want:  []string{"lease state", "zero-length", "would crash dhcpd"},
			raw:   `forced(ls.handle, {state = omapi.raw("")})`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			L, l := policyLab(t, nil)
			doString(t, L, tc.setup)
			doString(t, L, `refused({`+luaStrings(tc.want)+`}, function() `+tc.api+` end)`)
			if l.PID() == 0 {
				t.Fatal("dhcpd died from the refused write")
			}
			// With the checks off, dhcpd dies.
			doString(t, L, `pcall(function() `+tc.raw+` end)`)
			if !waitExit(l) {
				t.Fatal("dhcpd still runs after the forced write")
			}
			if tc.logged != "" && !strings.Contains(l.Log(), tc.logged) {
				t.Errorf("dhcpd's log does not say %q:\n%s", tc.logged, l.Log())
			}
		})
	}
}

func TestPolicyLabLeasesFile(t *testing.T) {
	for _, tc := range []struct {
		name     string
		setup    string
		api      string
		want     []string
		raw      string
		complain string // in dhcpd -T's complaints about the forced write
	}{
		{
			name:     "lease tstp becomes a binding variable",
			setup:    `ls = assert(conn:open("lease", {ip = LAB.active.ip}))`,
			api:      `return ls:update({tstp = 5}, {force = true, raw = true})`,
			want:     []string{"lease tstp = ", "would corrupt dhcpd's leases file", "binding variable"},
			raw:      `forced(ls.handle, {tstp = 5})`,
			complain: "tstp",
		},
		{
			name:     "host name with a space",
			api:      `return conn:create("host", {name = "sp ace", mac = "00:00:5e:00:53:c1"})`,
			want:     []string{`host name = "sp ace"`, "a space at byte 2", "would corrupt"},
			raw:      `forced_create("host", {name = "sp ace", ["hardware-address"] = omapi.mac("00:00:5e:00:53:c1"), ["hardware-type"] = 1})`,
			complain: "expecting left brace",
		},
		{
			name:     "host name over the lexer's buffer",
			api:      `return conn:add_host_supersede_name("192.0.2.91", "00:00:5e:00:53:c2", string.rep("z", 1500))`,
			want:     []string{"host name", "1500 bytes", "1499"},
			raw:      `forced_create("host", {name = string.rep("z", 1500), ["hardware-address"] = omapi.mac("00:00:5e:00:53:c2"), ["hardware-type"] = 1})`,
			complain: "token larger than internal buffer",
		},
		{
			name:     "host name starting with _",
			api:      `return conn:create_many("host", {{name = "ok1", mac = "00:00:5e:00:53:c3"}, {name = "_u", mac = "00:00:5e:00:53:c4"}})`,
			want:     []string{"entry 2", `host name = "_u"`, "nothing was sent"},
			raw:      `forced_create("host", {name = "_u", ["hardware-address"] = omapi.mac("00:00:5e:00:53:c4"), ["hardware-type"] = 1})`,
			complain: "expecting a name for host declaration",
		},
		{
			name:     "group named by a number",
			api:      `return conn:add_group("123", "default-lease-time 600;")`,
			want:     []string{`group name = "123"`, "a number is not a name"},
			raw:      `forced_create("group", {name = "123", statements = "default-lease-time 600;"})`,
			complain: "expecting left brace",
		},
		{
			name:     "class name with a quote",
			api:      `return conn:open("class", {name = 'cl"x'}, {create = true})`,
			want:     []string{"class name", `"\"" at byte 2`},
			raw:      `forced_create("class", {name = 'cl"x'})`,
			complain: "line",
		},
		{
			name:     "subclass hash string with a quote",
			setup:    `assert(conn:create("class", {name = "pc"}))`,
			api:      `return conn:create("subclass", {name = "pc", hashstring = 'a"b'})`,
			want:     []string{"subclass hashstring", "printable hash string"},
			raw:      `forced_create("subclass", {name = "pc", hashstring = 'a"b'})`,
			complain: "line",
		},
		{
			name:     "statements with an escaped quote",
			api:      `return conn:add_host_supersede("192.0.2.92", "00:00:5e:00:53:c5", "qst", 'a"b')`,
			want:     []string{"host statements", "escape at byte", "would corrupt"},
			raw:      `forced_create("host", {name = "qst", ["hardware-address"] = omapi.mac("00:00:5e:00:53:c5"), ["hardware-type"] = 1, statements = 'supersede host-name "a\\"b";'})`,
			complain: "semicolon expected",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			L, l := policyLab(t, nil)
			doString(t, L, tc.setup)
			doString(t, L, `refused({`+luaStrings(tc.want)+`}, function() `+tc.api+` end)`)
			if cs := leasesComplaints(t, l); len(cs) > 0 {
				t.Fatalf("the leases file has complaints before the forced write: %q", cs)
			}
			labtest.ExpectLeasesComplaint(t, l, tc.complain)
			doString(t, L, `assert(`+tc.raw+`)`)
			cs := leasesComplaints(t, l)
			if !strings.Contains(strings.Join(cs, "\n"), tc.complain) {
				t.Fatalf("after the forced write, dhcpd -T says %q, want a complaint with %q", cs, tc.complain)
			}
			t.Logf("dhcpd -T after the forced write: %q", cs)
		})
	}
}

// TestPolicyLabLostHost: a host whose name is not printable ASCII is kept
// in memory but never written (server/db.c:311), so it is gone at the next
// start, though dhcpd answered the create.
func TestPolicyLabLostHost(t *testing.T) {
	L, l := policyLab(t, nil)
	doString(t, L, `refused({"host name", "non-ASCII byte 0xc3 at byte 4"}, function()
		return conn:add_host_supersede_name("192.0.2.93", "00:00:5e:00:53:c6", "syncü") end)`)
	doString(t, L, `
		forced_create("host", {name = "syncü", ["hardware-address"] = omapi.mac("00:00:5e:00:53:c6"), ["hardware-type"] = 1})
		assert(conn:lookup_by_host{mac = "00:00:5e:00:53:c6"}, "dhcpd has the host in memory")`)
	if b, err := os.ReadFile(l.LeasesFile()); err != nil || strings.Contains(string(b), "00:00:5e:00:53:c6") {
		t.Fatalf("the host is in the leases file (%v)", err)
	}
	if err := l.Restart(t.Context()); err != nil {
		t.Fatal(err)
	}
	doString(t, L, `
		conn = assert(omapi.connect())
		local r, msg, code = conn:lookup_by_host{mac = "00:00:5e:00:53:c6"}
		assert(code == "not-found", "after a restart: " .. tostring(msg))`)
}

// TestPolicyLabNames: unknown attribute names and keys dhcpd ignores are
// refused with a "did you mean"; dhcpd itself ignores them.
func TestPolicyLabNames(t *testing.T) {
	L, _ := policyLab(t, nil)
	doString(t, L, `
		-- dhcpd ignores a key it does not know: the lease comes back as if it were fine
		local m = omapi.message.open("lease"):update_object{["ip-address"] = omapi.ip(LAB.active.ip), hostname = "nothing-like-it"}
		local reply = assert(conn:query(m, {force = true}))
		assert(reply.op == omapi.UPDATE, "dhcpd did not ignore hostname")
		refused({'"hostname"', 'did you mean "client-hostname"'}, function()
			return conn:lookup_by_lease{ip = LAB.active.ip, hostname = "x"} end)
		refused({"did you mean", "nothing was sent"}, function()
			return conn:lookup_many("lease", {{ip = LAB.active.ip}, {ip = LAB.active.ip, hostname = "x"}}) end)
		refused({'did you mean "ip-address"'}, function() return conn:open("lease", {ipaddr = LAB.active.ip}) end)
		refused({"ignores client-hostname"}, function() return conn:open("lease", {["client-hostname"] = "client150"}) end)
		refused({"did you mean"}, function() return conn:query(omapi.message.open("lease"):update_object{hostname = "x"}) end)
		refused({"entry 1"}, function() return conn:query_many({omapi.message.open("lease"):update_object{hostname = "x"}}) end)
		-- the escapes: raw=true, omapi.raw, pypureomapi's short keys
		assert(conn:lookup_by_lease({ip = LAB.active.ip, hostname = "x"}, {raw = true}))
		assert(conn:lookup_by_lease{ip = LAB.active.ip, hostname = omapi.raw("x")})
		assert(conn:lookup_by_lease{ip = LAB.active.ip, raw = true, hostname = "x"})
		assert(conn:lookup_by_host{mac = LAB.static.mac})
		assert(conn:open("host", {hardware_address = LAB.static.mac}))
		-- omapi.check, without sending
		local before = sent()
		assert(omapi.check("host", {name = "web1", mac = "00:00:5e:00:53:81"}, {create = true}))
		local ok, msg, code = omapi.check("lease", {hostname = "x"}, {lookup = true})
		assert(ok == nil and code == "refused" and msg:find("client-hostname", 1, true), msg)
		ok, msg, code = omapi.check("failover-state", {["local-state"] = 99})
		assert(ok == nil and code == "refused" and msg:find("would crash"), msg)
		assert(omapi.check("failover-state", {["local-state"] = "partner-down"}))
		assert(sent() == before, "omapi.check sent something")
	`)
}

// TestPolicyLabIgnored: dhcpd answers success to writes it ignores; the
// object then shows what the server holds, and update says which
// attributes were left unchanged.
func TestPolicyLabIgnored(t *testing.T) {
	L, _ := policyLab(t, nil)
	doString(t, L, `
		-- with the checks off: success, and nothing changed
		local fo = assert(conn:open("failover-state", {name = LAB.failover_peer}))
		local mclt = fo.mclt
		assert(mclt ~= 120)
		local reply = assert(forced(fo.handle, {mclt = 120}))
		assert(reply.op == omapi.STATUS and reply.message.result == 0, "dhcpd refused mclt")
		assert(fo:refresh().mclt == mclt, "dhcpd changed mclt")

		local ok, unchanged = fo:update{mclt = 120}
		assert(ok == true)
		assert(type(unchanged) == "table" and #unchanged == 1 and unchanged[1] == "mclt", "unchanged: " .. omapi.json(unchanged))
		assert(fo.mclt == mclt, "the object shows " .. tostring(fo.mclt) .. ", the server holds " .. mclt)

		local ls = assert(conn:open("lease", {ip = LAB.active.ip}))
		ok, unchanged = ls:update{["client-hostname"] = "renamed"}
		assert(ok == true and unchanged and #unchanged == 1 and unchanged[1] == "client-hostname", tostring(ok) .. " " .. omapi.json(unchanged))
		assert(ls["client-hostname"] == LAB.active.hostname, tostring(ls["client-hostname"]))

		-- ends re-commits the lease: it asks first, and then the object shows
		-- what dhcpd did (the active lease became free, without its hostname)
		assert(not pcall(ls.update, ls, {ends = ls.ends + 60}))
		ok, unchanged = ls:update({ends = ls.ends + 60}, {force = true})
		assert(ok == true and unchanged == nil)
		assert(ls.state == 1 and ls["client-hostname"] == nil, "state " .. ls.state)

		-- a write dhcpd takes: one result only
		local h = assert(conn:create("host", {name = "movable", mac = "00:00:5e:00:53:c7", ip = "192.0.2.94"}))
		ok, unchanged = h:update{ip = "192.0.2.95"}
		assert(ok == true and unchanged == nil, omapi.json(unchanged))
		assert(h.ip == "192.0.2.95")
	`)
}

// TestPolicyLabFailoverHazard: failover states by name; a state change asks
// first, and a script needs {force=true}.
func TestPolicyLabFailoverHazard(t *testing.T) {
	var asked []string
	answer := false
	L, l := policyLab(t, func(w string) bool { asked = append(asked, w); return answer })
	doString(t, L, `
		fo = assert(conn:open("failover-state", {name = LAB.failover_peer}))
		local before = sent()
		local r, msg, code = fo:update{["local-state"] = "partner-down"}
		assert(r == nil and code == "canceled" and msg:find("declined"), tostring(msg))
		assert(sent() == before, "sent though declined")
	`)
	if len(asked) != 1 || !strings.Contains(asked[0], "partner-down (4) changes who serves") {
		t.Fatalf("asked %q", asked)
	}
	answer = true
	doString(t, L, `
		assert(fo:update{["local-state"] = omapi.failover_states["partner-down"]})
		assert(fo["local-state"] == 4, "local-state " .. tostring(fo["local-state"]))
	`)
	if len(asked) != 2 {
		t.Fatalf("asked %d times", len(asked))
	}
	if l.PID() == 0 {
		t.Fatal("dhcpd died")
	}
	// A script (no Confirm) needs force.
	L2 := newState(t, labOptions(l))
	L2.SetGlobal("LAB", labTable(L2, l))
	err := L2.DoString(`
		local conn = assert(omapi.connect())
		local fo = assert(conn:open("failover-state", {name = LAB.failover_peer}))
		fo:update{["local-state"] = "normal"}`)
	if err == nil || !strings.Contains(err.Error(), "pass {force=true}") {
		t.Fatalf("without force: %v", err)
	}
	doString(t, L2, `
		local conn = assert(omapi.connect())
		local fo = assert(conn:open("failover-state", {name = LAB.failover_peer}))
		assert(fo:update({["local-state"] = "normal"}, {force = true}))`)
	if cs := leasesComplaints(t, l); len(cs) > 0 {
		t.Fatalf("leases file: %q", cs)
	}
}

// luaStrings renders Go strings as the items of a Lua table constructor.
func luaStrings(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = luaQuote(s)
	}
	return strings.Join(q, ", ")
}

func luaQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, c := range []byte(s) {
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&b, "\\%03d", c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// TestPolicyLabEveryPath: each path that writes refuses before sending.
func TestPolicyLabEveryPath(t *testing.T) {
	L, l := policyLab(t, nil)
	doString(t, L, `
		local mac = "00:00:5e:00:53:d1"
		local h = assert(conn:open("host", {name = LAB.static.name}))
		local fo = assert(conn:open("failover-state", {name = LAB.failover_peer}))
		local calls = {
			{"add_host_supersede_name", function() return conn:add_host_supersede_name("192.0.2.96", mac, "a b") end},
			{"add_host_supersede", function() return conn:add_host_supersede("192.0.2.96", mac, "ok", nil, nil, 'd\\o') end},
			{"add_group", function() return conn:add_group("g.1", "default-lease-time 600;") end},
			{"add_host_with_group", function() return conn:add_host_with_group("192.0.2.96", mac, 'g"') end},
			{"change_group", function() return conn:change_group(LAB.static.name, 'g"') end},
			{"open create", function() return conn:open("host", {name = "a b", mac = mac}, {create = true}) end},
			{"open update", function() return conn:open("failover-state", {name = LAB.failover_peer, ["local-state"] = 12}, {update = true}) end},
			{"create", function() return conn:create("group", {name = "1", statements = "default-lease-time 600;"}) end},
			{"update", function() return h:update{statements = 'supersede host-name "\\x5c";'} end},
			{"update forced", function() return fo:update({["local-state"] = 200}, {force = true}) end},
			{"lookup_by_lease", function() return conn:lookup_by_lease{ip = LAB.active.ip, hostnme = "x"} end},
			{"lookup_by_host", function() return conn:lookup_by_host{name = LAB.static.name, group = "x"} end},
			{"lookup_many", function() return conn:lookup_many("host", {{nmae = "x"}}) end},
			{"lookup_each", function() return conn:lookup_each("lease", {{ip = LAB.active.ip, hostname = "x"}}, function() end) end},
			{"open_many", function() return conn:open_many("host", {{name = "ok2", mac = mac}, {name = "a b", mac = mac}}, {create = true}) end},
			{"create_many", function() return conn:create_many("lease", {{["ip-address"] = LAB.free.ip, tstp = 1}}) end},
			{"query", function() return conn:query(omapi.message.update(fo.handle):update_object{["local-state"] = omapi.u32(99)}) end},
			{"query_many", function() return conn:query_many{omapi.message.update(h.handle):update_object{name = ""}} end},
		}
		for _, c in ipairs(calls) do
			local ok, err = pcall(refused, {}, c[2])
			assert(ok, c[1] .. ": " .. tostring(err))
		end
	`)
	if l.PID() == 0 {
		t.Fatal("dhcpd died")
	}
	if cs := leasesComplaints(t, l); len(cs) > 0 {
		t.Fatalf("leases file: %q", cs)
	}
}
