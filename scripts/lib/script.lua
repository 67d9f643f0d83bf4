-- omapish.script: what the saved scripts share, so that each says it once.
--
--   local script = require "omapish.script"
--   local S = script.new("lease-scan", USAGE)          -- exit statuses 0, 1, 2
--   local opts, operands = S:getopt(arg, { state = "list", ... })
--   local conn = S:connect()                           -- or exits, saying why
--
-- Everything that ends the script goes through os.exit, which in omapish
-- ends the run, not the process: connections are closed and a CPU profile
-- written as on any other end. The functions look os.exit, io.write and
-- io.stderr up when called, so a test may replace them.

local util = require "omapish.util"

local M = {}

local Script = {}
Script.__index = Script

-- new returns the helpers of the script called name (as typed: "hosts"),
-- whose --help prints usage. status may set the exit statuses: ok (--help,
-- 0), usage (bad usage, 2) and fail (a failure, 1).
function M.new(name, usage, status)
  status = status or {}
  return setmetatable({
    name = name, usage = usage,
    ok = status.ok or 0, usage_status = status.usage or 2, fail_status = status.fail or 1,
  }, Script)
end

-- usage_error writes "NAME: msg" and where to find the usage on stderr,
-- and exits with the usage status.
function Script:usage_error(msg)
  io.stderr:write(self.name, ": ", msg, "\n", "Try 'omapish ", self.name, " --help'.\n")
  os.exit(self.usage_status)
end

-- fail writes "NAME: msg" on stderr and exits with status, by default the
-- failure status.
function Script:fail(msg, status)
  io.stderr:write(self.name, ": ", msg, "\n")
  os.exit(status or self.fail_status)
end

