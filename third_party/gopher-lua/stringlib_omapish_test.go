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
