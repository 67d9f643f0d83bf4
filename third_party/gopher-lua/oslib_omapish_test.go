package lua

// Regression tests for omapish's patches to os.date and rawset
// (PATCHES.md); the expected values are Lua 5.1's (os.date's under TZ=UTC).

import "testing"

func TestOsDateAsLua51(t *testing.T) {
	tests := []struct {
		lua, want string
	}{
		{`os.date("!%a %A %b %B %d %j %m %p %w %y %Y %%", 1700000000)`, "Tue Tuesday Nov November 14 318 11 PM 2 23 2023 %"},
		{`os.date("!%c", 1700000000)`, "Tue Nov 14 22:13:20 2023"},
		{`os.date("!%c", 1699000000)`, "Fri Nov  3 08:26:40 2023"},
		{`os.date("!%x %X", 1700000000)`, "11/14/23 22:13:20"},
		{`os.date("!%U %W", 1700000000)`, "46 46"},
		{`os.date("!%U %W %j", 0)`, "00 00 001"},
		{`os.date("!*t", 1700000000).yday`, "318"},
	}
	L := NewState()
	defer L.Close()
	for _, tt := range tests {
		if err := L.DoString("result = tostring(" + tt.lua + ")"); err != nil {
			t.Fatal(err)
		}
		if got := L.GetGlobal("result").String(); got != tt.want {
			t.Errorf("%s = %q, want %q", tt.lua, got, tt.want)
		}
	}
}

func TestRawsetReturnsTable(t *testing.T) {
	L := NewState()
	defer L.Close()
	errorIfScriptFail(t, L, `
local t = {}
assert(rawset(t, "k", "v") == t)
assert(rawset({}, "k", "v").k == "v")
`)
}
