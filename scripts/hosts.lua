-- List every host dhcpd has, from dhcpd.conf and the leases file, each checked live over OMAPI.
--
-- Usage: omapish hosts [--conf FILE] [--leases FILE] [--name GLOB] [--mac PREFIX]
--                      [--format table|csv|json] [--no-live]
-- OMAPI cannot list hosts; dhcpd's own files can. Run it with --help for
-- the options.

local USAGE = [[
Usage: omapish hosts [--conf FILE] [--leases FILE] [--name GLOB] [--mac PREFIX]
                     [--format table|csv|json] [--no-live]

List every host dhcpd has: those declared in dhcpd.conf (with their group)
that were not deleted over OMAPI, and those created over OMAPI and not
deleted, as dhcpd computes them when it starts (the last record of a name in
the leases file wins). The files are read as dhcpd reads them
(omapi.read_conf, omapi.read_leases). Then each host is looked up on the
server by name, since OMAPI cannot list them: LIVE is "ok" (the server has
it, same MAC and address), "differs" (what differs follows), or "missing"
(the server does not know it: added or removed since dhcpd wrote the file,
or a file that is not this server's).

Columns: NAME, MAC, ADDRESSES (fixed-address), ORIGIN ("conf" declared in
dhcpd.conf, "omapi" created over OMAPI), GROUP and LIVE.

Files: --conf FILE and --leases FILE; by default, in a lab (omapish lab)
the lab's, else /etc/dhcp/dhcpd.conf and /var/lib/dhcp/dhcpd.leases.

Options:
  --conf FILE       the dhcpd.conf (its include files are read too)
  --leases FILE     the leases file
  --name GLOB       only hosts whose name matches GLOB (a shell glob for the
                    whole name, ignoring case: web*, db-??)
  --mac PREFIX      only hosts whose MAC starts with PREFIX
                    (00:00:5e, 00-00-5E and 00005e are the same)
  --format FORMAT   table (default), csv or json
  --no-live         do not ask the server (LIVE is "-")
  -h, --help        show this help

Exit status: 0 done, 1 a file could not be read or the server not asked,
2 bad usage.

Examples:
  omapish hosts
  omapish hosts --name 'web*' --format json
  omapish hosts --conf /etc/dhcp/dhcpd.conf --leases /var/lib/dhcp/dhcpd.leases --mac 00:00:5e
]]

local script = require "omapish.script"
local util = require "omapish.util"
local S = script.new("hosts", USAGE)

local opts, rest = S:getopt(arg, {
  conf = "string", leases = "string", name = "string", mac = "string",
  format = "string", ["no-live"] = "flag",
})
if #rest > 0 then S:usage_error("unexpected argument " .. rest[1]) end
local format = S:format(opts.format)
local mac_prefix = opts.mac and S:mac_prefix(opts.mac)

local name_glob = nil
if opts.name then
  name_glob = opts.name:lower()
  local ok, err = util.glob(name_glob, "")
  if ok == nil then S:usage_error("--name: " .. err) end
end

-- The files: given, the lab's, or the system's.
local conf_path, leases_path = script.files(opts)

local conf, err = omapi.read_conf(conf_path)
if not conf then S:fail(err) end
local leases, lerr, lcode, partial = omapi.read_leases(leases_path)
if not leases then
  if lcode ~= "syntax" then S:fail(lerr) end
  -- dhcpd starts with the records before the error; so do we, saying so.
  io.stderr:write("hosts: ", lerr, " (dhcpd keeps the records before it; so does this list)\n")
  leases = partial
end

-- The current hosts, as dhcpd computes them: the last leases record of a
-- name replaces or deletes its declaration.
local last = {}
for _, h in ipairs(leases.hosts) do last[h.name] = h end
local hosts, declared = {}, {}
for _, h in ipairs(conf.hosts) do
  declared[h.name] = true
  local l = last[h.name]
  if not l then
    hosts[#hosts + 1] = h
  elseif not l.deleted then
    hosts[#hosts + 1] = l
  end
end
for _, h in ipairs(leases.hosts) do
  if not h.deleted and not declared[h.name] then hosts[#hosts + 1] = h end
end

local function wanted(h)
  if name_glob and not util.glob(name_glob, h.name:lower()) then return false end
  if mac_prefix then
    local hex = (h.mac or ""):gsub(":", "")
    if hex:sub(1, #mac_prefix) ~= mac_prefix then return false end
  end
  return true
end
local shown = {}
for _, h in ipairs(hosts) do
  if wanted(h) then shown[#shown + 1] = h end
end

-- Live: each host by name, pipelined.
local live = {}
if not opts["no-live"] and #shown > 0 then
  local conn = S:connect()
  local keys = {}
  for i, h in ipairs(shown) do keys[i] = { name = h.name } end
  local results, rerr = conn:lookup_many("host", keys, { fields = { "hardware-address", "ip-address" } })
  if not results then S:fail("cannot ask the server: " .. rerr) end
  conn:close()
  for i, h in ipairs(shown) do
    local r = results[i]
    if r.error then
      live[i] = r.code == "not-found" and "missing" or ("error: " .. r.error)
    else
      local diffs = {}
      if (r["hardware-address"] or "") ~= (h.mac or "") then
        diffs[#diffs + 1] = "server MAC " .. (r["hardware-address"] or "none")
      end
      -- dhcpd gives the first fixed address, when it is an address.
      local first = h.addresses[1]
      if first and first:match("^%d+%.%d+%.%d+%.%d+$") and r["ip-address"] ~= first then
        diffs[#diffs + 1] = "server address " .. (r["ip-address"] or "none")
      elseif not first and r["ip-address"] then
        diffs[#diffs + 1] = "server address " .. r["ip-address"]
      end
      live[i] = #diffs == 0 and "ok" or ("differs: " .. table.concat(diffs, ", "))
    end
  end
end

-- Output.
local COLUMNS = { "name", "mac", "addresses", "origin", "group", "live" }
local rows = {}
for i, h in ipairs(shown) do
  rows[i] = {
    name = h.name, mac = h.mac, addresses = table.concat(h.addresses, ","),
    origin = h.origin, group = h.group, live = live[i] or "-",
    file = h.file, line = h.line,
  }
end

script.print_rows(format, COLUMNS, rows)
