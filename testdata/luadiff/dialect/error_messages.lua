-- Error messages: gopher-lua words some differently, and prefixes the
-- position of the calling Lua code to errors raised by library functions
-- that Lua 5.1 reports without one. Whether an error happens is the same.
local function try(f, ...) print(select(2, pcall(f, ...))) end
try(function() return {} < {} end)
try(function() return {} .. "" end)
try(function() return nil + 1 end)
try(function() local t = nil; return t.x end)
try(function() undefined_function() end)
try(setmetatable, setmetatable({}, {__metatable = 1}), {})
try(select, 0, "a")
try(string.rep)
try(string.format, "%d", "x")
try(table.concat, {{}})
try(table.sort, {3, "a", 1})
try(coroutine.resume, coroutine.create(function() end))
local co = coroutine.create(function() end)
coroutine.resume(co)
print(coroutine.resume(co))
try(coroutine.yield, 1)
