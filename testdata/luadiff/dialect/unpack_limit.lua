-- The data stack: Lua 5.1 unpacks up to about 8000 values; gopher-lua's
-- registry (omapish uses the default size) overflows past about 5000.
local t = {}
for i = 1, 7000 do t[i] = i end
print(pcall(function() return select("#", unpack(t)) end))
