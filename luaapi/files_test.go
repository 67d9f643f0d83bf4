package luaapi

import (
	"os"
	"path/filepath"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// TestReadConfAndLeases: the tables of omapi.read_conf and
// omapi.read_leases, and their failures.
func TestReadConfAndLeases(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("dhcpd.conf", `omapi-port 7911;
key k { algorithm hmac-sha256; secret c2VjcmV0; }
failover peer "fo" { primary; address 192.0.2.1; port 647; peer address 192.0.2.2; peer port 847; mclt 60; split 128; }
subnet 192.0.2.0 netmask 255.255.255.0 {
  option routers 192.0.2.1;
  pool { failover peer "fo"; range 192.0.2.10 192.0.2.20; }
}
group "g" { host h1 { hardware ethernet 00:00:5e:00:53:01; fixed-address 192.0.2.5; option dhcp-client-identifier "c1"; } }
class "cl" { match hardware; }
`)
	write("dhcpd.leases", `lease 192.0.2.10 {
  starts 1 2026/11/30 10:00:00;
  ends never;
  binding state active;
  hardware ethernet 00:00:5e:00:53:0a;
  uid "\001\000\000^";
  set ddns-fwd-name = "a.example";
  client-hostname "pc";
}
host d1 { dynamic; hardware ethernet 00:00:5e:00:53:02; fixed-address 192.0.2.6; }
host h1 { deleted; }
`)
	write("bad.leases", "lease 192.0.2.10 { binding state free; }\nlease 192.0.2.11 {\n  binding state free\n}\n")
	L := newState(t, Options{})
	L.SetGlobal("DIR", lua.LString(dir))
	doString(t, L, `
local c = assert(omapi.read_conf(DIR .. "/dhcpd.conf"))
assert(c.omapi_port == 7911 and c.keys[1].name == "k" and c.keys[1].algorithm == "hmac-sha256")
assert(c.keys[1].secret == nil, "a secret in the table")
local h = c.hosts[1]
assert(h.name == "h1" and h.mac == "00:00:5e:00:53:01" and h.ip == "192.0.2.5" and h.group == "g", omapi.json(h))
assert(h.client_id == "c1" and h.client_id_text == '"c1"' and h.origin == "conf" and h.line == 8, omapi.json(h))
assert(c.subnets[1].network == "192.0.2.0/24" and c.subnets[1].statements[1] == "option routers 192.0.2.1;")
assert(c.pools[1].failover_peer == "fo" and c.pools[1].ranges[1].first == "192.0.2.10" and c.pools[1].ranges[1].last == "192.0.2.20")
assert(c.peers[1].name == "fo" and c.peers[1].role == "primary" and c.peers[1].peer_port == 847)
assert(c.classes[1].name == "cl" and c.groups[1].name == "g")

local ls = assert(omapi.read_leases(DIR .. "/dhcpd.leases"))
local l = ls.leases[1]
assert(l.ip == "192.0.2.10" and l.state == "active" and l.ends == omapi.NEVER and l.starts == 1796032800, omapi.json(l))
assert(l.mac == "00:00:5e:00:53:0a" and l.client_id == "\001\000\000^" and l.hostname == "pc", omapi.json(l))
assert(l.vars["ddns-fwd-name"] == "a.example", omapi.json(l.vars))
assert(#ls.hosts == 2 and ls.hosts[1].dynamic and ls.hosts[1].origin == "omapi" and ls.hosts[2].deleted)
assert(ls.records == 3)

local t, msg, code, partial = omapi.read_leases(DIR .. "/bad.leases")
assert(t == nil and code == "syntax", tostring(msg))
assert(msg == DIR .. "/bad.leases line 4, column 1: semicolon expected.", msg)
assert(#partial.leases == 1 and partial.leases[1].ip == "192.0.2.10")
assert(partial.error.line == 4 and partial.error.column == 1 and partial.error.message == "semicolon expected.")

local t, msg, code = omapi.read_conf(DIR .. "/nonexistent.conf")
assert(t == nil and code == "io" and msg:find("no such file"), msg)
local ok, err = pcall(omapi.read_conf)
assert(not ok and err:find("read_conf"), err)
`)
}
