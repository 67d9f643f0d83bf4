package scripts

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFailoverPeersFromConf: failover-status takes the peer names from
// dhcpd.conf as dhcpd reads it (omapi.read_conf): includes, quoted and
// bare names, not the peer references of pools, not commented-out peers;
// a conf dhcpd would not read is refused with its line.
func TestFailoverPeersFromConf(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	inc := write("peers.conf", "failover peer b-peer { secondary; address 192.0.2.2; peer address 192.0.2.1; }\n")
	conf := write("dhcpd.conf", `# failover peer "commented" { }
failover peer "a" { primary; address 192.0.2.1; peer address 192.0.2.2; mclt 60; split 128; }
include "`+inc+`";
subnet 192.0.2.0 netmask 255.255.255.0 { pool { failover peer "a"; range 192.0.2.10 192.0.2.20; } }
`)
	bad := write("bad.conf", "failover peer \"a\" {\n  primary\n}\n")
	fake := `omapi.connect = function()
		return {
			lookup_many = function(self, typ, keys)
				local out = {}
				for i in ipairs(keys) do out[i] = { ["local-state"] = 2, ["partner-state"] = 2, hierarchy = 0 } end
				return out
			end,
			close = function() return true end,
		}
	end`
	status, out, errOut := runWith(t, fake, "failover-status", "--conf", conf, "--brief")
	if status != 0 || out != "FAILOVER OK - a normal; b-peer normal\n" || errOut != "" {
		t.Errorf("status %d, stdout %q, stderr %q", status, out, errOut)
	}
	status, out, errOut = runWith(t, fake, "failover-status", "--conf", bad)
	if want := bad + " line 3, column 1: semicolon expected."; status != 2 || out != "" || !strings.Contains(errOut, want) {
		t.Errorf("bad conf: status %d, stdout %q, stderr %q; want 2 and %q", status, out, errOut, want)
	}
}

// TestEmptyJSON: with nothing to list, the JSON of hosts, leases and
// unused-ips is an empty array, not an object.
func TestEmptyJSON(t *testing.T) {
	dir := t.TempDir()
	conf, leases := filepath.Join(dir, "c.conf"), filepath.Join(dir, "l.leases")
	os.WriteFile(conf, []byte("host a { fixed-address 192.0.2.1; }\n"), 0o600)
	os.WriteFile(leases, nil, 0o600)
	for _, args := range [][]string{
		{"hosts", "--conf", conf, "--leases", leases, "--no-live", "--name", "zz", "--format", "json"},
		{"leases", "--leases", leases, "--format", "json"},
		{"unused-ips", "192.0.2.1", "--conf", conf, "--leases", leases, "--no-live", "--format", "json"},
	} {
		status, out, errOut := run(t, args[0], args[1:]...)
		if status != 0 || out != "[]\n" || errOut != "" {
			t.Errorf("%v: status %d, stdout %q, stderr %q; want 0 and []", args, status, out, errOut)
		}
	}
}
