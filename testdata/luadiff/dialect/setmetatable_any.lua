-- setmetatable: Lua 5.1 accepts only a table as its first argument.
-- gopher-lua sets the metatable of a number (for all numbers).
print(pcall(setmetatable, 1, {__index = {twice = function(n) return n * 2 end}}))
print(pcall(function() return (5):twice() end))
