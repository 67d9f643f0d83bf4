-- tonumber with a base: Lua 5.1 uses C's strtoul, which negates in
-- unsigned arithmetic ("-10" in base 36 is a huge number) and accepts
-- 0x in base 16; gopher-lua negates and refuses 0x there.
print(tonumber("-10", 36), tonumber("-ff", 16), tonumber("0x10", 16), tonumber("1.5", 10))
