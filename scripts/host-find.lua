-- Show everything dhcpd knows about a MAC, an IP, a host name or a client-id: host and lease side by side.
--
-- Usage: omapish host-find WHAT [--as ip|mac|name|client-id] [--json]
-- WHAT's kind is guessed: 192.0.2.150 is an IP, 00:00:5e:00:53:50 a MAC,
-- 01:00:00:5e:00:53:50 (colon-separated hex, not a MAC) a client-id, anything else a host
-- name (and, if no host has that name, a client-id in text).

local USAGE = [[
Usage: omapish host-find WHAT [--as ip|mac|name|client-id] [--json]

Show what dhcpd knows about WHAT: the host object and the lease, side by
side, with every attribute the server sends (times as UTC dates, lease
states by name).

WHAT is guessed from its form, or given by --as:
  ip         192.0.2.150: the lease on that address, and the host whose MAC
             holds that lease (dhcpd finds hosts by IP only through a lease)
  mac        00:00:5e:00:53:50 (also 00-00-5E-00-53-50): the host with that
             MAC and its lease
  client-id  colon-separated hex that is not a MAC (01:00:00:5e:00:53:50: those
             bytes), or with --as client-id any text (its bytes; hex as
             before): the host and lease with that dhcp-client-identifier
  name       anything else: the host of that name and the lease of its MAC,
             client-id or fixed address; when no host has that name, WHAT is
             also tried as a client-id in text

Options:
  --as KIND   take WHAT as an ip, mac, name or client-id
  --json      print one JSON object: {query, kind, host, lease, notes}
  -h, --help  show this help

Exit status: 0 something was found, 1 dhcpd knows nothing about WHAT (or a
lookup failed), 2 bad usage.

Examples:
  omapish host-find 192.0.2.150
  omapish host-find static1 --json
]]

local script = require "omapish.script"
local S = script.new("host-find", USAGE)

local opts, operands = S:getopt(arg, { as = "string", json = "flag" })
if #operands ~= 1 then S:usage_error("one WHAT expected (an IP, a MAC, a host name or a client-id)") end
local what = operands[1]

-- Guess what WHAT is.
local function is_ip(s)
  return s:match("^%d+%.%d+%.%d+%.%d+$") and pcall(omapi.pack_ip, s)
end

-- A MAC: six hex groups separated by colons or dashes.
local function is_mac(s)
  return s:match("^%x%x?[:%-]%x%x?[:%-]%x%x?[:%-]%x%x?[:%-]%x%x?[:%-]%x%x?$") ~= nil
end

-- omapish's bytes rule (README, "The Lua module"): colon-separated hex
-- (01:00:00:5e:00:53:50, 1:0:5e) is the bytes it spells, any other text
-- its own bytes. The module applies it to the string given as a
-- dhcp-client-identifier; this only guesses WHAT's kind by it. Dashes are
-- not taken: "db-01" is a host name.
local function hex_form(s)
  return s:find(":") ~= nil and (s .. ":"):gsub("%x%x?:", "") == ""
end

local kind, key
if opts.as then
  kind = opts.as
  if kind == "ip" then
    if not is_ip(what) then S:usage_error(what .. " is not an IPv4 address") end
    key = what
  elseif kind == "mac" then
    local ok, b = pcall(omapi.pack_mac, what)
    if not ok then S:usage_error(what .. " is not a MAC address") end
    key = omapi.unpack_mac(b)
  elseif kind == "client-id" then
    key = what
  elseif kind == "name" then
    key = what
  else
    S:usage_error("--as " .. kind .. ": ip, mac, name or client-id expected")
  end
elseif is_ip(what) then
  kind, key = "ip", what
elseif is_mac(what) then
  kind, key = "mac", omapi.unpack_mac(omapi.pack_mac(what))
elseif hex_form(what) then
  kind, key = "client-id", what
else
  kind, key = "name", what
end

local conn = S:connect()

