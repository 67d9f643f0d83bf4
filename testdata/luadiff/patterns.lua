-- string.find/match/gmatch/gsub: captures, anchors, %b, %f, classes.
local function show(...)
  local t = {}
  for i = 1, select("#", ...) do t[#t + 1] = tostring((select(i, ...))) end
  print(table.concat(t, "|"))
end
local s = "hello world from Lua 5.1, key=value; x=42 (nested (parens)) end"
show(string.find(s, "world"))
show(string.find(s, "o", 6))
show(string.find(s, "o", -10))
show(string.find(s, "l+"))
show(string.find(s, "(%w+)=(%w+)"))
show(string.find(s, "5.1", 1, true))
show(string.find(s, "%.", 1))
show(string.find(s, "xyz"))
show(string.find(s, ""))
show(string.find(s, "", 100))
show(string.find("abc", "", 4))
show(string.find(s, "^hello"))
show(string.find(s, "^world"))
show(string.find(s, "end$"))
show(string.find("a$b", "$b"))
show(string.match(s, "(%a+) (%a+)"))
show(string.match(s, "()ll()"))
show(string.match(s, "%b()"))
show(string.match("key = value", "^(%w+)%s*=%s*(%w+)$"))
show(string.match("2024-01-02", "(%d+)-(%d+)-(%d+)"))
show(string.match("  trim me  ", "^%s*(.-)%s*$"))
show(string.match("aaa", "a-b"))
show(string.match("aaab", "a-b"))
show(string.match("aaab", "a*"))
show(string.match("aaab", "a+?"))
show(string.match("[x]", "%[(.)%]"))
show(string.match("abc", "((a)(b)(c))"))
show(string.match("hello", "(h)(e)(l)(l)(o)"))
show(string.match("x=1", "(%w)=%1"), string.match("a=a", "(%w)=%1"))
show(string.match("f(a(b)c)d", "%b()"))
show(string.match("\0a\0", "%z(%a)"))
for _, c in ipairs({"a", "c", "d", "g", "l", "p", "s", "u", "w", "x"}) do
  local cls, ncls = "%" .. c, "%" .. c:upper()
  local in_, out = {}, {}
  for b = 0, 127 do
    local ch = string.char(b)
    if ch:match(cls) then in_[#in_ + 1] = b end
    if ch:match(ncls) then out[#out + 1] = b end
  end
  print(c, #in_, #out, in_[1], in_[#in_])
end
show(string.match("a-b_c", "[%w_]+"))
show(string.match("a-b_c", "[^%-]+$"))
show(string.match("x]y", "[]]"))
show(string.match("a^b", "[%^b]+"))
show(string.match("0x1F", "0[xX](%x+)"))
for k, v in string.gmatch("a=1, b=2, c=3", "(%w+)=(%w+)") do io.write(k, ":", v, " ") end
print()
for w in string.gmatch("one two  three", "%a+") do io.write("[", w, "]") end
print()
for p in string.gmatch("abc", "()") do io.write(p, " ") end
print()
for a in string.gmatch("abc", "") do io.write("<", a, ">") end
print()
show(string.gsub("hello world", "o", "0"))
show(string.gsub("hello world", "o", "0", 1))
show(string.gsub("hello world", "(%w+)", "<%1>"))
show(string.gsub("hello world", "%w+", "%0 %0"))
show(string.gsub("hello", "", "-"))
show(string.gsub("abc", "%w", {a = 1, b = "B"}))
show(string.gsub("abc", "%w", {a = "A", b = false}))
show(string.gsub("abc", "%w", function(c) if c == "b" then return nil end; return c:upper() end))
show(string.gsub("$name is $age", "%$(%w+)", {name = "lua", age = 15}))
show(string.gsub("x y", "(%w)", "%%1"))
show(string.gsub("abc", "^a", "X"))
show(string.gsub("aaa", "^a", "X"))
show(string.gsub("one two", "(%w+) (%w+)", "%2 %1"))
show((pcall(string.find, "x", "[a")))
show((pcall(string.gsub, "x", "x", "%2")))
show(string.rep("ab", 3), string.rep("x", 0), string.rep("x", -1))
show(string.reverse("abc"), string.upper("aBc"), string.lower("AbC"), string.len("\0\0"))
show(string.sub("hello", 2, 4), string.sub("hello", -3), string.sub("hello", 0), string.sub("hello", 10), string.sub("hello", 3, 2))
show(string.byte("ABC"), string.byte("ABC", 2), string.byte("ABC", -1), string.byte("ABC", 1, 3))
show(string.byte(""), string.char(72, 105), string.char())
show(("x"):rep(3), #"abc", ("%d"):format(5))
show(string.format("%s", string.match("abc", "b()")))
