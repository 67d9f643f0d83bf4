package scripts

import (
	"bytes"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/omapish/omapish/luaapi"
)

var names = []string{"failover-state", "failover-status", "host-find", "host-move", "hosts", "hosts-sync", "inspect", "lease-compare", "lease-scan", "leases", "unused-ips"}

func TestList(t *testing.T) {
	list := List()
	var got []string
	for _, s := range list {
		got = append(got, s.Name)
		if s.Summary == "" || strings.HasPrefix(s.Summary, "-") {
			t.Errorf("%s: summary %q", s.Name, s.Summary)
		}
	}
	if strings.Join(got, " ") != strings.Join(names, " ") {
		t.Errorf("List() = %v, want %v", got, names)
	}
}

func TestLookup(t *testing.T) {
	for _, name := range []string{"lease-scan", "lease-scan.lua"} {
		chunk, body, ok := Lookup(name)
		if !ok || chunk != "lease-scan.lua" || !bytes.HasPrefix(body, []byte("-- ")) {
			t.Errorf("Lookup(%q) = %q, %d bytes, %v", name, chunk, len(body), ok)
		}
	}
	for _, name := range []string{"", ".lua", "nosuch", "scripts.go", "../scripts/lease-scan", "./lease-scan", "lease-scan.lua.lua"} {
		if _, _, ok := Lookup(name); ok {
			t.Errorf("Lookup(%q) found a script", name)
		}
	}
}

func TestSummary(t *testing.T) {
	for src, want := range map[string]string{
		"-- Does a thing.\n-- more\n":           "Does a thing.",
		"#!/usr/bin/env omapish\n\n--- Title\n": "Title",
		"local x = 1\n-- late comment\n":        "",
		"":                                      "",
	} {
		if got := summary([]byte(src)); got != want {
			t.Errorf("summary(%q) = %q, want %q", src, got, want)
		}
	}
}

// run runs a saved script with args in a state whose os.exit, io.write,
// print and io.stderr are captured, and returns the exit status and the
// output. omapi.connect raises an error: the paths tested here end before
// the script connects.
func run(t *testing.T, name string, args ...string) (status int, stdout, stderr string) {
	t.Helper()
	return runWith(t, `omapi.connect = function() error("the script tried to connect") end`, name, args...)
}

// runWith is run with Lua code run first, e.g. to fake omapi.connect.
func runWith(t *testing.T, setup, name string, args ...string) (status int, stdout, stderr string) {
	t.Helper()
	chunk, body, ok := Lookup(name)
	if !ok {
		t.Fatalf("no script %s", name)
	}
	L := captureState(t)
	if err := L.DoString(setup); err != nil {
		t.Fatal(err)
	}
	argT := L.NewTable()
	argT.RawSetInt(0, lua.LString(name))
	for i, a := range args {
		argT.RawSetInt(i+1, lua.LString(a))
	}
	L.SetGlobal("arg", argT)
	fn, err := L.Load(bytes.NewReader(body), chunk)
	if err != nil {
		t.Fatalf("%s does not compile: %v", name, err)
	}
	return runCaptured(t, L, fn)
}

// captureState returns a state with the omapi module and the scripts'
// library, whose os.exit, io.write, print and io.stderr are captured
// (runCaptured returns them).
func captureState(t *testing.T) *lua.LState {
	t.Helper()
	L := lua.NewState()
	t.Cleanup(L.Close)
	t.Cleanup(func() { luaapi.CloseAll(L) })
	luaapi.Preload(L, luaapi.Options{})
	Preload(L)
	if err := L.DoString(`
		OUT, ERR = {}, {}
		io.write = function(...) for _, s in ipairs{...} do OUT[#OUT + 1] = tostring(s) end end
		print = function(...)
			local t = {}
			for i = 1, select("#", ...) do t[i] = tostring(select(i, ...)) end
			OUT[#OUT + 1] = table.concat(t, "\t") .. "\n"
		end
		io.stderr = { write = function(self, ...)
			for _, s in ipairs{...} do ERR[#ERR + 1] = tostring(s) end
			return self
		end }
		EXIT = {}
		os.exit = function(code) error(setmetatable({ code = code or 0 }, EXIT)) end
	`); err != nil {
		t.Fatal(err)
	}
	return L
}

