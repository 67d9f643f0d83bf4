-- os.time: Lua 5.1 requires the day, month and year fields; gopher-lua
-- takes a missing one as 0 (hour as 12 in both).
print(pcall(os.time, {year = 2000}))
print(pcall(os.time, {year = 2000, month = 1}))
