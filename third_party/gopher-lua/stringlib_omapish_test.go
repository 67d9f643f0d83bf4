package lua

// Regression tests for omapish's patches to string.find and string.match
// (PATCHES.md); the expected values are Lua 5.1's.

import "testing"

func TestStringFindStartPastEnd(t *testing.T) {
	L := NewState()
	defer L.Close()
	errorIfScriptFail(t, L, `
local function pack(...) return select("#", ...), ... end
local n, a, b = pack(string.find("abc", "", 4))
assert(n == 2 and a == 4 and b == 3, "empty pattern at 4")
n, a, b = pack(string.find("abc", "", 100))
assert(n == 2 and a == 4 and b == 3, "empty pattern past the end")
n, a, b = pack(string.find("abc", "", -1))
assert(a == 3 and b == 2, "empty pattern from -1")
assert(string.find("abc", "b", 10, true) == nil, "plain find past the end")
assert(string.find("abc", "b", 10) == nil, "pattern find past the end")
assert(string.find("abc", "c", 3, true) == 3)
`)
}

func TestStringMatchNoMatchIsNil(t *testing.T) {
	L := NewState()
	defer L.Close()
	errorIfScriptFail(t, L, `
assert(select("#", string.match("abc", "x")) == 1)
assert(select("#", string.match("abc", "(x)(y)")) == 1)
assert(string.match("abc", "x") == nil)
`)
}

func TestStringFormatAsLua51(t *testing.T) {
	tests := []struct {
		lua, want string
	}{
		{`string.format("%u", 42)`, "42"},
		{`string.format("%g", 1/3)`, "0.333333"},
		{`string.format("%g", 2^53)`, "9.0072e+15"},
		{`string.format("%g", 100000)`, "100000"},
		{`string.format("%g", 1e6)`, "1e+06"},
		{`string.format("%#g", 1)`, "1.00000"},
		{`string.format("%.3g", 1234567)`, "1.23e+06"},
		{`string.format("%5.1f%%", 99.44)`, " 99.4%"},
		{`string.format("%%%d", 5)`, "%5"},
		{`string.format("%x", -1)`, "ffffffffffffffff"},
		{`string.format("%5.2s|%-4s|", "abc", "é")`, "   ab|é  |"},
		{`string.format("%q", "a\"b\\c\nd\re\0f")`, "\"a\\\"b\\\\c\\\nd\\re\\000f\""},
		{`string.format("%f %e %g %5.1f", 1/0, -1/0, 0/0, 1/0)`, "inf -inf -nan   inf"},
		{`string.format("%c%c", 72, 105)`, "Hi"},
		{`string.format("%-3c|%3c|%c|%-3c|", 65, 66, 0, 0)`, "A  |  B|||"},
		{`string.format("%c", 233)`, "\xe9"},
		{`string.format("%#x|%#X|%#o", 0, 255, 8)`, "0|0XFF|010"},
		{`string.format("%d", "10")`, "10"},
		{`string.format("%s %s", 1, 2.5)`, "1 2.5"},
		{`select(2, pcall(function() return string.format("%d") end))`, "<string>:1: bad argument #2 to format (no value)"},
		{`select(2, pcall(function() return string.format("%d", "x") end))`, "<string>:1: bad argument #2 to format (number expected, got string)"},
		{`select(2, pcall(string.format, "%y", 1))`, "<string>:1: invalid option '%y' to 'format'"},
		{`select(2, pcall(string.format, "%123d", 1))`, "<string>:1: invalid format (width or precision too long)"},
	}
	L := NewState()
	defer L.Close()
	for _, tt := range tests {
		if err := L.DoString("result = " + tt.lua); err != nil {
			t.Fatal(err)
		}
		if got := L.GetGlobal("result").String(); got != tt.want {
			t.Errorf("%s = %q, want %q", tt.lua, got, tt.want)
		}
	}
}
