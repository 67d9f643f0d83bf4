-- Closures and upvalues across pcall, error, xpcall and coroutines
-- (yuin/gopher-lua#448 and its neighbours).
local function clobber(...) local a, b, c, d, e, f, g, h = 1, 2, 3, 4, 5, 6, 7, 8; return a end

-- The issue's program.
local pass, total = 0, 0
local function case(f) total = total + 1; if pcall(f) then pass = pass + 1 end end
case(function() end)
case(function() pcall(string.rep) end)
case(function() end)
print("issue448", pass, total)

-- A counter shared by two closures survives caught errors at any depth.
local function counter()
  local n = 0
  return function() n = n + 1; return n end, function() return n end
end
local inc, get = counter()
for depth = 1, 5 do
  local function dive(d) if d == 0 then inc(); error("deep") end; return dive(d - 1) end
  print("dive", depth, pcall(dive, depth))
  inc()
end
print("counter", get())

-- error values of every type (error called from a Lua function: see
-- dialect/error_values.lua for error called directly by pcall)
for _, v in ipairs({"s", 42, true, {}, print}) do
  local ok, e = pcall(function() error(v, 0) end)
  print("error value", ok, type(e), e == v)
end
print("error table", select(2, pcall(function() local t = {code = 7}; error(t) end)).code)
print("error level 2", pcall(function() local function f() error("lvl", 2) end; f() end))
print("error level 0", pcall(function() error("nolevel", 0) end))

-- xpcall: the handler runs before the unwinding, with the frame's
-- upvalues live; after it they are closed.
local getv, setv
print("xpcall", xpcall(function()
  local v = 1
  getv = function() return v end
  setv = function(x) v = x end
  setv(2); error("x")
end, function(m) setv(getv() + 40); return getv() end))
clobber(); clobber(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
setv(getv() + 1)
print("after xpcall", getv())
print("xpcall traceback type", type(select(2, xpcall(function() error("t") end, debug.traceback))))
print("xpcall ok", xpcall(function() return 1, 2, 3 end, print))
print("nested xpcall", xpcall(function()
  return xpcall(function() error("inner", 0) end, function(m) return "h1:" .. m end)
end, function(m) return "h2:" .. m end))

-- Loop closures: each iteration has a fresh local.
local fs = {}
for i = 1, 3 do
  local j = i * 10
  fs[i] = function() j = j + 1; return i, j end
  pcall(error, "x")
end
print("loop", fs[1](), fs[2](), fs[3](), fs[1]())

-- Coroutines: closures shared between the coroutine and its creator.
local n, getk = 0
local function bump() n = n + 1 end
local co = coroutine.create(function(a)
  bump()
  local k = "kept"; getk = function() return k end
  local b = coroutine.yield(a + 1)
  bump(); error("co " .. b, 0)
end)
print("resume 1", coroutine.resume(co, 1)); bump()
print("resume 2", coroutine.resume(co, "x")); bump()
clobber()
print("after co", n, getk(), coroutine.status(co))
print("resume dead", (coroutine.resume(co)))

local w = coroutine.wrap(function()
  local m = 0
  local function incm() m = m + 1 end
  pcall(function() incm(); bump(); error("x") end)
  incm(); bump()
  coroutine.yield(m)
  incm(); bump()
  return m
end)
print("wrap", w(), w(), n)
local werr = coroutine.wrap(function() bump(); error("werr", 0) end)
print("wrap error", pcall(werr)); bump()
print("after wrap", n)
print("wrap again", (pcall(werr)))
local outer
outer = coroutine.create(function()
  local inner = coroutine.wrap(function() bump(); error("inner", 0) end)
  print("inner error", pcall(inner))
  print("outer runs again", coroutine.running() == outer, coroutine.status(outer))
  bump()
  return n
end)
print("outer", coroutine.resume(outer))
print("yield outside", (pcall(coroutine.yield, 1)))
print("status main", coroutine.running())
local gen = coroutine.wrap(function() for i = 1, 3 do coroutine.yield(i) end end)
print("generator", gen(), gen(), gen())

-- __index / __newindex / __call metamethods that error
local calls = 0
local t = setmetatable({}, {
  __index = function(t, k) calls = calls + 1; error("no " .. k, 0) end,
  __newindex = function(t, k, v) calls = calls + 1; error("ro " .. k, 0) end,
  __call = function(self, x) calls = calls + 1; error("call " .. x, 0) end,
})
print("meta", pcall(function() return t.x end))
print("meta", pcall(function() t.y = 1 end))
print("meta", pcall(t, "z"))
calls = calls + 1
print("meta calls", calls)

-- tostring/tostring-like metamethods erroring inside sort comparators
local arr = {3, 1, 2}
print("sort error", pcall(table.sort, arr, function(a, b) error("cmp", 0) end))
local sorted = {5, 2, 8, 1}
table.sort(sorted, function(a, b) calls = calls + 1; return a < b end)
print("sorted", table.concat(sorted, " "), calls > 5)
