package lua

import "testing"

// TestMultipleAssignment: omapish patch 10 (yuin/gopher-lua#440). Every
// expression of a multiple assignment is evaluated before any variable is
// assigned, whatever the variables are (locals, upvalues, globals, table
// fields whose table or key is a local assigned in the same statement).
func TestMultipleAssignment(t *testing.T) {
	for _, tc := range []struct{ code, want string }{
		{`local a, b = 1, 2; a, b = b, a; return a .. " " .. b`, "2 1"},
		{`local a, b = 0, 0; a, b = a + 1, a + b; return a .. " " .. b`, "1 0"},
		{`local a; a, b = nil, tostring(a or 1); return tostring(a) .. " " .. b`, "nil 1"},
		{`local t = {1, 2}; t[1], t[2] = t[2], t[1]; return t[1] .. " " .. t[2]`, "2 1"},
		{`local i, t = 1, {}; i, t[i] = i + 1, 20; return i .. " " .. t[1]`, "2 20"},
		{`local k, t = 1, {}; t[k], k = 30, 2; return k .. " " .. t[1]`, "2 30"},
		{`local old = {}; local t = old; t[1], t = "x", {}; return tostring(old[1]) .. " " .. tostring(t[1])`, "x nil"},
		{`local v, t = 7, {}; t[1], v = v, 8; return t[1] .. " " .. v`, "7 8"},
		{`local u1, u2 = 1, 2; local function f() u1, u2 = u2, u1 end; f(); return u1 .. " " .. u2`, "2 1"},
		{`local o = 1; local seen; o = 2, (function() seen = o end)(); return o .. " " .. seen`, "2 1"},
		{`local a = 1; a = a + 1; return tostring(a)`, "2"},
	} {
		L := NewState()
		if err := L.DoString(tc.code); err != nil {
			t.Errorf("%s: %v", tc.code, err)
		} else if got := L.Get(-1).String(); got != tc.want {
			t.Errorf("%s: %q, want %q (Lua 5.1)", tc.code, got, tc.want)
		}
		L.Close()
	}
}
