-- Multiple assignment: every expression is evaluated before any variable
-- is assigned (Lua 5.1 manual §2.4.3). gopher-lua compiled values straight
-- into locals' registers, so `a, b = b, a` gave `2 2` (yuin/gopher-lua#440).

-- locals
local a, b = 1, 2
a, b = b, a
print("swap", a, b)
local x, y = 0, 0
x, y = x + 1, x + y
print("#440", x, y)
local p, q, r = 1, 2, 3
p, q, r = r, p, q
print("rotate", p, q, r)
local w = 1
w, z = nil, w
print("nil first", w, z)
local s = "s"
s, s2 = s .. "!", s
print("concat", s, s2)

-- globals and upvalues
ga, gb = 1, 2
ga, gb = gb, ga
print("globals", ga, gb)
local u1, u2 = "u1", "u2"
local function swapup() u1, u2 = u2, u1 end
swapup()
print("upvalues", u1, u2)
local l = 5
local function mixed() l, ga = ga, l end
mixed()
print("local upvalue and global", l, ga)

-- tables on the left: the table and the key as they were before
local t = {1, 2}
t[1], t[2] = t[2], t[1]
print("table swap", t[1], t[2])
local i = 1
i, t[i] = i + 1, 20
print("manual example", i, t[1], t[2])
local k = 1
t[k], k = 30, 2
print("key first", k, t[1], t[2])
local old = {}
local tt = old
tt[1], tt = "to old", {}
print("table replaced after", old[1], tt[1])
tt, tt[1] = {}, "to the table before"
print("table replaced before", old[1], tt[1])
local v = 7
t[1], v = v, 8
print("value then local", t[1], v)
v, t[1] = 9, v
print("local then value", v, t[1])
local f = {1, 2}
f.a, f.b = f.b, f.a
f.a, f.b = 1, 2
f.a, f.b = f.b, f.a
print("fields", f.a, f.b)

-- (#315) a field beside a local
local tab = {}
local d = "e"
local n = 1
n, tab.d = n, d
print("#315", n, tab.d)

-- (#158) a local used as key and assigned
local j = 1
local arr = {}
arr[j], j = 20, 3
print("#158", arr[1], arr[3], j)

-- calls and varargs on the right
local function two() return "r1", "r2" end
local c1, c2 = "c1", "c2"
c1, c2 = two()
print("call", c1, c2)
c1, c2 = c2, two()
print("value and call", c1, c2)
local function va(...) local m1, m2 = "m1", "m2"; m1, m2 = m2, ... ; return m1, m2 end
print("vararg", va("v1", "v2"))
local e1, e2, e3 = 1, 2, 3
e1, e2, e3 = e3, e1
print("fewer values", e1, e2, e3)
e1, e2 = e2, e1, print("extra evaluated", e1, e2)
print("more values", e1, e2)

-- one target, more values: the extra ones see the old value
local o = 1
o = 2, print("extra sees", o)
print("after", o)

-- (#216) a local assigned from itself does not touch its neighbours
local function bar() return "bar" end
local function test(foo)
  local should_not_change
  foo = (foo or bar())
  return type(should_not_change), foo
end
print("#216", test(nil))

-- in a loop, with and/or on the right
local acc, prev = 0, 1
for _ = 1, 10 do acc, prev = prev, acc + prev end
print("fibonacci", acc, prev)
local m, mm = 1, 2
m, mm = mm > m and mm or m, m
print("and/or", m, mm)
