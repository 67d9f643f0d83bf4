-- conn:open, conn:create, conn:refresh and the object userdata. Hosts made
-- here use 00:00:5e:00:53:b* MACs and 192.0.2.4x addresses.

function TestOpenHost(t)
  local conn = connect(t)
  local h = must(t, conn:open("host", {name = LAB.static.name}))
  eq(t, h.type, "host", "obj.type")
  eq(t, type(h.handle), "number", "obj.handle")
  ok(t, h.handle > 0, "handle > 0")
  eq(t, h.name, LAB.static.name, "obj.name")
  eq(t, h["ip-address"], LAB.static.ip, "obj['ip-address']")
  eq(t, h.ip_address, LAB.static.ip, "obj.ip_address")
  eq(t, h.ip, LAB.static.ip, "obj.ip")
  eq(t, h.mac, LAB.static.mac, "obj.mac")
  eq(t, h["hardware-type"], 1, "hardware-type")
  eq(t, h.nonexistent, nil, "absent attribute")
  local a = h:attrs()
  eq(t, a["ip-address"], LAB.static.ip, "attrs()")
  eq(t, a.name, LAB.static.name, "attrs().name")
  local r = h:attrs(true)
  eq(t, r["ip-address"], omapi.pack_ip(LAB.static.ip), "attrs(true)")
  local s = tostring(h)
  contains(t, s, "host " .. h.handle .. " {", "tostring(obj)")
  contains(t, s, 'name="' .. LAB.static.name .. '"', "tostring(obj)")
  contains(t, s, 'ip-address="' .. LAB.static.ip .. '"', "tostring(obj)")
  raises(t, "read-only", function() h.name = "x" end)
  -- the same object by MAC, and as an ordered pairs array
  local h2 = must(t, conn:open("host", {{"hardware-address", omapi.mac(LAB.static.mac)}, {"hardware-type", 1}}))
  eq(t, h2.handle, h.handle, "same handle by MAC")
  -- several fixed addresses decode as a table
  conn:close()
end

function TestCreateUpdateRefreshDelete(t)
  local conn = connect(t)
  local name, mac, ip = "obj-h1", "00:00:5e:00:53:b1", "192.0.2.41"
  local h = must(t, conn:create("host", {name = name, mac = mac, ip = ip}))
  eq(t, h.type, "host", "type")
  eq(t, h.name, name, "name")
  eq(t, h.ip, ip, "ip")
  eq(t, h["hardware-type"], 1, "hardware-type added with the MAC")
  -- create again: exists, naming the object
  local msg = fails(t, "exists", conn:create("host", {name = name, mac = mac, ip = ip}))
  contains(t, msg, name, "message names the key")
  -- a name already used by another host
  fails(t, "exists", conn:create("host", {name = LAB.static.name, mac = "00:00:5e:00:53:b9"}))

  -- update: the local copy holds the values sent
  eq(t, must(t, h:update{ip_address = "192.0.2.42"}), true, "update")
  eq(t, h.ip, "192.0.2.42", "local copy after update")
  eq(t, must(t, h:refresh()), h, "refresh returns the object")
  eq(t, h.ip, "192.0.2.42", "refreshed ip")
  -- several fixed addresses
  must(t, h:update{ip_address = {"192.0.2.43", "192.0.2.44"}})
  h:refresh()
  eq(t, show(h.ip_address), show({"192.0.2.43", "192.0.2.44"}), "several addresses")
  -- an empty ip-address clears the fixed address (the one empty value dhcpd takes)
  must(t, h:update{ip_address = ""})
  eq(t, h.ip, nil, "local copy after clearing")
  h:refresh()
  eq(t, h.ip, nil, "cleared fixed address")
  -- the group by name (not published back by dhcpd)
  eq(t, must(t, h:update{group = LAB.group}), true, "update group")
  fails(t, "not-found", h:update{group = "no-such-group"})
  -- name cannot change once set
  fails(t, "exists", h:update{name = "other-name"})

  eq(t, must(t, h:delete()), true, "delete")
  fails(t, "not-found", conn:open("host", {name = name}))
  -- (a REFRESH of the old handle may still answer while dhcpd holds a
  -- reference: omapi-protocol.md §2.7)
  conn:close()
end

function TestOpenFlags(t)
  local conn = connect(t)
  local name, mac = "obj-h2", "00:00:5e:00:53:b2"
  local h = must(t, conn:open("host", {name = name, mac = mac}, {create = true}))
  eq(t, h.name, name, "open with create")
  fails(t, "exists", conn:open("host", {name = name, mac = mac}, {create = true, exclusive = true}))
  raises(t, {"bad argument #3 to 'open'", "unknown option", "bogus"}, conn.open, conn, "host", {name = name}, {bogus = true})
  raises(t, {"bad argument #3 to 'open'", "boolean expected"}, conn.open, conn, "host", {name = name}, {create = 1})
  must(t, h:delete())
  conn:close()
