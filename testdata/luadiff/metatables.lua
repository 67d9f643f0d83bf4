-- Metatables: __index/__newindex/__call/__eq/__lt/__le/__concat/__len, raw*, protections.
local base = {greet = function(self) return "hi " .. self.name end}
local obj = setmetatable({name = "lua"}, {__index = base})
print(obj:greet(), obj.missing, rawget(obj, "greet"))
local log = {}
local proxy = setmetatable({}, {__newindex = function(t, k, v) log[#log + 1] = k; rawset(t, k, v * 2) end})
proxy.a = 1 proxy.a = 5 proxy.b = 2
print(proxy.a, proxy.b, table.concat(log, ","))
local store = {}
local redirect = setmetatable({}, {__newindex = store, __index = store})
redirect.x = 10 print(rawget(redirect, "x"), store.x, redirect.x)
local callable = setmetatable({}, {__call = function(self, a, b) return a + b, self end})
print(callable(2, 3) , select("#", callable(2, 3)))
local V = {}
V.__index = V
V.__eq = function(a, b) return a.v == b.v end
V.__lt = function(a, b) return a.v < b.v end
V.__le = function(a, b) return a.v <= b.v end
V.__concat = function(a, b)
  local x = type(a) == "table" and a.v or a
  local y = type(b) == "table" and b.v or b
  return "V(" .. x .. ".." .. y .. ")"
end
V.__len = function(a) return 99 end
V.__unm = function(a) return setmetatable({v = -a.v}, V) end
V.__add = function(a, b) return setmetatable({v = (type(a) == "table" and a.v or a) + (type(b) == "table" and b.v or b)}, V) end
V.__tostring = function(a) return "V" .. a.v end
local function new(v) return setmetatable({v = v}, V) end
local a, b, c = new(1), new(2), new(1)
print(a == c, a ~= c, a == b, a < b, a <= c, b > a, b >= a, not (a < c))
print(a .. b, a .. "s", "s" .. a, 1 .. a)
print(#{1, 2}, tostring(-a), tostring(a + 1), tostring(2 + a), tostring(a + b))
print(a == 1, rawequal(a, c))
local W = {__eq = V.__eq}
print(setmetatable({v = 1}, W) == a)
print((pcall(function() return a < 1 end)))
print((pcall(function() return {} < {} end)))
print((pcall(function() return {} .. "" end)))
local prot = setmetatable({}, {__metatable = "locked"})
print(getmetatable(prot), (pcall(setmetatable, prot, {})))
print(getmetatable("abc").__index == string, ("x"):upper())
local t = setmetatable({}, {__index = function(t, k) return k * 2 end})
print(t[21], rawget(t, 21))
local chain = setmetatable({}, {__index = setmetatable({}, {__index = {deep = "yes"}})})
print(chain.deep)
print(rawset({}, "k", "v").k, rawequal("a", "a"))
local mt = {__mode = "k"}
print(getmetatable(setmetatable({}, mt)) == mt)
print(tostring(setmetatable({}, {__tostring = function() return "custom" end})))
local calls = 0
local lazy = setmetatable({}, {__index = function(t, k) calls = calls + 1; rawset(t, k, k .. "!"); return k .. "!" end})
print(lazy.a, lazy.a, lazy.b, calls)
