-- A lone ; as an empty statement is Lua 5.2 syntax: lua5.1 refuses to
-- load this file, gopher-lua runs it (gopher-lua's copy of the Lua 5.1
-- suite relies on it, in pm.lua).
for i = 1, 2 do; print(i); end
