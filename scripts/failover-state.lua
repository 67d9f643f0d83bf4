-- Put a failover peer into a state by name (partner-down, recover, ...), asking first.
--
-- Usage: omapish failover-state PEER STATE [--force] [--wait SECONDS] [--server NAME]
-- Exit status: 0 the server shows the new state, 1 it did not (refused,
-- declined, not within --wait), 2 bad usage or a state that may not be set,
-- 3 the server could not be asked.

local USAGE = [[
Usage: omapish failover-state PEER STATE [--force] [--wait SECONDS] [--server NAME]

Set the local failover state of the failover peer PEER (the name in dhcpd.conf's
"failover peer" declaration) on one server, by name, then wait until the server
shows it and print each state change seen, with its time (UTC).

STATE is one of the states an operator may set:
  partner-down               the partner is down for sure: take over its
                             leases (after MCLT) and serve the whole pool.
                             Only when the partner really is down: two
                             servers in partner-down hand out the same
                             addresses
  recover                    forget what this server knows and ask the
                             partner for every lease (after a lost leases
                             file)
  normal                     back to normal, both serving their half
  communications-interrupted serve only its own half, as when the
                             partner does not answer
  paused                     the partner is to be told this server is
                             stopping for a while
  shutdown                   the partner is to be told this server stops
The other states (startup, potential-conflict, recover-wait, recover-done,
resolution-interrupted, conflict-done) are dhcpd's steps of its own protocol:
setting them by hand sends the peers into a wrong state (conflict-done sends
both to shutdown), and a number that is no state at all makes dhcpd 4.4.3
exit at once ("Impossible case"); failover-state refuses them.

Every change asks for confirmation (type yes) when stdin is a terminal;
otherwise --force is needed.

Options:
  --server NAME   the server (profile or HOST[:PORT]); default: omapish's
  --force         do not ask
  --wait SECONDS  how long to wait for the server to show STATE (default 10)
  -h, --help      show this help

Exit status: 0 the server shows STATE (also when it already did), 1 it does
not (dhcpd refused, the question was declined, or not within --wait), 2 bad
usage or a STATE that may not be set, 3 the server could not be asked.

Examples:
  omapish failover-state lab-failover partner-down --server primary
  omapish --server 10.0.0.2 failover-state pair1 recover --force
]]

local DONE, NOT_DONE, USAGE_ERR, UNKNOWN = 0, 1, 2, 3

-- SETTABLE are the states an operator may set, by name.
local SETTABLE = {
  ["partner-down"] = true, recover = true, normal = true,
  ["communications-interrupted"] = true, paused = true, shutdown = true,
}

local script = require "omapish.script"
local util = require "omapish.util"
local S = script.new("failover-state", USAGE, { ok = DONE, usage = USAGE_ERR, fail = UNKNOWN })

local opts, pos = S:getopt(arg, { force = "flag", wait = "number", server = "string" })
if #pos ~= 2 then S:usage_error("give PEER and STATE (failover-state PEER STATE)") end
local peer, want_name = pos[1], pos[2]:lower()
local wait = opts.wait or 10
if wait <= 0 then S:usage_error("--wait must be positive") end

-- The state's number (omapi.failover_states maps names to numbers too).
local want = omapi.failover_states[want_name]
if type(want) ~= "number" then want = nil end
if not SETTABLE[want_name] then
  local names = {}
  for name in pairs(SETTABLE) do names[#names + 1] = name end
  table.sort(names)
  local why = want and "is a step of dhcpd's own protocol, not one to set by hand"
    or "is not a failover state"
  S:usage_error(string.format("%q %s; settable: %s", pos[2], why, table.concat(names, ", ")))
end

local state_name = script.failover_state

local function now() return omapi.time(os.time()) end

local conn = S:connect(opts.server)
local where = peer .. " on " .. (opts.server or conn.profile or conn.address)

local obj, oerr, ocode = conn:open("failover-state", { name = peer })
if not obj then
  if ocode == "not-found" then S:fail(peer .. " is not a failover peer of " .. conn.address, USAGE_ERR) end
  S:fail("cannot read " .. peer .. ": " .. oerr, UNKNOWN)
end

local function show(o, note)
  print(string.format("%s  %s: local %s since %s, partner %s%s", now(), where,
    state_name(o["local-state"]), omapi.time(o["local-stos"] or 0), state_name(o["partner-state"]), note or ""))
end

show(obj)
if obj["local-state"] == want then
  print(where .. " is in " .. want_name .. " already")
  os.exit(DONE)
end

if not opts.force then
  if not util.isatty("stdin") then
    S:fail("not changed: stdin is not a terminal to ask on; pass --force to set " .. want_name, USAGE_ERR)
  end
  io.stderr:write(string.format("Put %s (%s) from %s into %s? Type yes to go on: ",
    where, conn.address, state_name(obj["local-state"]), want_name))
  local answer = io.read("*l")
  if not answer or answer:lower():match("^%s*(.-)%s*$") ~= "yes" then
    S:fail("not changed", NOT_DONE)
  end
end

-- force: this is the confirmed change the write policy asks scripts to
-- confirm for themselves.
local uok, uerr = obj:update({ ["local-state"] = want_name }, { force = true })
if not uok then S:fail("dhcpd refused " .. want_name .. ": " .. uerr, NOT_DONE) end
print(string.format("%s  %s: set local state %s (%d)", now(), where, want_name, want))

-- Wait until the server shows it, printing each change seen.
local last_local, last_partner = nil, nil
local deadline = os.time() + wait
while true do
  local rok, rerr = obj:refresh()
  if not rok then S:fail("cannot read " .. peer .. " again: " .. rerr, UNKNOWN) end
  local l, p = obj["local-state"], obj["partner-state"]
  if l ~= last_local or p ~= last_partner then
    show(obj)
    last_local, last_partner = l, p
  end
  if l == want then os.exit(DONE) end
  if os.time() >= deadline then
    S:fail(string.format("%s shows %s, not %s, after %d s", where, state_name(l), want_name, wait), NOT_DONE)
  end
  omapi.sleep(0.2)
end
