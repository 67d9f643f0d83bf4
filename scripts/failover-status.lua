-- Check the state of dhcpd's failover peers, with a Nagios-style exit status.
--
-- Usage: omapish failover-status [PEER...] [--server NAME]... [--conf FILE] [--brief] [--json]
-- Without PEER names, the failover peers declared in dhcpd.conf are checked;
-- with --server twice, on both peers of a pair, which must agree.
-- Exit status: 0 OK (all normal), 1 WARNING (a peer not normal),
-- 2 CRITICAL (a peer not found, bad usage), 3 UNKNOWN (the server could not be asked).

local USAGE = [[
Usage: omapish failover-status [PEER...] [--server NAME]... [--conf FILE] [--brief] [--json]

Show the failover state of each PEER: the local and the partner state by name,
since when (UTC), the role, MCLT, when packets were last sent and received,
and the unacked updates. The first line is a one-line verdict, as monitoring
plugins print it: "FAILOVER OK - lab-failover normal".

With --server (a profile or an address, repeated or comma-separated), each
server is asked, not omapish's default one. Given both peers of a pair,
failover-status also checks that they agree: each side's partner state is
the other side's local state; a disagreement is a WARNING.

Without PEER names, the names of the "failover peer" declarations are read
from dhcpd.conf (with its include files): the --conf FILE, else in a lab
(omapish lab) the lab's dhcpd.conf, else the system's (/etc/dhcp/dhcpd.conf,
/etc/dhcpd.conf, ...: omapi.dhcpd_files). If it names no peer, name them on
the command line.

Exit status (as a Nagios plugin's):
  0  OK        every peer's local and partner states are "normal"
  1  WARNING   a peer is in another state (startup, recover,
               communications-interrupted, partner-down, ...)
  2  CRITICAL  a peer is not known to dhcpd, no peer names were found, or
               bad usage
  3  UNKNOWN   a state could not be read: no server configured, no
               connection, authentication failure, timeout
The worst one wins, in the order 2, 3, 1, 0.

dhcpd 4.4.3 sends garbage for the peers' addresses (the bytes of a pointer),
so they are not shown: see the failover peer declaration in dhcpd.conf.

Options:
  --server NAME  ask this server (profile or HOST[:PORT]); repeat for both peers
  --conf FILE  read peer names from this dhcpd.conf
  --brief      print the verdict line only
  --json       print one JSON object: {status, code, summary, peers}
  -h, --help   show this help

Examples:
  omapish failover-status
  omapish failover-status lab-failover --brief
  omapish failover-status --server primary --server secondary
]]

local OK, WARNING, CRITICAL, UNKNOWN = 0, 1, 2, 3
local LABELS = { [OK] = "OK", [WARNING] = "WARNING", [CRITICAL] = "CRITICAL", [UNKNOWN] = "UNKNOWN" }
local SEVERITY = { [OK] = 0, [WARNING] = 1, [UNKNOWN] = 2, [CRITICAL] = 3 }

local script = require "omapish.script"
local S = script.new("failover-status", USAGE, { ok = OK, usage = CRITICAL, fail = UNKNOWN })

local opts, peers = S:getopt(arg, { conf = "string", brief = "flag", json = "flag", server = "list" })

-- finish prints the verdict (and details) and exits with its status.
local function finish(code, summary, details, json_peers)
  if opts.json then
    print(omapi.json({ status = LABELS[code], code = code, summary = summary, peers = json_peers or {} }, true))
  else
    print("FAILOVER " .. LABELS[code] .. " - " .. summary)
    if not opts.brief and details then
      for _, line in ipairs(details) do print(line) end
    end
  end
  os.exit(code)
end

---------------------------------------------------------------------------
-- Peer names from dhcpd.conf.

-- conf_peers returns the names of the failover peers the dhcpd.conf at
-- path declares (with its include files), read as dhcpd reads it; nil,
-- message, code when it cannot be read ("io") or has a syntax error.
local function conf_peers(path)
  local conf, err, code = omapi.read_conf(path)
  if not conf then return nil, err, code end
  local names = {}
  for _, p in ipairs(conf.peers) do names[#names + 1] = p.name end
  return names
end

if #peers == 0 then
  local path = script.files(opts)
  local names, err, code = conf_peers(path)
  if not names and (opts.conf or code ~= "io") then
    S:usage_error("cannot read " .. (opts.conf and "--conf " or "") .. err)
  end
  if not names or #names == 0 then
    local where = names and ("no failover peer in " .. path) or "no dhcpd.conf found (" .. path .. ")"
    S:usage_error(where .. ": name the peers (failover-status PEER...) or give --conf FILE")
  end
  peers = names
end

---------------------------------------------------------------------------
-- Asking dhcpd.

-- servers are the servers to ask: --server's, or omapish's default one
-- (false).
local servers = opts.server or {}
local many = #servers > 0
if not many then servers = { false } end

local keys = {}
for i, p in ipairs(peers) do keys[i] = { name = p } end

-- read[i] is what server i said: {states = ...} or {error = message}.
local read = {}
for i, server in ipairs(servers) do
  local conn, cerr = S:try_connect(server)
  if not conn then
    read[i] = { error = "cannot connect: " .. cerr }
  else
    local states, lerr = conn:lookup_many("failover-state", keys)
    conn:close()
    read[i] = states and { states = states } or { error = "cannot read the failover state: " .. lerr }
  end
end

if not many and read[1].error then finish(UNKNOWN, read[1].error) end

local state_name = script.failover_state
local function date(epoch) return script.date(epoch) or "never" end

local function num(v, unit)
  if v == nil then return "-" end
  return tostring(v) .. (unit or "")
end

local worst = OK
local function raise(code)
  if SEVERITY[code] > SEVERITY[worst] then worst = code end
end

local summary, details, json_peers = {}, {}, {}
for si, server in ipairs(servers) do
  -- on names the server in messages when there are several.
  local on = many and (server .. ": ") or ""
  local r = read[si]
  if r.error then
    raise(UNKNOWN)
    summary[#summary + 1] = on .. r.error
    details[#details + 1] = ""
    details[#details + 1] = on .. r.error
    json_peers[#json_peers + 1] = { server = server or nil, status = LABELS[UNKNOWN], error = r.error }
  else
    for i, p in ipairs(peers) do
      local s = r.states[i]
      if s.error then
        local code = s.code == "not-found" and CRITICAL or UNKNOWN
        raise(code)
        local why = s.code == "not-found" and "not a failover peer of this dhcpd" or s.error
        summary[#summary + 1] = on .. p .. ": " .. why
        details[#details + 1] = ""
        details[#details + 1] = on .. p .. ": " .. why
        json_peers[#json_peers + 1] = { server = server or nil, name = p, status = LABELS[code], error = s.error }
      else
        local ls, ps = s["local-state"], s["partner-state"]
        local normal = ls == 2 and ps == 2
        raise(normal and OK or WARNING)
        local role = ({ [0] = "primary", [1] = "secondary" })[s.hierarchy] or ("hierarchy " .. tostring(s.hierarchy))
        if normal then
          summary[#summary + 1] = on .. p .. " normal"
        else
          summary[#summary + 1] = on .. p .. " " .. state_name(ls) .. ", partner " .. state_name(ps)
        end
        details[#details + 1] = ""
        details[#details + 1] = on .. p .. " (" .. role .. ")"
        local function row(label, value) details[#details + 1] = string.format("  %-20s %s", label, value) end
        row("local state", string.format("%s (%s) since %s", state_name(ls), tostring(ls), date(s["local-stos"])))
        row("partner state", string.format("%s (%s) since %s", state_name(ps), tostring(ps), date(s["partner-stos"])))
        row("mclt", num(s.mclt, " s"))
        row("last packet sent", date(s["last-packet-sent"]))
        row("last received", date(s["last-timestamp-received"]))
        row("skew", num(s.skew, " s"))
        row("unacked updates", num(s["cur-unacked-updates"]) .. " of " .. num(s["max-outstanding-updates"]))
        row("max response delay", num(s["max-response-delay"], " s"))
        row("ports", "local " .. num(s["local-port"]) .. ", partner " .. num(s["partner-port"]))
        json_peers[#json_peers + 1] = {
          server = server or nil,
          name = p, status = LABELS[normal and OK or WARNING], role = role,
          local_state = state_name(ls), local_state_number = ls, local_since = date(s["local-stos"]),
          partner_state = state_name(ps), partner_state_number = ps, partner_since = date(s["partner-stos"]),
          mclt = s.mclt, last_packet_sent = date(s["last-packet-sent"]),
          last_timestamp_received = date(s["last-timestamp-received"]), skew = s.skew,
          unacked_updates = s["cur-unacked-updates"], max_outstanding_updates = s["max-outstanding-updates"],
        }
      end
    end
  end
end

-- With the two peers of a pair, each side's partner state must be the
-- other's local state.
if #servers == 2 and not read[1].error and not read[2].error then
  local a, b = servers[1], servers[2]
  for i, p in ipairs(peers) do
    local x, y = read[1].states[i], read[2].states[i]
    if not x.error and not y.error then
      local bad = {}
      if x["partner-state"] ~= y["local-state"] then
        bad[#bad + 1] = string.format("%s sees partner %s, %s is %s", a, state_name(x["partner-state"]), b, state_name(y["local-state"]))
      end
      if y["partner-state"] ~= x["local-state"] then
        bad[#bad + 1] = string.format("%s sees partner %s, %s is %s", b, state_name(y["partner-state"]), a, state_name(x["local-state"]))
      end
      local verdict = #bad == 0 and (p .. ": " .. a .. " and " .. b .. " agree") or (p .. ": disagree: " .. table.concat(bad, "; "))
      if #bad > 0 then raise(WARNING) end
      summary[#summary + 1] = verdict
      details[#details + 1] = ""
      details[#details + 1] = verdict
    end
  end
end

finish(worst, table.concat(summary, "; "), details, json_peers)