end

function TestLeaseObject(t)
  local conn = connect(t)
  local l = must(t, conn:open("lease", {ip = LAB.active.ip}))
  eq(t, l.type, "lease", "type")
  eq(t, l.state, 2, "state")
  eq(t, omapi.lease_states[l.state], "active", "state name")
  eq(t, l.client_hostname, LAB.active.hostname, "client_hostname")
  eq(t, type(l.ends), "number", "ends")
  ok(t, omapi.time(l.ends):match("^%d%d%d%d%-%d%d%-%d%dT%d%d:%d%d:%d%dZ$"), "omapi.time(ends)")
  -- the pool handle, read with conn:refresh (its type learnt from the lease)
  local p = must(t, conn:refresh(l.pool))
  eq(t, p.type, "pool", "pool type")
  eq(t, type(p["lease-count"]), "number", "lease-count")
  ok(t, p["free-leases"] <= p["lease-count"], "free <= count")
  local p2 = must(t, conn:refresh(l.pool, "pool"))
  eq(t, p2["lease-count"], p["lease-count"], "refresh with a type")
  local sn = must(t, conn:refresh(l.subnet))
  eq(t, sn.type, "subnet", "subnet type")
  fails(t, "not-found", conn:refresh(987654))
  -- lease create is not implemented by dhcpd
  fails(t, "not-implemented", conn:create("lease", {ip = LAB.no_lease_ip}))
  conn:close()
end

function TestFailoverStateObject(t)
  local conn = connect(t)
  local f = must(t, conn:open("failover-state", {name = LAB.failover_peer}))
  eq(t, f.mclt, 3600, "mclt")
  eq(t, #f["partner-address"], 8, "garbage partner-address stays raw")
  contains(t, tostring(f), "failover-state", "tostring")
  local j = omapi.json(f)
  contains(t, j, '"mclt":3600', "json")
  conn:close()
end

function TestHazards(t)
  local conn = connect(t)
  -- control state 2 shuts dhcpd down: never sent without force
  local ctl = must(t, conn:open("control", {}))
  eq(t, ctl.type, "control", "control type")
  eq(t, ctl.state, 0, "control state reads 0")
  raises(t, {"update", "shuts dhcpd down", "force=true"}, ctl.update, ctl, {state = 2})
  raises(t, {"open", "force=true"}, conn.open, conn, "control", {state = 2}, {update = true})
  local m = omapi.message.update(ctl.handle)
  m:update_object{state = omapi.u32(2)}
  raises(t, {"query", "force=true"}, conn.query, conn, m)
  raises(t, {"query_many", "force=true"}, conn.query_many, conn, {m})
  -- deleting an interface takes it out of service
  local ifc = must(t, conn:open("interface", {name = LAB.interface}))
  eq(t, ifc.state, "up", "interface state")
  raises(t, {"delete", "interface", "force=true"}, ifc.delete, ifc)
  raises(t, {"delete_many", "force=true"}, conn.delete_many, conn, {ifc})
  raises(t, {"delete_many", "force=true"}, conn.delete_many, conn, {ifc.handle})
  raises(t, {"query", "force=true"}, conn.query, conn, omapi.message.delete(ifc.handle))
  -- a harmless control update is not a hazard: dhcpd refuses any state but 2
  fails(t, "server", ctl:update{state = 1})
  -- dhcpd still serves
  eq(t, must(t, conn:lookup_ip(LAB.active.mac)), LAB.active.ip, "dhcpd still serves")
  conn:close()
end

function TestObjectMisuse(t)
  local conn = connect(t)
  local h = must(t, conn:open("host", {name = LAB.static.name}))
  raises(t, "bad self", h.attrs, conn)
  raises(t, {"bad argument #1 to 'update'", "table"}, h.update, h, "x")
  raises(t, {"bad argument #1 to 'update'", "at least one value"}, h.update, h, {})
  raises(t, {"bad argument #1 to 'update'", "ip-address", "IPv4"}, h.update, h, {ip = "999.1.1.1"})
  local msg = fails(t, "refused", h:update{name = ""})
  assert(msg:find("host name") and msg:find("would crash dhcpd"), msg)
  raises(t, {"bad argument #1 to 'attrs'", "boolean"}, h.attrs, h, "yes")
  raises(t, {"bad argument #2 to 'open'", "table of keys"}, conn.open, conn, "host", "static1")
  raises(t, {"bad argument #1 to 'open'", "object type"}, conn.open, conn, 5, {})
  raises(t, {"bad argument #2 to 'create'", "at least one value"}, conn.create, conn, "host", {})
  raises(t, {"bad argument #2 to 'open'", "not both"}, conn.open, conn, "host", {name = "x", {"a", "b"}})
  conn:close()
  raises(t, {"refresh", "closed"}, h.refresh, h)
  -- attributes can still be read from a closed connection's object
  eq(t, h.name, LAB.static.name, "name after close")
end
