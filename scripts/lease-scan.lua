-- List every lease in an address range or CIDR, with state, MAC, client hostname and times.
--
-- Usage: omapish lease-scan RANGE... [--state STATE] [--mac PREFIX] [--hostname PATTERN]
--                                    [--format table|csv|json] [--all] [--chunk N]
-- RANGE is A-B, A/N or one address. OMAPI cannot list leases, so the script
-- asks for every address, thousands at a time (conn:lookup_each). Run it with
-- --help for the options.

local USAGE = [[
Usage: omapish lease-scan RANGE... [--state STATE] [--mac PREFIX] [--hostname PATTERN]
                                   [--format table|csv|json] [--all] [--chunk N]

List the leases dhcpd holds in RANGE: an address range A-B, a CIDR A/N or one
address (several RANGEs are scanned in turn). OMAPI cannot list leases, so
every address is asked for, --chunk addresses at a time in one pipelined
batch whose results are handled as they arrive: a /16 takes well under a
second in the lab. While it runs, a progress line goes
to stderr if stderr is a terminal.

Columns: IP, STATE (dhcpd's name), MAC, STARTS and ENDS (UTC, ISO 8601;
"never" for no end, "-" when unset) and HOSTNAME (the client's).

Options:
  --state STATE       only leases in these states: free, active, expired,
                      released, abandoned, reset, backup, or their numbers
                      1-7; "none" means addresses without a lease. Repeat
                      the option or give a comma list: --state active,expired
  --mac PREFIX        only leases whose MAC starts with PREFIX
                      (00:00:5e, 00-00-5E and 00005e are the same)
  --hostname PATTERN  only leases whose client hostname matches PATTERN: a
                      shell glob for the whole name, ignoring case (client*,
                      web-??, db[0-9]*), or after a ~ a Lua pattern found
                      anywhere in the name (~^client1%d+$)
  --format FORMAT     table (default), csv (a header line, then one line per
                      lease) or json (an array of objects)
  --all               also list addresses dhcpd has no lease for (state none);
                      by default they are skipped
  --chunk N           addresses per pipelined batch (default 8192: about 35 MB;
                      smaller takes less memory and more time)
  -h, --help          show this help

Exit status: 0 done (also when nothing matched), 1 no connection or a lookup
failed, 2 bad usage.

Examples:
  omapish lease-scan 192.0.2.0/24 --state active
  omapish lease-scan 192.0.2.100-192.0.2.199 --mac 00:00:5e --format json
  omapish lease-scan 10.1.0.0/16 --format csv > leases.csv
]]

-- The largest scan allowed: a /12. Split bigger ones.
local MAX_ADDRESSES = 1048576

local script = require "omapish.script"
local util = require "omapish.util"
local S = script.new("lease-scan", USAGE)

local opts, ranges = S:getopt(arg, {
  state = "list", mac = "string", hostname = "string", format = "string",
  all = "flag", chunk = "number",
})
if #ranges == 0 then S:usage_error("no address range given") end
local total = S:count_ranges(ranges, MAX_ADDRESSES, "scan smaller ranges")
local keep, state_names = S:lease_filter(opts, true)
local format = S:format(opts.format)

local chunk_size = opts.chunk or 8192
if chunk_size < 1 or chunk_size ~= math.floor(chunk_size) then
  S:usage_error("--chunk must be a whole number of at least 1")
end

-- A row of output, or nil when the filters drop it.
local function make_row(ip, lease)
  local row = { ip = ip }
  if lease then
    row.state = script.lease_state(lease.state)
    row.mac = lease["hardware-address"]
    row.hostname = lease["client-hostname"]
    row.starts = script.date(lease.starts)
    row.ends = script.date(lease.ends)
  else
    row.state = "none"
  end
  if not keep(row) then return nil end
  return row
end

-- Output.
local COLUMNS = { "ip", "state", "mac", "starts", "ends", "hostname" }
local TABLE_LINE = "%-15s  %-9s  %-17s  %-20s  %-20s  %s"
-- Without a hostname, no padding after ENDS (a trailing-space gsub per
-- line doubled the time of a /16).
local TABLE_LINE_NO_HOSTNAME = "%-15s  %-9s  %-17s  %-20s  %s"
local json_pending = nil -- the last JSON element, not printed yet

local function format_row(row)
  if format == "csv" then
    local fields = {}
    for i, c in ipairs(COLUMNS) do fields[i] = row[c] or "" end
    return util.csv_encode(fields)
  elseif format == "json" then
    return "  " .. omapi.json(row)
  end
  if row.hostname and row.hostname ~= "" then
    return string.format(TABLE_LINE, row.ip, row.state, row.mac or "-",
      row.starts or "-", row.ends or "-", row.hostname)
  end
  return string.format(TABLE_LINE_NO_HOSTNAME, row.ip, row.state, row.mac or "-",
    row.starts or "-", row.ends or "-")
end

-- Connect before the header: a run that cannot ask prints nothing on stdout.
local conn = S:connect()

if format == "table" then
  print((string.format(TABLE_LINE, "IP", "STATE", "MAC", "STARTS", "ENDS", "HOSTNAME")))
elseif format == "csv" then
  print(util.csv_encode(COLUMNS))
else
  print("[")
end


local progress = util.isatty("stderr")
local scanned, leases, failures = 0, 0, 0

-- Lines are printed in slices: gopher-lua's table.concat puts every piece
-- on its stack, which holds about 5000 values.
local lines = {}
local function flush()
  if #lines > 0 then
    print(table.concat(lines, "\n"))
    lines = {}
  end
end
local function emit(line)
  -- JSON array elements are separated by commas: hold each element back
  -- until the next one (or the end) shows whether it needs one.
  if format == "json" then
    if json_pending then lines[#lines + 1] = json_pending .. "," end
    json_pending = line
  else
    lines[#lines + 1] = line
  end
  if #lines >= 1000 then flush() end
end

-- The attributes a row shows: dhcpd sends some fifteen, and a Lua table
-- of five is much cheaper to build.
local FIELDS = { "state", "hardware-address", "client-hostname", "starts", "ends" }

-- scan looks up every address of the list. Each result is handled as it
-- arrives, while later lookups are in flight (conn:lookup_each).
local function scan(addresses)
  local keys = {}
  for i, ip in ipairs(addresses) do keys[i] = { ip = ip } end
  local _, lerr = conn:lookup_each("lease", keys, function(i, res)
    scanned = scanned + 1
    local lease = nil
    if res.error then
      if res.code ~= "not-found" then
        failures = failures + 1
        io.stderr:write("lease-scan: ", addresses[i], ": ", res.error, "\n")
      end
    else
      lease = res
      leases = leases + 1
    end
    if lease or res.code == "not-found" and (opts.all or (state_names and state_names.none)) then
      local row = make_row(addresses[i], lease)
      if row then emit(format_row(row)) end
    end
  end, { fields = FIELDS })
  if lerr then
    flush()
    if progress then io.stderr:write("\n") end
    io.stderr:write(string.format("lease-scan: stopped after %d of %d addresses (their leases were printed): %s\n",
      scanned, total, lerr))
    os.exit(1)
  end
  flush()
  if progress then
    io.stderr:write(string.format("\rscanned %d of %d addresses (%d%%), %d leases ",
      scanned, total, math.floor(scanned * 100 / total), leases))
  end
end

for _, r in ipairs(ranges) do
  local batch = {}
  for _, ip in util.ips(r) do
    batch[#batch + 1] = ip
    if #batch == chunk_size then
      scan(batch)
      batch = {}
    end
  end
  if #batch > 0 then scan(batch) end
end
conn:close()

if progress then io.stderr:write("\r", string.rep(" ", 70), "\r") end
if format == "json" then
  if json_pending then print(json_pending) end
  print("]")
end
if failures > 0 then
  S:fail(string.format("%d of %d lookups failed", failures, scanned))
end
