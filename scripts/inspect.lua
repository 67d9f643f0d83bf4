-- Show an object's attributes byte by byte: wire type, length, hex and decoded value, flagging misfits.
--
-- Usage: omapish inspect TYPE KEY=VALUE... [--hexdump] [--json]
--   omapish inspect lease ip=192.0.2.150
--   omapish inspect control                (the one object without a key)
--   omapish inspect failover-state name=lab-failover
--   omapish inspect pool handle=4          (by handle, with a REFRESH)
-- The debugging tool: what dhcpd really sent, in wire order.

local USAGE = [[
Usage: omapish inspect TYPE KEY=VALUE... [--hexdump] [--json]

Open an object of TYPE (lease, host, group, class, subclass, pool, control,
subnet, shared-network, interface, failover-state, authenticator) by its keys
and show every attribute dhcpd sends, in wire order, with:
  KIND   the wire type the schema expects (uint32, ip, ips, mac, time, handle,
         flags, bool, string, bytes); "?" for a name the schema does not know
         (a lease's binding variables, for instance)
  LEN    the value's length in bytes
  VALUE  the value decoded as its kind (times as UTC dates with the epoch
         seconds, states with their names), or "!" and why the bytes do not
         fit the kind, e.g. "! 8 bytes, want 4" for the failover-state
         partner-address dhcpd 4.4.3 fills with the bytes of a pointer
  BYTES  the raw bytes in hex

Keys: any attribute name (ip, mac and name are short for ip-address,
hardware-address and name; "_" may stand for "-"), converted by the schema
(a MAC also sends hardware-type 1). For a bytes attribute such as
dhcp-client-identifier or hashstring, colon-separated hex (01:00:00:5e:00:53:50,
two or more groups of one or two hex digits) is those bytes, any other text
its own bytes: omapish's one rule, in the Lua module and the shell too. handle=N reads the object with that handle
(REFRESH), e.g. the pool handle a lease shows: inspect pool handle=4. The
control object (dhcpd has one) takes no key: inspect control.

Options:
  --hexdump   also print a hexdump -C style dump of every value
  --json      print one JSON object: {type, handle, attributes = [{name, kind,
              known, length, hex, value, text, problem}]}; value is decoded
              (absent when the bytes do not fit), text as shown in the table
  -h, --help  show this help

Exit status: 0 shown, 1 the object was not found or a request failed, 2 bad usage.

Examples:
  omapish inspect lease ip=192.0.2.150
  omapish inspect host name=static1
  omapish inspect failover-state name=lab-failover
  omapish inspect pool handle=4 --hexdump
  omapish inspect control
]]

local script = require "omapish.script"
local S = script.new("inspect", USAGE)

local opts, operands = S:getopt(arg, { hexdump = "flag", json = "flag" })
if #operands < 1 then S:usage_error("TYPE and at least one KEY=VALUE expected") end
local typ = operands[1]
if typ:find("=") then S:usage_error("TYPE first, then KEY=VALUE: " .. typ) end
-- dhcpd has one control object and finds it without a key.
if #operands < 2 and typ ~= "control" then S:usage_error("TYPE and at least one KEY=VALUE expected") end

local keys, handle = {}, nil
local count = 0
for i = 2, #operands do
  local k, v = operands[i]:match("^([^=]+)=(.*)$")
  if not k then S:usage_error("KEY=VALUE expected, got " .. operands[i]) end
  if k == "handle" then
    handle = tonumber(v)
    if not handle or handle < 0 or handle ~= math.floor(handle) then
      S:usage_error("handle=" .. v .. ": a handle number expected")
    end
  else
    if v == "" then S:usage_error(k .. "= has no value (dhcpd can crash on empty values)") end
    -- The module converts v by the schema, bytes by omapish's one rule.
    keys[k] = v
  end
  count = count + 1
end
if handle and count > 1 then S:usage_error("handle= cannot be combined with other keys") end

local conn = S:connect()

if not handle then
  local obj, err = conn:open(typ, keys)
  if not obj then S:fail(err) end
  handle = obj.handle
end

-- A REFRESH by handle gives the attributes in the order dhcpd sends them.
local reply, qerr = conn:query(omapi.message.refresh(handle))
if not reply then S:fail(qerr) end
if reply.op == omapi.STATUS then
  local m = reply.message
  S:fail(string.format("%s handle %d: %s (result %s)", typ, handle, tostring(m.message or "refused"), tostring(m.result)))
end
local items = reply:items("object", true)
conn:close()

---------------------------------------------------------------------------
-- Decoding.

local STATE_NAMES = {
  lease = { state = omapi.lease_states },
  ["failover-state"] = { ["local-state"] = omapi.failover_states, ["partner-state"] = omapi.failover_states },
  control = { state = omapi.control_states },
}
local LEASE_FLAGS = { [2] = "bootp", [4] = "reserved", [8] = "ms-null-termination", [64] = "unicast-broadcast-hack" }

local function printable(s)
  return not s:find("[%z\1-\31\127]")
end

-- describe returns the value as text and a problem, if any.
local function describe(name, kind, known, bytes)
  if not known then
    local text = printable(bytes) and string.format("%q", bytes) or "(binary)"
    if #bytes == 4 then text = text .. ", as u32 " .. omapi.decode("uint32", bytes) end
    return text, nil
  end
  local v, why = omapi.decode(kind, bytes)
  if v == nil then return nil, why .. " for " .. kind end
  if kind == "time" then
    if v == 0 then return "0 (unset)" end
    return omapi.time(v) .. " (" .. v .. ")"
  elseif kind == "uint32" then
    local names = STATE_NAMES[typ] and STATE_NAMES[typ][name]
    if names then return v .. " (" .. (names[v] or "unknown state") .. ")" end
    if typ == "failover-state" and name == "hierarchy" then
      return v .. " (" .. (({ [0] = "primary", [1] = "secondary" })[v] or "?") .. ")"
    end
    return tostring(v)
  elseif kind == "flags" then
    local set = {}
    for bit, fname in pairs(LEASE_FLAGS) do
      if math.floor(v / bit) % 2 == 1 then set[#set + 1] = fname end
    end
    table.sort(set)
    return v .. (#set > 0 and (" (" .. table.concat(set, ", ") .. ")") or "")
  elseif kind == "handle" then
    return "handle " .. v
  elseif kind == "ips" and type(v) == "table" then
    return table.concat(v, ",")
  elseif kind == "string" then
    if not printable(v) then return string.format("%q", v), "control bytes in text" end
    return string.format("%q", v)
  elseif kind == "bytes" then
    return printable(v) and string.format("%q", v) or "(binary)"
  end
  return tostring(v)
end

local rows = {}
for _, item in ipairs(items) do
  local name, bytes = item[1], item[2]
  local kind, known = omapi.kind(typ, name)
  local value, problem = describe(name, kind, known, bytes)
  rows[#rows + 1] = { name = name, kind = known and kind or "?", known = known, length = #bytes,
    hex = omapi.hex(bytes, " "), value = value, problem = problem, bytes = bytes,
    decoded = omapi.decode(known and kind or "bytes", bytes) }
end

local problems = 0
for _, r in ipairs(rows) do if r.problem then problems = problems + 1 end end

if opts.json then
  local attrs = {}
  for i, r in ipairs(rows) do
    attrs[i] = { name = r.name, kind = r.kind, known = r.known, length = r.length, hex = r.hex,
      value = r.decoded, text = r.value, problem = r.problem }
  end
  print(omapi.json({ type = typ, handle = handle, attributes = attrs }, true))
  os.exit(0)
end

print(string.format("%s handle %d: %d attributes in wire order%s", typ, handle, #rows,
  problems > 0 and (", " .. problems .. " not fitting their type") or ""))
local w = 4
for _, r in ipairs(rows) do if #r.name > w then w = #r.name end end
local vw = 5
for _, r in ipairs(rows) do
  local shown = r.value or ("! " .. r.problem)
  if r.value and r.problem then shown = r.value .. "  ! " .. r.problem end
  r.shown = shown
  if #shown > vw and #shown <= 48 then vw = #shown end
end
local line = "%-" .. w .. "s  %-6s  %4s  %-" .. vw .. "s  %s"
print((string.format(line, "NAME", "KIND", "LEN", "VALUE", "BYTES")))
for _, r in ipairs(rows) do
  print((string.format(line, r.name, r.kind, r.length, r.shown, r.hex):gsub("%s+$", "")))
  if opts.hexdump and r.length > 0 then
    for l in omapi.hexdump(r.bytes):gmatch("[^\n]+") do print("      " .. l) end
  end
end
if #rows == 0 then print("(dhcpd sent no attributes)") end
