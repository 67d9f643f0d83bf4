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

local script = require "omapish.script"
local S = script.new("leases", USAGE)

local opts, rest = S:getopt(arg, {
  leases = "string", state = "list", mac = "string", hostname = "string",
  format = "string", live = "flag",
})
if #rest > 0 then S:usage_error("unexpected argument " .. rest[1]) end
local keep = S:lease_filter(opts) -- as lease-scan's
local format = S:format(opts.format)

-- The file.
local _, path = script.files(opts)
local status = 0
local file, err, code, partial = omapi.read_leases(path)
if not file then
  if code ~= "syntax" then S:fail(err) end
  -- dhcpd keeps the records before the error; they are listed, and the
  -- exit status says the file was not read whole.
  io.stderr:write("leases: ", err, " (the leases before it are listed, as dhcpd keeps them)\n")
  file, status = partial, 1
end

local date = script.date
local rows = {}
for _, l in ipairs(file.leases) do
  if keep(l) then
    rows[#rows + 1] = { ip = l.ip, state = l.state, mac = l.mac, starts = date(l.starts),
      ends = date(l.ends), hostname = l.hostname, ends_epoch = l.ends or 0 }
  end
end

-- Live: each lease listed, pipelined.
if opts.live and #rows > 0 then
  local conn = S:connect()
  local keys = {}
  for i, r in ipairs(rows) do keys[i] = { ip = r.ip } end
  local results, rerr = conn:lookup_many("lease", keys,
    { fields = { "state", "hardware-address", "client-hostname", "ends" } })
  if not results then S:fail("cannot ask the server: " .. rerr) end
  conn:close()
  for i, r in ipairs(rows) do
    local s = results[i]
    if s.error then
      r.live = s.code == "not-found" and "missing" or ("error: " .. s.error)
      if s.code ~= "not-found" then status = 1 end
    else
      local diffs = {}
      local state = script.lease_state(s.state)
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

script.print_rows(format, COLUMNS, rows, { 15, 9, 17, 20, 20, 8 })
os.exit(status)
