-- pypureomapi parity: each of pypureomapi 0.8's operations, called with
-- the arguments pypureomapi takes, answering what the lab's dhcpd holds
-- (omapi-protocol.md §11). Hosts made here use 00:00:5e:00:53:a* MACs and
-- 192.0.2.3x addresses, and are deleted again.

function TestLookupIP(t)
  local conn = connect(t)
  eq(t, must(t, conn:lookup_ip(LAB.active.mac)), LAB.active.ip, "lookup_ip(active mac)")
  eq(t, must(t, conn:lookup_ip(LAB.plain_active.mac)), LAB.plain_active.ip, "lookup_ip(plain active mac)")
  -- MAC text in other spellings
  eq(t, must(t, conn:lookup_ip(string.upper(LAB.active.mac))), LAB.active.ip, "lookup_ip(upper case)")
  eq(t, must(t, conn:lookup_ip((string.gsub(LAB.active.mac, ":", "-")))), LAB.active.ip, "lookup_ip(dashes)")
  local msg = fails(t, "not-found", conn:lookup_ip("00:00:5e:00:53:99"))
  contains(t, msg, "00:00:5e:00:53:99", "message names the key")
  contains(t, msg, "lease", "message names the object type")
  conn:close()
end

function TestLookupMAC(t)
  local conn = connect(t)
  eq(t, must(t, conn:lookup_mac(LAB.active.ip)), LAB.active.mac, "lookup_mac(active)")
  eq(t, must(t, conn:lookup_mac(LAB.expired.ip)), LAB.expired.mac, "lookup_mac(expired)")
  -- an abandoned lease has no MAC: a missing attribute is a not-found
  local msg = fails(t, "not-found", conn:lookup_mac(LAB.abandoned.ip))
  contains(t, msg, "hardware-address", "message")
  -- an address in no range has no lease
  fails(t, "not-found", conn:lookup_mac(LAB.no_lease_ip))
  conn:close()
end

function TestLookupIPHost(t)
  local conn = connect(t)
  eq(t, must(t, conn:lookup_ip_host(LAB.static.mac)), LAB.static.ip, "lookup_ip_host(static)")
  eq(t, must(t, conn:lookup_ip_host(LAB.grouped.mac)), LAB.grouped.ip, "lookup_ip_host(grouped)")
  fails(t, "not-found", conn:lookup_ip_host(LAB.noip.mac))
  fails(t, "not-found", conn:lookup_ip_host("00:00:5e:00:53:98"))
  conn:close()
end

function TestLookupHostname(t)
  local conn = connect(t)
  eq(t, must(t, conn:lookup_hostname(LAB.active.ip)), LAB.active.hostname, "lookup_hostname(active)")
  eq(t, must(t, conn:lookup_hostname(LAB.plain_active.ip)), LAB.plain_active.hostname, "lookup_hostname(plain)")
  local msg = fails(t, "not-found", conn:lookup_hostname(LAB.abandoned.ip))
  contains(t, msg, "client-hostname", "message")
  conn:close()
end

function TestLookupHost(t)
  local conn = connect(t)
  local h = must(t, conn:lookup_host(LAB.static.name))
  eq(t, h.ip, LAB.static.ip, "ip")
  eq(t, h.mac, LAB.static.mac, "mac")
  eq(t, h.hostname, LAB.static.name, "hostname")
  eq(t, count(h), 3, "number of fields")
  h = must(t, conn:lookup_host(LAB.noip.name))
  eq(t, h.ip, nil, "ip of a host without address")
  eq(t, h.mac, LAB.noip.mac, "mac")
  h = must(t, conn:lookup_host(LAB.byuid.name))
  eq(t, h.mac, nil, "mac of a host by client id")
  eq(t, h.ip, LAB.byuid.ip, "ip")
  fails(t, "not-found", conn:lookup_host("no-such-host"))
  conn:close()
end

function TestLookupHostByIP(t)
  local conn = connect(t)
  -- found through the lease on that address
  local h = must(t, conn:lookup_host_by_ip(LAB.static_lease.ip))
  eq(t, h.hostname, LAB.static.name, "hostname")
  eq(t, h.mac, LAB.static.mac, "mac")
  eq(t, h.ip, LAB.static.ip, "ip")
  -- a fixed address without a lease is not found by IP
  fails(t, "not-found", conn:lookup_host_by_ip(LAB.grouped.ip))
  conn:close()
end

function TestLookupHostHost(t)
  local conn = connect(t)
  local h = must(t, conn:lookup_host_host(LAB.static.mac))
  eq(t, h.name, LAB.static.name, "name")
  eq(t, h.ip, LAB.static.ip, "ip")
  eq(t, h.mac, LAB.static.mac, "mac")
  eq(t, h.hostname, nil, "hostname (lookup_host_host uses name=)")
  fails(t, "not-found", conn:lookup_host_host("00:00:5e:00:53:97"))
  conn:close()
