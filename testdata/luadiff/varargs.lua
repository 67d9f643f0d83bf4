-- Varargs: select, nils, ... in the main chunk.
print(select("#"), select("#", nil), select("#", nil, nil), select("#", 1, nil))
print(select(2, "a", "b", "c"), select(-1, "a", "b", "c"))
print((pcall(select, 0, "a")))
print(select("#", ...), ...)
local function count(...) return select("#", ...) end
local function pass(...) return ... end
print(count(pass(1, nil, 3, nil)), count(pass()), count(nil), count((pass(1, 2))))
local function tail(...) local a, b = ...; return b, a end
print(tail(1, 2, 3))
local function pack(...) return {n = select("#", ...), ...} end
local p = pack(nil, 2, nil)
print(p.n, p[1], p[2], p[3], #arg)
local function f(a, ...) local arg = arg; return a, select("#", ...) end
print(f(1, 2, 3))
print((pass(1, 2, 3)))
local t = {pass(1, 2), pass(3, 4)}
print(#t, t[1], t[2], t[3])
print(string.format("%s %s", pass("x", "y", "z")))
print(math.max(pass(3, 9, 2)))
local function va(...) local n = select("#", ...); local s = ""; for i = 1, n do s = s .. tostring(select(i, ...)) .. "," end; return s end
print(va(nil, false, 0, "", {} ~= nil))
