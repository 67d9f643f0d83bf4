package lua

// Regression tests for yuin/gopher-lua#448 (omapish patch, see PATCHES.md):
// a caught error must close the upvalues of the frames it unwinds, and
// only those. Each script sets `result`; the wanted values are what Lua 5.1
// (lua5.1 from Debian) prints for the same program.

import "testing"

// clobber is Lua that reuses the stack slots a finished frame held, so an
// upvalue wrongly left open on them reads garbage.
const clobber = `
local function clobber(...) local a, b, c, d, e, f, g, h = 1, 2, 3, 4, 5, 6, 7, 8; return a end
`

func TestUpvaluesAfterCaughtError(t *testing.T) {
	tests := []struct {
		name, script, want string
	}{
		{"issue448 pcall", `
local pass, total = 0, 0
local function case(f) total = total + 1; if pcall(f) then pass = pass + 1 end end
case(function() end)
case(function() pcall(string.rep) end)
case(function() end)
result = pass .. " " .. total`, "3 3"},
		{"error with a table value", `
local n = 0
local function bump() n = n + 1 end
pcall(function() pcall(error, {}) end)
bump()
result = tostring(n) .. " " .. tostring(select(2, pcall(function() bump(); return n end)))`, "1 2"},
		{"xpcall keeps the surviving frame's upvalues shared", `
local n = 0
local function bump() n = n + 1 end
local function h(m) bump(); return m end
xpcall(function() bump(); error("x") end, h)
bump()
result = tostring(n)`, "3"},
		{"xpcall closes the unwound frame's upvalues", clobber + `
local get
xpcall(function() local v = "kept"; get = function() return v end; error("x") end, function(m) return m end)
clobber(); clobber(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
result = tostring(get())`, "kept"},
		{"the xpcall handler sees the live value", `
local get, set
local ok, m = xpcall(function()
  local v = 1
  get = function() return v end
  set = function(x) v = x end
  set(2); error("x")
end, function(m) set(get() + 40); return get() end)
set(get() + 1)
result = tostring(ok) .. " " .. m .. " " .. get()`, "false 42 43"},
		{"pcall closes the unwound frame's upvalues", clobber + `
local get
pcall(function() local v = "kept"; get = function() return v end; error("x") end)
clobber(); clobber(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
result = tostring(get())`, "kept"},
		{"coroutine.resume of a coroutine that errors", clobber + `
local n, get = 0
local function bump() n = n + 1 end
local co = coroutine.create(function()
  bump()
  local v = "kept"; get = function() return v end
  coroutine.yield()
  bump(); error("x")
end)
coroutine.resume(co); bump()
local ok = coroutine.resume(co); bump()
clobber()
result = tostring(ok) .. " " .. n .. " " .. tostring(get()) .. " " .. coroutine.status(co)`, "false 4 kept dead"},
		{"pcall inside a coroutine", `
local n = 0
local function bump() n = n + 1 end
local co = coroutine.wrap(function()
  local m = 0
  local function inc() m = m + 1 end
  pcall(function() inc(); bump(); error("x") end)
  inc(); bump()
  coroutine.yield(m)
  inc(); bump()
  return m
end)
local a = co(); local b = co()
bump()
result = a .. " " .. b .. " " .. n`, "2 3 4"},
		{"coroutine.wrap that errors inside pcall", `
local n = 0
local function bump() n = n + 1 end
local f = coroutine.wrap(function() bump(); error("x") end)
pcall(f)
bump()
result = tostring(n)`, "2"},
		{"__index metamethod that errors", `
local n = 0
local function bump() n = n + 1 end
local t = setmetatable({}, {__index = function(t, k) bump(); error("no " .. k) end})
local function get() return t.x end
pcall(get); bump(); pcall(get); bump()
result = tostring(n)`, "4"},
		{"a Go function calling a Lua function that errors", `
local n = 0
local function bump() n = n + 1 end
pcall(gocall, function() bump(); error("x") end)
bump()
result = tostring(n)`, "2"},
		{"L.PCall from Go", `
local n = 0
local function bump() n = n + 1 end
local ok, m = gopcall(function() bump(); error("x", 0) end)
bump()
result = tostring(ok) .. " " .. m .. " " .. n`, "false x 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			L := NewState()
			defer L.Close()
			// gocall(f) calls f unprotected, as a Go function that takes
			// a callback does; gopcall(f) calls f protected.
			L.SetGlobal("gocall", L.NewFunction(func(L *LState) int {
				L.Call(0, 0)
				return 0
			}))
			L.SetGlobal("gopcall", L.NewFunction(func(L *LState) int {
				if err := L.PCall(0, 0, nil); err != nil {
					L.Push(LFalse)
					L.Push(err.(*ApiError).Object)
					return 2
				}
				L.Push(LTrue)
				return 1
			}))
			if err := L.DoString(tt.script); err != nil {
				t.Fatal(err)
			}
			if got := L.GetGlobal("result").String(); got != tt.want {
				t.Errorf("result = %q, want %q (Lua 5.1's)", got, tt.want)
			}
		})
	}
}

// omapish patch (PATCHES.md): a coroutine.wrap function that raised an
// error stayed the running coroutine and was not dead.
func TestWrappedCoroutineErrorEndsIt(t *testing.T) {
	L := NewState()
	defer L.Close()
	errorIfScriptFail(t, L, `
local f = coroutine.wrap(function() error("x", 0) end)
local ok, err = pcall(f)
assert(not ok and err == "x", tostring(err))
assert(coroutine.running() == nil, "the main thread runs again")
ok, err = pcall(f)
assert(not ok and err:find("dead"), tostring(err))
local co
co = coroutine.create(function()
  local g = coroutine.wrap(function() error("y", 0) end)
  assert(not pcall(g))
  assert(coroutine.running() == co, "co runs again")
  return "done"
end)
local ok2, v = coroutine.resume(co)
assert(ok2 and v == "done", tostring(v))
`)
}