-- getopt reads the arguments by spec (omapish.util's getopt) with -h and
-- --help added: --help prints the usage and exits with the ok status, a
-- bad argument is a usage error. It returns the options and the operands.
function Script:getopt(args, spec)
  spec.help, spec.h = "flag", "help"
  self.takes_server = spec.server ~= nil
  local opts, operands = util.getopt(args, spec)
  if not opts then self:usage_error(operands) end
  if opts.help then
    io.write(self.usage)
    os.exit(self.ok)
  end
  return opts, operands
end

-- format checks --format: table (the default), csv or json.
function Script:format(format)
  format = format or "table"
  if format ~= "table" and format ~= "csv" and format ~= "json" then
    self:usage_error("--format " .. format .. ": table, csv or json expected")
  end
  return format
end

-- try_connect connects to server (nil: omapish's default), returning the
-- connection or nil and a message. With no server configured at all
-- omapi.connect raises; the message then says what to give.
function Script:try_connect(server)
  local ok, conn, err = pcall(omapi.connect, server or nil)
  if ok then return conn, err end
  local msg = tostring(conn):gsub("^[^:]*:%d+: ", "")
  if not server then
    local where = self.takes_server and "--server NAME|HOST[:PORT]"
      or "omapish --server NAME|HOST[:PORT] before the script's name"
    msg = msg .. " (give " .. where .. ", or a configuration file with a default profile)"
  end
  return nil, msg
end

-- connect is try_connect that exits, with status or the failure status,
-- when it cannot connect.
function Script:connect(server, status)
  local conn, err = self:try_connect(server)
  if not conn then self:fail("cannot connect: " .. err, status) end
  return conn
end

-- count_ranges checks the address ranges given (A-B, A/N or an address)
-- and that they hold at most max addresses, advice saying what to do
-- otherwise; it returns how many they hold.
function Script:count_ranges(ranges, max, advice)
  local total = 0
  for _, r in ipairs(ranges) do
    local first, err, count = util.ip_range(r)
    if not first then self:usage_error(err) end
    total = total + count
  end
  if total > max then
    self:usage_error(string.format("%d addresses is more than %d: %s", total, max, advice))
  end
  return total
end

-- lease_filter reads --state, --mac and --hostname (lease-scan's and
-- leases' filters) and returns keep(row), true for a row (ip, state, mac,
-- hostname) they let through, and the set of states asked for (nil: any).
-- With none, "none" is a state too: an address without a lease.
function Script:lease_filter(opts, none)
  local states = self:state_set(opts.state, none)
  local mac_prefix = opts.mac and self:mac_prefix(opts.mac)
  local hostname_match = opts.hostname and self:name_match("--hostname", opts.hostname)
  return function(row)
    if states and not states[row.state] then return false end
    if mac_prefix then
      local hex = row.mac and row.mac:gsub(":", "") or ""
      if hex:sub(1, #mac_prefix) ~= mac_prefix then return false end
    end
    if hostname_match and not (row.hostname and hostname_match(row.hostname)) then return false end
    return true
  end, states
end

-- state_set is the set of lease state names of list (names or numbers
-- 1-7), nil when list is nil.
function Script:state_set(list, none)
  if not list then return nil end
  local set, by_name = {}, { none = none or nil }
  for _, name in pairs(omapi.lease_states) do by_name[name] = true end
  for _, s in ipairs(list) do
    local name = s:lower()
    if tonumber(s) then
      name = omapi.lease_states[tonumber(s)]
      if not name then self:usage_error("--state " .. s .. ": no such lease state (1-7)") end
    elseif not by_name[name] then
      local known = {}
      for n = 1, 7 do known[#known + 1] = omapi.lease_states[n] end
      self:usage_error("--state " .. s .. ": unknown state (states: " .. table.concat(known, ", ")
        .. (none and ", none" or "") .. ")")
    end
    set[name] = true
  end
  return set
end

-- mac_prefix is --mac's prefix as lower-case hex digits (00:00:5e,
-- 00-00-5E and 00005e are the same).
function Script:mac_prefix(mac)
  local prefix = mac:lower():gsub("[:%-%.]", "")
  if prefix == "" or prefix:find("[^0-9a-f]") then
    self:usage_error("--mac " .. mac .. ": hex digits expected, like 00:00:5e")
  end
  return prefix
end

-- name_match returns match(name) for the option's pattern: a shell glob
-- for the whole name, ignoring case, or after a ~ a Lua pattern found
-- anywhere in the name.
function Script:name_match(option, pattern)
  if pattern:sub(1, 1) == "~" then
    local lua_pattern = pattern:sub(2)
    local ok, err = pcall(string.find, "", lua_pattern)
    if not ok then self:usage_error(option .. " " .. pattern .. ": bad Lua pattern: " .. tostring(err)) end
    return function(name) return name:find(lua_pattern) ~= nil end
  end
  local glob = pattern:lower()
  local ok, err = util.glob(glob, "")
  if ok == nil then self:usage_error(option .. ": " .. err) end
  return function(name) return util.glob(glob, name:lower()) end
end

-- date is a time as omapi.time writes it (UTC, ISO 8601), nil for none
-- (nil or 0).
function M.date(epoch)
  if not epoch or epoch == 0 then return nil end
  return omapi.time(epoch)
end

-- lease_state is a lease state's name, "state-N" for a number dhcpd does
-- not define.
function M.lease_state(n)
  return (n and omapi.lease_states[n]) or ("state-" .. tostring(n))
end

-- failover_state is a failover state's name, "state-N" for a number
-- dhcpd does not define, "?" for none.
function M.failover_state(n)
  if n == nil then return "?" end
  return omapi.failover_states[n] or ("state-" .. n)
end

-- files returns the paths of dhcpd.conf and dhcpd.leases: the options
-- --conf and --leases when given, else omapi.dhcpd_files()'s.
function M.files(opts)
  local files = omapi.dhcpd_files()
  return opts.conf or files.conf, opts.leases or files.leases
end

-- print_rows prints rows (tables by column name) as format says: a table
-- (widths fixed by widths, or as wide as the widest cell; "-" for an
-- empty cell), CSV with a header, or a JSON array.
function M.print_rows(format, columns, rows, widths)
  if format == "json" then
    print(#rows == 0 and "[]" or omapi.json(rows, true)) -- an empty table is not an array to omapi.json
  elseif format == "csv" then
    print(util.csv_encode(columns))
    for _, r in ipairs(rows) do
      local fields = {}
      for i, c in ipairs(columns) do fields[i] = r[c] or "" end
      print(util.csv_encode(fields))
    end
  else
    M.print_table(columns, rows, widths)
  end
end

-- print_table is print_rows' table.
function M.print_table(columns, rows, widths)
  local function cell(r, c) return (r[c] == nil or r[c] == "") and "-" or tostring(r[c]) end
  if not widths then
    widths = {}
    for i, c in ipairs(columns) do widths[i] = #c end
    for _, r in ipairs(rows) do
      for i, c in ipairs(columns) do widths[i] = math.max(widths[i], #cell(r, c)) end
    end
  end
  local function line(values)
    local parts = {}
    for i, v in ipairs(values) do
      parts[i] = (i < #values and widths[i]) and (v .. string.rep(" ", widths[i] - #v)) or v
    end
    print(table.concat(parts, "  "))
  end
  local header = {}
  for i, c in ipairs(columns) do header[i] = c:upper() end
  line(header)
  for _, r in ipairs(rows) do
    local values = {}
    for i, c in ipairs(columns) do values[i] = cell(r, c) end
    line(values)
  end
end

return M