-- find looks one object up; a failure other than not-found is a note.
local notes = {}
local failed = false
local function find(typ, keys, what_text)
  local obj, err, code = conn:open(typ, keys)
  if obj then return obj end
  if code == "not-found" then
    notes[#notes + 1] = "no " .. typ .. " with " .. what_text
  elseif code == "multiple" then
    notes[#notes + 1] = "several " .. typ .. "s have " .. what_text .. " (dhcpd cannot say which)" ..
      (typ == "lease" and "; lease-scan --mac lists them" or "")
  else
    notes[#notes + 1] = typ .. " with " .. what_text .. ": " .. err
    failed = true
  end
  return nil
end

-- show_bytes shows a client identifier as text when it is printable and
-- would not read as hex bytes, else as hex: what it shows, given back as
-- a client-id, is the same bytes.
local function show_bytes(s)
  if s:match("^[%w%p ]+$") and not hex_form(s) then return s end
  return omapi.hex(s, ":")
end

-- show_value shows a string attribute: a bytes one by show_bytes, text
-- as it is unless it is not printable.
local function show_value(obj, name, v)
  if omapi.kind(obj.type, name) == "bytes" then return show_bytes(v) end
  if v:match("^[%w%p ]*$") then return v end
  return omapi.hex(v, ":")
end

local host, lease
if kind == "ip" then
  lease = find("lease", { ip = key }, "IP " .. key)
  host = find("host", { ip = key }, "IP " .. key .. " (dhcpd finds hosts by IP through the lease's MAC)")
  local cid = lease and lease["dhcp-client-identifier"]
  if not host and cid then
    host = find("host", { ["dhcp-client-identifier"] = omapi.raw(cid) }, "the lease's client-id " .. show_bytes(cid))
  end
elseif kind == "mac" then
  host = find("host", { mac = key }, "MAC " .. key)
  lease = find("lease", { mac = key }, "MAC " .. key)
elseif kind == "client-id" then
  host = find("host", { ["dhcp-client-identifier"] = key }, "client-id " .. show_bytes(key))
  lease = find("lease", { ["dhcp-client-identifier"] = key }, "client-id " .. show_bytes(key))
else
  host = find("host", { name = key }, "name " .. key)
  if host then
    local mac, cid, ip = host["hardware-address"], host["dhcp-client-identifier"], host["ip-address"]
    if type(ip) == "table" then ip = ip[1] end
    if mac then
      lease = find("lease", { mac = mac }, "the host's MAC " .. mac)
    elseif cid then
      lease = find("lease", { ["dhcp-client-identifier"] = omapi.raw(cid) }, "the host's client-id " .. show_bytes(cid))
    end
    if not lease and ip then
      lease = find("lease", { ip = ip }, "the host's IP " .. ip)
    end
  else
    -- No host of that name: maybe it is a client identifier in text.
    host = find("host", { ["dhcp-client-identifier"] = omapi.raw(key) }, "client-id " .. key)
    lease = find("lease", { ["dhcp-client-identifier"] = omapi.raw(key) }, "client-id " .. key)
    if host or lease then kind = "client-id" end
  end
end
conn:close()

-- Formatting values the way a person reads them.
local TIMES = { starts = true, ends = true, tstp = true, tsfp = true, atsfp = true, cltt = true }

local function show(obj, name)
  if not obj then return nil end
  local v = obj[name]
  if v == nil then return nil end
  if name == "state" and obj.type == "lease" then
    return script.lease_state(v) .. " (" .. v .. ")"
  elseif TIMES[name] then
    if v == 0 then return "-" end
    return omapi.time(v)
  elseif type(v) == "table" then
    return table.concat(v, ",")
  elseif type(v) == "string" then
    v = show_value(obj, name, v)
    -- A value another client made huge (dhcpd takes names of any size)
    -- would widen the whole table to its length: its start and its size.
    if #v > 64 then return v:sub(1, 48) .. "... (" .. #v .. " bytes)" end
    return v
  end
  return tostring(v)
end

-- Rows: the usual attributes first, then any others, sorted.
local ORDER = { "name", "hardware-address", "hardware-type", "dhcp-client-identifier", "ip-address",
  "state", "client-hostname", "starts", "ends", "cltt", "tstp", "tsfp", "atsfp", "flags",
  "host", "subnet", "pool", "billing-class" }
local names, seen = {}, {}
for _, n in ipairs(ORDER) do
  if (host and host[n] ~= nil) or (lease and lease[n] ~= nil) then
    names[#names + 1] = n
    seen[n] = true
  end
end
local extra = {}
for _, obj in ipairs{ host or false, lease or false } do
  if obj then
    for n in pairs(obj:attrs()) do
      if not seen[n] then
        seen[n] = true
        extra[#extra + 1] = n
      end
    end
  end
end
table.sort(extra)
for _, n in ipairs(extra) do names[#names + 1] = n end

local KINDS = { ip = "IP address", mac = "MAC address", name = "host name", ["client-id"] = "client identifier" }

if opts.json then
  -- JSON keeps numbers as numbers; times become dates and states names.
  local function fields(obj)
    if not obj then return nil end
    local t = { handle = obj.handle }
    for _, n in ipairs(names) do
      local v = obj[n]
      if n == "state" and obj.type == "lease" and v then
        v = script.lease_state(v)
      elseif TIMES[n] and v then
        v = script.date(v)
      elseif type(v) == "string" then
        v = show_value(obj, n, v)
      end
      t[n] = v
    end
    return t
  end
  local out = { query = what, kind = kind, host = fields(host), lease = fields(lease) }
  if #notes > 0 then out.notes = notes end
  print(omapi.json(out, true))
else
  print(what .. " (" .. KINDS[kind] .. ")")
  if host or lease then
    local w = 22
    for _, n in ipairs(names) do if #n > w then w = #n end end
    local hw = 24
    for _, n in ipairs(names) do
      local v = show(host, n)
      if v and #v > hw then hw = #v end
    end
    local line = "%-" .. w .. "s  %-" .. hw .. "s  %s"
    local function title(obj, typ)
      if not obj then return "(no " .. typ .. ")" end
      return typ:upper() .. " (handle " .. obj.handle .. ")"
    end
    print((string.format(line, "", title(host, "host"), title(lease, "lease")):gsub("%s+$", "")))
    for _, n in ipairs(names) do
      print((string.format(line, n, show(host, n) or "-", show(lease, n) or "-"):gsub("%s+$", "")))
    end
  end
  for _, n in ipairs(notes) do print("note: " .. n) end
end

if failed then os.exit(1) end
if not host and not lease then
  io.stderr:write("host-find: dhcpd knows nothing about ", what, "\n")
  os.exit(1)
end
