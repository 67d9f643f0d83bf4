-- List the leases of dhcpd's leases file, filtered as lease-scan filters, without scanning; --live checks each.
--
-- Usage: omapish leases [--leases FILE] [--state STATE] [--mac PREFIX] [--hostname PATTERN]
--                       [--format table|csv|json] [--live]
-- The leases file has every lease dhcpd knows; reading it needs no scan of
-- the address space. Run it with --help for the options.

local USAGE = [[
Usage: omapish leases [--leases FILE] [--state STATE] [--mac PREFIX] [--hostname PATTERN]
                      [--format table|csv|json] [--live]

List every lease of dhcpd's leases file, in its current record (dhcpd
appends one per change; the last one of an address wins, as when dhcpd
starts), read as dhcpd reads it (omapi.read_leases). No address is asked
for: this answers at once where lease-scan asks for each address of a
range. With --live each lease listed is looked up on the server, and LIVE
says "ok", or how the server differs from the file (dhcpd writes the file
as leases change, so a difference is a change not yet written, or a file
that is not this server's).

Columns: IP, STATE, MAC, STARTS and ENDS (UTC, ISO 8601; "never" for no
end, "-" when unset), HOSTNAME (the client's), and with --live, LIVE.

The file: --leases FILE; by default, in a lab (omapish lab) the lab's,
else /var/lib/dhcp/dhcpd.leases.

Options:
  --leases FILE       the leases file
  --state STATE       only leases in these states: free, active, expired,
                      released, abandoned, reset, backup, or their numbers
                      1-7. Repeat the option or give a comma list
  --mac PREFIX        only leases whose MAC starts with PREFIX
                      (00:00:5e, 00-00-5E and 00005e are the same)
  --hostname PATTERN  only leases whose client hostname matches PATTERN: a
                      shell glob for the whole name, ignoring case, or
                      after a ~ a Lua pattern found anywhere in the name
  --format FORMAT     table (default), csv or json
  --live              check each lease listed against the server
  -h, --help          show this help

Exit status: 0 done (also when nothing matched), 1 the file could not be
read whole or a lookup failed, 2 bad usage.

Examples:
  omapish leases --state active --mac 00:00:5e
  omapish leases --hostname 'client*' --live
  omapish leases --leases /var/lib/dhcp/dhcpd.leases --format csv > leases.csv
]]

local function usage_error(msg)
  io.stderr:write("leases: ", msg, "\n", "Try 'omapish leases --help'.\n")
  os.exit(2)
end

local opts, rest = omapi.getopt(arg, {
  leases = "string", state = "list", mac = "string", hostname = "string",
  format = "string", live = "flag", help = "flag", h = "help",
})
if not opts then usage_error(rest) end
if opts.help then
  io.write(USAGE)
  os.exit(0)
end
if #rest > 0 then usage_error("unexpected argument " .. rest[1]) end

-- Filters, as lease-scan's.
local state_names = nil
if opts.state then
  state_names = {}
  local by_name = {}
  for _, name in pairs(omapi.lease_states) do by_name[name] = true end
  for _, s in ipairs(opts.state) do
    local name = s:lower()
    if tonumber(s) then
      name = omapi.lease_states[tonumber(s)]
      if not name then usage_error("--state " .. s .. ": no such lease state (1-7)") end
    elseif not by_name[name] then
      local known = {}
      for n = 1, 7 do known[#known + 1] = omapi.lease_states[n] end
      usage_error("--state " .. s .. ": unknown state (states: " .. table.concat(known, ", ") .. ")")
    end
    state_names[name] = true
  end
end

local mac_prefix = nil
if opts.mac then
  mac_prefix = opts.mac:lower():gsub("[:%-%.]", "")
  if mac_prefix == "" or mac_prefix:find("[^0-9a-f]") then
    usage_error("--mac " .. opts.mac .. ": hex digits expected, like 00:00:5e")
  end
end

local hostname_match = nil
if opts.hostname then
  local pattern = opts.hostname
  if pattern:sub(1, 1) == "~" then
    local lua_pattern = pattern:sub(2)
    local ok, err = pcall(string.find, "", lua_pattern)
    if not ok then usage_error("--hostname " .. pattern .. ": bad Lua pattern: " .. tostring(err)) end
    hostname_match = function(name) return name:find(lua_pattern) ~= nil end
  else
    local glob = pattern:lower()
    local ok, err = omapi.glob(glob, "")
    if ok == nil then usage_error("--hostname: " .. err) end
    hostname_match = function(name) return omapi.glob(glob, name:lower()) end
  end
end

local format = opts.format or "table"
if format ~= "table" and format ~= "csv" and format ~= "json" then
  usage_error("--format " .. format .. ": table, csv or json expected")
end

-- The file.
local path = opts.leases or omapi.dhcpd_files().leases
local status = 0
local file, err, code, partial = omapi.read_leases(path)
if not file then
  if code ~= "syntax" then
    io.stderr:write("leases: ", err, "\n")
    os.exit(1)
  end
  -- dhcpd keeps the records before the error; they are listed, and the
  -- exit status says the file was not read whole.
  io.stderr:write("leases: ", err, " (the leases before it are listed, as dhcpd keeps them)\n")
  file, status = partial, 1
end

local function date(epoch)
  if not epoch or epoch == 0 then return nil end
  return omapi.time(epoch)
end

local rows = {}
for _, l in ipairs(file.leases) do
  local ok = not state_names or state_names[l.state]
  if ok and mac_prefix then
    local hex = (l.mac or ""):gsub(":", "")
    ok = hex:sub(1, #mac_prefix) == mac_prefix
  end
  if ok and hostname_match then ok = l.hostname ~= nil and hostname_match(l.hostname) end
  if ok then
    rows[#rows + 1] = { ip = l.ip, state = l.state, mac = l.mac, starts = date(l.starts),
      ends = date(l.ends), hostname = l.hostname, ends_epoch = l.ends or 0 }
  end
end

-- Live: each lease listed, pipelined.
if opts.live and #rows > 0 then
  local conn, cerr = omapi.connect()
  if not conn then
    io.stderr:write("leases: cannot connect: ", cerr, "\n")
    os.exit(1)
  end
  local keys = {}
  for i, r in ipairs(rows) do keys[i] = { ip = r.ip } end
  local results, rerr = conn:lookup_many("lease", keys,
    { fields = { "state", "hardware-address", "client-hostname", "ends" } })
  if not results then
    io.stderr:write("leases: cannot ask the server: ", rerr, "\n")
    os.exit(1)
  end
  conn:close()
  for i, r in ipairs(rows) do
    local s = results[i]
    if s.error then
      r.live = s.code == "not-found" and "missing" or ("error: " .. s.error)
      if s.code ~= "not-found" then status = 1 end
    else
      local diffs = {}
      local state = omapi.lease_states[s.state] or ("state-" .. tostring(s.state))
      if state ~= r.state then diffs[#diffs + 1] = "server state " .. state end
      if (s["hardware-address"] or "") ~= (r.mac or "") then
        diffs[#diffs + 1] = "server MAC " .. (s["hardware-address"] or "none")
      end
      if (s["client-hostname"] or "") ~= (r.hostname or "") then
        diffs[#diffs + 1] = "server hostname " .. (s["client-hostname"] or "none")
      end
      if (s.ends or 0) ~= r.ends_epoch then
        diffs[#diffs + 1] = "server ends " .. (date(s.ends) or "none")
      end
      r.live = #diffs == 0 and "ok" or ("differs: " .. table.concat(diffs, ", "))
    end
  end
end

-- Output.
local COLUMNS = { "ip", "state", "mac", "starts", "ends", "hostname" }
if opts.live then COLUMNS[#COLUMNS + 1] = "live" end
for _, r in ipairs(rows) do r.ends_epoch = nil end

if format == "json" then
  print(#rows == 0 and "[]" or omapi.json(rows, true)) -- an empty table is not an array to omapi.json
elseif format == "csv" then
  print(omapi.csv_encode(COLUMNS))
  for _, r in ipairs(rows) do
    local fields = {}
    for i, c in ipairs(COLUMNS) do fields[i] = r[c] or "" end
    print(omapi.csv_encode(fields))
  end
else
  local widths = { 15, 9, 17, 20, 20, 8 }
  local function line(values)
    local parts = {}
    for i, v in ipairs(values) do
      parts[i] = (i < #values and widths[i]) and (v .. string.rep(" ", widths[i] - #v)) or v
    end
    print(table.concat(parts, "  "))
  end
  local header = {}
  for i, c in ipairs(COLUMNS) do header[i] = c:upper() end
  line(header)
  for _, r in ipairs(rows) do
    local values = {}
    for i, c in ipairs(COLUMNS) do values[i] = r[c] or "-" end
    line(values)
  end
end
os.exit(status)
