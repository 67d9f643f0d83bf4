-- Change a host's IP address or group safely, rolling back when a step fails.
--
-- Usage: omapish host-move HOST [--ip IP|none] [--group GROUP]
--                          [--statements TEXT | --no-statements] [--old-group GROUP] [--force] [--dry-run]
-- An IP change is an update in place. A group change deletes the host and
-- creates it again; dhcpd never publishes a host's statements, so that needs
-- --statements or --no-statements (or --force to drop them).

local USAGE = [[
Usage: omapish host-move HOST [--ip IP|none] [--group GROUP]
                         [--statements TEXT | --no-statements] [--old-group GROUP]
                         [--force] [--dry-run]

Move the static host HOST (its name or MAC address) to another IP address or
group.

--ip alone changes the host's fixed address in place (dhcpd updates a host's
ip-address by handle), then reads the host back to check it; "none" removes
the fixed address, and a comma list gives several.

--group cannot be changed in place: the host is deleted and created again
with the same name, MAC, client identifier and IP (or the new --ip) in the
new group. The group must exist. If creating it fails, the original host is
created again (rollback), and host-move says what it did.

What dhcpd does not tell: a host's group and its own statements (the lines
of its declaration, such as option host-name) are never published over OMAPI.
So host-move cannot copy them, and refuses to re-create a host unless you say
what its statements are:
  --statements TEXT   the host's statements, as in dhcpd.conf, e.g.
                      'option host-name "web1";' (kept on the new host)
  --no-statements     the host has no statements of its own
  --force             re-create it without statements, losing any it had
and the rollback re-creates the original in no group unless you name its
current group with --old-group GROUP.

Options:
  --ip IP|none         the new fixed address(es)
  --group GROUP        the new group
  --statements TEXT    the host's own statements (see above)
  --no-statements      the host has no statements of its own
  --old-group GROUP    the host's current group, for a rollback
  --force              re-create the host even though its statements are unknown
  --dry-run            print the steps and change nothing
  -h, --help           show this help

Exit status: 0 moved (or nothing to do), 1 a step failed (rolled back when
possible; the output says the state the host is in), 2 bad usage or refused.

Examples:
  omapish host-move static1 --ip 192.0.2.12
  omapish host-move grouped1 --group empty-group --no-statements --old-group lab-group
]]

local script = require "omapish.script"
local S = script.new("host-move", USAGE)

local opts, operands = S:getopt(arg, {
  ip = "string", group = "string", statements = "string", ["no-statements"] = "flag",
  ["old-group"] = "string", force = "flag", ["dry-run"] = "flag",
})
if #operands ~= 1 then S:usage_error("one HOST (a name or a MAC address) expected") end
if not opts.ip and not opts.group then S:usage_error("nothing to change: give --ip and/or --group") end
if opts.statements and opts["no-statements"] then S:usage_error("--statements and --no-statements contradict each other") end
if opts.group == "" then S:usage_error("--group needs a group name") end