end

function TestLookupByHost(t)
  local conn = connect(t)
  local r = must(t, conn:lookup_by_host{name = LAB.static.name})
  eq(t, r["ip-address"], LAB.static.ip, "ip-address")
  eq(t, r["hardware-address"], LAB.static.mac, "hardware-address")
  eq(t, r["hardware-type"], 1, "hardware-type")
  eq(t, r.name, LAB.static.name, "name")
  r = must(t, conn:lookup_by_host{mac = LAB.static.mac})
  eq(t, r.name, LAB.static.name, "name by mac")
  -- any attribute as a key, "_" for "-"
  r = must(t, conn:lookup_by_host{dhcp_client_identifier = LAB.byuid.client_id})
  eq(t, r.name, LAB.byuid.name, "name by client id")
  -- raw=true: undecoded bytes
  r = must(t, conn:lookup_by_host{name = LAB.static.name, raw = true})
  eq(t, r["ip-address"], omapi.pack_ip(LAB.static.ip), "raw ip-address")
  eq(t, r["hardware-address"], omapi.pack_mac(LAB.static.mac), "raw hardware-address")
  eq(t, r["hardware-type"], "\0\0\0\1", "raw hardware-type")
  -- keys that point at different hosts
  fails(t, "key-conflict", conn:lookup_by_host{name = LAB.static.name, mac = LAB.noip.mac})
  fails(t, "not-found", conn:lookup_by_host{name = "nope"})
  conn:close()
end

