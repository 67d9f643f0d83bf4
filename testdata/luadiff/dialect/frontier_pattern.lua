-- The frontier pattern %f[set] (in Lua 5.1's implementation, not its
-- manual): gopher-lua's patterns do not have it, and read %f as the
-- letter f.
print(string.match("THE (quick) fox", "%f[%a]%a+"))
print(string.match("THE (quick) fox", "%f[%l]%a+"))
print(string.gsub("hello world", "%f[%w]%w+", "<%0>"))
