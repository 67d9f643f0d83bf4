-- os.date/os.time with fixed times (run with TZ=UTC).
local t = 1700000000
print(os.date("!%Y-%m-%d %H:%M:%S", t))
print(os.date("!%a %A %b %B %d %j %m %p %w %y %Y %%", t))
print(os.date("!%c", t))
print(os.date("!%x %X", t))
print(os.date("!%H:%M", 0), os.date("!%Y", 86400 * 365))
local d = os.date("!*t", t)
print(d.year, d.month, d.day, d.hour, d.min, d.sec, d.wday, d.yday, d.isdst)
print(os.time({year = 2023, month = 11, day = 14, hour = 22, min = 13, sec = 20}))
print(os.time({year = 2000, month = 1, day = 1, hour = 0}))
print(os.time({year = 2000, month = 13, day = 1, hour = 0}))
print(os.time({year = 2000, month = 3, day = 0}))
print(os.date("%Y-%m-%d %H:%M:%S", 86400))
print(type(os.time()), type(os.clock()), os.difftime(10, 4))
print(os.date("!%I %M %S", 1700000000 + 13 * 3600))
-- every day of two years (one a leap year): weekday, day of the year, weeks
for day = 0, 730, 1 do
  local t = 1704067200 - 365 * 86400 + day * 86400
  local d = os.date("!*t", t)
  io.write(os.date("!%Y-%m-%d %a %j %U %W %w ", t), d.yday, " ", d.wday, day % 4 == 3 and "\n" or "| ")
end
print()
