-- Malformed patterns: Lua 5.1 rejects a trailing %, and accepts an
-- unfinished ( at the end of a gsub pattern; gopher-lua the other way
-- round. Messages differ too.
print(pcall(string.gsub, "x", "%", "y"))
print(pcall(string.find, "x", "%"))
print(pcall(string.gsub, "x", "(", "y"))
print(pcall(string.find, "x", "[a"))