-- The new IP: nil (unchanged), "" (none), or a normalised comma list.
local new_ip = nil
if opts.ip then
  if opts.ip == "none" or opts.ip == "" then
    new_ip = ""
  else
    local list = {}
    for part in opts.ip:gmatch("[^,]+") do
      part = part:gsub("^%s+", ""):gsub("%s+$", "")
      if not pcall(omapi.pack_ip, part) then S:usage_error("--ip " .. opts.ip .. ": not an IPv4 address") end
      list[#list + 1] = part
    end
    if #list == 0 then S:usage_error("--ip needs an address or none") end
    new_ip = table.concat(list, ",")
  end
end

local host_arg = operands[1]
local keys
local ok_mac, mac_bytes = pcall(omapi.pack_mac, host_arg)
if ok_mac and #mac_bytes == 6 and host_arg:find("[:%-]") then
  keys = { mac = host_arg }
else
  keys = { name = host_arg }
end

local conn = S:connect()

local host, herr, hcode = conn:open("host", keys)
if hcode == "not-found" then
  S:fail(string.format("dhcpd has no host with %s %s; nothing changed", keys.mac and "MAC" or "name", host_arg))
elseif not host then
  S:fail(herr)
end

local function ips(v)
  if type(v) == "table" then return table.concat(v, ",") end
  return v or ""
end

-- What dhcpd tells about the host.
local original = {
  name = host.name,
  ["hardware-address"] = host["hardware-address"],
  ["hardware-type"] = host["hardware-type"],
  ["dhcp-client-identifier"] = host["dhcp-client-identifier"],
  ["ip-address"] = host["ip-address"] and ips(host["ip-address"]) or nil,
}
local old_ip = ips(host["ip-address"])
local label = host.name or host_arg

local function show_ip(ip)
  if ip == nil or ip == "" then return "no fixed address" end
  return ip
end

---------------------------------------------------------------------------
-- Only the IP: an update in place.

if not opts.group then
  if new_ip == old_ip then
    print(label .. ": already at " .. show_ip(old_ip) .. "; nothing to do")
    os.exit(0)
  end
  if opts["dry-run"] then
    print("plan (dry run, nothing is changed):")
    print("  update " .. label .. " (handle " .. host.handle .. "): ip-address " ..
      show_ip(old_ip) .. " -> " .. show_ip(new_ip))
    os.exit(0)
  end
  local ok, err = host:update{ ["ip-address"] = new_ip }
  if not ok then S:fail("updating the IP of " .. label .. " failed, nothing changed: " .. err) end
  local check, rerr = host:refresh()
  if not check then S:fail("the IP of " .. label .. " was updated, but reading it back failed: " .. rerr) end
  local now = ips(host["ip-address"])
  if now ~= new_ip then
    local back = host:update{ ["ip-address"] = old_ip }
    S:fail(string.format("%s reads back %s, not %s; %s", label, show_ip(now), show_ip(new_ip),
      back and ("set back to " .. show_ip(old_ip)) or "could not set it back"))
  end
  print(label .. ": " .. show_ip(old_ip) .. " -> " .. show_ip(new_ip))
  os.exit(0)
end

---------------------------------------------------------------------------
-- A new group: delete and create again.

if not opts.statements and not opts["no-statements"] and not opts.force then
  io.stderr:write("host-move: refused: moving ", label, " to group ", opts.group,
    " means deleting and re-creating it, and dhcpd never publishes a host's own statements,\n",
    "so they would be lost. Say what they are with --statements TEXT, or --no-statements if\n",
    "it has none, or pass --force to re-create it without them.\n")
  os.exit(2)
end

local group, gerr, gcode = conn:open("group", { name = opts.group })
if not group then
  if gcode == "not-found" then S:fail("group " .. opts.group .. " does not exist; nothing changed") end
  S:fail("looking up group " .. opts.group .. ": " .. gerr)
end
if opts["old-group"] then
  local og, oerr = conn:open("group", { name = opts["old-group"] })
  if not og then S:fail("--old-group " .. opts["old-group"] .. ": " .. oerr .. "; nothing changed") end
end

-- values builds the attributes of a host to create from the original's.
local function values(ip, group_name, statements)
  local v = {}
  for k, x in pairs(original) do v[k] = x end
  v["ip-address"] = nil
  if ip and ip ~= "" then v["ip-address"] = ip end
  v.group = group_name
  v.statements = statements
  return v
end

local statements = opts.statements
local target_ip = new_ip
if target_ip == nil then target_ip = old_ip end
local new_values = values(target_ip, opts.group, statements)
local old_values = values(old_ip, opts["old-group"], statements)

-- The write policy, before deleting anything: dhcpd must be able to keep
-- the re-created host, and the rollback's.
local ok_new, new_err = omapi.check("host", new_values, { create = true })
if not ok_new then S:fail("cannot re-create " .. label .. " in group " .. opts.group .. ": " .. new_err .. "; nothing changed") end
local ok_old, old_err = omapi.check("host", old_values, { create = true })
if not ok_old then S:fail("the rollback could not re-create " .. label .. ": " .. old_err .. "; nothing changed") end

local function describe(v)
  local parts = { "name " .. tostring(v.name) }
  if v["hardware-address"] then parts[#parts + 1] = "MAC " .. v["hardware-address"] end
  if v["dhcp-client-identifier"] then parts[#parts + 1] = "client-id " .. omapi.hex(v["dhcp-client-identifier"], ":") end
  parts[#parts + 1] = show_ip(v["ip-address"])
  parts[#parts + 1] = v.group and ("group " .. v.group) or "no group"
  if v.statements then parts[#parts + 1] = "statements " .. string.format("%q", v.statements) end
  return table.concat(parts, ", ")
end

if opts["dry-run"] then
  print("plan (dry run, nothing is changed):")
  print("  1. delete " .. label .. " (handle " .. host.handle .. ")")
  print("  2. create " .. describe(new_values))
  print("  if 2 fails: create the original again: " .. describe(old_values))
  if not opts["old-group"] then print("  (the original's group is unknown: a rollback puts it in no group)") end
  if opts.force and not statements then print("  (its own statements, if any, are lost: --force)") end
  os.exit(0)
end

-- Step 1: delete.
local ok, derr = host:delete()
if not ok then S:fail("deleting " .. label .. " failed, nothing changed: " .. derr) end

-- Step 2: create in the new group.
local created, err = conn:create("host", new_values)
if created then
  print(label .. ": moved to group " .. opts.group ..
    (new_ip and (", " .. show_ip(old_ip) .. " -> " .. show_ip(new_ip)) or ""))
  os.exit(0)
end

-- Rollback: create the original again; if its statements are what failed,
-- try once more without them rather than leave the host deleted.
io.stderr:write("host-move: creating ", label, " in group ", opts.group, " failed: ", err, "\n")
local back, berr = conn:create("host", old_values)
if back then
  S:fail("rolled back: " .. label .. " is back as it was (" .. describe(old_values) .. ")")
end
if old_values.statements then
  local bare = values(old_ip, opts["old-group"], nil)
  back = conn:create("host", bare)
  if back then
    S:fail("rolled back, but WITHOUT its statements (re-creating with them failed too: " .. berr ..
      "): " .. describe(bare))
  end
end
io.stderr:write("host-move: ROLLBACK FAILED: ", berr, "\n",
  "host-move: ", label, " is DELETED. Re-create it by hand with these attributes:\n",
  "  ", describe(old_values), "\n")
os.exit(1)
