-- table.insert/remove/concat/sort, getn/maxn, unpack, #, next.
local t = {1, 2, 3}
table.insert(t, 4) table.insert(t, 1, 0) table.insert(t, 3, 1.5)
print(table.concat(t, ","), #t, table.getn(t))
print(table.remove(t), table.remove(t, 1), table.concat(t, ","), #t)
print(table.remove({}), #t)
print(table.concat({1, 2, 3}), table.concat({1, 2, 3}, ", ", 2), table.concat({1, 2, 3}, "-", 2, 3), table.concat({}, "x"))
print(table.concat({"a", "b", "c"}, "", 3, 2))
print((pcall(table.concat, {1, {}, 3})))
print(table.maxn({1, 2, nil, 4}), table.maxn({[1.5] = 1, [10] = 2}), table.maxn({}))
local words = {"pear", "Apple", "fig", "banana", "cherry", "date"}
table.sort(words) print(table.concat(words, " "))
table.sort(words, function(a, b) return a:lower() < b:lower() end) print(table.concat(words, " "))
table.sort(words, function(a, b) return #a < #b or (#a == #b and a < b) end) print(table.concat(words, " "))
local nums = {5, 3, 9, 1, 7, 2, 8, 6, 4, 10, 0, -1}
table.sort(nums, function(a, b) return a > b end) print(table.concat(nums, " "))
table.sort(nums) print(table.concat(nums, " "))
print((pcall(table.sort, {3, "a", 1})))
local recs = {{n = "b", v = 2}, {n = "a", v = 1}, {n = "c", v = 3}}
table.sort(recs, function(x, y) return x.v < y.v end)
for _, r in ipairs(recs) do io.write(r.n) end print()
print(unpack({1, 2, 3}))
print(unpack({1, 2, 3}, 2))
print(unpack({1, 2, 3}, 2, 3))
print(unpack({1, nil, 3}, 1, 3))
print(select("#", unpack({}, 1, 5)))
print(#"", #{}, #{1, 2}, #{n = 1})
local keys = {}
for k in pairs({a = 1, b = 2, c = 3}) do keys[#keys + 1] = k end
table.sort(keys) print(table.concat(keys))
for i, v in ipairs({10, 20, nil, 40}) do io.write(i, "=", v, " ") end print()
print(next({}), type(next), rawlen == nil, rawequal(t, t), rawequal({}, {}))
local big = {}
for i = 1, 5000 do big[i] = i end
print(#table.concat(big, ","), select("#", unpack(big, 1, 2000)))
