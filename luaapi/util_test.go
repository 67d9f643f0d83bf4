package luaapi

import (
	"bytes"
	"os"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// The helpers are tested from Lua, as scripts use them. Each chunk asserts
// with a message naming the case, so a failure says which one.

func TestIPRange(t *testing.T) {
	L := newState(t, Options{})
	doString(t, L, `
		local util = require "omapish.util"
		for _, c in ipairs{
			{"192.0.2.10-192.0.2.20", "192.0.2.10", "192.0.2.20", 11},
			{" 192.0.2.10 - 192.0.2.10 ", "192.0.2.10", "192.0.2.10", 1},
			{"192.0.2.0/24", "192.0.2.0", "192.0.2.255", 256},
			{"192.0.2.77/24", "192.0.2.0", "192.0.2.255", 256},
			{"10.0.0.0/16", "10.0.0.0", "10.0.255.255", 65536},
			{"0.0.0.0/0", "0.0.0.0", "255.255.255.255", 4294967296},
			{"192.0.2.9", "192.0.2.9", "192.0.2.9", 1},
			{"192.0.2.9/32", "192.0.2.9", "192.0.2.9", 1},
		} do
			local a, b, n = util.ip_range(c[1])
			assert(a == c[2] and b == c[3] and n == c[4],
				c[1] .. ": got " .. tostring(a) .. " " .. tostring(b) .. " " .. tostring(n))
		end
		for _, c in ipairs{
			{"192.0.2.20-192.0.2.10", "before the first"},
			{"192.0.2.1-x", "not an IPv4 address"},
			{"192.0.2.0/33", "not an IPv4 CIDR"},
			{"2001:db8::/64", "not an IPv4 CIDR"},
			{"host.example", "not an IPv4 address"},
			{"", "not an IPv4 address"},
		} do
			local a, msg = util.ip_range(c[1])
			assert(a == nil and msg:find(c[2], 1, true), c[1] .. ": " .. tostring(msg))
		end

		-- ips iterates in order, over the end of an octet and up to the last address
		local got = {}
		for i, ip in util.ips("192.0.2.254-192.0.3.1") do got[#got+1] = i .. "=" .. ip end
		assert(table.concat(got, " ") == "1=192.0.2.254 2=192.0.2.255 3=192.0.3.0 4=192.0.3.1", table.concat(got, " "))
		got = {}
		for _, ip in util.ips("255.255.255.254/31") do got[#got+1] = ip end
		assert(table.concat(got, " ") == "255.255.255.254 255.255.255.255", table.concat(got, " "))
		local n = 0
		for _ in util.ips("10.1.0.0/16") do n = n + 1 end
		assert(n == 65536, n)
		local ok, err = pcall(util.ips, "nope")
		assert(not ok and err:find("ips") and err:find("not an IPv4 address"), tostring(err))
	`)
}

func TestCSV(t *testing.T) {
	L := newState(t, Options{})
	doString(t, L, `
		local util = require "omapish.util"
		local function same(a, b, what)
			assert(omapi.json(a) == omapi.json(b), what .. ": got " .. omapi.json(a) .. ", want " .. omapi.json(b))
		end
		local text = '\239\187\191name, mac,ip\n# a comment\n\nweb1,00:00:5e:00:53:a1,192.0.2.61\n' ..
			'"web, two","00:00:5e:00:53:a2",""\n"multi\nline",x,"say ""hi"""\n'
		local rows, lines = util.csv_decode(text, true)
		same(rows, {
			{name="web1", mac="00:00:5e:00:53:a1", ip="192.0.2.61"},
			{name="web, two", mac="00:00:5e:00:53:a2", ip=""},
			{name="multi\nline", mac="x", ip='say "hi"'},
		}, "with header")
		same(lines, {4, 5, 6}, "lines")

		rows = util.csv_decode("a,b\nc,d\n")
		same(rows, {{"a", "b"}, {"c", "d"}}, "without header")
		rows = util.csv_decode("")
		assert(#rows == 0, "empty text")

		for _, c in ipairs{
			{"a,b\nc\n", "line 2"},
			{'a,"b\n', "line 1"},
			{"name,,ip\n", "column 2 has no name"},
			{"name,ip,name\n", 'column "name" named twice'},
		} do
			local r, msg = util.csv_decode(c[1], true)
			assert(r == nil and msg:find(c[2], 1, true), c[1] .. ": " .. tostring(msg))
		end

		-- encode quotes what needs it and round-trips
		local line = util.csv_encode{"plain", "with,comma", 'q"uote', " lead", 42, true, ""}
		assert(line == 'plain,"with,comma","q""uote"," lead",42,true,', line)
		local back = util.csv_decode(util.csv_encode{"a\nb", "c"} .. "\n")
		same(back, {{"a\nb", "c"}}, "round trip")
		local ok, err = pcall(util.csv_encode, {"a", {}})
		assert(not ok and err:find("field 2"), tostring(err))
		ok, err = pcall(util.csv_encode, {})
		assert(not ok and err:find("at least one field"), tostring(err))
	`)
}

func TestTOML(t *testing.T) {
	L := newState(t, Options{})
	doString(t, L, `
		local util = require "omapish.util"
		local t = assert(util.toml_decode[==[
title = "hosts"
count = 3
ratio = 0.5
on = true
when = 2026-11-26T17:00:00Z
day = 2026-11-26
at = 17:00:00
local = 2026-11-26T17:00:00
list = [1, "two"]

[[host]]
name = "web1"
mac = "00:00:5e:00:53:a1"

[[host]]
name = "old1"
absent = true

[group.inner]
x = 1
]==])
		assert(t.title == "hosts" and t.count == 3 and t.ratio == 0.5 and t.on == true, "scalars")
		assert(t.when == "2026-11-26T17:00:00Z", t.when)
		assert(t.day == "2026-11-26", t.day)
		assert(t.at == "17:00:00", t.at)
		assert(t["local"] == "2026-11-26T17:00:00", t["local"])
		assert(t.list[1] == 1 and t.list[2] == "two", "array")
		assert(#t.host == 2 and t.host[1].name == "web1" and t.host[2].absent == true, "array of tables")
		assert(t.group.inner.x == 1, "nested table")

		local r, msg = util.toml_decode("a = 1\nb = = 2\n")
		assert(r == nil and msg:find("line 2", 1, true), tostring(msg))
		r, msg = util.toml_decode("a = 1\na = 2\n")
		assert(r == nil and msg:find("line 2", 1, true), tostring(msg))
	`)
}

func TestGlob(t *testing.T) {
	L := newState(t, Options{})
	doString(t, L, `
		local util = require "omapish.util"
		for _, c in ipairs{
			{"client*", "client150", true},
			{"client*", "xclient150", false},
			{"client1?0", "client150", true},
			{"client1[0-4]*", "client150", false},
			{"client1[!0-4]*", "client150", true},
			{"client1[^0-4]*", "client150", true},
			{"a\\[!x]", "a[!x]", true},
			{"*", "", true},
			{"a\\*", "a*", true},
			{"a\\*", "ab", false},
			{"Client*", "client1", false},
		} do
			assert(util.glob(c[1], c[2]) == c[3], c[1] .. " ~ " .. c[2])
		end
		local r, msg = util.glob("[a-", "b")
		assert(r == nil and msg:find("bad glob pattern"), tostring(msg))
		r, msg = util.glob("x[a-", "y")
		assert(r == nil and msg:find("bad glob pattern"), tostring(msg))
	`)
}

func TestIsatty(t *testing.T) {
	// A buffer is not a terminal; neither is a pipe.
	L := newState(t, Options{Stdout: &bytes.Buffer{}})
	doString(t, L, `assert(require("omapish.util").isatty("stdout") == false, "stdout buffer")`)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	L.SetGlobal("FD", lua.LNumber(w.Fd()))
	doString(t, L, `
		local util = require "omapish.util"
		assert(util.isatty(FD) == false, "pipe")
		assert(type(util.isatty("stderr")) == "boolean")
		local ok, err = pcall(util.isatty, "stdwhat")
		assert(not ok and err:find("isatty"), tostring(err))
		ok, err = pcall(util.isatty, -1)
		assert(not ok and err:find("file descriptor expected"), tostring(err))
	`)
	L = newState(t, Options{Stdout: w})
	doString(t, L, `assert(require("omapish.util").isatty("stdout") == false, "stdout pipe")`)
}

func TestKindDecodeHex(t *testing.T) {
	L := newState(t, Options{})
	doString(t, L, `
		local util = require "omapish.util"
		assert(omapi.kind("lease", "ip-address") == "ip")
		assert(omapi.kind("host", "ip-address") == "ips")
		assert(omapi.kind("lease", "ends") == "time")
		assert(omapi.kind("lease", "flags") == "flags")
		assert(omapi.kind("failover-state", "partner-address") == "ip")
		assert(omapi.kind("lease", "pool") == "handle")
		local k, known = omapi.kind("lease", "my-variable")
		assert(k == "bytes" and known == false, "unknown attribute")
		k, known = omapi.kind("lease", "state")
		assert(k == "uint32" and known == true, "known attribute")

		assert(omapi.decode("ip", "\192\0\2\150") == "192.0.2.150")
		local v, why = omapi.decode("ip", "\1\2\3\4\5\6\7\8")
		assert(v == nil and why == "8 bytes, want 4", tostring(why))
		assert(omapi.decode("uint32", "\0\0\1\0") == 256)
		assert(omapi.decode("time", "\127\255\255\255") == 0x7fffffff)
		assert(omapi.decode("mac", "\0\0\94\0\83\80") == "00:00:5e:00:53:50")
		assert(omapi.decode("bool", "\0\0\0\1") == true)
		assert(omapi.decode("flags", "\4") == 4)
		local ips = omapi.decode("ips", "\192\0\2\1\192\0\2\2")
		assert(ips[1] == "192.0.2.1" and ips[2] == "192.0.2.2", "ips")
		assert(omapi.decode("string", "abc") == "abc")
		assert(omapi.decode("bytes", "\0\1") == "\0\1")
		v, why = omapi.decode("mac", "")
		assert(v == nil and why:find("0 bytes"), tostring(why))
		local ok, err = pcall(omapi.decode, "ipv6", "x")
		assert(not ok and err:find("unknown kind"), tostring(err))

		assert(omapi.hex("\192\0\2\150") == "c0000296")
		assert(omapi.hex("\192\0\2\150", " ") == "c0 00 02 96")
		assert(omapi.hex("") == "")
	`)
}

// TestUtilAliases: the helpers are in omapish.util, and under their old
// names in the omapi table (for one release), as the same functions.
func TestUtilAliases(t *testing.T) {
	L := newState(t, Options{})
	doString(t, L, `
		local util = require "omapish.util"
		local n = 0
		for name, fn in pairs(util) do
			assert(type(fn) == "function", name)
			assert(omapi[name] == fn, "omapi." .. name .. " is not util." .. name)
			n = n + 1
		end
		assert(n == 8, n .. " helpers")
		assert(require("omapish.util") == util, "one table")
	`)
}
