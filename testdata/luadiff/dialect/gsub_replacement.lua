-- string.gsub with a table or function whose value is neither a string,
-- a number, false nor nil: Lua 5.1 raises "invalid replacement value";
-- gopher-lua replaces the match with nothing.
print(pcall(string.gsub, "abc", "%w", {a = 1, b = true}))
print(pcall(string.gsub, "abc", "%w", function(c) return {} end))
