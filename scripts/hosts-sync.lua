-- Make dhcpd's static hosts match a CSV or TOML file: add, delete, report conflicts.
--
-- Usage: omapish hosts-sync FILE [--dry-run] [--update] [--prune] [--keep-going] [--format csv|toml]
-- FILE lists hosts (name, mac, ip, group, statements, absent). Missing hosts
-- are added, hosts marked absent deleted, and hosts that disagree with the
-- file reported as conflicts and left alone. Run it with --help for more.

local USAGE = [==[
Usage: omapish hosts-sync FILE [--dry-run] [--update] [--prune] [--keep-going] [--format csv|toml]
                           [--conf FILE] [--leases FILE]

Make dhcpd's static hosts match FILE:
  - a host of the file that dhcpd does not have (neither its name nor its MAC
    is known) is added, with its IP, group and statements;
  - a host marked absent is deleted if dhcpd has it;
  - a host dhcpd has with the same name and MAC is in sync when its IP is the
    file's; with another IP it is a conflict, or with --update the IP is
    changed (dhcpd updates a host's IP in place);
  - a name that dhcpd has with another MAC, or a MAC it has under another
    name, is a conflict: reported, never touched;
  - with --prune, a host that dhcpd created over OMAPI (its leases file says
    so) and that FILE does not list, by name or MAC, is deleted. A host
    declared in dhcpd.conf is never pruned, even when it was deleted and
    created again over OMAPI. The files are read as dhcpd reads them
    (omapi.read_conf, omapi.read_leases): --conf and --leases, by default
    in a lab (omapish lab) the lab's, else /etc/dhcp/dhcpd.conf and
    /var/lib/dhcp/dhcpd.leases.
Deletions go first, then IP updates, then additions. Running it again after a
success changes nothing and says so. When a step fails, hosts-sync stops and
prints what was done, what failed and what was not done; fix the cause and
run it again: it finishes the job.

dhcpd never publishes a host's group or statements, so they are used when a
host is added but cannot be compared with an existing host. To move a host
to another group, use host-move.

FILE is CSV with a header line (FILE.csv) or TOML (FILE.toml):
  name,mac,ip,group,statements,absent
  web1,00:00:5e:00:53:a1,192.0.2.61,lab-group,,
  web2,00:00:5e:00:53:a2,,,"option host-name ""web2"";",
  old1,00:00:5e:00:53:a9,,,,true

  [[host]]
  name = "web1"
  mac = "00:00:5e:00:53:a1"
  ip = "192.0.2.61"        # several: "192.0.2.61,192.0.2.62"; none: leave it out
  group = "lab-group"
  statements = 'option host-name "web1";'
  [[host]]
  name = "old1"
  absent = true

name is required (mac may replace it for an absent host); mac is required
for a host to add. Lines starting with # are comments in both formats.

Options:
  --dry-run          print the plan and change nothing
  --update           change the IP of hosts whose IP differs from the file
                     instead of reporting them as conflicts
  --prune            also delete the hosts created over OMAPI that FILE
                     does not list (with --dry-run: which ones)
  --conf FILE        the dhcpd.conf --prune reads (see above)
  --leases FILE      the leases file --prune reads (see above)
  --keep-going       after a failed step, go on with the others
  --format FORMAT    csv or toml (default: by FILE's extension)
  -h, --help         show this help

Exit status: 0 the server matches the file (or the plan was printed), 1 a
step failed (see the report), 2 bad usage or a bad FILE, 3 done, but
conflicts were left untouched.
]==]

local script = require "omapish.script"
local util = require "omapish.util"
local S = script.new("hosts-sync", USAGE)

-- file_error is a bad FILE: status 2, as bad usage.
local function file_error(msg) S:fail(msg, 2) end

local opts, operands = S:getopt(arg, {
  ["dry-run"] = "flag", update = "flag", ["keep-going"] = "flag", format = "string",
  prune = "flag", conf = "string", leases = "string",
})
if #operands ~= 1 then S:usage_error("one FILE expected") end
if (opts.conf or opts.leases) and not opts.prune then S:usage_error("--conf and --leases go with --prune") end
local path = operands[1]

local format = opts.format or path:match("%.(%a+)$")
format = format and format:lower()
if format ~= "csv" and format ~= "toml" then
  S:usage_error("cannot tell the format of " .. path .. ": give --format csv or --format toml")
end

---------------------------------------------------------------------------
-- Reading the file.

local f, ferr = io.open(path, "r")
if not f then file_error(ferr) end
local text = f:read("*a")
f:close()

local COLUMNS = { name = true, mac = true, ip = true, group = true, statements = true, absent = true }

-- raw entries: {fields = {column = value}, where = "FILE:LINE"}
local raw = {}
if format == "csv" then
  local records, lines = util.csv_decode(text, true)
  if not records then file_error(path .. ": " .. lines) end
  for i, rec in ipairs(records) do
    for col in pairs(rec) do
      if not COLUMNS[col] then
        file_error(path .. ": unknown column " .. string.format("%q", col) ..
          " (columns: name, mac, ip, group, statements, absent)")
      end
    end
    raw[#raw + 1] = { fields = rec, where = path .. ":" .. lines[i] }
  end
else
  local doc, terr = util.toml_decode(text)
  if not doc then file_error(path .. ": " .. terr) end
  for k in pairs(doc) do
    if k ~= "host" then file_error(path .. ": unknown key " .. k .. " (hosts go in [[host]] tables)") end
  end
  local hosts = doc.host or {}
  if type(hosts) ~= "table" or (next(hosts) and #hosts == 0) then
    file_error(path .. ": host must be an array of tables: [[host]]")
  end
  for i, h in ipairs(hosts) do
    if type(h) ~= "table" then file_error(path .. ": host #" .. i .. " is not a table") end
    local fields = {}
    for k, v in pairs(h) do
      if not COLUMNS[k] then
        file_error(path .. ": host #" .. i .. ": unknown key " .. k ..
          " (keys: name, mac, ip, group, statements, absent)")
      end
      if k == "absent" then
        if type(v) ~= "boolean" then file_error(path .. ": host #" .. i .. ": absent must be true or false") end
        fields[k] = tostring(v)
      elseif type(v) ~= "string" then
        file_error(path .. ": host #" .. i .. ": " .. k .. " must be a string")
      else
        fields[k] = v
      end
    end
    raw[#raw + 1] = { fields = fields, where = path .. ": host #" .. i }
  end
end

-- Checked entries: {name=, mac=, ip=, group=, statements=, absent=, where=}
local function trim(s) return s and (s:gsub("^%s+", ""):gsub("%s+$", "")) end
local function blank(s) return s == nil or s == "" end

local function normal_mac(s)
  local ok, bytes = pcall(omapi.pack_mac, s)
  if not ok or #bytes ~= 6 then return nil end
  return omapi.unpack_mac(bytes)
end

local function normal_ips(s)
  local out = {}
  for part in s:gmatch("[^,]+") do
    part = trim(part)
    local ok = pcall(omapi.pack_ip, part)
    if not ok then return nil end
    out[#out + 1] = part
  end
  if #out == 0 then return nil end
  return table.concat(out, ",")
end

-- host_values are the attributes of the host an entry adds.
local function host_values(e)
  local values = { name = e.name, mac = e.mac }
  if e.ip then values["ip-address"] = e.ip end
  if e.group then values.group = e.group end
  if e.statements then values.statements = e.statements end
  return values
end

local entries = {}
local seen_name, seen_mac = {}, {}
for _, r in ipairs(raw) do
  local fl = r.fields
  local function bad(msg) file_error(r.where .. ": " .. msg) end
  local e = { where = r.where }
  e.name = trim(fl.name)
  local absent = (trim(fl.absent) or ""):lower()
  if absent == "true" or absent == "yes" or absent == "1" then
    e.absent = true
  elseif absent ~= "" and absent ~= "false" and absent ~= "no" and absent ~= "0" then
    bad("absent must be true or false, not " .. string.format("%q", fl.absent))
  end
  if not blank(fl.mac) then
    e.mac = normal_mac(trim(fl.mac))
    if not e.mac then bad("mac " .. string.format("%q", fl.mac) .. " is not a MAC address like 00:00:5e:00:53:01") end
  end
  if not blank(trim(fl.ip)) then
    e.ip = normal_ips(fl.ip)
    if not e.ip then bad("ip " .. string.format("%q", fl.ip) .. " is not an IPv4 address (or a comma list)") end
  end
  if not blank(trim(fl.group)) then e.group = trim(fl.group) end
  if not blank(fl.statements) then e.statements = fl.statements end
  if blank(e.name) then
    e.name = nil
    if not e.absent or not e.mac then bad("name is missing") end
  end
  if not e.absent and not e.mac then bad("mac is missing (dhcpd needs it to add the host)") end
  if not e.absent then
    -- The write policy, up front: a host dhcpd could not keep (a name it
    -- cannot write to its leases file, statements it would store
    -- corrupt) is refused before anything changes, on every run.
    local ok, why = omapi.check("host", host_values(e), { create = true })
    if not ok then bad(why) end
  end
  if e.name then
    if seen_name[e.name] then bad("name " .. e.name .. " is also at " .. seen_name[e.name]) end
    seen_name[e.name] = e.where
  end
  if e.mac then
    if seen_mac[e.mac] then bad("mac " .. e.mac .. " is also at " .. seen_mac[e.mac]) end
    seen_mac[e.mac] = e.where
  end
  entries[#entries + 1] = e
end

---------------------------------------------------------------------------
-- Looking at the server.

local conn = S:connect()

-- lookup opens the host of each entry by key ("name" or "mac"); returns a
-- table entry index -> object (or nil when dhcpd has none).
local function lookup(key)
  local keys, index = {}, {}
  for i, e in ipairs(entries) do
    if e[key] then
      keys[#keys + 1] = { [key] = e[key] }
      index[#keys] = i
    end
  end
  local found = {}
  if #keys == 0 then return found end
  local res, lerr = conn:open_many("host", keys)
  if not res then S:fail("looking up hosts by " .. key .. " failed: " .. lerr) end
  for j, obj in ipairs(res) do
    if type(obj) == "table" then
      if obj.code ~= "not-found" then
        S:fail("looking up " .. key .. " " .. entries[index[j]][key] .. ": " .. obj.error)
      end
    else
      found[index[j]] = obj
    end
  end
  return found
end

local by_name = lookup("name")
local by_mac = lookup("mac")

-- Groups the entries to add use must exist; dhcpd would refuse the host.
local missing_group = {}
do
  local names, list = {}, {}
  for _, e in ipairs(entries) do
    if not e.absent and e.group and not names[e.group] then
      names[e.group] = true
      list[#list + 1] = e.group
    end
  end
  if #list > 0 then
    local keys = {}
    for i, g in ipairs(list) do keys[i] = { name = g } end
    local res, gerr = conn:lookup_many("group", keys)
    if not res then S:fail("looking up groups failed: " .. gerr) end
    for i, r in ipairs(res) do
      if r.error then missing_group[list[i]] = r.error end
    end
  end
end

local function ips_of(obj)
  local v = obj["ip-address"]
  if type(v) == "table" then return table.concat(v, ",") end
  return v
end

-- describe shows a host of dhcpd: "grouped1 (00:00:5e:00:53:21, 192.0.2.21)".
local function describe(obj)
  return (obj.name or ("handle " .. obj.handle)) .. " (" .. (obj["hardware-address"] or "no MAC") ..
    ", " .. (ips_of(obj) or "no IP") .. ")"
end

-- row shows a host as a plan line does: "web1  00:00:5e:00:53:a1  192.0.2.61".
local function row(name, mac, ip)
  return (name or "-") .. "  " .. (mac or "no MAC") .. "  " .. (ip or "no IP")
end

---------------------------------------------------------------------------
-- The plan: a list of steps {op=, entry=, obj=, text=} and of conflicts.

local deletes, updates, adds, conflicts, errors = {}, {}, {}, {}, {}
local in_sync = 0

local function add_text(e)
  local t = row(e.name, e.mac, e.ip)
  if e.group then t = t .. "  group " .. e.group end
  if e.statements then t = t .. "  statements " .. string.format("%q", e.statements) end
  return t
end

for i, e in ipairs(entries) do
  local hn, hm = by_name[i], by_mac[i]
  local label = e.name or e.mac
  if hn and hm and hn.handle ~= hm.handle then
    conflicts[#conflicts + 1] = label .. ": name " .. e.name .. " is host " .. describe(hn) ..
      ", MAC " .. e.mac .. " is host " .. describe(hm)
  elseif e.absent then
    local h = hn or hm
    if not h then
      in_sync = in_sync + 1
    elseif e.mac and hn and not hm then
      conflicts[#conflicts + 1] = label .. ": marked absent with MAC " .. e.mac .. ", but dhcpd has " ..
        describe(hn) .. ": not deleted"
    elseif e.name and hm and not hn then
      conflicts[#conflicts + 1] = label .. ": marked absent, but MAC " .. e.mac .. " is host " ..
        describe(hm) .. ": not deleted"
    else
      deletes[#deletes + 1] = { op = "delete", entry = e, obj = h,
        text = row(h.name, h["hardware-address"], ips_of(h)) }
    end
  elseif hn and hm then
    local have, want = ips_of(hn), e.ip
    if have == want then
      in_sync = in_sync + 1
    elseif opts.update then
      updates[#updates + 1] = { op = "update", entry = e, obj = hn,
        text = e.name .. "  IP " .. (have or "none") .. " -> " .. (want or "none") }
    else
      conflicts[#conflicts + 1] = e.name .. ": dhcpd has IP " .. (have or "none") .. ", the file " ..
        (want or "none") .. " (--update changes it)"
    end
  elseif hn then
    conflicts[#conflicts + 1] = e.name .. ": dhcpd has " .. describe(hn) .. ", the file says MAC " .. e.mac
  elseif hm then
    conflicts[#conflicts + 1] = e.name .. ": MAC " .. e.mac .. " is dhcpd's host " .. describe(hm)
  elseif e.group and missing_group[e.group] then
    errors[#errors + 1] = { op = "add", entry = e, text = add_text(e),
      reason = "group " .. e.group .. " does not exist" }
  else
    adds[#adds + 1] = { op = "add", entry = e, text = add_text(e) }
  end
end

-- --prune: the hosts dhcpd created over OMAPI (read from its files) that
-- the file does not list, deleted; never those of dhcpd.conf.
if opts.prune then
  local conf_path, leases_path = script.files(opts)
  local conf, err = omapi.read_conf(conf_path)
  if not conf then file_error("--prune: " .. err) end
  -- A damaged leases file could hide a deletion or a re-creation: refuse.
  local leases, lerr = omapi.read_leases(leases_path)
  if not leases then file_error("--prune: " .. lerr) end
  local declared, listed_name, listed_mac = {}, {}, {}
  for _, h in ipairs(conf.hosts) do declared[h.name] = true end
  for _, e in ipairs(entries) do
    if e.name then listed_name[e.name] = true end
    if e.mac then listed_mac[e.mac] = true end
  end
  local keys = {}
  for _, h in ipairs(leases.hosts) do
    if h.dynamic and not h.deleted and not declared[h.name] and not listed_name[h.name]
      and not (h.mac and listed_mac[h.mac]) then
      keys[#keys + 1] = { name = h.name }
    end
  end
  if #keys > 0 then
    local res, perr = conn:open_many("host", keys)
    if not res then S:fail("--prune: looking up hosts failed: " .. perr) end
    for j, obj in ipairs(res) do
      if type(obj) == "table" then
        if obj.code ~= "not-found" then
          S:fail("--prune: looking up " .. keys[j].name .. ": " .. obj.error)
        end
        -- Gone from the server since dhcpd wrote the file: nothing to do.
      else
        deletes[#deletes + 1] = { op = "delete", entry = { name = keys[j].name }, obj = obj,
          text = row(obj.name, obj["hardware-address"], ips_of(obj)) .. "  (created over OMAPI, not in " .. path .. ")" }
      end
    end
  end
end

local steps = {}
for _, list in ipairs{ deletes, updates, adds } do
  for _, s in ipairs(list) do steps[#steps + 1] = s end
end

local function plural(n, word)
  return n .. " " .. word .. (n == 1 and "" or "s")
end

local function print_conflicts()
  for _, c in ipairs(conflicts) do print("conflict  " .. c) end
  for _, s in ipairs(errors) do print("error     " .. s.op .. " " .. s.text .. ": " .. s.reason) end
end

local function exit_status()
  if #conflicts > 0 then return 3 end
  return 0
end

if opts["dry-run"] then
  print("plan (dry run, nothing is changed):")
  for _, s in ipairs(steps) do print(string.format("%-9s %s", s.op, s.text)) end
  print_conflicts()
  print(string.format("would add %d, update %d, delete %d; %s; %d in sync",
    #adds, #updates, #deletes, plural(#conflicts, "conflict"), in_sync))
  if #errors > 0 then
    print(plural(#errors, "host") .. " cannot be added (see error lines)")
    os.exit(1)
  end
  os.exit(exit_status())
end

if #errors > 0 and not opts["keep-going"] then
  print_conflicts()
  S:fail("nothing changed: " .. plural(#errors, "host") ..
    " cannot be added (see the error lines); fix the file or pass --keep-going")
end

if #steps == 0 then
  print_conflicts()
  local msg = "nothing to do: " .. plural(in_sync, "host") .. " in sync"
  if #conflicts > 0 then msg = msg .. ", " .. plural(#conflicts, "conflict") .. " left untouched" end
  print(msg)
  os.exit(#errors > 0 and 1 or exit_status())
end

---------------------------------------------------------------------------
-- Applying the plan, one step at a time.

local function run(step)
  local e = step.entry
  if step.op == "delete" then
    return step.obj:delete()
  elseif step.op == "update" then
    return step.obj:update{ ["ip-address"] = e.ip or "" }
  end
  return conn:create("host", host_values(e))
end

local PAST = { add = "added", delete = "deleted", update = "updated" }
local done, failed, not_done = {}, {}, {}
for i, step in ipairs(steps) do
  local ok, err = run(step)
  if ok then
    done[#done + 1] = step
    print(string.format("%-9s %s", PAST[step.op], step.text))
  else
    step.reason = err
    failed[#failed + 1] = step
    io.stderr:write("hosts-sync: FAILED: ", step.op, " ", step.text, ": ", tostring(err), "\n")
    if not opts["keep-going"] then
      for j = i + 1, #steps do not_done[#not_done + 1] = steps[j] end
      break
    end
  end
end
for _, s in ipairs(errors) do failed[#failed + 1] = s end
print_conflicts()

local counts = { add = 0, update = 0, delete = 0 }
for _, s in ipairs(done) do counts[s.op] = counts[s.op] + 1 end
local summary = string.format("added %d, updated %d, deleted %d", counts.add, counts.update, counts.delete)
if in_sync > 0 then summary = summary .. "; " .. in_sync .. " already in sync" end
if #conflicts > 0 then summary = summary .. "; " .. plural(#conflicts, "conflict") .. " left untouched" end

if #failed == 0 then
  print(summary)
  os.exit(exit_status())
end

local function list(steps_list)
  if #steps_list == 0 then return "nothing" end
  local out = {}
  for _, s in ipairs(steps_list) do out[#out + 1] = s.op .. " " .. (s.entry.name or s.entry.mac) end
  return table.concat(out, ", ")
end
if opts["keep-going"] then
  io.stderr:write("hosts-sync: ", plural(#failed, "step"), " failed. The server is now partly synced:\n")
else
  io.stderr:write("hosts-sync: stopped: a step failed. The server is now partly synced:\n")
end
io.stderr:write("  done:     ", list(done), "\n")
for _, s in ipairs(failed) do
  io.stderr:write("  failed:   ", s.op, " ", s.entry.name or s.entry.mac, ": ", tostring(s.reason), "\n")
end
io.stderr:write("  not done: ", list(not_done), "\n")
io.stderr:write("Fix the cause and run hosts-sync again: it does what is left.\n")
print(summary)
os.exit(1)