function TestLookupByLease(t)
  local conn = connect(t)
  local r = must(t, conn:lookup_by_lease{ip = LAB.active.ip})
  eq(t, r["ip-address"], LAB.active.ip, "ip-address")
  eq(t, r["hardware-address"], LAB.active.mac, "hardware-address")
  eq(t, r["client-hostname"], LAB.active.hostname, "client-hostname")
  eq(t, r["dhcp-client-identifier"], LAB.active.client_id, "dhcp-client-identifier")
  eq(t, r.state, LAB.active.state, "state")
  eq(t, omapi.lease_states[r.state], "active", "state name")
  eq(t, type(r.ends), "number", "ends is epoch seconds")
  ok(t, r.ends > r.starts, "ends after starts")
  eq(t, type(r.subnet), "number", "subnet handle")
  eq(t, type(r.pool), "number", "pool handle")
  r = must(t, conn:lookup_by_lease{mac = LAB.active.mac})
  eq(t, r["ip-address"], LAB.active.ip, "lease by mac")
  for _, l in ipairs(LAB.leases) do
    local r = must(t, conn:lookup_by_lease{ip = l.ip})
    eq(t, r.state, l.state, "state of " .. l.ip)
    eq(t, r["hardware-address"], l.mac, "mac of " .. l.ip)
  end
  -- a never-used address in a range is a free lease
  r = must(t, conn:lookup_by_lease{ip = LAB.unused_ip})
  eq(t, r.state, 1, "state of an unused address")
  r = must(t, conn:lookup_by_lease{ip = LAB.active.ip, raw = true})
  eq(t, r.state, "\0\0\0\2", "raw state")
  eq(t, #r.flags, 1, "dhcpd sends flags as one byte")
  fails(t, "not-found", conn:lookup_by_lease{ip = LAB.no_lease_ip})
  conn:close()
end

function TestLookupByFailoverState(t)
  local conn = connect(t)
  local r = must(t, conn:lookup_by_failoverstate{name = LAB.failover_peer})
  eq(t, r.name, LAB.failover_peer, "name")
  eq(t, r["partner-port"], 647, "partner-port")
  eq(t, r["local-port"], 647, "local-port")
  eq(t, r.mclt, 3600, "mclt")
  eq(t, r["max-response-delay"], 60, "max-response-delay")
  eq(t, r["max-outstanding-updates"], 10, "max-outstanding-updates")
  eq(t, r.hierarchy, 0, "hierarchy (primary)")
  ok(t, omapi.failover_states[r["local-state"]] ~= nil, "local-state has a name")
  -- dhcpd 4.4.3 sends 8 pointer bytes as the addresses: raw, not a crash
  eq(t, type(r["partner-address"]), "string", "partner-address")
  eq(t, #r["partner-address"], 8, "partner-address length")
  fails(t, "not-found", conn:lookup_by_failoverstate{name = "no-such-peer"})
  conn:close()
end

function TestLookupFailoverState(t)
  local conn = connect(t)
  eq(t, must(t, conn:lookup_failoverstate(LAB.failover_peer, "mclt")), 3600, "mclt")
  eq(t, must(t, conn:lookup_failoverstate(LAB.failover_peer, "partner-port")), 647, "partner-port")
  eq(t, must(t, conn:lookup_failoverstate(LAB.failover_peer, "partner_port")), 647, "partner_port")
  eq(t, #must(t, conn:lookup_failoverstate(LAB.failover_peer, "local-address")), 8, "local-address")
  local msg = fails(t, "not-found", conn:lookup_failoverstate(LAB.failover_peer, "no-such-attribute"))
  contains(t, msg, "no-such-attribute", "message")
  fails(t, "not-found", conn:lookup_failoverstate("no-such-peer", "mclt"))
  conn:close()
end

function TestAddHostDelHost(t)
  local conn = connect(t)
  local ip, mac = "192.0.2.31", "00:00:5e:00:53:a1"
  eq(t, must(t, conn:add_host(ip, mac)), true, "add_host")
  eq(t, must(t, conn:lookup_ip_host(mac)), ip, "lookup_ip_host after add_host")
  local h = must(t, conn:lookup_host_host(mac))
  eq(t, h.ip, ip, "ip")
  ok(t, h.name ~= nil, "dhcpd names the host")
  fails(t, "exists", conn:add_host(ip, mac))
  eq(t, must(t, conn:del_host(mac)), true, "del_host")
  fails(t, "not-found", conn:lookup_ip_host(mac))
  fails(t, "not-found", conn:del_host(mac))
  conn:close()
end

function TestAddHostSupersedeName(t)
  local conn = connect(t)
  local ip, mac, name = "192.0.2.32", "00:00:5e:00:53:a2", "parity-ssn"
  eq(t, must(t, conn:add_host_supersede_name(ip, mac, name)), true, "add_host_supersede_name")
  local h = must(t, conn:lookup_host(name))
  eq(t, h.ip, ip, "ip")
  eq(t, h.mac, mac, "mac")
  eq(t, h.hostname, name, "hostname")
  fails(t, "exists", conn:add_host_supersede_name(ip, mac, name))
  must(t, conn:del_host(mac))
  conn:close()
end

function TestAddHostWithoutIP(t)
  local conn = connect(t)
  local mac = "00:00:5e:00:53:a3"
  eq(t, must(t, conn:add_host_without_ip(mac)), true, "add_host_without_ip")
  local h = must(t, conn:lookup_host_host(mac))
  eq(t, h.ip, nil, "ip")
  eq(t, h.mac, mac, "mac")
  fails(t, "not-found", conn:lookup_ip_host(mac))
  must(t, conn:del_host(mac))
  conn:close()
end

function TestAddHostSupersede(t)
  local conn = connect(t)
  local ip, mac, name = "192.0.2.34", "00:00:5e:00:53:a4", "parity-sup"
  eq(t, must(t, conn:add_host_supersede(ip, mac, name, "client34", LAB.server_ip, "example.org")), true,
    "add_host_supersede")
  local h = must(t, conn:lookup_host(name))
  eq(t, h.ip, ip, "ip")
  eq(t, h.mac, mac, "mac")
  must(t, conn:del_host(mac))
  -- the options are optional
  name, mac = "parity-sup2", "00:00:5e:00:53:a5"
  eq(t, must(t, conn:add_host_supersede(ip, mac, name)), true, "add_host_supersede without options")
  eq(t, must(t, conn:lookup_host(name)).mac, mac, "mac")
  must(t, conn:del_host(mac))
  conn:close()
end

function TestGroups(t)
  local conn = connect(t)
  local group = "parity-group"
  eq(t, must(t, conn:add_group(group, 'option domain-name "parity.example";')), true, "add_group")
  local g = must(t, conn:open("group", {name = group}))
  eq(t, g.name, group, "group name")
  fails(t, "exists", conn:add_group(group, 'option domain-name "parity.example";'))

  local ip, mac = "192.0.2.36", "00:00:5e:00:53:a6"
  eq(t, must(t, conn:add_host_with_group(ip, mac, group)), true, "add_host_with_group")
  eq(t, must(t, conn:lookup_ip_host(mac)), ip, "host in group")
  fails(t, "not-found", conn:add_host_with_group("192.0.2.37", "00:00:5e:00:53:a7", "no-such-group"))

  local name = must(t, conn:lookup_host_host(mac)).name
  eq(t, must(t, conn:change_group(name, LAB.group)), true, "change_group")
  fails(t, "not-found", conn:change_group(name, "no-such-group"))
  fails(t, "not-found", conn:change_group("no-such-host", LAB.group))
  must(t, conn:del_host(mac))
  must(t, g:delete())
  fails(t, "not-found", conn:open("group", {name = group}))
  conn:close()
end