// runCaptured runs fn in a captureState and returns the status it exited
// with (0 when it returned) and what it wrote.
func runCaptured(t *testing.T, L *lua.LState, fn *lua.LFunction) (status int, stdout, stderr string) {
	t.Helper()
	L.Push(fn)
	if err := L.PCall(0, 0, nil); err != nil {
		ae, ok := err.(*lua.ApiError)
		tbl, isTable := ae.Object.(*lua.LTable)
		if !ok || !isTable {
			t.Fatalf("%v", err)
		}
		status = int(lua.LVAsNumber(tbl.RawGetString("code")))
	}
	join := func(global string) string {
		var b strings.Builder
		L.GetGlobal(global).(*lua.LTable).ForEach(func(_, v lua.LValue) { b.WriteString(v.String()) })
		return b.String()
	}
	return status, join("OUT"), join("ERR")
}

// TestUsage checks the conventions every script keeps: a summary and a
// usage comment at the top, --help (and -h) on stdout with exit 0, and bad
// arguments as a usage error on stderr with exit 2.
func TestUsage(t *testing.T) {
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			_, body, _ := Lookup(name)
			if !bytes.Contains(body[:min(len(body), 600)], []byte("-- Usage: omapish "+name+" ")) {
				t.Errorf("no usage comment at the top")
			}
			for _, help := range []string{"--help", "-h"} {
				status, out, errOut := run(t, name, help)
				if status != 0 || !strings.HasPrefix(out, "Usage: omapish "+name+" ") || errOut != "" {
					t.Errorf("%s: status %d, stdout %.60q, stderr %q", help, status, out, errOut)
				}
				if !strings.Contains(out, "Exit status") {
					t.Errorf("%s: the help does not document the exit status", help)
				}
			}
			status, out, errOut := run(t, name, "--no-such-option")
			if status != 2 || out != "" || !strings.Contains(errOut, name+": unknown option --no-such-option") ||
				!strings.Contains(errOut, "omapish "+name+" --help") {
				t.Errorf("bad option: status %d, stdout %q, stderr %q", status, out, errOut)
			}
		})
	}
}

// TestBadArguments checks argument errors found before connecting.
func TestBadArguments(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"lease-scan", nil, "no address range given"},
		{"lease-scan", []string{"192.0.2.9-192.0.2.1"}, "before the first"},
		{"lease-scan", []string{"10.0.0.0/8"}, "scan smaller ranges"},
		{"lease-scan", []string{"192.0.2.0/24", "--state", "bogus"}, "unknown state"},
		{"lease-scan", []string{"192.0.2.0/24", "--state", "9"}, "no such lease state"},
		{"lease-scan", []string{"192.0.2.0/24", "--mac", "zz"}, "hex digits expected"},
		{"lease-scan", []string{"192.0.2.0/24", "--hostname", "[a-"}, "bad glob pattern"},
		{"lease-scan", []string{"192.0.2.0/24", "--hostname", "~[a-"}, "bad Lua pattern"},
		{"lease-scan", []string{"192.0.2.0/24", "--format", "xml"}, "table, csv or json expected"},
		{"lease-scan", []string{"192.0.2.0/24", "--chunk", "0"}, "--chunk must be"},
		{"hosts-sync", nil, "one FILE expected"},
		{"hosts-sync", []string{"hosts.txt"}, "give --format csv or --format toml"},
		{"hosts-sync", []string{"/nonexistent/hosts.csv"}, "no such file or directory"},
		{"host-find", nil, "one WHAT expected"},
		{"host-find", []string{"x", "--as", "mac"}, "x is not a MAC address"},
		{"host-find", []string{"x", "--as", "ip"}, "x is not an IPv4 address"},
		{"host-find", []string{"x", "--as", "thing"}, "ip, mac, name or client-id expected"},
		{"failover-status", []string{"--conf", "/nonexistent.conf"}, "cannot read --conf"},
		{"inspect", []string{"lease"}, "TYPE and at least one KEY=VALUE expected"},
		{"inspect", []string{"lease", "192.0.2.1"}, "KEY=VALUE expected"},
		{"inspect", []string{"lease", "ip="}, "has no value"},
		{"inspect", []string{"pool", "handle=x"}, "a handle number expected"},
		{"inspect", []string{"pool", "handle=4", "name=x"}, "cannot be combined"},
		{"host-move", nil, "one HOST"},
		{"host-move", []string{"static1"}, "nothing to change"},
		{"host-move", []string{"static1", "--ip", "300.1.1.1"}, "not an IPv4 address"},
		{"host-move", []string{"static1", "--group", "g", "--statements", "x", "--no-statements"}, "contradict"},
	} {
		status, out, errOut := run(t, c.name, c.args...)
		if status != 2 || out != "" || !strings.Contains(errOut, c.want) {
			t.Errorf("%s %v: status %d, stdout %q, stderr %q; want 2 and %q", c.name, c.args, status, out, errOut, c.want)
		}
	}
}

