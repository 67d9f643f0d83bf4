-- Compare the leases of a range on two servers (the peers of a pair, or any two) and print each difference.
--
-- Usage: omapish lease-compare [RANGE...] [--server A --server B] [--conf FILE]
--                              [--format table|csv|json]
-- Exit status: 0 the servers agree, 1 a difference, 2 bad usage, 3 a server
-- could not be read.

local USAGE = [[
Usage: omapish lease-compare [RANGE...] [--server A --server B] [--conf FILE]
                             [--format table|csv|json]

Look up every address of RANGE (A-B, A/N or one address; several are
compared in turn) on two servers and print each difference: a lease that
only one of them has, or a lease whose state (dhcpd's binding state), MAC,
client hostname or end differs. Nothing is printed when they agree.

A client hostname that only one server knows is not a difference: dhcpd
4.4.3's failover binding updates do not carry it (server/failover.c,
dhcp_failover_send_bind_update), so only the peer that answered the client
has it. Two different hostnames are a difference.

Two failover peers should agree once their updates have been exchanged:
a difference that stays is worth a look ("why does the secondary disagree
about this lease?").

The two servers are --server A --server B (profiles or HOST[:PORT], or one
--server A,B), else the two that omapish's command line or configuration
names (omapish --server A --server B lease-compare ..., or the profiles
primary and secondary in omapish lab --pair).

Without RANGE, the ranges of dhcpd.conf's pools are compared: --conf FILE,
else in a lab (omapish lab) the lab's dhcpd.conf, else the system's
(/etc/dhcp/dhcpd.conf, /etc/dhcpd.conf, ...: omapi.dhcpd_files), with the
files it includes, read as dhcpd reads them.

Columns: IP, FIELD (lease, state, mac, hostname, ends) and each server's
value; "-" is no value (for lease: no lease at that address).

Options:
  --server NAME    a server to compare, twice (or NAME,NAME)
  --conf FILE      take the ranges from this dhcpd.conf
  --format FORMAT  table (default), csv or json
  -h, --help       show this help

Exit status: 0 the servers agree, 1 they differ, 2 bad usage, 3 a server
could not be read (no server configured, no connection, a lookup failed).

Examples:
  omapish lease-compare 192.0.2.100-192.0.2.199 --server primary --server secondary
  omapish --server 10.0.0.2 --server 10.0.0.3 --key-name k --secret-file key lease-compare --format csv
]]

local AGREE, DIFFER, USAGE_ERR, UNKNOWN = 0, 1, 2, 3

-- The largest comparison allowed: a /14 on each server.
local MAX_ADDRESSES = 262144

local script = require "omapish.script"
local util = require "omapish.util"
local S = script.new("lease-compare", USAGE, { ok = AGREE, usage = USAGE_ERR, fail = UNKNOWN })

local opts, ranges = S:getopt(arg, { server = "list", conf = "string", format = "string" })
local format = S:format(opts.format)

local servers = opts.server or omapi.servers()
if #servers ~= 2 then
  local why = opts.server and string.format("%d --server given", #servers)
    or string.format("the command line and configuration name %d", #servers)
  S:usage_error("two servers to compare are needed (" .. why .. "): give --server A --server B")
end

---------------------------------------------------------------------------
-- Ranges: the command line's, else the pools of dhcpd.conf.

if #ranges == 0 then
  local path = script.files(opts)
  local conf, err, code = omapi.read_conf(path)
  if not conf then
    if code == "io" and not opts.conf then err = "no dhcpd.conf found (" .. path .. ")" end
    S:usage_error(err .. ": give RANGE or --conf FILE")
  end
  for _, p in ipairs(conf.pools) do
    for _, r in ipairs(p.ranges) do
      ranges[#ranges + 1] = r.first == r.last and r.first or (r.first .. "-" .. r.last)
    end
  end
  if #ranges == 0 then S:usage_error("no pool range in " .. path .. ": give RANGE or --conf FILE") end
end

local addresses = {}
for _, r in ipairs(ranges) do
  local first, err, count = util.ip_range(r)
  if not first then S:usage_error(err) end
  if #addresses + count > MAX_ADDRESSES then
    S:usage_error(string.format("more than %d addresses: compare smaller ranges", MAX_ADDRESSES))
  end
  for _, ip in util.ips(r) do addresses[#addresses + 1] = ip end
end

---------------------------------------------------------------------------
-- Reading both servers. Nothing is printed before both have answered.

local FIELDS = { "state", "hardware-address", "client-hostname", "ends" }

-- read returns, for each address, the lease's fields or false (no lease).
local function read(server)
  local conn, cerr = S:try_connect(server)
  if not conn then S:fail(server .. ": cannot connect: " .. cerr) end
  local keys = {}
  for i, ip in ipairs(addresses) do keys[i] = { ip = ip } end
  local leases, failed = {}, nil
  local _, lerr = conn:lookup_each("lease", keys, function(i, res)
    if res.error then
      if res.code ~= "not-found" then
        failed = failed or (addresses[i] .. ": " .. res.error)
      end
      leases[i] = false
    else
      leases[i] = res
    end
  end, { fields = FIELDS })
  conn:close()
  if lerr then S:fail(server .. ": " .. lerr) end
  if failed then S:fail(server .. ": " .. failed) end
  return leases
end

local a_name, b_name = servers[1], servers[2]
local a, b = read(a_name), read(b_name)

---------------------------------------------------------------------------
-- Differences.

local function state(l) return script.lease_state(l.state) end
local date = script.date

-- COMPARED are the fields compared, as FIELD shows them, with their value.
local COMPARED = {
  { "state", state },
  { "mac", function(l) return l["hardware-address"] end },
  { "hostname", function(l) return l["client-hostname"] end },
  { "ends", function(l) return date(l.ends) end },
}

local diffs, leases = {}, 0
for i, ip in ipairs(addresses) do
  local x, y = a[i], b[i]
  if x or y then leases = leases + 1 end
  if x and y then
    for _, c in ipairs(COMPARED) do
      local u, v = c[2](x), c[2](y)
      -- One side's hostname only: failover does not exchange it.
      local one_sided = c[1] == "hostname" and (u == nil or v == nil)
      if u ~= v and not one_sided then diffs[#diffs + 1] = { ip = ip, field = c[1], a = u, b = v } end
    end
  elseif x or y then
    local l = x or y
    local what = state(l) .. (l["hardware-address"] and (" " .. l["hardware-address"]) or "")
    diffs[#diffs + 1] = { ip = ip, field = "lease", a = x and what or nil, b = y and what or nil }
  end
end

if format == "json" then
  local rows = {}
  for i, d in ipairs(diffs) do
    rows[i] = { ip = d.ip, field = d.field, [a_name] = d.a, [b_name] = d.b }
  end
  print(omapi.json({ servers = { a_name, b_name }, addresses = #addresses, leases = leases,
    differences = rows }, true))
elseif #diffs > 0 then
  if format == "csv" then
    print(util.csv_encode({ "ip", "field", a_name, b_name }))
    for _, d in ipairs(diffs) do print(util.csv_encode({ d.ip, d.field, d.a or "", d.b or "" })) end
  else
    local w = math.max(20, #a_name)
    local line = "%-15s  %-8s  %-" .. w .. "s  %s"
    print((string.format(line, "IP", "FIELD", a_name, b_name):gsub("%s+$", "")))
    for _, d in ipairs(diffs) do
      print((string.format(line, d.ip, d.field, d.a or "-", d.b or "-"):gsub("%s+$", "")))
    end
  end
end

io.stderr:write(string.format("lease-compare: %s and %s: %d addresses, %d leases, %s\n", a_name, b_name,
  #addresses, leases, #diffs == 0 and "no difference" or (#diffs .. " differences")))
os.exit(#diffs == 0 and AGREE or DIFFER)
