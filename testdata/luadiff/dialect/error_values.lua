-- error called directly by pcall (no Lua function between them), and
-- error's edge cases.
-- Lua 5.1: error(v) at level 1 adds the position of the function that
-- called error, here pcall, a C function: nothing; a number becomes a
-- string. gopher-lua adds this file's position to strings and leaves
-- numbers alone.
for _, v in ipairs({"s", 42}) do
  local ok, e = pcall(error, v)
  print(ok, type(e), e)
end
-- error() with no value: Lua 5.1 raises nil; gopher-lua complains.
print(pcall(error))
-- An error in the message handler of xpcall: Lua 5.1 reports "error in
-- error handling"; gopher-lua the handler's own error.
print(xpcall(function() error("a", 0) end, function(m) error("b", 0) end))
