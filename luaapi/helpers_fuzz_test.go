package luaapi

import (
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// FuzzHelpers feeds arbitrary text to the helpers scripts use on input
// they read from files and command lines — csv_decode, toml_decode, glob,
// ip_range and ips, getopt, unhex, hexdump, hex, kind, decode: each
// returns a value, returns nil and a message, or raises a Lua error; none
// may fail in Go (a panic the module's guard turns into an "internal
// error").
func FuzzHelpers(f *testing.F) {
	f.Add("name,ip\nhost1,192.0.2.1\n", "h*[0-9]", "--mac 00:11:22:33:44:55 -v a.csv")
	f.Add("a = 1\n[servers.x]\nb = [1, \"two\", {c = 3}]\nd = 2026-11-26T17:00:00Z\n", "[!a-z]?\\]", "-h -- -x")
	f.Add("192.0.2.0/24", "*", "--list a,b --list c -n 12")
	f.Add("192.0.2.250-192.0.3.4", "[", "--n=x")
	f.Add("\"unterminated\n", "\\", "-")
	f.Add("0.0.0.0/0", "a*a*a*a*a*a*b", "--string")
	f.Add("00:11:22:33:44:55", "ip", "lease")
	f.Fuzz(func(t *testing.T, text, pattern, args string) {
		L := fuzzState()
		defer L.Close()
		argv := L.NewTable()
		for _, a := range strings.Fields(args) {
			argv.Append(lua.LString(a))
		}
		L.SetGlobal("TEXT", lua.LString(text))
		L.SetGlobal("PATTERN", lua.LString(pattern))
		L.SetGlobal("ARGV", argv)
		err := L.DoString(`
			local util = require "omapish.util"
			local failures = {}
			local function try(name, fn, ...)
				local ok, err = pcall(fn, ...)
				if not ok and (tostring(err):find("internal error", 1, true) or tostring(err):find("FUZZ:", 1, true)) then
					failures[#failures + 1] = name .. ": " .. tostring(err)
				end
			end
			try("csv_decode", util.csv_decode, TEXT)
			try("csv_decode header", util.csv_decode, TEXT, true)
			try("toml_decode", util.toml_decode, TEXT)
			try("glob", util.glob, PATTERN, TEXT)
			try("glob reversed", util.glob, TEXT, PATTERN)
			try("ip_range", util.ip_range, TEXT)
			try("ips", function()
				local first, last, count = util.ip_range(TEXT)
				if not first then return end
				local n = 0
				for i, ip in util.ips(TEXT) do
					n = n + 1
					if n == 300 then break end
				end
				assert(n == math.min(count, 300), "FUZZ: ips gave " .. n .. " of " .. count)
			end)
			try("getopt", util.getopt, ARGV, {a = "flag", b = "string", n = "number", l = "list", h = "a", [PATTERN] = "flag"})
			try("unhex", omapi.unhex, TEXT)
			try("hexdump", omapi.hexdump, TEXT)
			try("hex", omapi.hex, TEXT, PATTERN)
			try("kind", omapi.kind, PATTERN, TEXT)
			for _, k in ipairs{"string", "uint32", "bool", "ip", "ips", "mac", "time", "handle", "flags", "bytes", PATTERN} do
				try("decode " .. k, omapi.decode, k, TEXT)
			end
			assert(#failures == 0, table.concat(failures, "\n"))`)
		if err != nil {
			t.Fatalf("%v", err)
		}
	})
}
