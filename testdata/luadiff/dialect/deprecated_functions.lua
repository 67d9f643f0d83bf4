-- Lua 5.1's deprecated functions that gopher-lua does not have.
for _, name in ipairs({"table.foreach", "table.foreachi", "table.setn", "math.mod", "string.gfind", "gcinfo"}) do
  local lib, fn = name:match("^(%a+)%.(%a+)$")
  local v
  if lib then v = _G[lib][fn] else v = _G[name] end
  print(name, type(v))
end
