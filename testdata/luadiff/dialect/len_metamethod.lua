-- __len: Lua 5.1 calls it only for userdata; # of a table is its border.
-- gopher-lua calls it for tables too (as Lua 5.2 does).
local t = setmetatable({1, 2, 3}, {__len = function() return 99 end})
print(#t, rawlen)
