-- Pipelined bulk operations. Hosts made here use 00:00:5e:00:54:xx MACs
-- and 192.0.2.6x / 198.51.100.x addresses.

function TestLookupMany(t)
  local conn = connect(t)
  local keys = {}
  for i, l in ipairs(LAB.leases) do keys[i] = {ip = l.ip} end
  keys[#keys + 1] = {ip = LAB.no_lease_ip}  -- not found
  keys[#keys + 1] = {mac = LAB.active.mac}
  local rs = must(t, conn:lookup_many("lease", keys))
  eq(t, #rs, #keys, "one result per request")
  for i, l in ipairs(LAB.leases) do
    eq(t, rs[i].error, nil, "no error for " .. l.ip)
    eq(t, rs[i]["ip-address"], l.ip, "in order: " .. i)
    eq(t, rs[i].state, l.state, "state of " .. l.ip)
  end
  local nf = rs[#LAB.leases + 1]
  eq(t, nf.code, "not-found", "failed entry code")
  contains(t, nf.error, LAB.no_lease_ip, "failed entry message names the key")
  eq(t, rs[#rs]["ip-address"], LAB.active.ip, "lookup by mac")
  -- raw
  rs = must(t, conn:lookup_many("lease", {{ip = LAB.active.ip}}, {raw = true}))
  eq(t, rs[1]["ip-address"], omapi.pack_ip(LAB.active.ip), "raw")
  -- empty list
  eq(t, #must(t, conn:lookup_many("host", {})), 0, "empty list")
  -- a whole address range, many requests in flight
  keys = {}
  for i = 100, 250 do keys[#keys + 1] = {ip = "192.0.2." .. i} end
  rs = must(t, conn:lookup_many("lease", keys))
  local found = 0
  for i, r in ipairs(rs) do
    if not r.error then
      found = found + 1
      eq(t, r["ip-address"], "192.0.2." .. (99 + i), "order")
    end
  end
  ok(t, found >= 150, "most addresses of the ranges are leases: " .. found)
  -- a whole /24, spread over several connections: the same answers, in
  -- order, as one lookup at a time
  keys = {}
  for i = 0, 255 do keys[#keys + 1] = {ip = "192.0.2." .. i} end
  rs = must(t, conn:lookup_many("lease", keys))
  eq(t, #rs, 256, "one result per address of the /24")
  for i, r in ipairs(rs) do
    local one, _, code = conn:lookup_by_lease{ip = keys[i].ip}
    if one then
      eq(t, r["ip-address"], keys[i].ip, "order at " .. i)
      eq(t, r.state, one.state, "state of " .. keys[i].ip)
    else
      eq(t, r.code, code, "error code for " .. keys[i].ip)
    end
  end
  -- objects opened on the other connections work on this one: handles
  -- are the server's
  local objs = must(t, conn:open_many("lease", {unpack(keys, 100, 250)}))
  for i = #objs - 3, #objs do
    local o = objs[i]
    if not o.error then
      must(t, o:refresh())
      eq(t, o["ip-address"], keys[99 + i].ip, "refreshed object " .. i)
    end
  end
  -- fields: only the attributes asked for (short names too); failures
  -- are whole error entries
  rs = must(t, conn:lookup_many("lease", {{ip = LAB.active.ip}, {ip = LAB.no_lease_ip}}, {fields = {"state", "mac", "nosuch"}}))
  local names = {}
  for k in pairs(rs[1]) do names[#names + 1] = k end
  table.sort(names)
  eq(t, table.concat(names, ","), "hardware-address,state", "fields kept")
  eq(t, rs[1].state, LAB.active.state, "field decoded")
  eq(t, rs[1]["hardware-address"], LAB.active.mac, "short name mac")
  eq(t, rs[2].code, "not-found", "an error entry with fields")
  rs = must(t, conn:lookup_many("lease", {{ip = LAB.active.ip}}, {fields = {"ip"}, raw = true}))
  eq(t, rs[1]["ip-address"], omapi.pack_ip(LAB.active.ip), "fields and raw")
  raises(t, {"bad argument #3 to 'lookup_many'", "option fields", "array of attribute names"}, conn.lookup_many, conn, "lease", {}, {fields = "state"})
  raises(t, {"bad argument #3 to 'lookup_many'", "option fields: entry 2"}, conn.lookup_many, conn, "lease", {}, {fields = {"state", 7}})
  raises(t, {"bad argument #3 to 'lookup_many'", "option raw: boolean"}, conn.lookup_many, conn, "lease", {}, {raw = 1})
  -- misuse is checked before anything is sent
  raises(t, {"bad argument #2 to 'lookup_many'", "entry 2", "IPv4"}, conn.lookup_many, conn, "lease", {{ip = LAB.active.ip}, {ip = "x"}})
  raises(t, {"bad argument #2 to 'lookup_many'", "entry 1", "table of keys"}, conn.lookup_many, conn, "lease", {"192.0.2.1"})
  raises(t, {"bad argument #2 to 'lookup_many'", "entry 1", "at least one key"}, conn.lookup_many, conn, "lease", {{}})
  raises(t, {"bad argument #2 to 'lookup_many'", "array"}, conn.lookup_many, conn, "lease", {a = {ip = "1.2.3.4"}})
  raises(t, {"bad argument #3 to 'lookup_many'", "unknown option"}, conn.lookup_many, conn, "lease", {}, {bogus = true})
  eq(t, must(t, conn:lookup_ip(LAB.active.mac)), LAB.active.ip, "connection still usable")
  conn:close()
end

function TestCreateOpenDeleteMany(t)
  local conn = connect(t)
  local hosts = {}
  for i = 1, 20 do
    hosts[i] = {name = string.format("bulk-%02d", i), mac = string.format("00:00:5e:00:54:%02x", i),
      ip = "198.51.100." .. i}
  end
  hosts[21] = {name = "bulk-01", mac = "00:00:5e:00:54:99"}  -- name taken: exists
  local objs = must(t, conn:create_many("host", hosts))
  eq(t, #objs, 21, "one result per host")
  for i = 1, 20 do
    eq(t, objs[i].error, nil, "created " .. i)
    eq(t, objs[i].type, "host", "type")
    eq(t, objs[i].name, hosts[i].name, "name in order")
    eq(t, objs[i].ip, hosts[i].ip, "ip")
  end
  eq(t, objs[21].code, "exists", "duplicate name")

  -- open them again by MAC
  local keys = {}
  for i = 1, 20 do keys[i] = {mac = hosts[i].mac} end
  local again = must(t, conn:open_many("host", keys))
  for i = 1, 20 do eq(t, again[i].handle, objs[i].handle, "same handle " .. i) end

  -- update through raw messages, pipelined
  local msgs = {}
  for i = 1, 20 do
    msgs[i] = omapi.message.update(objs[i].handle):update_object{group = LAB.group}
  end
  msgs[21] = msgs[1]  -- the same message twice is fine
  local replies = must(t, conn:query_many(msgs))
  eq(t, #replies, 21, "replies")
  for i, r in ipairs(replies) do
    eq(t, r.op, omapi.STATUS, "status " .. i)
    eq(t, r.message.result, 0, "result " .. i)
  end

  -- delete by object and by handle
  local del = {}
  for i = 1, 10 do del[i] = objs[i] end
  for i = 11, 20 do del[i] = objs[i].handle end
  del[21] = objs[1]  -- already deleted by then
  local rs = must(t, conn:delete_many(del))
  for i = 1, 20 do eq(t, rs[i], true, "deleted " .. i) end
  eq(t, type(rs[21]), "table", "second delete fails")
  local left = must(t, conn:lookup_many("host", keys))
  for i = 1, 20 do eq(t, left[i].code, "not-found", "gone " .. i) end

  raises(t, {"bad argument #1 to 'delete_many'", "entry 1"}, conn.delete_many, conn, {"x"})
  raises(t, {"bad argument #1 to 'query_many'", "entry 1", "omapi.message expected"}, conn.query_many, conn, {{}})
  raises(t, {"bad argument #2 to 'create_many'", "entry 1", "at least one value"}, conn.create_many, conn, "host", {{}})
  conn:close()
end

function TestLookupEach(t)
  local conn = connect(t)
  -- a whole /24 (several connections): the same results, in the same
  -- order, as lookup_many
  local keys = {}
  for i = 0, 255 do keys[#keys + 1] = {ip = "192.0.2." .. i} end
  local want = must(t, conn:lookup_many("lease", keys))
  local seen = {}
  local n = must(t, conn:lookup_each("lease", keys, function(i, r)
    eq(t, i, #seen + 1, "results come in order")
    seen[i] = r
  end))
  eq(t, n, 256, "count of results")
  eq(t, #seen, 256, "one result per key")
  for i, r in ipairs(seen) do
    eq(t, r["ip-address"], want[i]["ip-address"], "address at " .. i)
    eq(t, r.state, want[i].state, "state at " .. i)
    eq(t, r.code, want[i].code, "error code at " .. i)
  end
  -- raw, and an object found is one a later refresh can use by handle
  must(t, conn:lookup_each("lease", {{ip = LAB.active.ip}}, function(_, r)
    eq(t, r["ip-address"], omapi.pack_ip(LAB.active.ip), "raw")
  end, {raw = true}))
  -- fields
  must(t, conn:lookup_each("lease", {{ip = LAB.active.ip}}, function(_, r)
    eq(t, r.state, LAB.active.state, "state with fields")
    eq(t, r["client-hostname"], nil, "a field not asked for")
  end, {fields = {"state"}}))
  -- false stops the lookups; the connection is usable afterwards
  eq(t, must(t, conn:lookup_each("lease", keys, function(i) return i < 10 end)), 10, "stopped at 10")
  eq(t, must(t, conn:lookup_ip(LAB.active.mac)), LAB.active.ip, "usable after a stop")
  -- an error in the callback ends the call with that error; the
  -- connection stays usable
  raises(t, {"boom"}, conn.lookup_each, conn, "lease", keys, function(i) if i == 100 then error("boom") end end)
  eq(t, must(t, conn:lookup_ip(LAB.active.mac)), LAB.active.ip, "usable after an error")
  -- the connection is busy inside the callback: a clear error, not a hang
  raises(t, {"lookup_ip", "busy with lookup_each", "another connection"}, conn.lookup_each, conn, "lease", keys,
    function() conn:lookup_ip(LAB.active.mac) end)
  raises(t, {"close", "busy with lookup_each"}, conn.lookup_each, conn, "lease", keys, function() conn:close() end)
  -- another connection works inside it
  local other = connect(t)
  must(t, conn:lookup_each("lease", {{ip = LAB.active.ip}}, function(_, r)
    eq(t, must(t, other:lookup_mac(r["ip-address"])), LAB.active.mac, "another connection inside the callback")
  end))
  other:close()
  -- misuse is checked before anything is sent
  raises(t, {"bad argument #3 to 'lookup_each'", "function expected"}, conn.lookup_each, conn, "lease", keys)
  raises(t, {"bad argument #2 to 'lookup_each'", "entry 2", "IPv4"}, conn.lookup_each, conn, "lease", {{ip = LAB.active.ip}, {ip = "x"}}, print)
  raises(t, {"bad argument #4 to 'lookup_each'", "unknown option"}, conn.lookup_each, conn, "lease", {}, print, {bogus = true})
  eq(t, must(t, conn:lookup_each("lease", {}, print)), 0, "empty list")
  conn:close()
end