// TestFailoverVerdicts checks failover-status's exit statuses against a
// fake connection: the lab's peer never reaches normal, so the OK verdict
// and the order of the verdicts are tested here.
func TestFailoverVerdicts(t *testing.T) {
	fake := func(states string) string {
		return `
			local states = ` + states + `
			omapi.connect = function()
				return {
					lookup_many = function(self, typ, keys)
						assert(typ == "failover-state")
						local out = {}
						for i, k in ipairs(keys) do
							out[i] = states[k.name] or { error = "no object matches", code = "not-found" }
						end
						return out
					end,
					close = function() return true end,
				}
			end`
	}
	normal := `{ ["local-state"] = 2, ["partner-state"] = 2, ["local-stos"] = 1795713811, ["partner-stos"] = 1795713811,
		hierarchy = 1, mclt = 3600, ["last-packet-sent"] = 1795713900, ["last-timestamp-received"] = 1795713901,
		skew = 0, ["cur-unacked-updates"] = 0, ["max-outstanding-updates"] = 10 }`
	recovering := `{ ["local-state"] = 6, ["partner-state"] = 0, hierarchy = 0 }`
	timeout := `{ error = "timed out", code = "timeout" }`
	for _, c := range []struct {
		states string
		args   []string
		status int
		want   string
	}{
		{`{ a = ` + normal + ` }`, []string{"a"}, 0, "FAILOVER OK - a normal\n"},
		{`{ a = ` + normal + `, b = ` + normal + ` }`, []string{"a", "b", "--brief"}, 0, "FAILOVER OK - a normal; b normal\n"},
		{`{ a = ` + normal + `, b = ` + recovering + ` }`, []string{"a", "b"}, 1, "FAILOVER WARNING - a normal; b recover, partner unknown\n"},
		{`{ a = ` + timeout + `, b = ` + recovering + ` }`, []string{"a", "b", "--brief"}, 3, "FAILOVER UNKNOWN - a: timed out; b recover, partner unknown\n"},
		{`{ a = ` + timeout + ` }`, []string{"a", "nosuch", "--brief"}, 2, "FAILOVER CRITICAL - a: timed out; nosuch: not a failover peer of this dhcpd\n"},
	} {
		status, out, errOut := runWith(t, fake(c.states), "failover-status", c.args...)
		if status != c.status || !strings.HasPrefix(out, c.want) || errOut != "" {
			t.Errorf("%v: status %d, stdout %q, stderr %q; want %d, %q", c.args, status, out, errOut, c.status, c.want)
		}
	}
	status, out, _ := runWith(t, fake(`{ a = `+normal+` }`), "failover-status", "a")
	for _, want := range []string{"a (secondary)", "local state          normal (2) since 2026-11-26T17:23:31Z",
		"last packet sent     2026-11-26T17:25:00Z", "unacked updates      0 of 10"} {
		if status != 0 || !strings.Contains(out, want) {
			t.Errorf("details: status %d, no %q in\n%s", status, want, out)
		}
	}
}
