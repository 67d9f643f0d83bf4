-- Find the addresses of a range or pool that no lease, host or fixed address uses, checked live.
--
-- Usage: omapish unused-ips [RANGE...] [--conf FILE] [--leases FILE] [--count N]
--                           [--format table|csv|json] [--no-live]
-- Like Foreman's "unused IP": the free addresses for a new reservation.
-- Run it with --help for the options.

local USAGE = [[
Usage: omapish unused-ips [RANGE...] [--conf FILE] [--leases FILE] [--count N]
                          [--format table|csv|json] [--no-live]

List the addresses of RANGE (A-B, A/N or one address; by default every
range of dhcpd.conf's subnets and pools) that nothing uses: no lease that is
active or abandoned (or reserved) in the leases file, no host's fixed
address in dhcpd.conf or created over OMAPI and not deleted. The files are
read as dhcpd reads them (omapi.read_conf, omapi.read_leases). Then each
candidate's lease is looked up on the server, since dhcpd may have leased it
since it last wrote the file; one the server holds active or abandoned is
left out. This is what Foreman's smart-proxy calls an unused IP: an address
for a new reservation.

Files: --conf FILE and --leases FILE; by default, in a lab (omapish lab) the
lab's, else /etc/dhcp/dhcpd.conf and /var/lib/dhcp/dhcpd.leases.

Options:
  --conf FILE       the dhcpd.conf (its include files are read too)
  --leases FILE     the leases file
  --count N         at most N addresses (the first ones)
  --format FORMAT   table (default: one address per line), csv or json
  --no-live         do not ask the server
  -h, --help        show this help

Exit status: 0 done (also when none is unused), 1 a file could not be read
or the server not asked, 2 bad usage.

Examples:
  omapish unused-ips --count 1
  omapish unused-ips 192.0.2.100-192.0.2.199 --format json
]]

local script = require "omapish.script"
local util = require "omapish.util"
local S = script.new("unused-ips", USAGE)

local opts, ranges = S:getopt(arg, {
  conf = "string", leases = "string", count = "number", format = "string", ["no-live"] = "flag",
})
local format = S:format(opts.format)
if opts.count and (opts.count < 1 or opts.count ~= math.floor(opts.count)) then
  S:usage_error("--count must be a whole number of at least 1")
end

-- The largest set of addresses looked at: a /16.
local MAX_ADDRESSES = 65536
local total = S:count_ranges(ranges, MAX_ADDRESSES, "give smaller ranges")

local conf_path, leases_path = script.files(opts)

local conf, cerr = omapi.read_conf(conf_path)
if not conf then S:fail(cerr) end
local leases, lerr = omapi.read_leases(leases_path)
if not leases then S:fail(lerr) end

-- Without RANGE: the conf's ranges.
if #ranges == 0 then
  local function add(list)
    for _, r in ipairs(list) do
      local text = r.first == r.last and r.first or (r.first .. "-" .. r.last)
      local first, err, count = util.ip_range(text)
      if first then
        ranges[#ranges + 1] = text
        total = total + count
      end
    end
  end
  for _, s in ipairs(conf.subnets) do add(s.ranges) end
  for _, p in ipairs(conf.pools) do add(p.ranges) end
  if #ranges == 0 then S:usage_error("no range in " .. conf_path .. ": give a RANGE") end
end
if total > MAX_ADDRESSES then
  S:usage_error(string.format("%d addresses is more than %d: give smaller ranges", total, MAX_ADDRESSES))
end

-- What the files say is used.
local used = {}
local IN_USE = { active = true, abandoned = true }
for _, l in ipairs(leases.leases) do
  if IN_USE[l.state] or l.reserved then used[l.ip] = "lease " .. l.state end
end
local last = {}
for _, h in ipairs(leases.hosts) do last[h.name] = h end
local function host_uses(h)
  for _, a in ipairs(h.addresses) do used[a] = "host " .. h.name end
end
for _, h in ipairs(conf.hosts) do
  local l = last[h.name]
  if not l then host_uses(h) elseif not l.deleted then host_uses(l) end
end
for _, h in ipairs(leases.hosts) do
  if not h.deleted then host_uses(h) end
end

-- Candidates, in range order, without duplicates.
local candidates, seen = {}, {}
for _, r in ipairs(ranges) do
  for _, ip in util.ips(r) do
    if not used[ip] and not seen[ip] then
      seen[ip] = true
      candidates[#candidates + 1] = ip
    end
  end
end

-- Live: a lease the server holds active or abandoned is in use.
local unused = {}
local want = opts.count or #candidates
if opts["no-live"] then
  for i = 1, math.min(want, #candidates) do unused[i] = candidates[i] end
elseif #candidates > 0 then
  local conn = S:connect()
  local i = 1
  -- Ask in batches, stopping once enough are found.
  while i <= #candidates and #unused < want do
    local keys, batch = {}, {}
    for j = i, math.min(i + 1023, #candidates) do
      keys[#keys + 1] = { ip = candidates[j] }
      batch[#batch + 1] = candidates[j]
    end
    local res, rerr = conn:lookup_many("lease", keys, { fields = { "state" } })
    if not res then S:fail("cannot ask the server: " .. rerr) end
    for k, r in ipairs(res) do
      if r.error and r.code ~= "not-found" then S:fail(batch[k] .. ": " .. r.error) end
      local state = not r.error and omapi.lease_states[r.state]
      if not (state and IN_USE[state]) and #unused < want then unused[#unused + 1] = batch[k] end
    end
    i = i + #batch
  end
  conn:close()
end

if format == "json" then
  print(#unused == 0 and "[]" or omapi.json(unused, true)) -- an empty table is not an array to omapi.json
elseif format == "csv" then
  print("ip")
  for _, ip in ipairs(unused) do print(ip) end
else
  for _, ip in ipairs(unused) do print(ip) end
end
